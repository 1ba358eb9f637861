"""Tests for lossviz.figures.common."""

from __future__ import annotations

from figure_parts import TableCells

from lossviz.figures.common import html_table


def test_html_table_holds_header_rows_and_escaped_caption():
    table = html_table(["loss", "AP"], [["CE", 0.5], ["<b>FL</b>", 0.75]], caption="a < b")
    cells = TableCells(table.data)
    assert cells.rows == [["loss", "AP"], ["CE", "0.5"], ["FL", "0.75"]]
    assert cells.caption == "a < b"
    assert "<b>FL</b>" in table.data  # cells may hold markup


def test_html_table_without_caption_has_none():
    assert "<caption>" not in html_table(["a"], [[1]]).data
