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


# One browser a test module: Playwright's sync API keeps an event loop running in the thread while
# it is open, and under pytest-xdist other files' tests (PDF sealing calls asyncio.run) follow on
# the same worker.
@pytest.fixture(scope="module")
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


# axe-core's impacts that fail a page (WCAG problems that block or seriously hinder people).
BLOCKING_IMPACTS = {"serious", "critical"}


def axe_violations(page, exclude: tuple[str, ...] = ()) -> list[str]:
    """axe-core (shipped in axe-playwright-python's wheel) on the page as it is now: the serious
    and critical violations, one line each with the elements at fault. ``exclude`` names regions
    of third-party markup the project does not write (see the ``axe_exclude`` marker)."""
    from axe_playwright_python.sync_playwright import Axe

    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    results = Axe().run(page, context=context)
    return [
        f"{page.url} {violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


@pytest.fixture
def page(browser, live_server, transactional_db, request) -> Iterator[object]:
    """A fresh context (no cookies) per test, with the live server as base URL. The published
    reference values are put back first: transactional tests empty the tables when they end.

    Every test checks, for every page it visits: nothing blocked by the Content-Security-Policy,
    and no serious or critical axe-core violation (the page as the test leaves it, then each other
    page it visited, opened again as the same user)."""
    from tests.usda_foods.ordering_fixtures import ensure_reference_values

    ensure_reference_values()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip
    visited: list[str] = []
    page.on("framenavigated", lambda frame: visited.append(frame.url)
            if frame == page.main_frame and frame.url.startswith(live_server.url) else None)  # fmt: skip
    violations: list[str] = []
    marker = request.node.get_closest_marker("axe_exclude")
    exclude = tuple(marker.args) if marker else ()
    try:
        yield page
        if page.url.startswith(live_server.url):
            violations += axe_violations(page, exclude)
        last = page.url
        for url in dict.fromkeys(visited):
            if url != last:
                page.goto(url)
                violations += axe_violations(page, exclude)
    finally:
        context.close()
    assert blocked == [], f"The Content-Security-Policy blocked: {blocked}"
    assert violations == [], "axe-core found serious or critical violations:\n" + "\n".join(violations)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def worker(monkeypatch):
    """Collects the tasks the app enqueues (imports run in the background); ``run()`` plays the
    Celery worker, so a flow can watch the progress bar and then see the result."""
    from django.utils.module_loading import import_string

    queued: list[tuple[str, tuple]] = []
    monkeypatch.setattr("focus_lab.jobs.services.enqueue", lambda path, *args: queued.append((path, args)))
    monkeypatch.setattr("focus_lab.imports.services.BACKGROUND_ROWS", 0)

    class Worker:
        def run(self) -> None:
            assert queued, "nothing was queued"
            while queued:
                path, args = queued.pop(0)
                import_string(path)(*args)

    return Worker()
