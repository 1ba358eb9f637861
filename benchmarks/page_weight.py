"""Weigh the built site against its budgets: 500 KB of HTML per page, 150 MB in all.

Run from the repository root, after `make book`:

    .venv/bin/python benchmarks/page_weight.py

Every page of _toc.yml is opened in headless Debian Chromium from a local server,
and every resource it loads is recorded and weighed on disk (uncompressed, as
http.server serves it). The budget is on a page's HTML, what a reader downloads
before anything shows; its images loaded with it (figures, and each static
slider's first frame, from _images/) are listed beside it. The static sliders'
other frames are files under _images/sliders/, fetched as the reader moves a
slider: they count in the site's total, not the page's. The assets under
_static/ (theme, MathJax and its fonts, ...) and the search index are shared by
every page and cached by the browser, so they are listed separately. Then the
whole of _build/html is weighed. Prints figures; asserts nothing.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from playwright.sync_api import sync_playwright
from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
MB = 1024 * 1024
KB = 1024
HTML_BUDGET_KB = 500
SITE_BUDGET_MB = 150
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def pages() -> list[str]:
    return [f"{docname}.html" for docname in parse_toc_yaml(ROOT / "_toc.yml")]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def loaded_files(paths: list[str]) -> dict[str, set[Path]]:
    """For each page, the files under _build/html that the browser loads for it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    loaded: dict[str, set[Path]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for path in paths:
                page = browser.new_page()  # a fresh context each time: nothing comes from the cache
                files: set[Path] = set()
                page.on("requestfinished", lambda request, files=files: files.add(local_file(request.url, base)))
                page.goto(base + path, wait_until="load")
                page.evaluate("async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise; }")
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # in case an image loads lazily
                page.wait_for_load_state("networkidle")
                loaded[path] = {f for f in files if f is not None}
                page.context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return loaded


def local_file(url: str, base: str) -> Path | None:
    if not url.startswith(base):
        return None  # data: URLs are inside the HTML already
    file = HTML / unquote(urlsplit(url).path).lstrip("/")
    return file if file.is_file() else None


def shared(file: Path) -> bool:
    relative = file.relative_to(HTML).as_posix()
    return relative.startswith("_static/") or relative == "searchindex.js"


def main() -> int:
    if not (HTML / "index.html").is_file():
        print(f"{HTML} is missing: run `make book` first.", file=sys.stderr)
        return 1
    paths = [p for p in pages() if (HTML / p).is_file()]
    loaded = loaded_files(paths)

    print(f"Per page (budget {HTML_BUDGET_KB} KB of HTML; images loaded with it and shared assets listed apart)\n")
    header = f"{'page':32s} {'HTML KB':>8s} {'budget':>7s} {'images':>7s} {'img KB':>7s} {'shared MB':>10s}"
    print(header)
    print("-" * len(header))
    every_shared: set[Path] = set()
    for path in paths:
        own = [f for f in loaded[path] if not shared(f)]
        html = (HTML / path).stat().st_size
        images = [f for f in own if f != HTML / path]
        image_bytes = sum(f.stat().st_size for f in images)
        common = {f for f in loaded[path] if shared(f)}
        every_shared |= common
        print(f"{path:32s} {html / KB:8.0f} {'ok' if html <= HTML_BUDGET_KB * KB else 'OVER':>7s} "
              f"{len(images):7d} {image_bytes / KB:7.0f} {sum(f.stat().st_size for f in common) / MB:10.2f}")

    print(f"\nShared assets loaded by at least one page: {len(every_shared)} files, "
          f"{sum(f.stat().st_size for f in every_shared) / MB:.2f} MB; the largest:")
    for file in sorted(every_shared, key=lambda f: -f.stat().st_size)[:8]:
        print(f"  {file.stat().st_size / 1024:8.0f} KB  {file.relative_to(HTML)}")

    site = sum(f.stat().st_size for f in HTML.rglob("*") if f.is_file())
    frames = [f for f in (HTML / "_images" / "sliders").glob("*.png")]
    print(f"\nStatic slider frames: {len(frames)} files, {sum(f.stat().st_size for f in frames) / MB:.2f} MB")
    print(f"\nAll of _build/html: {site / MB:.2f} MB of {SITE_BUDGET_MB} MB "
          f"({'ok' if site <= SITE_BUDGET_MB * MB else 'OVER'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
