"""What the browser tests share: a quiet server on 127.0.0.1, Debian's Chromium, and
pages that may not leave the machine.

Imported by tests/test_site.py, tests/test_slides.py and tests/test_launch.py; the
session-wide `browser` fixture is in tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
SHOTS = BUILD / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Schemes that never touch the network.
LOCAL_SCHEMES = {"data", "blob", "about", "file"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the signature is http.server's)
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1; yields the base URL (ending in /)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def launch(playwright: Playwright) -> Browser:
    """Debian's chromium, headless; Playwright never downloads a browser of its own."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium).")
    return playwright.chromium.launch(headless=True, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@dataclass
class Log:
    """What a page did that it must not: console errors, failed loads, requests leaving the machine."""

    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.external, f"requests leaving 127.0.0.1: {self.external}"
        assert not self.errors, "console errors:\n" + "\n".join(self.errors)


def offline_page(browser: Browser, *, width: int = 1280, height: int = 900) -> tuple[Page, Log]:
    """A page in a fresh context whose requests to any other host are aborted and logged."""
    log = Log()
    context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block")

    def route(route):
        url = urlsplit(route.request.url)
        if url.scheme in LOCAL_SCHEMES or url.hostname == "127.0.0.1":
            route.continue_()
        else:
            log.external.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", lambda request: log.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and log.errors.append(message.text))
    page.on("pageerror", lambda error: log.errors.append(f"uncaught: {error}"))
    page.on(
        "response",
        lambda response: response.status >= 400 and log.errors.append(f"HTTP {response.status}: {response.url}"),
    )
    return page, log


# The fonts Chromium drew each element's text with (DevTools' CSS.getPlatformFontsForNode).
def platform_fonts(page: Page, selector: str) -> list[list[dict]]:
    """For each element the selector matches, the fonts its text was drawn with."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        ids = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]
        return [cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"] for node in ids]
    finally:
        cdp.detach()
