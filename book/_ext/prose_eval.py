"""Numbers in the prose: ``{eval}`expr``` roles, the same in JupyterLab and on the site.

A chapter writes a computed number into its prose as ``{eval}`f"{ratio:.0f}"```: a
Python expression, evaluated in the chapter's kernel once every code cell above it
has run. In JupyterLab (Binder, ``make live``'s server, a student's own) the
``jupyterlab-myst`` extension renders the role and evaluates the expression when the
markdown cell runs, so after "Run All" the prose shows its numbers, and they change
when the student changes the code. A string is shown without quotes, anything else as
its plain-text repr: format numbers in the expression.

myst-nb evaluates ``{eval}`` only in its ``inline`` execution mode, which keeps a kernel
alive for the whole page and so cannot use jupyter-cache: every build would execute
every chapter again (about four minutes here). This extension keeps the cache. When a
chapter is read, after each markdown cell with ``{eval}`` roles it inserts a hidden
code cell (tag ``remove-cell``, metadata ``lossviz-eval``) that evaluates the cell's
expressions in order and displays their texts; jupyter-cache executes and stores
these cells with the rest (their sources are part of its key, so a changed expression
executes the chapter again), and the ``eval`` role then reads the texts back, the k-th
occurrence of an expression getting the k-th value. An expression that raises fails
the chapter, like any cell.

Run as a script, it executes one chapter the same way and prints every expression
with its text: ``python book/_ext/prose_eval.py book/focal_gamma.md``.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
from docutils import nodes
from myst_nb import sphinx_ as myst_nb_sphinx
from myst_nb.core.read import NbReader
from myst_nb.core.read import create_nb_reader as _create_nb_reader

# ``{eval}`expr``` with the expression on one line (it cannot hold a backtick).
EVAL_ROLE = re.compile(r"\{eval\}`([^`\n]+)`")
MIME = "application/vnd.lossviz.eval+json"
MARK = "lossviz-eval"


def expressions(markdown: str) -> list[str]:
    """The ``{eval}`` expressions of a markdown text, in order."""
    return EVAL_ROLE.findall(markdown)


def _evaluation_source(exprs: list[str]) -> str:
    # What jupyterlab-myst shows: a str as it is, anything else as IPython's text/plain.
    pairs = ",\n".join(f"    [{expr!r}, _lossviz_text({expr})]" for expr in exprs)
    return (
        "def _lossviz_text(value):\n"
        "    if isinstance(value, str):\n"
        "        return value\n"
        '    return get_ipython().display_formatter.formatters["text/plain"](value)\n'
        f"__import__('IPython').display.display({{{MIME!r}: [\n{pairs}\n]}}, raw=True)\n"
        "del _lossviz_text"
    )


def with_evaluation_cells(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with a hidden evaluation cell after each markdown cell that has ``{eval}``."""
    # myst-nb maps each cell to its first line in the source: an evaluation cell
    # takes its markdown cell's line, where an error in it is reported.
    lines = notebook.metadata.get("source_map")
    cells, source_map = [], []
    for index, cell in enumerate(notebook.cells):
        cells.append(cell)
        source_map += lines[index : index + 1] if lines else []
        exprs = expressions(cell.source) if cell.cell_type == "markdown" else []
        if exprs:
            evaluation = nbformat.v4.new_code_cell(_evaluation_source(exprs))
            evaluation.metadata = {"tags": ["remove-cell"], MARK: True}
            cells.append(evaluation)
            source_map += lines[index : index + 1] if lines else []
    notebook.cells = cells
    if lines:
        notebook.metadata["source_map"] = source_map
    return notebook


def is_evaluation_cell(cell: nbformat.NotebookNode) -> bool:
    return bool(cell.get("metadata", {}).get(MARK))


def evaluated(notebook: nbformat.NotebookNode) -> Iterator[tuple[str, str]]:
    """(expression, text) of every evaluation in an executed notebook, in order."""
    for cell in notebook.cells:
        if not is_evaluation_cell(cell):
            continue
        for output in cell.get("outputs", []):
            for expr, text in output.get("data", {}).get(MIME, []):
                yield expr, text


def texts_by_expression(notebook: nbformat.NotebookNode) -> dict[str, list[str]]:
    """Each expression's texts, one per occurrence in the prose, in order."""
    texts: dict[str, list[str]] = {}
    for expr, text in evaluated(notebook):
        texts.setdefault(expr, []).append(text)
    return texts


def create_nb_reader(*args, **kwargs) -> NbReader | None:
    """myst-nb's reader, adding the evaluation cells to every notebook it reads."""
    reader = _create_nb_reader(*args, **kwargs)
    if reader is None:
        return None
    return dataclasses.replace(reader, read=lambda text: with_evaluation_cells(reader.read(text)))


def eval_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """The text an evaluation cell computed for this occurrence of the expression."""
    document = inliner.document
    renderer = document.get("nb_renderer")
    if renderer is None:
        message = inliner.reporter.error(f"{{eval}}`{text}` outside a notebook", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    if "lossviz_eval_texts" not in document:
        document["lossviz_eval_texts"] = texts_by_expression(renderer.renderer.nb_client.notebook)
    queue = document["lossviz_eval_texts"].get(text, [])
    if not queue:
        message = inliner.reporter.error(f"{{eval}}`{text}` was not evaluated", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    return [nodes.Text(queue.pop(0))], []


def setup(app) -> dict[str, object]:
    # myst-nb's Sphinx parser calls the reader by this name.
    myst_nb_sphinx.create_nb_reader = create_nb_reader
    app.add_role("eval", eval_role, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _execute(path: Path) -> nbformat.NotebookNode:
    from myst_nb.core.read import read_myst_markdown_notebook
    from nbclient import NotebookClient

    notebook = with_evaluation_cells(read_myst_markdown_notebook(path.read_text(encoding="utf-8")))
    NotebookClient(notebook, timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


if __name__ == "__main__":
    for expr, value in evaluated(_execute(Path(sys.argv[1]))):
        print(f"{expr}  ->  {value}")
