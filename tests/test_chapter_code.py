"""A chapter reads like a lecture: the code a reader meets is the code worth reading.

What only draws a figure lives in :mod:`lossviz.figures`, where it is tested and
checked for copies; a chapter calls it in one line. In Colab, Binder and the
downloaded notebook hidden cells are ordinary cells, so hidden code is code a
student scrolls past: at most a fifth of a chapter's code may be hidden, and no
function longer than a screenful is defined in a chapter.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from myst_nb.core.read import read_myst_markdown_notebook

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p for p in (ROOT / "book").glob("*.md") if "\nkernelspec:" in p.read_text(encoding="utf-8"))
HIDING_TAGS = {"remove-cell", "remove-input", "hide-cell", "hide-input"}
MAX_HIDDEN_SHARE = 0.20
MAX_FUNCTION_LINES = 25


def code_lines(source: str) -> int:
    """Lines a reader reads: not blank, not only a comment."""
    return sum(1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#"))


def code_cells(path: Path) -> list:
    return [c for c in read_myst_markdown_notebook(path.read_text(encoding="utf-8")).cells if c.cell_type == "code"]


def test_chapters_found():
    assert len(CHAPTERS) >= 10


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_at_most_a_fifth_of_the_code_is_hidden(path):
    hidden = visible = 0
    for cell in code_cells(path):
        lines = code_lines(cell.source)
        if HIDING_TAGS & set(cell.metadata.get("tags", [])):
            hidden += lines
        else:
            visible += lines
    assert hidden <= MAX_HIDDEN_SHARE * (hidden + visible), f"{hidden} of {hidden + visible} code lines hidden"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_long_function_is_defined_in_a_chapter(path):
    long = []
    for cell in code_cells(path):
        source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines())
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = ast.get_source_segment(source, node) or ""
                if code_lines(body) > MAX_FUNCTION_LINES:
                    long.append(f"{node.name}: {code_lines(body)} lines")
    assert not long, long
