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
import sys
import time
from collections.abc import Iterator

import nbformat
import pytest
from _browser import BUILD, ROOT, SHOTS, offline_page
from lab_session import jupyterlab, open_notebook, run_all, wait_until_run

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from prose_eval import evaluated  # noqa: E402

pytestmark = pytest.mark.browser

CHAPTER = "focal_gamma"


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[str]:
    """JupyterLab serving a copy of book/, set up by binder/postBuild; yields the chapter's URL."""
    with jupyterlab(tmp_path_factory.mktemp("lab")) as url:
        yield url.format(chapter=CHAPTER)


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


def test_run_all_as_binder_opens_the_chapter(browser, lab):
    evaluations = site_evaluations()
    assert evaluations, "the chapter has no {eval} numbers"
    sources = sorted({expr for expr, _ in evaluations})
    expected = [text for _, text in evaluations]
    page, log = offline_page(browser, width=1400, height=1000)
    timings = {}
    try:
        start = time.perf_counter()
        open_notebook(page, lab)
        timings["open, kernel idle (s)"] = round(time.perf_counter() - start, 1)

        start = time.perf_counter()
        run_all(page)
        wait_until_run(page)
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
