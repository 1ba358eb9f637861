"""Browser tests of the built site (_build/html) in headless Debian Chromium.

Every page listed in _toc.yml is served from 127.0.0.1 and checked for: no console
errors, no request leaving 127.0.0.1, typeset math, static sliders that respond
to the keyboard and the pointer, no critical or serious axe-core violation (at 1280
and 390 px), nothing cut off or widening the page on a phone, and Chinese set in the
book's own CJK font. Screenshots go to _build/screenshots/ for a human
to look at. Run `make book` first (`make test` does).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from _browser import BUILD, ROOT, SHOTS, Log, offline_page, platform_fonts, serve
from playwright.sync_api import Locator, Page
from sphinx_external_toc.parsing import parse_toc_yaml

pytestmark = pytest.mark.browser

HTML = BUILD / "html"


def toc_pages() -> list[str]:
    """The built pages, in _toc.yml's order, as paths under _build/html."""
    return [f"{docname}.html" for docname in parse_toc_yaml(ROOT / "_toc.yml")]


PAGES = toc_pages()


def shot_name(page: str) -> str:
    return page.removesuffix(".html").replace("/", "-")


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def site() -> str:
    """Base URL of _build/html served on 127.0.0.1."""
    if not (HTML / "index.html").is_file():
        pytest.fail(f"{HTML} is missing or incomplete: build the book first with `make book`.")
    with serve(HTML) as url:
        yield url


@pytest.fixture(scope="session")
def open_page(site, browser):
    """open_page(path) at 1280 px; see `opener`."""
    yield from opener(site, browser, width=1280, height=900)


@pytest.fixture(scope="session")
def open_phone_page(site, browser):
    """open_page(path) in a phone's viewport (390 x 844, an iPhone 14's)."""
    yield from opener(site, browser, width=390, height=844)


def opener(site, browser, *, width: int, height: int):
    """open_page(path) -> (page, log): the page loaded, MathJax finished, fonts ready.

    Each page is loaded once per session and shared by the tests of that page (the
    slider test, which moves the sliders, runs last); the log accumulates.
    """
    opened: dict[str, tuple[Page, Log]] = {}

    def open_(path: str) -> tuple[Page, Log]:
        if path in opened:
            return opened[path]
        if not (HTML / path).is_file():
            pytest.fail(f"{path} is in _toc.yml but not in {HTML}: rebuild with `make book`.")
        page, log = offline_page(browser, width=width, height=height)
        page.goto(site + path, wait_until="load")
        page.evaluate(
            """async () => {
                if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
                await document.fonts.ready;
            }"""
        )
        page.wait_for_load_state("networkidle")
        opened[path] = page, log
        return page, log

    yield open_
    for page, _ in opened.values():
        page.context.close()


# -- the site as a whole -----------------------------------------------------------------------


def test_every_page_in_the_toc_was_built():
    missing = [page for page in PAGES if not (HTML / page).is_file()]
    assert not missing, f"not built (run `make book`): {missing}"


# -- every page --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_without_errors(path, open_page):
    page, log = open_page(path)
    page.screenshot(path=SHOTS / f"{shot_name(path)}.png", full_page=True, animations="disabled")
    assert any(url.startswith(page.url.split("#")[0]) for url in log.requests)
    log.assert_clean()
    assert page.locator("main h1").count() >= 1, "the page has no title: did the theme render?"


# Raw TeX the reader must never see: \( \) \[ \] $$ or $...$ in visible, non-code text.
RAW_MATH = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\$[^$\n]+\$")

VISIBLE_PROSE = """() => {
    const skip = "pre, code, script, style, textarea, mjx-container, .highlight";
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const parts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest(skip) || !parent.checkVisibility()) continue;
        parts.push(node.textContent);
    }
    return parts.join(" ");
}"""


@pytest.mark.parametrize("path", PAGES)
def test_math_is_typeset(path, open_page):
    page, log = open_page(path)
    maths = page.locator(".math")
    typeset = page.locator(".math mjx-container")
    if maths.count():
        assert typeset.count() == maths.count(), (
            f"{maths.count() - typeset.count()} of {maths.count()} formulas were not typeset by MathJax"
        )
    leftovers = sorted(set(RAW_MATH.findall(page.evaluate(VISIBLE_PROSE))))
    assert not leftovers, f"raw TeX delimiters in the visible text: {leftovers}"
    log.assert_clean()


# Code boxes wider than their text, with every hidden code cell opened (and closed again).
OVERFLOWING_CODE = """() => {
    const closed = [...document.querySelectorAll("details:not([open])")];
    closed.forEach((details) => (details.open = true));
    const wide = [...document.querySelectorAll("div.cell_input pre, div.cell_output pre")]
        .filter((pre) => pre.scrollWidth > pre.clientWidth)
        .map((pre) => pre.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a)));
    closed.forEach((details) => (details.open = false));
    return wide;
}"""


# Output boxes whose figure is wider than they are (the alt text names the figure).
OVERFLOWING_FIGURES = """() => [...document.querySelectorAll("div.cell_output")]
    .filter((box) => box.querySelector("img") && box.scrollWidth > box.clientWidth + 1)
    .map((box) => box.querySelector("img").alt.slice(0, 80))"""


@pytest.mark.parametrize("path", PAGES)
def test_code_output_and_figures_fit_without_scrolling_sideways(path, open_page):
    """At a 1280-pixel window, with the contents sidebar shown: code cells are formatted
    to fit their box (76 characters), printed output wraps, as in JupyterLab, and every
    figure is scaled to the text column (only a narrow screen scrolls a figure sideways)."""
    page, _ = open_page(path)
    wide = page.evaluate(OVERFLOWING_CODE)
    assert not wide, f"{len(wide)} code boxes scroll sideways; their longest lines: {wide}"
    cut = page.evaluate(OVERFLOWING_FIGURES)
    assert not cut, f"{len(cut)} figures are cut at the column's edge: {cut}"


# -- accessibility and phones ------------------------------------------------------------------

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

AXE_RUN = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
    .filter((v) => v.impact === "critical" || v.impact === "serious")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0].html.slice(0, 200)}`)"""


def axe_violations(page: Page) -> list[str]:
    """axe-core's critical and serious violations on the page (axe is injected, from npm)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (package.json pins axe-core).")
    if not page.evaluate("() => 'axe' in window"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN)


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_critical_or_serious_violation(path, open_page, open_phone_page):
    """At both widths: the theme shows different buttons on a phone."""
    for opened in (open_page, open_phone_page):
        page, _ = opened(path)
        violations = axe_violations(page)
        assert not violations, f"{path} at {page.viewport_size['width']} px:\n" + "\n".join(violations)


# What a phone reader cannot reach: anything right of the viewport that no box scrolls to
# (MathJax's MathML copy for screen readers is clipped to nothing on purpose).
CUT_OFF = """() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX)
        && el.scrollWidth > el.clientWidth;
    const cut = [];
    for (const el of document.querySelectorAll("article *")) {
        const box = el.getBoundingClientRect();
        if (box.right <= width + 1 || box.width === 0 || !el.checkVisibility()) continue;
        if (el.closest("mjx-assistive-mml")) continue;
        let box_ = el.parentElement;
        while (box_ && !scrolls(box_)) box_ = box_.parentElement;
        if (!box_) cut.push(`<${el.tagName.toLowerCase()} class="${el.className}"> ${el.textContent.trim().slice(0, 60)}`);
    }
    return {pageWidth: document.documentElement.scrollWidth, width, cut};
}"""

# Every figure's width over its natural width: at least narrow_screens.js's LEGIBLE_SCALE.
FIGURE_SCALES = """() => [...document.querySelectorAll("div.cell_output img")]
    .filter((img) => img.naturalWidth > 0)
    .map((img) => img.getBoundingClientRect().width / img.naturalWidth)"""


@pytest.mark.parametrize("path", PAGES)
def test_page_fits_a_phone(path, open_phone_page):
    """At 390 px the page does not scroll sideways; what is wider (tables, formulas, code,
    figures) scrolls inside its own box, whose cut edge fades; figure text stays legible."""
    page, log = open_phone_page(path)
    page.screenshot(path=SHOTS / f"{shot_name(path)}-phone.png", full_page=True, animations="disabled")
    fit = page.evaluate(CUT_OFF)
    assert fit["pageWidth"] <= fit["width"], f"the page is {fit['pageWidth']} px wide at {fit['width']} px"
    assert not fit["cut"], "cut off on the right, in no scrolling box:\n" + "\n".join(fit["cut"][:10])
    scales = page.evaluate(FIGURE_SCALES)
    assert all(scale >= 0.64 for scale in scales), f"figures shrunk below 65% of their natural size: {scales}"
    if path.endswith("which_loss.html"):
        table = page.locator(".pst-scrollable-table-container").first
        assert table.evaluate("box => box.scrollWidth > box.clientWidth"), "the table fits: no cue to check"
        assert "lossviz-more-right" in table.get_attribute("class"), "the table scrolls with no cue"
        table.evaluate("box => box.scrollTo({left: box.scrollWidth})")
        page.wait_for_function("box => !box.classList.contains('lossviz-more-right')", arg=table.element_handle())
        table.screenshot(path=SHOTS / "which_loss-phone-table-scrolled.png")
    log.assert_clean()



@pytest.mark.parametrize(("path", "runs", "shown"), [("book/glossary.html", 40, "dl.glossary"), ("book/sources.html", 5, "article h2")])
def test_chinese_terms_render_in_the_books_cjk_font(path, runs, shown, open_page):
    """Every glyph of every Chinese run (the glossary's terms, the Sources page's article
    titles) comes from the site's own subset of Noto Sans CJK SC (a web font), not from a
    font of the machine's or a blank box. A character added to the book without
    `make cjk-font` falls back and fails here."""
    page, log = open_page(path)
    page.evaluate("() => document.fonts.load('16px \"lossviz CJK\"', '损')")
    assert page.evaluate("() => document.fonts.check('16px \"lossviz CJK\"', '损失函数')")
    terms = platform_fonts(page, '[lang="zh-Hans"]')
    assert len(terms) >= runs, f"only {len(terms)} Chinese runs marked lang=zh-Hans in {path}"
    others = {(f["familyName"], f["isCustomFont"]) for fonts in terms for f in fonts} - {("Noto Sans CJK SC", True)}
    assert not others, f"Chinese glyphs drawn with other fonts: {others}"
    page.locator(shown).first.screenshot(path=SHOTS / f"{shot_name(path)}-chinese.png")
    assert any(url.endswith("fonts/lossviz-cjk.woff2") for url in log.requests)
    log.assert_clean()


# -- static sliders ---------------------------------------------------------------------------


STATE = """async figure => {
    const img = figure.querySelector("img");
    await img.decode().catch(() => null);
    return {
        positions: [...figure.querySelectorAll('input[type="range"]')].map(input => +input.value),
        src: img.getAttribute("src"),
        width: img.naturalWidth,
        alt: img.getAttribute("alt"),
        outputs: [...figure.querySelectorAll("output")].map(output => output.textContent),
    };
}"""


@dataclass
class StaticSlider:
    """One figure.lossviz-slider on a page, with its JSON: frame URLs (``srcs``, on the
    built site) or inline frames (``frames``, a figure outside the book)."""

    figure: Locator
    data: dict

    def __post_init__(self) -> None:
        self.inputs = self.figure.locator('input[type="range"]').all()
        self.tops = [len(texts) - 1 for texts in self.data["texts"]]

    def src(self, flat: int) -> str:
        """The picture's URL for flat (row-major) position ``flat``."""
        if "srcs" in self.data:
            return self.data["srcs"][flat]
        return "data:image/png;base64," + self.data["frames"][flat]

    def state(self) -> dict:
        """What the reader sees: the inputs' positions, the picture's URL, its alt text and
        the value labels, once the picture has loaded (its width 0 if it failed to)."""
        return self.figure.evaluate(STATE)

    def assert_consistent(self) -> dict:
        """The picture, its alt text and every value label agree with the inputs' positions."""
        state = self.state()
        flat = 0
        for axis, position in enumerate(state["positions"]):
            flat = flat * self.data["shape"][axis] + position
        assert state["src"] == self.src(flat), f"{state['src']} shown for positions {state['positions']}"
        assert state["width"] > 0, f"the picture {state['src']} did not load"
        assert state["alt"] == self.data["alts"][flat]
        assert state["outputs"] == [self.data["texts"][a][p] for a, p in enumerate(state["positions"])]
        return state

    def press_all(self, key: str) -> dict:
        for control in self.inputs:
            control.press(key)  # focuses the input first
        return self.assert_consistent()

    def drag(self, axis: int, fraction: float, page: Page) -> dict:
        """Press on the thumb of input `axis`, drag it to `fraction` of the track, release."""
        control = self.inputs[axis]
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        start = self.state()["positions"][axis] / self.tops[axis]
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + 8 + start * (box["width"] - 16), y)
        page.mouse.down()
        for step in range(1, 6):
            page.mouse.move(box["x"] + box["width"] * (start + (fraction - start) * step / 5), y)
        page.mouse.up()
        return self.assert_consistent()


def sliders_on(page: Page) -> list[StaticSlider]:
    figures = page.locator("figure.lossviz-slider").all()
    return [
        StaticSlider(f, json.loads(f.locator('script[type="application/json"]').text_content())) for f in figures
    ]


def source_of(page: str) -> Path | None:
    stem = ROOT / page.removesuffix(".html")
    return next((s for s in (stem.with_suffix(".md"), stem.with_suffix(".ipynb")) if s.is_file()), None)


def figures_module(page: str) -> Path:
    return ROOT / "lossviz" / "figures" / f"{Path(page).stem}.py"


# Pages whose chapter's figures make sliders: each must show at least one static slider.
SLIDER_PAGES = [
    p for p in PAGES if source_of(p) and figures_module(p).is_file() and "slider_figure(" in figures_module(p).read_text()
]


def check_slider(page: Page, slider: StaticSlider, where: str, shot: str) -> None:
    """Drive one static slider by keyboard and pointer; screenshot it at both ends."""
    assert len(slider.inputs) == len(slider.data["shape"]), where
    slider.assert_consistent()
    last = len(slider.data["alts"]) - 1

    # Keyboard: Home on every input shows the first frame, End the last; arrows step.
    state = slider.press_all("Home")
    assert state["positions"] == [0] * len(slider.inputs) and state["src"] == slider.src(0), where
    slider.figure.screenshot(path=SHOTS / f"{shot}-first.png", animations="disabled")
    for axis, control in enumerate(slider.inputs):
        control.press("ArrowRight")
        moved = slider.assert_consistent()
        assert moved["positions"][axis] == 1, f"{where}: ArrowRight did not step input {axis}"
        assert moved["outputs"] != state["outputs"], where
        state = moved
    state = slider.press_all("End")
    assert state["positions"] == slider.tops and state["src"] == slider.src(last), where
    slider.figure.screenshot(path=SHOTS / f"{shot}-last.png", animations="disabled")

    # Pointer: a click on the track jumps there; dragging the thumb to an end reaches it.
    state = slider.press_all("Home")
    for axis, control in enumerate(slider.inputs):
        box = control.bounding_box()
        control.click(position={"x": box["width"] * 0.75, "y": box["height"] / 2})
        clicked = slider.assert_consistent()
        landed = clicked["positions"][axis]
        # The thumb's width makes the track a little shorter than the input: 2% slack.
        slack = max(1, 0.02 * slider.tops[axis])
        assert abs(landed - 0.75 * slider.tops[axis]) <= slack, f"{where}: a click at 75% landed at {landed}"
        assert clicked["outputs"] != state["outputs"], where
        state = clicked
    for axis in range(len(slider.inputs)):
        state = slider.drag(axis, 1.0, page)
        assert state["positions"][axis] == slider.tops[axis], f"{where}: dragged right to {state['positions']}"
    assert state["src"] == slider.src(last), where
    for axis in range(len(slider.inputs)):
        state = slider.drag(axis, 0.0, page)
        assert state["positions"][axis] == 0, f"{where}: dragged left to {state['positions']}"
    assert state["src"] == slider.src(0), where


@pytest.mark.parametrize("path", SLIDER_PAGES)
def test_static_sliders_follow_keyboard_and_pointer(path, open_page):
    page, log = open_page(path)
    sliders = sliders_on(page)
    assert sliders, f"{path} calls slider_figure but shows no static slider (figure.lossviz-slider)"
    for k, slider in enumerate(sliders):
        where = f"{path}, slider {k} ({slider.data['alts'][0][:50]}...)"
        check_slider(page, slider, where, f"{shot_name(path)}-slider{k}")
    log.assert_clean()


def test_static_sliders_load_their_frames_from_a_folder_opened_from_disk(site, browser):
    """With file:// URLs, where a page may not fetch() its files: the frames are <img> files."""
    page, log = offline_page(browser)
    try:
        page.goto((HTML / SLIDER_PAGES[0]).as_uri(), wait_until="load")
        slider = sliders_on(page)[0]
        slider.assert_consistent()
        slider.press_all("End")  # each state checks its picture loaded
        slider.press_all("Home")
        assert all(url.startswith("file://") for url in log.requests)
    finally:
        page.context.close()
    log.assert_clean()


def test_a_two_slider_figure_works_in_the_browser(site, browser):
    """Two sliders (which no chapter may have yet): Python and the inline script must agree
    on the row-major frame order. (`site` is only needed for the screenshot folder.)"""
    from test_sliders import bump_setup

    from lossviz.sliders import Slider, slider_figure

    figure = slider_figure(bump_setup, centre=Slider(0, 1, 0.5), width=(0.1, 0.3, 0.1), alt="A bump", figsize=(3, 2))
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    try:
        page.set_content(f"<!doctype html><html><body>{figure.to_html()}</body></html>")
        (slider,) = sliders_on(page)
        assert slider.data["shape"] == [3, 3]
        check_slider(page, slider, "two-slider figure", "two-slider-figure")
    finally:
        page.context.close()
    assert not errors, errors
