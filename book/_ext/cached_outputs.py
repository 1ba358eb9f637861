"""Keep the outputs in the executed notebooks of a cached build.

myst-nb writes each executed chapter to ``_build/jupyter_execute/<page>.ipynb``, which
the theme offers as the ``.ipynb`` download (and Colab opens). When a chapter comes
from jupyter-cache instead of being executed, myst-nb 1.4 writes the notebook it read,
without outputs (``sphinx_.py`` writes ``notebook``, not ``nb_client.notebook``), so a
rebuild with a warm cache published downloads with no outputs. After each chapter is
read, this merges the cached outputs back into the written file.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from docutils import nodes
from jupyter_cache import get_cache
from sphinx.application import Sphinx


def restore_outputs(app: Sphinx, doctree: nodes.document) -> None:
    config = app.env.mystnb_config
    if config.execution_mode != "cache":
        return
    path = Path(config.output_folder, *f"{app.env.docname}.ipynb".split("/"))
    if not path.is_file():
        return
    notebook = nbformat.read(path, as_version=4)
    if any(cell.get("outputs") for cell in notebook.cells):
        return
    cache = get_cache(config.execution_cache_path)
    try:
        _, notebook = cache.merge_match_into_notebook(notebook)
    except KeyError:  # not in the cache: a notebook without outputs, as written
        return
    nbformat.write(notebook, path)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("doctree-read", restore_outputs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
