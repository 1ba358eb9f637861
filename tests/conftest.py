"""One headless Chromium per test process; the grouping `make test`'s parallel run needs."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest
from _browser import SHOTS, launch
from playwright.sync_api import Browser, sync_playwright


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup` (make test), the tests of one page or one deck run in one
    worker, which then loads that page once: loading a chapter costs seconds."""
    for item in items:
        params = getattr(item, "callspec", None) and item.callspec.params
        page = params and (params.get("path") or params.get("deck"))
        if isinstance(page, str):
            item.add_marker(pytest.mark.xdist_group(page))


def empty_screenshots_once(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Empty _build/screenshots once per run that opens a browser: by the first of
    pytest-xdist's workers to get here, never by another, which would delete what the
    first has taken. The workers of one run share their base folder's parent."""
    base = tmp_path_factory.getbasetemp()
    run = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    emptied = Path(run) / "screenshots-emptied"
    with open(run / "screenshots.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not emptied.exists():
            shutil.rmtree(SHOTS, ignore_errors=True)
            SHOTS.mkdir(parents=True)
            emptied.touch()


@pytest.fixture(scope="session")
def browser(tmp_path_factory) -> Browser:
    empty_screenshots_once(tmp_path_factory)
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
