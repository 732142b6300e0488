"""Headless Chromium (Debian's, never a downloaded one) driven by Playwright's sync API against
pytest-django's live server. Screenshots land in the git-ignored artifacts/screenshots/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django's ORM refuses to run while a
# loop is running unless told it is safe. It is here: the test and the ORM share one thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NO_CHROMIUM = "Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db) -> Iterator[object]:
    """A fresh context (no cookies) per test, with the live server as base URL. The published
    reference values are put back first: transactional tests empty the tables when they end."""
    from tests.usda_foods.ordering_fixtures import ensure_reference_values

    ensure_reference_values()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    # Anything the Content-Security-Policy blocks is a broken page: collect it and fail the test.
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip
    try:
        yield page
    finally:
        context.close()
    assert blocked == [], f"The Content-Security-Policy blocked: {blocked}"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
