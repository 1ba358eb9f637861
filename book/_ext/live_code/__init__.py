"""Live code: run a chapter's cells on a Jupyter kernel from its own page, with Thebe.

The theme's "Live Code" launch button (``launch_buttons.thebe: true`` in
``_config.yml``) calls ``initThebe()``, which ``static/live-code.js`` defines. Nothing
is fetched before the reader presses it. Then the page loads Thebe from the site
itself (``_static/thebe/``, the prebuilt bundle that the Makefile takes from the npm
registry), asks mybinder.org for a kernel built from ``repository.url`` at
``repository.branch`` (or connects to the Jupyter server named in the page's address,
``?jupyter=<server url>&token=<token>``, for a room with no internet), turns every code
cell into an editor and runs the chapter from the top, so that its figures and sliders
come alive.

Why not sphinx-thebe, which Jupyter Book ships: under Sphinx 7 it declares
``const THEBE_JS_URL`` twice (an uncaught SyntaxError on every page,
sphinx-doc/sphinx#13402), it writes an unpkg.com address into every page, and it runs
only the cells it can see.

A chapter's set-up cells (imports, ``glue``) are tagged ``remove-cell`` and are not
on the page, but the visible cells depend on them. This extension writes their
sources into the page as inert JSON, each with its place among the visible cells;
``live-code.js`` turns them into hidden Thebe cells in that place, so the kernel runs
the same program, in the same order, as the notebook.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

# The reader the build uses, so that cell indices agree with the page's.
from prose_eval import create_nb_reader, is_evaluation_cell

STATIC = Path(__file__).parent / "static"


def _launch_settings(app: Sphinx) -> dict[str, Any] | None:
    """Binder settings from the theme's options, or None when live code is off."""
    theme = app.config.html_theme_options
    launch = theme.get("launch_buttons", {})
    if not launch.get("thebe"):
        return None
    repository = theme.get("repository_url", "").rstrip("/")
    if not repository.startswith("https://github.com/"):
        raise ExtensionError(f"live_code: Binder needs a GitHub repository.url, got {repository!r}")
    return {
        "repo": repository.removeprefix("https://github.com/"),
        "ref": theme.get("repository_branch") or "main",
        "binderUrl": launch.get("binderhub_url", "https://mybinder.org").rstrip("/"),
        "repoProvider": "github",
    }


def _visible_cell_indices(pagename: str, doctree: nodes.document) -> list[int]:
    """Notebook indices of the code cells myst-nb rendered, in page order."""
    indices = []
    for cell in doctree.findall(nodes.container):
        if cell.get("nb_element") != "cell_code":
            continue
        if not any(child.get("nb_element") == "cell_code_source" for child in cell.findall(nodes.container)):
            # Shown without its source (remove-input), a cell could be neither edited nor run.
            raise ExtensionError(f"live_code: {pagename}, cell {cell['cell_index'] + 1}: hide its input, do not remove it")
        indices.append(cell["cell_index"])
    return indices


def _hidden_cells(app: Sphinx, pagename: str, visible: list[int]) -> list[dict[str, Any]]:
    """The code cells not on the page, each with the number of visible cells before it."""
    path = app.env.doc2path(pagename)
    text = Path(path).read_text(encoding="utf-8")
    reader = create_nb_reader(str(path), app.env.myst_config, app.env.mystnb_config, text)
    notebook = reader.read(text)
    hidden = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip() or index in visible or is_evaluation_cell(cell):
            continue
        hidden.append({"position": sum(i < index for i in visible), "source": cell.source})
    return hidden


def add_live_code(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    binder = _launch_settings(app)
    if binder is None:
        return
    # On every page: a Jupyter server named in any page's address is remembered.
    app.add_js_file("live-code.js", loading_method="defer")
    if doctree is None or "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    visible = _visible_cell_indices(pagename, doctree)
    theme = app.config.html_theme_options
    kernel_path = PurePosixPath(theme.get("path_to_docs", "") or ".", PurePosixPath(pagename).parent)
    page = {
        "binderOptions": binder,
        "kernelOptions": {"kernelName": app.env.metadata[pagename]["kernelspec"]["name"], "path": str(kernel_path)},
        "visibleCells": len(visible),
        "hiddenCells": _hidden_cells(app, pagename, visible),
    }
    # "</" would end the script element early.
    data = json.dumps(page).replace("</", "<\\/")
    context["body"] += f'\n<script type="application/json" id="live-code">{data}</script>\n'


def check_thebe_bundle(app: Sphinx) -> None:
    if _launch_settings(app) is None:
        return
    bundle = Path(app.confdir, app.config.live_code_thebe, "thebe")
    if not (bundle / "index.js").is_file():
        raise ExtensionError(f"live_code: no Thebe bundle in {bundle}: build with `make book`, which fetches it")
    app.config.html_static_path.extend([str(STATIC), str(bundle.parent)])


def setup(app: Sphinx) -> dict[str, object]:
    # The folder holding thebe/ (index.js and its chunks), relative to the book's root.
    app.add_config_value("live_code_thebe", "_build/vendor", "html")
    # sphinx-book-theme warns that Thebe is "not added to extensions" unless this exists.
    app.add_config_value("thebe_config", {}, "html")
    app.connect("builder-inited", check_thebe_bundle)
    app.connect("html-page-context", add_live_code)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
