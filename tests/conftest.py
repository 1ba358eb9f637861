"""One headless Chromium for every browser test of the session."""

from __future__ import annotations

import shutil

import pytest
from _browser import SHOTS, launch
from playwright.sync_api import Browser, sync_playwright


@pytest.fixture(scope="session")
def browser() -> Browser:
    # The run's own pictures only: a page or slide that is gone leaves no stale one behind.
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
