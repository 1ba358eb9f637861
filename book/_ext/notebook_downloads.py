"""Slider figures in the downloadable notebooks as one picture, not every frame.

The site offers each chapter as an executed notebook (``_sources/<page>.ipynb``, also
what Colab opens). A slider figure's output there held the live widget's view, whose
state is not saved (so Jupyter can only show an error in its place), and the static
version with every frame rendered at build time: 0.7 MB a figure, and a notebook of
2 MB or more. After the build, each such output keeps its text and the picture of its
initial frame, which every notebook viewer shows; running the cell brings the live
slider back.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from sphinx.application import Sphinx

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# The static version's <img>, which shows the initial frame (lossviz.sliders).
INITIAL_FRAME = re.compile(r'<figure class="lossviz-slider".*?<img src="data:image/png;base64,([^"]+)"', re.DOTALL)


def _compact(output: dict) -> bool:
    data = output.get("data", {})
    html = "".join(data.get("text/html", ""))
    frame = INITIAL_FRAME.search(html)
    if frame is None:
        return False
    data.pop(WIDGET_VIEW, None)
    data.pop("text/html")
    data["image/png"] = frame.group(1)
    return True


def compact_notebooks(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for path in Path(app.outdir, "_sources").rglob("*.ipynb"):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        outputs = [output for cell in notebook["cells"] for output in cell.get("outputs", [])]
        if sum([_compact(output) for output in outputs]):
            path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("build-finished", compact_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
