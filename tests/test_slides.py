"""The reveal.js decks of `make slides` (slides/build.py), opened in Debian's chromium.

Served from _build on 127.0.0.1 (a deck links to the book in ../html), like
tests/test_site.py: every deck loads with no console error and no request leaving
the machine, its formulas are typeset, Right moves to the next slide, and a static
slider still works on its slide. Then every slide of every deck is visited with Right at
1280x720, as projected, and measured: nothing outside the slide or in a scrolling box,
code highlighted, figures given most of the height, no near-empty slide, and as many
slides as slides/build.py made. Every tenth slide, and each with a problem, is
screenshot into _build/screenshots/slides/.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
from _browser import BUILD, ROOT, SHOTS, offline_page, platform_fonts, serve
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


# The (h, v) index of every slide that holds a Chinese run.
CHINESE_SLIDES = """() => [...document.querySelectorAll(".reveal .slides section")]
    .filter((slide) => !slide.querySelector("section") && slide.querySelector('[lang="zh-Hans"]'))
    .map((slide) => { const i = Reveal.getIndices(slide); return [i.h, i.v || 0]; })"""


@needs_browser
def test_chinese_terms_render_in_the_decks_cjk_font(open_deck):
    """On every glossary slide that shows them, the Chinese terms are drawn with the deck's
    own copy of the book's CJK subset: the projector's laptop may have no CJK font."""
    page, errors, external = open_deck("glossary.html")
    slides = page.evaluate(CHINESE_SLIDES)
    assert len(slides) >= 3, f"only {len(slides)} glossary slides show Chinese"
    for h, v in slides:
        page.evaluate(f"() => Reveal.slide({h}, {v})")
        page.evaluate("() => document.fonts.ready")
        fonts = platform_fonts(page, '.reveal section.present:not(.stack) [lang="zh-Hans"]')
        assert fonts and all(fonts), f"slide {h}/{v}: Chinese runs not drawn"
        others = {(f["familyName"], f["isCustomFont"]) for runs in fonts for f in runs} - {("Noto Sans CJK SC", True)}
        assert not others, f"slide {h}/{v}: Chinese drawn with {others}"
    page.screenshot(path=SHOTS / "slides-glossary-chinese.png")
    assert not errors and not external


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


# What a slide shows, in the deck's own pixels (1280x720): what sticks out of the slide or
# scrolls, each figure's share of the width and height, whether each listing has coloured
# tokens (Python's: a shell line may have none), and how far down the content reaches.
MEASURE = """() => {
  const slide = Reveal.getCurrentSlide(), scale = Reveal.getScale();
  const canvas = document.querySelector(".reveal .slides").getBoundingClientRect();
  const name = el => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ")[0] : "");
  const outside = [], scrolling = [];
  for (const el of slide.querySelectorAll("*")) {
    if (el.closest("aside.notes, script, mjx-assistive-mml")) continue;
    const r = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (!r.width || !r.height || style.visibility === "hidden") continue;
    const by = Math.max(canvas.left - r.left, r.right - canvas.right, canvas.top - r.top, r.bottom - canvas.bottom);
    if (by > 1) outside.push(`${name(el)} by ${Math.round(by / scale)} px`);
    if (el.scrollHeight > el.clientHeight + 1 && /auto|scroll/.test(style.overflowY) ||
        el.scrollWidth > el.clientWidth + 1 && /auto|scroll/.test(style.overflowX))
      scrolling.push(`${name(el)} (${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight})`);
  }
  const figures = [...slide.querySelectorAll("img")].filter(img => img.naturalWidth > 64).map(img => {
    const r = img.getBoundingClientRect();
    return [r.width / scale / 1280, r.height / scale / 720];
  });
  const plain = [...slide.querySelectorAll("div[class*='highlight-python'] pre, div[class*='highlight-ipython'] pre")].filter(pre => {
    const colour = getComputedStyle(pre).color;
    return ![...pre.querySelectorAll("span")].some(span => getComputedStyle(span).color !== colour);
  }).map(pre => pre.textContent.slice(0, 40));
  const top = slide.getBoundingClientRect().top, heading = slide.firstElementChild;
  const bottom = Math.max(...[...slide.children].filter(c => c.tagName !== "ASIDE").map(c => c.getBoundingClientRect().bottom));
  return {heading: heading.textContent, outside: outside.slice(0, 5), scrolling, figures, plain,
          content: (bottom - heading.getBoundingClientRect().bottom) / scale,
          title: heading.tagName === "H1"};
}"""
# Every leaf <section> is a slide; each must be one build.py made, which starts with its heading.
LEAVES = """() => [...document.querySelectorAll(".reveal .slides section")].filter(s => !s.querySelector("section"))
  .map(s => s.firstElementChild ? s.firstElementChild.tagName : "")"""
FIGURE_HEIGHT, FULL_WIDTH = 0.5, 0.9  # shares of the slide a figure reaches, one or the other
WEAK = 90  # px of content below the heading: less than two lines of prose


def intended_counts() -> dict[str, int]:
    """The slide count build.py printed into the index for each deck."""
    index = (SLIDES / "index.html").read_text(encoding="utf-8")
    return {name: int(count) for name, count in re.findall(r'<a href="([^"]+)">.*?</a> <span>\((\d+) slides\)', index)}


def rgba(css: str) -> list[float]:
    """A computed colour, rgb(...) or rgba(...), as [r, g, b, alpha]."""
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return values + [1.0] * (4 - len(values))


def contrast(foreground: list[float], background: list[float]) -> float:
    """WCAG contrast ratio of two sRGB colours (0-255)."""

    def luminance(rgb):
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@needs_browser
@pytest.mark.parametrize("deck", DECKS)
def test_every_slide_projects(deck, open_deck):
    page, errors, external = open_deck(deck)
    intended = intended_counts()[deck]
    leaves = page.evaluate(LEAVES)
    assert len(leaves) == page.evaluate("Reveal.getTotalSlides()") == intended, "stray slides"
    assert set(leaves) <= {"H1", "H2", "H3"}, f"slides without a heading of their own: {leaves}"
    built = BUILD / "html" / "book" / deck
    notes = slides_build.BeautifulSoup(built.read_text(encoding="utf-8"), "html.parser").select(".speaker-notes")
    assert page.locator("aside.notes").count() == len(notes), "speaker notes lost"
    shots = SHOTS / "slides"
    shots.mkdir(parents=True, exist_ok=True)
    page.evaluate("Reveal.slide(0, 0)")
    problems = []
    for n in range(1, intended + 1):
        if n > 1:
            page.locator("body").press("ArrowRight")
        page.evaluate(
            """async () => {
                const images = [...Reveal.getCurrentSlide().querySelectorAll("img")];
                await Promise.all(images.map(img => img.decode().catch(() => null)));
                await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
            }"""
        )
        m = page.evaluate(MEASURE)
        where = f"{deck} slide {n} ({m['heading'][:50]})"
        found = len(problems)
        if m["outside"] or m["scrolling"]:
            problems.append(f"{where}: outside the slide {m['outside']}, scrolling {m['scrolling']}")
        if m["plain"]:
            problems.append(f"{where}: code without highlighting {m['plain']}")
        if m["figures"] and not any(h >= FIGURE_HEIGHT or w >= FULL_WIDTH for w, h in m["figures"]):
            problems.append(f"{where}: figures too small (width, height shares) {m['figures']}")
        if not m["title"] and m["content"] < WEAK:
            problems.append(f"{where}: near-empty, {m['content']:.0f} px below the heading")
        # Every slide is measured; every tenth, and each with a problem, is also kept as
        # a picture to look at (a picture of each of ~500 slides took two minutes).
        if n % 10 == 1 or len(problems) > found:
            page.screenshot(path=shots / f"{Path(deck).stem}-{n:02d}.png")
    assert page.evaluate("Reveal.isLastSlide()"), "Right did not reach the last slide"
    number = page.locator(".reveal .slide-number").evaluate(
        "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
    )
    (*text, _), (*box, alpha) = (rgba(css) for css in number)
    over_white = [alpha * c + (1 - alpha) * 255 for c in box]
    assert contrast(text, over_white) >= 4.5, f"slide number {number}: {contrast(text, over_white):.2f}:1"
    assert not problems, "\n".join(problems)
    assert not external and not errors, (external, errors)
