"""A chapter in a real JupyterLab, opened as Binder opens it.

Binder runs binder/postBuild (jupytext becomes the viewer of MyST markdown) and opens
``lab/tree/book/<chapter>.md``; the student presses Run All. This test does the same
on 127.0.0.1, with the packages of binder/jupyterlab.txt, in headless Chromium, and
checks what the student sees: no cell fails, the prose shows the numbers the site
shows (``{eval}`` roles, rendered by jupyterlab-myst), a solution stays folded until
clicked, and a slider redraws its figure, shown at its natural size with alt text.

The chapters are copied to a temporary folder first, so that nothing JupyterLab
saves can touch book/.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from _browser import BUILD, ROOT, SHOTS, offline_page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from prose_eval import evaluated  # noqa: E402

pytestmark = pytest.mark.browser

CHAPTER = "focal_gamma"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[str]:
    """JupyterLab serving a copy of book/, set up by binder/postBuild; yields its URL with token."""
    home = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "book", home / "book", ignore=shutil.ignore_patterns("_ext", "_static", "*.bib"))
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "config" / "lab" / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    subprocess.run([str(ROOT / "binder" / "postBuild")], env=env, check=True, capture_output=True)
    port, token = free_port(), secrets.token_hex(16)
    command = [
        str(BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={home}",
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ] + (["--allow-root"] if os.getuid() == 0 else [])
    log = (home / "server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}api/status?token={token}", timeout=2)
                break
            except OSError:
                assert server.poll() is None, (home / "server.log").read_text()
                time.sleep(0.5)
        yield f"{base}lab/tree/book/{CHAPTER}.md?token={token}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def site_evaluations() -> list[tuple[str, str]]:
    """(expression, text) of the chapter's {eval} roles as the site built them, in order."""
    path = BUILD / "jupyter_execute" / "book" / f"{CHAPTER}.ipynb"
    if not path.is_file():
        pytest.fail(f"{path} is missing: build the book first with `make book`.")
    return list(evaluated(nbformat.read(path, as_version=4)))


def in_order(needles: list[str], haystack: str) -> list[str]:
    """The needles not found in haystack one after another."""
    missing, start = [], 0
    for needle in needles:
        at = haystack.find(needle, start)
        if at < 0:
            missing.append(needle)
        else:
            start = at + len(needle)
    return missing


def run_all(page) -> None:
    """Run > Run All Cells, once the notebook has the focus (before that the command is off)."""
    first_prompt = page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").first
    for _ in range(3):
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:
            page.wait_for_function("p => p.textContent !== '[ ]:'", arg=first_prompt.element_handle(), timeout=15_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    pytest.fail("Run All Cells did not start the notebook")


def test_run_all_as_binder_opens_the_chapter(browser, lab):
    evaluations = site_evaluations()
    assert evaluations, "the chapter has no {eval} numbers"
    sources = sorted({expr for expr, _ in evaluations})
    expected = [text for _, text in evaluations]
    page, log = offline_page(browser, width=1400, height=1000)
    timings = {}
    try:
        start = time.perf_counter()
        page.goto(lab)
        page.locator(".jp-Notebook .jp-MarkdownCell").first.wait_for(timeout=120_000)
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=120_000)
        timings["open, kernel idle (s)"] = round(time.perf_counter() - start, 1)

        start = time.perf_counter()
        run_all(page)
        page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
                return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]/.test(p.textContent.trim()));
            }""",
            timeout=180_000,
        )
        timings["Run All (s)"] = round(time.perf_counter() - start, 1)
        page.screenshot(path=str(SHOTS / "jupyterlab-run-all.png"))

        errors = page.locator("[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, errors.first.inner_text()[:2000]

        # JupyterLab renders a cell (and jupyterlab-myst evaluates its expressions) when it
        # comes into view: read the chapter from top to bottom, as the student does,
        # waiting at each cell until no expression's source is left in its text.
        markdown = page.locator(".jp-Notebook .jp-MarkdownCell")
        for index in range(markdown.count()):
            cell = markdown.nth(index)
            cell.scroll_into_view_if_needed()
            page.wait_for_function(
                """([cell, sources]) => {
                    const shown = cell.querySelector('.myst');
                    return shown && !sources.some(source => shown.textContent.includes(source));
                }""",
                arg=[cell.element_handle(), sources],
                timeout=20_000,
            )
        prose = "\n".join(page.locator(".jp-Notebook .jp-MarkdownCell .myst").evaluate_all("cs => cs.map(c => c.textContent)"))
        (SHOTS / "jupyterlab-prose.txt").write_text(prose)
        assert not in_order(expected, prose), f"numbers missing from the prose: {in_order(expected, prose)}"

        solution = page.locator("details.myst-exercise").first
        solution.scroll_into_view_if_needed()
        body = solution.locator(".details-body")
        assert not body.is_visible(), "a solution is shown before it is clicked"
        solution.locator("summary").click()
        assert body.is_visible()

        image = page.locator(".jp-OutputArea-output .widget-html img").first
        image.scroll_into_view_if_needed()
        natural, shown = image.evaluate("img => [img.naturalWidth, img.getBoundingClientRect().width]")
        assert shown <= natural + 1, f"the live image is enlarged from {natural} to {shown} px"
        alt = image.get_attribute("alt")
        assert alt and alt.startswith("Focal loss"), alt
        before = image.get_attribute("src")
        handle = page.locator(".widget-slider .noUi-handle").first
        handle.focus()
        start = time.perf_counter()
        handle.press("ArrowRight")
        page.wait_for_function(
            "src => document.querySelector('.jp-OutputArea-output .widget-html img').src !== src",
            arg=before,
            timeout=10_000,
        )
        timings["slider key to new image (ms)"] = round(1000 * (time.perf_counter() - start))
        assert image.get_attribute("alt") != alt, "the alt text did not follow the slider"
        image.screenshot(path=str(SHOTS / "jupyterlab-slider.png"))
    finally:
        page.screenshot(path=str(SHOTS / "jupyterlab-last.png"))
        (SHOTS / "jupyterlab-timings.json").write_text(json.dumps(timings, indent=1))
        page.context.close()
    assert not log.external, f"requests leaving 127.0.0.1: {log.external}"
