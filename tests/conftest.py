"""One headless Chromium for every browser test of the session."""

from __future__ import annotations

import pytest
from _browser import launch
from playwright.sync_api import Browser, sync_playwright


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
