"""Keep only the part of the vendored MathJax that the site loads.

sphinx-mathjax-offline copies the whole MathJax 3 distribution (about 24 MB) into
_static/mathjax; pages load tex-chtml.js, which fetches its CommonHTML fonts and,
for rarer TeX commands, its own extensions and menu/accessibility components.
Those stay; the other combined bundles and the speech-rule engine (only used by
the optional explorer) go, which keeps the site within its 40 MB budget.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx

KEEP = ("tex-chtml.js", "input", "output/chtml", "ui", "a11y", "adaptors")


def prune(app: Sphinx, exception: Exception | None) -> None:
    root = Path(app.outdir, "_static", "mathjax")
    if exception is not None or not root.is_dir():
        return
    kept = {root / k for k in KEEP}
    for path in sorted(root.rglob("*"), reverse=True):
        inside_kept = any(path == k or k in path.parents for k in kept)
        leads_to_kept = any(path in k.parents for k in kept)
        if inside_kept or leads_to_kept:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def setup(app: Sphinx) -> dict[str, object]:
    # After sphinx-mathjax-offline's own build-finished handler (priority 500) copies the files.
    app.connect("build-finished", prune, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
