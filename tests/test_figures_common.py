"""Tests for lossviz.figures.common."""

from __future__ import annotations

from html.parser import HTMLParser

from lossviz.figures.common import html_table


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.caption = ""
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self.rows[-1].append("")
        if tag in ("th", "td", "caption"):
            self._in = tag

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "caption":
            self.caption += data
        elif self._in:
            self.rows[-1][-1] += data


def test_html_table_holds_header_rows_and_escaped_caption():
    table = html_table(["loss", "AP"], [["CE", 0.5], ["<b>FL</b>", 0.75]], caption="a < b")
    cells = _Cells()
    cells.feed(table.data)
    assert cells.rows == [["loss", "AP"], ["CE", "0.5"], ["FL", "0.75"]]
    assert cells.caption == "a < b"
    assert "<b>FL</b>" in table.data  # cells may hold markup


def test_html_table_without_caption_has_none():
    assert "<caption>" not in html_table(["a"], [[1]]).data
