"""Live code (book/_ext/live_code): a chapter's cells run on a Jupyter kernel from its page.

On the published site the kernel comes from mybinder.org, which needs the internet;
here `make live` stands in for it, as a lecturer with no internet would use it: the
site and a Jupyter server on 127.0.0.1, and the address it prints
(``?jupyter=<url>&token=<token>``). The tests press "Live Code" in headless Chromium
and check that the whole chapter runs, that nothing leaves the machine, and that a
slider has become a live widget that redraws its figure.
"""

from __future__ import annotations

import json
import re
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from _browser import BUILD, ROOT, SHOTS, offline_page, serve
from myst_nb.core.read import read_myst_markdown_notebook
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

HTML = BUILD / "html"
CHAPTER = "book/focal_gamma"
CONFIG_SCRIPT = re.compile(r'<script type="application/json" id="live-code">(.*?)</script>', re.DOTALL)


def live_code_config(docname: str) -> dict:
    page = HTML / f"{docname}.html"
    if not page.is_file():
        pytest.fail(f"{page} is missing: build the book first with `make book`.")
    (data,) = CONFIG_SCRIPT.findall(page.read_text())
    return json.loads(data)


def code_cells(docname: str) -> list[dict]:
    notebook = read_myst_markdown_notebook((ROOT / f"{docname}.md").read_text())
    return [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.strip()]


def test_the_page_carries_every_code_cell_of_the_notebook():
    """Visible cells on the page plus the hidden ones in the config are the notebook's code, in order."""
    config = live_code_config(CHAPTER)
    html = (HTML / f"{CHAPTER}.html").read_text()
    assert config["visibleCells"] == len(re.findall(r'<div class="cell[ "]', html))
    cells = code_cells(CHAPTER)
    hidden = [cell.source for cell in cells if "remove-cell" in cell.metadata.get("tags", [])]
    assert [cell["source"] for cell in config["hiddenCells"]] == hidden
    assert config["visibleCells"] + len(hidden) == len(cells)
    # The set-up cell (imports) opens the notebook, so it runs before every visible cell.
    assert config["hiddenCells"][0]["position"] == 0 and "import lossviz" in hidden[0]
    assert config["kernelOptions"] == {"kernelName": "python3", "path": "book"}
    assert config["binderOptions"]["repoProvider"] == "github"


def test_thebe_is_served_by_the_site():
    for name in ("index.js", "thebe.css", "require.js", "live-code.js"):
        folder = HTML / "_static" if name == "live-code.js" else HTML / "_static" / "thebe"
        assert (folder / name).is_file(), f"{name} is missing from the built site"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`make live` exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"nothing listens on port {port}")


@pytest.fixture(scope="module")
def make_live() -> Iterator[str]:
    """`make live`, as a lecturer runs it: yields the address it tells them to open."""
    site_port, live_port = free_port(), free_port()
    process = subprocess.Popen(
        ["make", "-s", "live", f"SITE_PORT={site_port}", f"LIVE_PORT={live_port}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        address = next((line.split()[1] for line in process.stdout if line.startswith("Open ")), None)
        assert address, "`make live` printed no address to open"
        wait_for_port(site_port, process)
        wait_for_port(live_port, process)
        yield address
    finally:
        # The site server, the Jupyter server and its kernels share make's process group.
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def press_live_code(page: Page) -> None:
    page.locator(".dropdown-launch-buttons > button").click()
    page.get_by_role("button", name="Live Code").click()


def wait_for_status(page: Page, timeout_s: float) -> tuple[str, str]:
    status = page.locator(".live-code-status")
    status.wait_for()
    page.wait_for_function(
        "() => ['ready', 'error'].includes(document.querySelector('.live-code-status').dataset.state)",
        timeout=timeout_s * 1000,
    )
    return status.get_attribute("data-state"), status.text_content()


def test_live_code_runs_the_chapter_and_its_sliders_come_alive(browser, make_live):
    """The lecturer's path: open the address `make live` prints (the introduction), go to
    a chapter through the book's own navigation, press Live Code."""
    config = live_code_config(CHAPTER)
    page, log = offline_page(browser)
    try:
        page.goto(make_live, wait_until="load")
        page.locator("nav.bd-links a", has_text="Focal loss I:").click()
        page.wait_for_url(f"**/{CHAPTER}.html")
        page.wait_for_load_state("networkidle")
        assert "jupyter=" not in page.url
        assert not [url for url in log.requests if "/_static/thebe/" in url], "Thebe loaded before the click"
        press_live_code(page)
        state, text = wait_for_status(page, timeout_s=240)
        assert state == "ready", text
        # Every code cell, the hidden set-up cells too, became a Thebe cell and ran.
        total = config["visibleCells"] + len(config["hiddenCells"])
        assert page.locator(".thebe-cell").count() == total
        assert page.locator(".live-code-hidden").count() == len(config["hiddenCells"])
        assert page.locator(".live-code-hidden:not([hidden])").count() == 0
        # The static slider figures were replaced by live widgets: move one, its image changes.
        slider = page.locator(".widget-slider").first
        slider.scroll_into_view_if_needed()
        widget = slider.locator("xpath=ancestor::*[contains(@class, 'widget-vbox') or contains(@class, 'widget-box')][1]")
        before = widget.locator("img").first.get_attribute("src")
        handle = slider.locator(".noUi-handle, .ui-slider-handle, [role=slider]").first
        # The widget's HTML is replaced on each update, so the picture is looked up
        # afresh; a key pressed while the kernel is still busy with the chapter may
        # be lost, so the step is repeated (a few times at most) until one redraws.
        for _ in range(3):
            handle.focus()
            page.keyboard.press("ArrowRight")
            try:
                page.wait_for_function(
                    "([box, before]) => box.querySelector('img').src !== before",
                    arg=[widget.element_handle(), before],
                    timeout=20_000,
                )
                break
            except PlaywrightTimeout:
                continue
        else:
            pytest.fail("moving the live slider never redrew its figure")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / "live-code-slider.png")
        page.locator(".thebe-cell:visible").first.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / "live-code-cell.png")
    finally:
        page.context.close()
    log.assert_clean()


def test_an_unreachable_server_is_reported_on_the_page(browser):
    with serve(HTML) as site:
        page, _ = offline_page(browser)
        try:
            # Port 9 (discard) on 127.0.0.1: nothing listens there.
            page.goto(f"{site}{CHAPTER}.html?jupyter=http://127.0.0.1:9/&token=x", wait_until="load")
            press_live_code(page)
            state, text = wait_for_status(page, timeout_s=60)
        finally:
            page.context.close()
    assert state == "error"
    assert "could not start" in text and "127.0.0.1:9" in text, text
