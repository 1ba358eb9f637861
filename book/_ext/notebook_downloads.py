"""The downloadable notebooks: prose as plain Markdown, an install cell, one picture a slider.

The site offers each chapter as an executed notebook (``_sources/<page>.ipynb``),
which is also what Colab opens. After the build each is rewritten so that it reads
well wherever it is opened:

- its markdown cells lose their MyST markup (``plain_markdown``): the prose shows the
  numbers the build computed, citations as "Lin et al. (2017)", solutions folded;
  the hidden evaluation cells of ``prose_eval`` go;
- its first cell installs lossviz where it is missing (Colab), from the repository
  set once in ``_config.yml`` (``repository.url``), so no chapter names it;
- slider figures keep one picture (below).

Slider figures: a slider figure's output in the executed notebook held the live
widget's view, whose state is not saved (so Jupyter can only show an error in its
place), and the static version with every frame rendered at build time: 0.7 MB a
figure, and a notebook of 2 MB or more. After the build, each such output keeps its
text and the picture of its initial frame, which every notebook viewer shows;
running the cell brings the live slider back.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from plain_markdown import Bibliography, Context, to_markdown
from prose_eval import is_evaluation_cell, texts_by_expression
from sphinx.application import Sphinx

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# The static version's <img>, which shows the initial frame (lossviz.sliders).
INITIAL_FRAME = re.compile(r'<figure class="lossviz-slider".*?<img src="data:image/png;base64,([^"]+)"', re.DOTALL)


def _compact(output: dict) -> None:
    data = output.get("data", {})
    html = "".join(data.get("text/html", ""))
    frame = INITIAL_FRAME.search(html)
    if frame is None:
        return
    data.pop(WIDGET_VIEW, None)
    data.pop("text/html")
    data["image/png"] = frame.group(1)


# Marks a notebook already rewritten (a warm build leaves unchanged pages' files as they are).
DONE = "lossviz-download"
INSTALL = """\
# Installs the book's package where it is missing (e.g. on Colab); does nothing elsewhere.
try:
    import lossviz
except ImportError:
    %pip install --quiet "lossviz @ git+{repository}"
"""


def _titles(app: Sphinx):
    labels = app.env.domaindata["std"]["labels"]

    def title(target: str) -> str | None:
        if target in app.env.titles:
            return app.env.titles[target].astext()
        return labels[target][2] if target in labels else None

    return title


def rewrite_notebook(notebook: nbformat.NotebookNode, bibliography: Bibliography, titles, repository: str) -> None:
    context = Context(bibliography, texts_by_expression(notebook), titles)
    notebook.cells = [cell for cell in notebook.cells if not is_evaluation_cell(cell)]
    markdown = [cell for cell in notebook.cells if cell.cell_type == "markdown"]
    for cell, source in zip(markdown, to_markdown([cell.source for cell in markdown], context)):
        cell.source = source
    notebook.cells.insert(0, nbformat.v4.new_code_cell(INSTALL.format(repository=repository)))
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            _compact(output)
    notebook.metadata[DONE] = True


def rewrite_notebooks(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    bibliography = Bibliography.read(str(Path(app.confdir, app.config.bibtex_bibfiles[0])))
    repository = app.config.html_theme_options.get("repository_url", "").rstrip("/")
    for path in Path(app.outdir, "_sources").rglob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        if notebook.metadata.get(DONE):
            continue
        rewrite_notebook(notebook, bibliography, _titles(app), repository)
        path.write_text(nbformat.writes(notebook, version=4) + "\n", encoding="utf-8")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("build-finished", rewrite_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
