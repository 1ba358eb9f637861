"""Markup that screen readers and axe-core accept (tests/test_site.py runs axe on every page).

- Chinese text is marked `lang="zh-Hans"`, so that a screen reader switches voice and
  the page's CJK font (book/_static/fonts, see book/_ext/cjk_font.py) is chosen for it.
- The bibliography: docutils writes `role="list"` around entries of role
  `doc-biblioentry`, a role ARIA 1.2 deprecated and not a list item, so the list has
  no items for assistive technology (axe's critical `aria-required-children`).
- The theme's buttons: the search field's `aria-label="Search"` hides the visible
  "Search Ctrl+K" (WCAG 2.5.3, label in name: a voice user says what they see); the
  colour-mode button's icons carry titles ("Light", "Dark") that contradict its label
  "Color mode". The theme's templates are kept; its few fixed strings are rewritten as
  each page is rendered, and axe fails the tests if a theme update changes them.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx

# The ranges book/_ext/cjk_font.py subsets and fonts/lossviz-cjk.css gives the CJK font.
CJK_RUN = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
# Text the reader sees as code or TeX keeps its own markup.
NOT_PROSE = (nodes.FixedTextElement, nodes.literal, nodes.math, nodes.raw)

THEME_FIXES = [
    (re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"'), r"\1"),
    (
        re.compile(r'<i class="(theme-switch [^"]*)" data-mode="(\w+)"\s+title="[^"]*"></i>'),
        r'<i class="\1" data-mode="\2" aria-hidden="true"></i>',
    ),
    (re.compile(r'role="doc-biblioentry"'), 'role="listitem"'),
]


def mark_chinese(app: Sphinx, doctree: nodes.document) -> None:
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or isinstance(parent, NOT_PROSE) or not CJK_RUN.search(text):
            continue
        parts: list[nodes.Node] = []
        start = 0
        for run in CJK_RUN.finditer(text):
            if run.start() > start:
                parts.append(nodes.Text(text[start : run.start()]))
            # docutils writes a `language-xx` class as the attribute lang="xx".
            parts.append(nodes.inline(run.group(), run.group(), classes=["language-zh-Hans"]))
            start = run.end()
        if start < len(text):
            parts.append(nodes.Text(text[start:]))
        parent.replace(text, parts)


def fix_theme_markup(app: Sphinx) -> None:
    templates = getattr(app.builder, "templates", None)
    if templates is None:
        return
    render = templates.render

    def render_fixed(template: str, context: dict) -> str:
        html = render(template, context)
        for pattern, replacement in THEME_FIXES:
            html = pattern.sub(replacement, html)
        return html

    templates.render = render_fixed


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("doctree-read", mark_chinese)
    app.connect("builder-inited", fix_theme_markup)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
