"""The downloaded notebooks' prose: the book's MyST markup as plain Markdown (Colab)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from plain_markdown import Bibliography, Context, to_markdown  # noqa: E402

BIB = Bibliography.read(str(ROOT / "book" / "references.bib"))


def resolve(*cells: str, evaluations=None, titles=lambda target: None) -> list[str]:
    return to_markdown(list(cells), Context(BIB, evaluations or {}, titles))


def test_citations_read_as_author_and_year():
    (text,) = resolve("{cite:t}`lin2017focal` and {cite:p}`li2019ghm`.")
    assert text == "Lin et al. (2017) and (Li et al., 2019)."


def test_each_occurrence_of_an_expression_gets_its_own_text():
    (text,) = resolve("{eval}`x` then {eval}`x`", evaluations={"x": ["1", "2"]})
    assert text == "1 then 2"


def test_an_expression_without_a_computed_text_is_an_error():
    with pytest.raises(ValueError, match="no computed text"):
        resolve("{eval}`y`")


def test_targets_go_and_references_keep_their_text():
    (text,) = resolve("(chapter-x)=\n# Title\n\nSee {doc}`the focal chapter </book/focal_gamma>` and {ref}`sec-y`.",
                      titles={"sec-y": "Momentum"}.get)
    assert text == "# Title\n\nSee the focal chapter and Momentum."


def test_exercises_are_numbered_per_notebook_and_solutions_fold():
    exercise = "```{exercise}\n:label: ex-a\n\nCompute it.\n```\n"
    solution = "````{solution} ex-b\n:class: dropdown\n\nIt is 42.\n\n~~~python\nprint(42)\n~~~\n````\n"
    first, second = resolve("As {ref}`ex-b` shows.\n\n" + exercise, exercise.replace("ex-a", "ex-b") + solution)
    assert "**Exercise 1**\n\nCompute it." in first and first.startswith("As Exercise 2 shows.")
    assert "<details>\n<summary>Solution to Exercise 2</summary>\n\nIt is 42." in second
    assert "~~~python\nprint(42)\n~~~\n\n</details>" in second


def test_a_list_table_becomes_a_markdown_table():
    (text,) = resolve("```{list-table} Table 1a\n:header-rows: 1\n\n* - α\n  - AP\n* - .25\n  - 31.1\n```\n")
    assert text == "**Table 1a**\n\n| α | AP |\n|---|---|\n| .25 | 31.1 |\n"


def test_the_bibliography_lists_what_the_notebook_cites():
    cited, listing = resolve("{cite:t}`lin2017focal`", "```{bibliography}\n:filter: docname in docnames\n```\n")
    assert listing.startswith("- Tsung-Yi Lin, Priya Goyal, Ross Girshick, Kaiming He, Piotr Dollár (2017). *Focal Loss")
    assert listing.count("\n- ") == 0
