"""Browser tests of the inspector: headless Chromium (Debian's `chromium` package) driven by Playwright
for Python, launched with the system browser's executable; no browser is ever downloaded.

Run with `make test-browser` (not part of `make test`). `--screenshot PATH` names the picture
test_screenshot.py takes (`make screenshot` writes docs/inspector.png).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from mockgraph import MockGraph

from .chromium import CHROMIUM, CHROMIUM_ARGS, watch

# Waits that only catch a hang; the two-second promise of the live list has its own, explicit wait.
expect.set_options(timeout=20_000)


def pytest_addoption(parser):
    parser.addoption("--screenshot", metavar="PATH", default=None,
                     help="where test_screenshot.py writes the inspector's picture (default: a temporary file)")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set MOCKGRAPH_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def mock():
    with MockGraph() as served:
        yield served


@pytest.fixture
def watched(browser):
    watched, context = watch(browser)
    yield watched
    context.close()
    watched.check()


@pytest.fixture
def page(watched) -> Page:
    return watched.page
