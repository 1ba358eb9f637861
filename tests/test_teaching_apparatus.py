"""The teaching apparatus of every chapter, read from the built pages (_build/html).

What a lecturer and a d2l or QuantEcon reader expect: every plotted figure is numbered by
chapter (Fig. 3.2), captioned, has alt text that describes it, and is referred to by its
number in the prose; exercises count from 1 in each chapter and prose refers to them by
number; a key-takeaways box closes the main text; and every mention of "the source
article" links to the Sources page, which names it. Run `make book` first (`make test` does).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
# Pages that are not chapters: no figures, exercises or takeaways are asked of them.
BACK_MATTER = {"book/intro", "book/glossary", "book/sources"}
CHAPTERS = [name for name in parse_toc_yaml(ROOT / "_toc.yml") if name not in BACK_MATTER]
# A file name, a path or an image URL, as myst-nb writes when a figure has no alt text.
PATH_LIKE = re.compile(r"[/\\]|\.(png|svg|jpe?g|gif)\b", re.IGNORECASE)
# The words by which chapters point at the five articles the book began from.
SOURCE_MENTION = re.compile(r"\bsource (article|survey|analysis)s?\b|\bthe sources\b", re.IGNORECASE)


@cache
def page(chapter: str) -> BeautifulSoup:
    return BeautifulSoup((HTML / f"{chapter}.html").read_text(encoding="utf-8"), "html.parser")


def article(chapter: str) -> Tag:
    return page(chapter).select_one("article.bd-article")


def chapter_number(chapter: str) -> str:
    """The chapter's number as its title shows it ("3" of "3. Focal loss I")."""
    number = article(chapter).select_one("h1 span.section-number")
    assert number is not None, f"{chapter}: the chapter title has no number"
    return number.get_text().strip().rstrip(".")


def plotted_outputs(chapter: str) -> list[Tag]:
    """Every figure a cell draws, in page order: a static image, or a slider figure (as one)."""
    return [
        output
        for output in article(chapter).select("div.cell_output figure.lossviz-slider, div.cell_output img")
        if output.name == "figure" or output.find_parent("figure", class_="lossviz-slider") is None
    ]


def numbered_figure(output: Tag) -> Tag | None:
    """The Sphinx figure (with a caption number) that holds a cell's output, if any."""
    for figure in output.find_parents("figure"):
        if figure.select_one("figcaption span.caption-number"):
            return figure
    return None


def caption_number(node: Tag) -> str:
    return node.select_one(".caption-number").get_text().strip()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_figure_is_numbered_by_chapter_and_captioned(chapter):
    outputs = plotted_outputs(chapter)
    unnumbered = [str(output)[:120] for output in outputs if numbered_figure(output) is None]
    assert not unnumbered, f"{chapter}: figures without a numbered caption: {unnumbered}"
    figures = list(dict.fromkeys(numbered_figure(output) for output in outputs))
    prefix = chapter_number(chapter)
    numbers = [caption_number(figure) for figure in figures]
    assert numbers == [f"Fig. {prefix}.{k}" for k in range(1, len(figures) + 1)], numbers
    for figure in figures:
        caption = figure.select_one("figcaption .caption-text").get_text(" ", strip=True)
        assert len(caption.split()) >= 6, f"{chapter}: {numbers} caption too thin: {caption!r}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_figure_has_alt_text_that_describes_it(chapter):
    for img in article(chapter).select("div.cell_output img"):
        alt = img.get("alt", "")
        assert not PATH_LIKE.search(alt), f"{chapter}: alt text is a file name: {alt!r}"
        assert len(alt.split()) >= 6, f"{chapter}: alt text too short to describe a figure: {alt!r}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_prose_refers_to_every_figure_by_its_number(chapter):
    for output in plotted_outputs(chapter):
        figure = numbered_figure(output)
        if figure is None:
            continue  # reported by the numbering test
        links = article(chapter).select(f'a[href="#{figure["id"]}"]')
        texts = {link.get_text().strip() for link in links}
        assert caption_number(figure) in texts, (
            f"{chapter}: {caption_number(figure)} ({figure['id']}) is never referred to by number"
        )


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_exercises_count_from_one_in_each_chapter(chapter):
    exercises = article(chapter).select("div.exercise")
    numbers = [caption_number(exercise) for exercise in exercises]
    prefix = chapter_number(chapter)
    assert numbers == [f"Exercise {prefix}.{k}" for k in range(1, len(exercises) + 1)], numbers


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_prose_refers_to_exercises_by_number(chapter):
    for link in article(chapter).select("a.reference.internal"):
        text = link.get_text(" ", strip=True)
        assert not re.match(r"Exercise \d+ ?\(", text), f"{chapter}: reference shows a title: {text!r}"
        preceding = link.previous_sibling
        if text.startswith("Exercise") and isinstance(preceding, str):
            assert not preceding.rstrip().lower().endswith("exercise"), f"{chapter}: 'exercise {text}'"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_key_takeaways_box_closes_the_main_text(chapter):
    boxes = [
        box
        for box in article(chapter).select("div.admonition")
        if box.select_one(".admonition-title").get_text().strip() == "Key takeaways"
    ]
    assert len(boxes) == 1, f"{chapter}: {len(boxes)} key-takeaways boxes"
    assert len(boxes[0].select("li")) >= 3
    exercises = article(chapter).select_one("section#exercises")
    if exercises is not None:
        assert boxes[0].find_next("section", id="exercises") is exercises, f"{chapter}: box after the exercises"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_mention_of_a_source_article_links_to_it(chapter):
    for text in article(chapter).find_all(string=SOURCE_MENTION):
        if text.find_parent(["pre", "code", "script"]):
            continue
        link = text.find_parent("a")
        assert link is not None and re.search(r"sources\.html#source-00[0-4]$", link["href"]), (
            f"{chapter}: {text.strip()[:80]!r} does not link to the Sources page"
        )


def test_the_sources_page_names_all_five_articles():
    sources = page("book/sources")
    for k in range(5):
        anchor = sources.select_one(f"#source-00{k}")
        assert anchor is not None, f"source-00{k}"
        title = anchor.find_next("h2").get_text()
        assert title.startswith(f"[00{k}]") and re.search(r"[\u4e00-\u9fff]", title), f"not the title as published: {title}"
