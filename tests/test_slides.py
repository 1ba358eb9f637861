"""The reveal.js decks of `make slides` (slides/build.py), opened in Debian's chromium.

Served from _build on 127.0.0.1 (a deck links to the book in ../html), like
tests/test_site.py: every deck loads with no console error and no request leaving
the machine, its formulas are typeset, Right moves to the next slide, and a static
slider still works on its slide.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from _browser import BUILD, ROOT, SHOTS, offline_page, serve
from playwright.sync_api import Page
from sphinx_external_toc.parsing import parse_toc_yaml

needs_browser = pytest.mark.browser

SLIDES = BUILD / "slides"
# slides/build.py is a script, not a package: loaded under a name no installed package has.
_spec = importlib.util.spec_from_file_location("lossviz_slides_build", ROOT / "slides" / "build.py")
slides_build = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(slides_build)

DECKS = [f"{Path(docname).name}.html" for docname in parse_toc_yaml(ROOT / "_toc.yml")]


@pytest.fixture(scope="module")
def server() -> str:
    if not (SLIDES / "index.html").is_file():
        pytest.fail(f"{SLIDES} is missing: build the decks with `make slides`.")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serve(BUILD) as url:
        yield url + "slides/"


@pytest.fixture
def open_deck(server, browser):
    """open_deck(name) -> (page, errors, external): loaded, MathJax done, reveal.js ready."""
    contexts = []

    def open_(name: str) -> tuple[Page, list[str], list[str]]:
        page, log = offline_page(browser, height=720)
        contexts.append(page.context)
        page.goto(server + name, wait_until="load")
        page.evaluate(
            """async () => {
                if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
                await document.fonts.ready;
                if (!Reveal.isReady()) await new Promise(r => Reveal.on("ready", r));
            }"""
        )
        page.wait_for_load_state("networkidle")
        return page, log.errors, log.external

    yield open_
    for context in contexts:
        context.close()


INDICES = "() => { const i = Reveal.getIndices(); return [i.h, i.v || 0]; }"


# What MyST writes for the markers README.md documents (sphinx-design's {div}, an admonition with a class).
MARKED = """<article class="bd-article"><section id="chapter"><h1>Chapter</h1><p>Opening.</p>
<section id="one"><h2>One</h2><p>First part.</p>
<div class="slide-break docutils"></div>
<p>Second part.</p>
<div class="speaker-notes admonition"><p class="admonition-title">Notes</p><p>Say this.</p></div>
<div class="exercise admonition" id="ex"><p class="admonition-title">Exercise 1</p><p>Try.</p></div>
<div class="solution dropdown admonition"><p class="admonition-title">Solution</p><p>Answer.</p></div>
<section id="sub"><h3>Sub</h3><p>Detail.</p></section></section>
<section id="two"><h2>Two</h2><p>Last.</p></section></section></article>"""


def test_markers_split_slides_and_become_notes(tmp_path):
    article = slides_build.BeautifulSoup(MARKED, "html.parser").find("article")
    slides_build.clean(article)
    stacks = slides_build.split(article, tmp_path)
    assert [[s.heading for s in stack] for stack in stacks] == [["Chapter"], ["One", "One (cont.)", "Sub"], ["Two"]]
    one, cont, sub = stacks[1]
    assert [b.get_text() for b in one.blocks] == ["First part."]
    html = slides_build.render_slide(cont)
    assert '<aside class="notes"><p>Say this.</p></aside>' in html and "Exercise 1" in html
    assert "Answer." not in html and "Notes</p>" not in html
    assert slides_build.render_slide(sub).startswith('<section id="sub">\n<h3>Sub</h3>')


@needs_browser
def test_index_lists_every_deck(server, browser):
    page = browser.new_page()
    try:
        page.goto(server + "index.html")
        links = page.locator("a[href$='.html']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    finally:
        page.context.close()
    assert [link for link in links if not link.startswith("../")] == DECKS


@needs_browser
@pytest.mark.parametrize("deck", DECKS)
def test_deck_loads_offline_typesets_and_advances(deck, open_deck):
    page, errors, external = open_deck(deck)
    assert not external, f"requests leaving 127.0.0.1: {external}"
    assert not errors, "console errors:\n" + "\n".join(errors)
    assert page.locator(".reveal .slides > section").count() >= 2
    assert page.locator("aside.sidebar, .bd-sidebar-primary, nav").count() == 0
    assert page.locator(".solution").count() == 0, "exercise solutions must not be on the slides"
    maths = page.locator(".reveal .math")
    if maths.count():
        assert page.locator(".reveal .math mjx-container").count() == maths.count(), "formulas not typeset"
    before = page.evaluate(INDICES)
    page.locator("body").press("ArrowRight")
    page.wait_for_function(f"() => ({INDICES})().join() !== '{before[0]},{before[1]}'")
    assert page.evaluate(INDICES) != before
    page.screenshot(path=SHOTS / f"slides-{Path(deck).stem}-2.png")
    assert not errors, "console errors:\n" + "\n".join(errors)


@needs_browser
def test_slider_works_on_its_slide(open_deck):
    page, errors, external = open_deck("focal_gamma.html")
    figure = page.locator("figure.lossviz-slider").first
    # Go to the slide holding the slider, the way a lecturer would (its URL hash).
    h, v = figure.evaluate(
        """figure => { const s = figure.closest("section"); const i = Reveal.getIndices(s); return [i.h, i.v || 0]; }"""
    )
    page.evaluate(f"Reveal.slide({h}, {v})")
    assert page.evaluate(INDICES) == [h, v]
    assert figure.is_visible()
    data = json.loads(figure.locator('script[type="application/json"]').text_content())
    src = figure.locator("img").get_attribute("src")
    control = figure.locator('input[type="range"]').first
    control.press("End")
    after = figure.locator("img").get_attribute("src")
    assert after != src and after == data["srcs"][-1]
    assert figure.locator("img").evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    assert page.evaluate(INDICES) == [h, v], "End on the slider must not leave the slide"
    page.screenshot(path=SHOTS / "slides-focal_gamma-slider.png")
    assert not external and not errors, (external, errors)
