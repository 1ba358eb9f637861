"""Reading a figure's or a table's parts back, for the tests of lossviz.figures."""

from __future__ import annotations

from html.parser import HTMLParser

from matplotlib.axes import Axes
from matplotlib.lines import Line2D


class TableCells(HTMLParser):
    """The text of each cell of an HTML table, row by row, and its caption."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.caption = ""
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self.rows[-1].append("")
        if tag in ("th", "td", "caption"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag in ("th", "td", "caption"):
            self._in = None

    def handle_data(self, data):
        if self._in == "caption":
            self.caption += data
        elif self._in:
            self.rows[-1][-1] += data


def line(ax: Axes, label: str) -> Line2D:
    """The one line of ``ax`` with legend label ``label``."""
    (found,) = [ln for ln in ax.lines if ln.get_label() == label]
    return found
