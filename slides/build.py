"""Build one reveal.js deck per chapter from the BUILT site (`make slides`).

Reads `_build/html/book/<chapter>.html` for every page of `_toc.yml`, takes the
article body and writes `_build/slides/<chapter>.html`, plus `_build/slides/index.html`
listing the decks. Everything a deck loads is copied under `_build/slides/`:
reveal.js (from node_modules, see package.json), the site's pruned MathJax, the
chapter's images and the code-highlighting stylesheet. Nothing comes from another host.

How a chapter becomes slides (README.md, "Lecturing offline"):

* the h1 is the title slide (with the chapter's opening paragraphs, paginated if long);
* each h2 section is a slide; when it holds h3 subsections, or is too long for one
  slide, it becomes a vertical stack: the h2 slide, then one slide per h3, and
  "(cont.)" slides wherever the content would not fit (an estimate of each block's
  height: prose, code lines, formulas, table rows, images at their displayed size; a
  slider always gets a slide of its own);
* an explicit break where the source has ``:::{div} slide-break`` followed by ``:::``
  (an empty div with class ``slide-break``);
* speaker notes: ``:::{admonition} Notes`` with ``:class: speaker-notes`` goes into
  the slide's ``<aside class="notes">`` (press S in the deck for the speaker view);
* exercise solutions (sphinx-exercise ``.solution``), hidden code-cell sources,
  header links and the page chrome are dropped; static sliders keep working
  (their inline scripts run where the figure is; ids stay the page's, so unique).
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parents[1]
REVEAL_FILES = ("dist", "plugin/notes")
NOTES_CLASS = "speaker-notes"
BREAK_CLASS = "slide-break"


# -- reading the built page ---------------------------------------------------------------


def article_of(page: Path) -> tuple[BeautifulSoup, Tag, str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article")
    if article is None:
        raise SystemExit(f"{page}: no <article class='bd-article'>; was it built by `make book`?")
    config = next(
        (s.string for s in soup.find_all("script") if s.string and s.string.lstrip().startswith("window.MathJax")),
        'window.MathJax = {"options": {"processHtmlClass": "tex2jax_process|mathjax_process|math|output_area"}}',
    )
    return soup, article, config


def clean(article: Tag) -> None:
    """Drop what does not belong on a slide."""
    for selector in (
        "div.solution",  # sphinx-exercise solutions
        "a.headerlink",
        "details.above-input",  # hidden code-cell sources (tag hide-input)
        "button",
    ):
        for node in article.select(selector):
            node.decompose()
    # Label anchors ((label)= targets): empty, and on the title slide they would keep it
    # from being centred as a title.
    for node in article.select("span[id]"):
        if not node.contents:
            node.decompose()
    # Other <details> (hidden outputs, dropdowns): shown open on a slide.
    for node in article.find_all("details"):
        node["open"] = ""
    # reveal.js makes every <section> a slide: one without a heading of its own (an
    # exercise's body) would become a stray slide, so it is a plain block here.
    for node in article.find_all("section"):
        if not node.find(["h1", "h2", "h3"], recursive=False):
            node.name = "div"
            node.attrs.pop("id", None)


# -- splitting into slides -----------------------------------------------------------------


@dataclass
class Slide:
    heading: str  # HTML of the heading shown on the slide
    level: int  # 1 title, 2 section, 3 subsection
    blocks: list[Tag] = field(default_factory=list)
    notes: list[Tag] = field(default_factory=list)
    id: str | None = None


# Heights in the deck's pixels (a 1280x720 canvas, see slides.css); what a slide holds below its heading.
SLIDE_HEIGHT = 600
PROSE_LINE, PROSE_CHARS = 40, 100  # 30px text: height of a line, characters in a line
# A figure's caption, at .5em (slides.css): a line of it, with its share of the margins.
CAPTION_LINE, CAPTION_CHARS = 30, 200
# A longer listing is cut into pieces, each on a slide of its own with room for a lead-in line.
CODE_LINE, CODE_MAX_LINES = 24, 21
# A figure grows into the room its slide has left (the deck's script), so a slide keeps at
# least IMAGE_MIN_HEIGHT for it; a figure as wide as the slide cannot grow past its width.
# To spare a near-empty slide, a page may take more, down to FIGURE_FLOOR for its figures
# (the half of the 720-px slide that tests/test_slides.py asks of a figure, and a margin).
IMAGE_MIN_HEIGHT, FIGURE_FLOOR, SLIDE_WIDTH = 430, 380, 1240
# Rather than leave a line or two alone on a slide, a page may run this much over, shrunk to fit.
OVERFULL = 0.12 * SLIDE_HEIGHT


def image_height(img: Tag, out: Path) -> float:
    """The room a figure needs: IMAGE_MIN_HEIGHT, or less if it is so wide that the slide's width limits it."""
    try:
        from PIL import Image

        with Image.open(out / img["src"]) as picture:
            width, height = picture.size
    except (OSError, KeyError, ValueError):
        return IMAGE_MIN_HEIGHT
    return min(IMAGE_MIN_HEIGHT, height * SLIDE_WIDTH / max(width, 1)) + 10


def row_height(row: Tag) -> float:
    """A table row (at .6em, see slides.css) is as tall as its longest cell wraps."""
    cells = row.find_all(["td", "th"], recursive=False) or [row]
    chars_per_line = 1.6 * PROSE_CHARS / len(cells)
    return 8 + 24 * max(math.ceil(len(c.get_text(" ", strip=True)) / chars_per_line) or 1 for c in cells)


def weight(block: Tag, out: Path) -> float:
    """A rough height of a block on a slide, in pixels."""
    if block.select("figure.lossviz-slider"):
        return SLIDE_HEIGHT  # a slider gets a slide of its own
    pres = block.find_all("pre")
    rows = sum(row_height(tr) for tr in block.find_all("tr"))
    maths = block.select("div.math")
    math_lines = sum(1 + 1.4 * m.get_text().count("\\\\") + 0.4 * m.get_text().count("\\frac") for m in maths)
    captions = block.select("figure > figcaption")
    skip = sum(len(n.get_text()) for n in pres + maths + block.find_all("tr") + captions)
    prose = max(0, len(block.get_text(" ", strip=True)) - skip)
    caption_lines = sum(math.ceil(len(c.get_text(" ", strip=True)) / CAPTION_CHARS) for c in captions)
    items = len(block.find_all(["li", "dt", "dd"]))
    return (
        sum(image_height(img, out) for img in block.find_all("img"))
        + sum(CODE_LINE * len(pre.get_text().rstrip("\n").splitlines()) + 20 for pre in pres)
        + rows
        + 48 * math_lines
        + PROSE_LINE * (prose / PROSE_CHARS + 0.6 * items)
        + CAPTION_LINE * caption_lines
        + 15
    )


def keeps_with_next(block: Tag, following: Tag, out: Path) -> bool:
    """A code cell goes with its output (the figure it draws) if both fit on a slide; a
    paragraph that introduces what follows (a colon, or a short lead-in to a list) goes with it."""
    if block.select_one(":scope > .cell_input") and following.select_one(":scope > .cell_output"):
        return weight(block, out) + weight(following, out) <= SLIDE_HEIGHT
    if block.name != "p":
        return False
    text = block.get_text(" ", strip=True)
    return text.endswith(":") or (following.name in ("ul", "ol") and len(text) < 200)


def blocks_of(container: Tag) -> list[Tag]:
    """The container's child blocks, code cells split into their input and outputs."""
    blocks: list[Tag] = []
    for child in container.children:
        if isinstance(child, NavigableString):
            continue
        classes = child.get("class") or []
        if "cell" in classes:
            parts = [c for c in child.children if isinstance(c, Tag)]
            for part in parts:
                wrapper = Tag(name="div", attrs={"class": "cell"})
                wrapper.append(part.extract())
                blocks.append(wrapper)
        elif child.name in ("div", "section") and "container" in classes and "cell" not in classes and not child.get("id"):
            blocks += blocks_of(child)
        else:
            blocks.append(child)
    return blocks


def code_cuts(lines: list[str]) -> list[int]:
    """Where to cut a listing into pieces of at most CODE_MAX_LINES lines, of about equal
    length: after a blank line if one is near, else before an unindented line."""
    count = math.ceil(len(lines) / CODE_MAX_LINES)
    cuts, start = [], 0
    for k in range(count - 1, 0, -1):  # k pieces still to come after this one
        target = start + (len(lines) - start) / (k + 1)
        allowed = range(max(start + 1, len(lines) - k * CODE_MAX_LINES), start + CODE_MAX_LINES + 1)

        def badness(i: int, target: float = target) -> tuple[int, float]:
            kind = 0 if not lines[i - 1].strip() else 1 if lines[i][:1] not in " )]}" else 2
            return kind if abs(i - target) <= 4 else kind + 1, abs(i - target)

        start = min(allowed, key=badness)
        cuts.append(start)
    return cuts


def code_pieces(block: Tag) -> list[Tag]:
    """A block holding one listing longer than CODE_MAX_LINES, as copies each holding a piece of it."""
    text = block.find("pre").get_text().rstrip("\n").split("\n")
    # Pygments closes every token at the end of a line, so the markup splits where the text does.
    marked = block.find("pre").decode_contents().rstrip("\n").split("\n")
    bounds = [0, *code_cuts(text), len(text)]
    result = []
    for a, b in itertools.pairwise(bounds):
        while b > a + 1 and not text[b - 1].strip():  # a piece does not end on a blank line
            b -= 1
        copy = BeautifulSoup(str(block), "html.parser").find(block.name)
        pre = copy.find("pre")
        # Parsed inside a <pre>: anywhere else the parser would drop the indentation.
        piece = BeautifulSoup("<pre>" + "\n".join(marked[a:b]) + "\n</pre>", "html.parser").pre
        piece.attrs = pre.attrs
        pre.replace_with(piece)
        result.append(copy)
    return result


def pieces(block: Tag, out: Path) -> list[Tag]:
    """A listing longer than a slide cut between lines; a list, definition list or table
    taller than a slide cut between items or rows."""
    pres = block.find_all("pre")
    if len(pres) == 1 and len(pres[0].get_text().rstrip("\n").split("\n")) > CODE_MAX_LINES:
        return code_pieces(block)
    if weight(block, out) <= SLIDE_HEIGHT:
        return [block]
    table = block if block.name == "table" else block.find("table") if block.name == "div" else None
    if table is not None and table.find("tbody"):
        rows = table.find("tbody").find_all("tr", recursive=False)
        make = lambda: _shell(block, table, "tbody")  # noqa: E731
        units = [[r] for r in rows]
    elif block.name in ("ul", "ol", "dl"):
        children = [c for c in block.children if isinstance(c, Tag)]
        if block.name == "dl":  # a term and its definitions stay together
            units = []
            for c in children:
                if c.name == "dt" and (not units or units[-1][-1].name != "dt"):
                    units.append([c])
                else:
                    units[-1].append(c) if units else units.append([c])
        else:
            units = [[c] for c in children]
        make = lambda: _shell(block, block, None)  # noqa: E731
    else:
        return [block]
    result, current, target, count = [], None, None, 0
    for unit in units:
        if current is None or (count and weight(current, out) + sum(weight(u, out) for u in unit) > SLIDE_HEIGHT * 0.85):
            current, target = make()
            if block.name == "ol":  # the numbering goes on
                done = sum(len(r.find_all("li", recursive=False)) for r in result)
                current["start"] = str(int(block.get("start", 1)) + done)
            result.append(current)
            count = 0
        for node in unit:
            target.append(node.extract())
        count += 1
    return result


def _shell(block: Tag, holder: Tag, inner: str | None) -> tuple[Tag, Tag]:
    """An empty copy of `block` (keeping a table's head); returns it and where items go."""
    copy = BeautifulSoup(str(block), "html.parser").find(block.name)
    target = copy if holder is block else copy.find(holder.name)
    if inner:
        target = target.find(inner)
    for child in list(target.children):
        child.extract()
    return copy, target


def is_break(block: Tag) -> bool:
    return BREAK_CLASS in (block.get("class") or [])


def is_notes(block: Tag) -> bool:
    return NOTES_CLASS in (block.get("class") or [])


def balanced(blocks: list[Tag], out: Path) -> list[list[Tag]]:
    """The blocks in pages of at most SLIDE_HEIGHT, as even as they can be: the fewest
    near-empty pages (the least sum of squared free room), where filling each page in
    turn would leave a line of prose alone before a figure. A block that keeps with the
    next, and speaker notes, stay with their neighbour; a unit taller than a slide has a
    page of its own."""
    units: list[list[Tag]] = []
    for block in blocks:
        if units and (is_notes(block) or keeps_with_next(units[-1][-1], block, out)):
            units[-1].append(block)
        else:
            units.append([block])
    heights = [sum(weight(b, out) for b in unit if not is_notes(b)) for unit in units]
    give = [sum(max(0.0, image_height(img, out) - FIGURE_FLOOR) for b in unit for img in b.find_all("img")) for unit in units]
    best, start = [0.0] + [math.inf] * len(units), [0] * (len(units) + 1)
    for end in range(1, len(units) + 1):
        for first in range(end - 1, -1, -1):
            used = sum(heights[first:end])
            over, room = used - SLIDE_HEIGHT, sum(give[first:end])
            # A last line or two never stays alone: it joins the page before whatever its height.
            leftover = end - first == 2 and heights[end - 1] <= 2 * PROSE_LINE + 15
            if over > room + OVERFULL and end - first > 1 and not leftover:
                break
            # A page over SLIDE_HEIGHT shrinks its figures, at twice the cost of free room,
            # then the whole slide (the deck's script), at four times.
            cost = best[first] + max(-over, 2 * min(over, room) + 4 * max(0.0, over - room)) ** 2
            if cost < best[end]:
                best[end], start[end] = cost, first
    pages, end = [], len(units)
    while end:
        pages.insert(0, [b for unit in units[start[end] : end] for b in unit])
        end = start[end]
    return pages


def paginate(heading: str, level: int, blocks: list[Tag], id_: str | None, out: Path) -> list[Slide]:
    """Balanced pages (a long block cut first), and a new page at every explicit break."""
    segments: list[list[Tag]] = [[]]
    for block in (piece for b in blocks for piece in pieces(b, out)):
        if is_break(block):
            segments.append([])
        else:
            segments[-1].append(block)
    pages = [page for segment in segments if segment for page in balanced(segment, out)] or [[]]
    slides = []
    for k, page in enumerate(pages):
        slide = Slide(heading + (" (cont.)" if k else ""), level, id=None if k else id_)
        for block in page:
            if is_notes(block):
                title = block.select_one(".admonition-title")
                if title:
                    title.decompose()
                slide.notes.append(block)
            else:
                slide.blocks.append(block)
        slides.append(slide)
    return slides


def heading_html(section: Tag, name: str) -> tuple[str, Tag | None]:
    h = section.find(name, recursive=False)
    if h is None:
        return "", None
    h.extract()
    return h.decode_contents().strip(), h


def split(article: Tag, out: Path) -> list[list[Slide]]:
    """Horizontal slides, each a list of vertical slides."""
    top = article.find("section", recursive=False) or article
    title, _ = heading_html(top, "h1")
    subsections = [s for s in top.find_all("section", recursive=False) if s.find("h2", recursive=False)]
    for s in subsections:
        s.extract()
    stacks = [paginate(title, 1, blocks_of(top), top.get("id"), out)]
    for section in subsections:
        heading, _ = heading_html(section, "h2")
        subs = [s for s in section.find_all("section", recursive=False) if s.find("h3", recursive=False)]
        for s in subs:
            s.extract()
        own = blocks_of(section)
        stack = paginate(heading, 2, own, section.get("id"), out) if own or not subs else []
        for sub in subs:
            sub_heading, h3 = heading_html(sub, "h3")
            if stack:
                stack += paginate(sub_heading, 3, blocks_of(sub), sub.get("id"), out)
            else:  # a section with nothing before its first subsection: no slide of its heading alone
                h3["id"] = sub.get("id")
                stack = paginate(heading, 2, [h3, *blocks_of(sub)], section.get("id"), out)
        stacks.append(stack)
    return stacks


# -- links and files -----------------------------------------------------------------------


def relink(article: Tag, chapter: str, html_dir: Path, out: Path) -> None:
    """Images, and the static sliders' frames, are copied next to the decks; other
    links point into the built site."""
    book_dir = html_dir / "book"

    def copied(src: str) -> str:
        target = (book_dir / src).resolve()
        rel = target.relative_to(html_dir.resolve())
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, out / rel)
        return rel.as_posix()

    for img in article.find_all("img"):
        src = img.get("src", "")
        if urlsplit(src).scheme or not src:
            continue
        img["src"] = copied(src)
        img.attrs.pop("srcset", None)
    for payload in article.select('figure.lossviz-slider script[type="application/json"]'):
        data = json.loads(payload.string)
        if "srcs" in data:
            data["srcs"] = [copied(src) for src in data["srcs"]]
            payload.string = json.dumps(data).replace("</", "<\\/")
    for a in article.find_all("a", href=True):
        href = a["href"]
        parts = urlsplit(href)
        if parts.scheme or href.startswith("mailto:"):
            continue
        page = parts.path or f"{Path(chapter).name}.html"
        target = (book_dir / page).resolve().relative_to(html_dir.resolve()).as_posix()
        a["href"] = f"../html/{target}" + (f"#{parts.fragment}" if parts.fragment else "")


def copy_assets(html_dir: Path, out: Path, reveal: Path) -> None:
    for part in REVEAL_FILES:
        source = reveal / part
        if not source.is_dir():
            raise SystemExit(f"{source} is missing: run `npm ci` (the Makefile's slides target does).")
        ignore = shutil.ignore_patterns("*.map", "*.esm.js")  # source maps, the ES-module build: unused
        shutil.copytree(source, out / "reveal" / part, dirs_exist_ok=True, ignore=ignore)
    shutil.copytree(html_dir / "_static" / "mathjax", out / "mathjax", dirs_exist_ok=True)
    shutil.copy2(html_dir / "_static" / "pygments.css", out / "pygments.css")
    shutil.copytree(html_dir / "_static" / "fonts", out / "fonts", dirs_exist_ok=True)
    # The site's icon; without one the browser asks for /favicon.ico and gets a 404.
    shutil.copy2(html_dir / "_static" / "favicon.png", out / "favicon.png")
    shutil.copy2(Path(__file__).with_name("slides.css"), out / "slides.css")


# -- writing -------------------------------------------------------------------------------


def render_slide(slide: Slide) -> str:
    id_attr = f' id="{html.escape(slide.id)}"' if slide.id else ""
    tag = {1: "h1", 2: "h2", 3: "h3"}[slide.level]
    body = "\n".join(str(b) for b in slide.blocks)
    notes = "\n".join(n.decode_contents() for n in slide.notes)
    aside = f'\n<aside class="notes">{notes}</aside>' if notes else ""
    cls = ' class="title-slide"' if slide.level == 1 and len(slide.blocks) == 0 else ""
    return f"<section{id_attr}{cls}>\n<{tag}>{slide.heading}</{tag}>\n{body}{aside}\n</section>"


def render_deck(title_text: str, stacks: list[list[Slide]], mathjax_config: str) -> str:
    sections = []
    for stack in stacks:
        if len(stack) == 1:
            sections.append(render_slide(stack[0]))
        else:
            sections.append("<section>\n" + "\n".join(render_slide(s) for s in stack) + "\n</section>")
    # data-theme: the site's Pygments stylesheet colours code only under html[data-theme="light"].
    return f"""<!DOCTYPE html>
<html lang="en" data-theme="light">
<head>
<meta charset="utf-8">
<link rel="icon" href="favicon.png">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title_text)} (slides)</title>
<link rel="stylesheet" href="reveal/dist/reset.css">
<link rel="stylesheet" href="reveal/dist/reveal.css">
<link rel="stylesheet" href="reveal/dist/theme/white.css">
<link rel="stylesheet" href="pygments.css">
<link rel="stylesheet" href="fonts/lossviz-cjk.css">
<link rel="stylesheet" href="slides.css">
<script>{mathjax_config}</script>
<script defer src="mathjax/tex-chtml.js"></script>
</head>
<body>
<div class="reveal"><div class="slides tex2jax_ignore mathjax_ignore">
{chr(10).join(sections)}
</div></div>
<script src="reveal/dist/reveal.js"></script>
<script src="reveal/plugin/notes/notes.js"></script>
<script>
// Fitting the current slide to the 1280x720 canvas, where the build's estimates were off:
// a display formula wider than the slide is set smaller; figures grow into the room left
// (none wider than the slide); a slide still too tall is shrunk, to 60 % at most.
const ROOM = 690;
function fit(slide) {{
  if (!slide || slide.classList.contains("stack")) return;
  const scale = Reveal.getScale();
  const height = () => (Math.max(...[...slide.children].filter(c => c.tagName !== "ASIDE")
    .map(c => c.getBoundingClientRect().bottom)) - slide.getBoundingClientRect().top) / scale;
  slide.style.zoom = "";
  for (const formula of slide.querySelectorAll("mjx-container[display]")) {{
    formula.style.fontSize = "";
    const wide = formula.firstElementChild.getBoundingClientRect().width / scale;
    if (wide > formula.clientWidth) formula.style.fontSize = Math.floor(100 * formula.clientWidth / wide) + "%";
  }}
  const figures = [...slide.querySelectorAll("img")].filter(img => img.naturalWidth > 64);
  if (figures.some(img => !img.complete)) {{
    Promise.all(figures.map(img => img.decode().catch(() => null))).then(() => fit(slide));
  }}
  figures.forEach(img => {{ img.style.height = ""; }});
  const spare = (ROOM - height()) / Math.max(1, figures.length);
  for (const img of figures) {{
    const now = img.getBoundingClientRect().height / scale;
    const widest = img.parentElement.clientWidth * img.naturalHeight / img.naturalWidth;
    img.style.height = Math.min(widest, Math.max(0.6 * now, now + spare)).toFixed(1) + "px";
  }}
  for (let k = 0; k < 4; k++) {{
    const zoom = parseFloat(slide.style.zoom || "1"), tall = height();
    if (tall <= ROOM + 10 || zoom <= 0.6) break;
    slide.style.zoom = Math.max(0.6, zoom * ROOM / tall).toFixed(3);
  }}
}}
Reveal.on("ready", e => fit(e.currentSlide));
Reveal.on("slidechanged", e => fit(e.currentSlide));
window.addEventListener("load", () => window.MathJax && MathJax.startup &&
  MathJax.startup.promise.then(() => fit(Reveal.getCurrentSlide())));
Reveal.initialize({{
  hash: true, width: 1280, height: 720, margin: 0.03, center: false,
  transition: "none", slideNumber: "c/t", navigationMode: "linear", plugins: [RevealNotes]
}});
</script>
</body>
</html>
"""


def render_index(decks: list[tuple[str, str, int]]) -> str:
    items = "\n".join(
        f'<li><a href="{html.escape(name)}">{html.escape(title)}</a> <span>({count} slides)</span></li>'
        for name, title, count in decks
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="favicon.png">
<title>lossviz: slides</title>
<link rel="stylesheet" href="slides.css">
</head>
<body class="deck-index">
<h1>lossviz: slides, one deck per chapter</h1>
<p>Arrow keys move between slides (down for a section's sub-slides), S opens the speaker
view with the notes, F goes full screen, Esc shows an overview.
The book itself is in <a href="../html/index.html">../html/index.html</a>.</p>
<ol>
{items}
</ol>
</body>
</html>
"""


def build(html_dir: Path, out: Path, reveal: Path) -> list[tuple[str, str, int]]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    copy_assets(html_dir, out, reveal)
    decks = []
    for docname in parse_toc_yaml(ROOT / "_toc.yml"):
        page = html_dir / f"{docname}.html"
        if not page.is_file():
            raise SystemExit(f"{page} is missing: run `make book` first.")
        _, article, config = article_of(page)
        clean(article)
        relink(article, docname, html_dir, out)
        stacks = split(article, out)
        title = BeautifulSoup(stacks[0][0].heading, "html.parser").get_text().strip()
        name = f"{Path(docname).name}.html"
        (out / name).write_text(render_deck(title, stacks, config), encoding="utf-8")
        decks.append((name, title, sum(len(s) for s in stacks)))
    (out / "index.html").write_text(render_index(decks), encoding="utf-8")
    return decks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "slides")
    parser.add_argument("--reveal", type=Path, default=ROOT / "node_modules" / "reveal.js")
    args = parser.parse_args()
    decks = build(args.html, args.out, args.reveal)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"{len(decks)} decks, {sum(c for *_, c in decks)} slides, {size / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
