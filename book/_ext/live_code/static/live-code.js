/* Live code (book/_ext/live_code): run this chapter on a Jupyter kernel, with Thebe.
 *
 * Nothing here fetches anything until the reader presses "Live Code" (the theme's
 * launch button calls initThebe()). Then Thebe is loaded from this site
 * (_static/thebe/), a kernel is asked of mybinder.org, or of the Jupyter server given
 * in the page's address as ?jupyter=<server url>&token=<token> (`make live`; an empty
 * ?jupyter= goes back to Binder), every code cell becomes an editor, and the chapter
 * runs from the top so that its sliders come alive.
 */
(() => {
  "use strict";

  const staticRoot = new URL(".", document.currentScript.src);
  const thebeFile = (name) => new URL(`thebe/${name}`, staticRoot).href;
  // thebe-core fetches require.js from here when it first shows a widget, with no
  // option to change it; the site carries the same file (book/_ext/live_code/vendor.py).
  const REQUIREJS_CDN = "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js";
  const SERVER_KEY = "live-code-jupyter-server";
  let started = false;
  let status;

  const load = (tag, attributes) =>
    new Promise((resolve, reject) => {
      const element = Object.assign(document.createElement(tag), attributes);
      element.addEventListener("load", resolve);
      element.addEventListener("error", () => reject(new Error(`could not load ${attributes.src || attributes.href}`)));
      document.head.append(element);
    });

  function say(text, state = "busy") {
    status.textContent = text;
    status.dataset.state = state;
  }

  function showStatusLine() {
    status = document.createElement("p");
    status.className = "live-code-status";
    status.setAttribute("role", "status");
    // The theme's initThebeSBT() puts an empty button under the title; the status line takes its place.
    document.querySelector(".thebe-launch-button")?.remove();
    document.querySelector("section h1").after(status);
  }

  // A Jupyter server named in the address is remembered for the tab (sessionStorage),
  // on whichever page of the book it is opened, so that the links to other pages,
  // which drop the query, keep using it.
  function rememberServer() {
    const query = new URLSearchParams(window.location.search);
    if (query.has("jupyter")) {
      sessionStorage.setItem(SERVER_KEY, JSON.stringify({ baseUrl: query.get("jupyter"), token: query.get("token") ?? "" }));
    }
  }

  function serverOptions(page) {
    const server = JSON.parse(sessionStorage.getItem(SERVER_KEY) ?? "null");
    if (server?.baseUrl) {
      return { where: server.baseUrl, options: { useBinder: false, serverSettings: server } };
    }
    return { where: page.binderOptions.binderUrl, options: { useBinder: true, binderOptions: page.binderOptions } };
  }

  // Thebe pairs the n-th [data-executable] with the n-th [data-output], so every cell gets
  // an output element; the notebook's hidden set-up cells go back in their places, so the
  // kernel runs the same program, in the same order, as the notebook.
  function markCells(page) {
    const visible = [...document.querySelectorAll("div.cell")];
    if (visible.length !== page.visibleCells || visible.length === 0) {
      throw new Error(`the page shows ${visible.length} code cells where the notebook has ${page.visibleCells}`);
    }
    for (const cell of visible) {
      cell.querySelector(".cell_input pre").dataset.executable = "true";
      let output = cell.querySelector(".cell_output");
      if (!output) {
        output = Object.assign(document.createElement("div"), { className: "cell_output" });
        cell.append(output);
      }
      output.dataset.output = "";
    }
    let last = visible.at(-1);
    for (const { position, source } of page.hiddenCells) {
      const cell = Object.assign(document.createElement("div"), { className: "cell live-code-hidden", hidden: true });
      const input = Object.assign(document.createElement("pre"), { textContent: source });
      input.dataset.executable = "true";
      const output = document.createElement("div");
      output.dataset.output = "";
      cell.append(input, output);
      if (position < visible.length) {
        visible[position].before(cell);
      } else {
        last.after(cell);
        last = cell;
      }
    }
  }

  function serveRequireJsFromSite() {
    const fetchFromNetwork = window.fetch.bind(window);
    window.fetch = (resource, init) =>
      fetchFromNetwork(resource === REQUIREJS_CDN ? thebeFile("require.js") : resource, init);
  }

  function reportProgress(where) {
    const messages = {
      launching: `Asking ${where} for a kernel (building the environment can take minutes the first time)…`,
      "server-ready": "Connected: starting a Python kernel…",
    };
    thebe.on("status", (event, data) => {
      if (data.subject === "server" && messages[data.status]) say(messages[data.status]);
    });
  }

  async function runChapter(notebook) {
    const cells = notebook.cells;
    for (const [index, cell] of cells.entries()) {
      say(`Running the chapter: cell ${index + 1} of ${cells.length}…`);
      const result = await cell.execute();
      if (result === null || result.error) {
        // A failing hidden cell is shown, or its traceback would be invisible.
        document.querySelector(`[data-thebe-id="${cell.id}"]`)?.closest(".live-code-hidden")?.removeAttribute("hidden");
        const error = result?.error?.[0];
        say(`Cell ${index + 1} failed${error ? `: ${error.ename}: ${error.evalue}` : ""}. Edit it and press "run".`, "error");
        return;
      }
    }
    say("Live: every cell is an editor (Shift+Enter or \u201crun\u201d runs it) and the sliders run on the kernel.", "ready");
  }

  async function start() {
    showStatusLine();
    const page = JSON.parse(document.getElementById("live-code").textContent);
    const { where, options } = serverOptions(page);
    try {
      say("Loading Thebe from this site…");
      await Promise.all([
        load("script", { src: thebeFile("index.js") }),
        load("link", { rel: "stylesheet", href: thebeFile("thebe.css") }),
        load("link", { rel: "stylesheet", href: new URL("live-code.css", staticRoot).href }),
      ]);
      serveRequireJsFromSite();
      markCells(page);
      reportProgress(where);
      const { notebook } = await thebe.bootstrap({
        ...options,
        kernelOptions: page.kernelOptions,
        requestKernel: true,
        mountStatusWidget: false,
        mountActivateWidget: false,
        mountRunAllButton: false,
        mountRestartButton: false,
        codeMirrorConfig: { mode: "python" },
        // No LaTeX typesetter: thebe's would load MathJax 2 from cdnjs next to the page's
        // MathJax 3, and no chapter output is LaTeX (slider labels are plain Unicode).
        mathjaxUrl: "",
      });
      await runChapter(notebook);
    } catch (error) {
      say(`Live code could not start: ${error.message ?? error}`, "error");
      console.error("[live-code]", error);
    }
  }

  rememberServer();
  window.initThebe = () => {
    if (started) return;
    started = true;
    start();
  };
})();
