"""What the chapters' figure modules share."""

from __future__ import annotations

import html
from typing import Sequence

from IPython.display import HTML

__all__ = ["html_table"]


def html_table(header: Sequence[object], rows: Sequence[Sequence[object]], caption: str | None = None) -> HTML:
    """A small table as HTML, each cell on one line.

    HTML rather than Markdown because the book renders a cell's ``text/markdown``
    output as CommonMark, which has no tables. Cells are inserted as given, so
    they may hold markup (``<b>``, ``&minus;``); the caption is escaped.
    """
    head = "".join(f"<th>{cell}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="white-space:nowrap">{cell}</td>' for cell in row) + "</tr>" for row in rows
    )
    caption_html = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return HTML(f'<table class="table">{caption_html}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
