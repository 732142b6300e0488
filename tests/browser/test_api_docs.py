"""The API documentation page works under the Content-Security-Policy: Swagger UI loads its
script from a file, lists the operations and expands one, with nothing blocked (the page fixture
fails the test on any CSP violation)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.test_roles import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
    # Swagger UI's own widgets (nested buttons, unlabelled selects, its grey version stamp) are
    # the library's markup; axe still checks the page around them (language, title, landmarks).
    pytest.mark.axe_exclude(".swagger-ui"),
]


def test_api_docs_render_under_the_policy(page: Page, manager, screenshots):
    log_in(page, manager.email)
    page.goto("/api/docs/")
    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=15_000)
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/districts/").first
    # Swagger UI renders a long list of operations as the reader scrolls down to them.
    for _ in range(60):
        if operation.count():
            break
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(100)
    expect(operation).to_be_visible(timeout=15_000)
    operation.click()
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
    page.screenshot(path=screenshots / "api-docs.png", full_page=False)
