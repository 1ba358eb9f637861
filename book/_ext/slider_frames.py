"""Static sliders' frames as files beside the pages, so that a page loads light.

A chapter's static slider (``lossviz.sliders``) arrives from the kernel with its
frames inline, as base64 PNGs in the figure's JSON. Here each frame is written once
to ``_images/sliders/<hash>.png`` (content-addressed: identical frames are one
file) and the JSON lists their relative URLs instead (``srcs``), which the
figure's script swaps into its ``<img>``: an ``<img src>`` of a relative file loads
from a server and from a folder opened with ``file://`` alike (``fetch`` would
not). The page's HTML then holds the first frame's URL, the alt texts and the
value labels: kilobytes, not megabytes.

Setting ``LOSSVIZ_STATIC_SLIDERS`` here is what makes the kernels that execute the
chapters render the static version at all (they inherit the build's environment).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path

from docutils import nodes

# lossviz.sliders.STATIC_ENV, written out: importing lossviz would import torch
# into the build process, a second of CPU on every build (tests/test_slider_frames.py
# checks the two agree).
STATIC_ENV = "LOSSVIZ_STATIC_SLIDERS"
FOLDER = "_images/sliders"
FIGURE = re.compile(r'<figure class="lossviz-slider".*?</figure>', re.DOTALL)
PAYLOAD = re.compile(r'(<script type="application/json">)(.*?)(</script>)', re.DOTALL)
FIRST_FRAME = re.compile(r'<img src="data:image/png;base64,([^"]+)"')


def frame_file(png: bytes, folder: Path) -> str:
    """Write ``png`` under ``folder`` (once) and return its file name."""
    name = f"{hashlib.sha1(png).hexdigest()[:20]}.png"
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
    return name


def externalise(figure: str, prefix: str, folder: Path) -> str:
    """One slider figure's HTML with its inline frames replaced by file URLs."""
    payload = PAYLOAD.search(figure)
    data = json.loads(payload.group(2).replace("<\\/", "</"))
    if "frames" not in data:
        return figure
    first = data["frames"].index(FIRST_FRAME.search(figure).group(1))
    data["srcs"] = [f"{prefix}{FOLDER}/{frame_file(base64.b64decode(f), folder)}" for f in data.pop("frames")]
    figure = FIRST_FRAME.sub(lambda _: f'<img src="{data["srcs"][first]}"', figure, count=1)
    text = json.dumps(data).replace("</", "<\\/")
    return PAYLOAD.sub(lambda m: m.group(1) + text + m.group(3), figure, count=1)


def externalise_frames(app, doctree: nodes.document) -> None:
    if app.builder.format != "html":
        return
    prefix = "../" * app.env.docname.count("/")
    folder = Path(app.outdir) / FOLDER
    for node in list(doctree.findall(nodes.raw)):
        html = node.astext()
        if 'class="lossviz-slider"' not in html:
            continue
        rewritten = FIGURE.sub(lambda m: externalise(m.group(0), prefix, folder), html)
        node.replace_self(nodes.raw("", rewritten, format=node.get("format", "html")))


def setup(app) -> dict[str, object]:
    os.environ[STATIC_ENV] = "1"
    # As soon as a chapter is read: Sphinx pickles each doctree and loads it again several
    # times while it writes, and the inline frames (megabytes) made that seconds of CPU.
    app.connect("doctree-read", externalise_frames)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
