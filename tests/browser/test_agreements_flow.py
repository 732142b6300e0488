"""A signing season in a real browser: the lab's admin starts from the default template and issues
letters to the whole lab; a district manager signs one; a partner declines one with a reason; the
admin countersigns, downloads the signed PDF, and the public verify page confirms it."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import Page, expect

from agreements.models import Letter
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.test_entitlements_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def test_issue_sign_decline_countersign_download_verify(page: Page, collab_admin, manager, partner_user, district,
                                                        partner, screenshots, tmp_path):  # fmt: skip
    log_in(page, collab_admin.email)
    page.goto("/agreements/")
    expect(page.get_by_text("No letters yet.")).to_be_visible()
    page.get_by_role("link", name="Templates").click()
    page.get_by_role("button", name="Start from the default").click()
    expect(page.get_by_text("is ready from the default text")).to_be_visible()
    page.get_by_role("link", name="Issue letters").first.click()
    page.get_by_label("Template version").select_option(index=1)
    page.get_by_label("Issue to every district and partner of the lab").check()
    expect(page.get_by_label("Send at once (emails each party's signatories)")).to_be_checked()
    page.screenshot(path=screenshots / "agreements-issue.png", full_page=True)
    page.get_by_role("button", name="Issue").click()
    expect(page.get_by_test_id("job-message")).to_contain_text("2 letters issued")
    page.screenshot(path=screenshots / "agreements-issue-job.png", full_page=True)
    page.get_by_role("button", name="Log out").click()

    log_in(page, manager.email)
    page.get_by_role("link", name="1 letter of agreement waits for your signature.").click()
    page.get_by_role("link", name="Alpha Public Schools").first.click()
    expect(page.get_by_role("heading", name="Sign for Alpha Public Schools")).to_be_visible()
    page.get_by_label("I agree to sign this letter of agreement electronically").check()
    page.get_by_label("Your full name").fill("Dana Okafor")
    page.get_by_label("Your title").fill("Director of Food Services")
    page.screenshot(path=screenshots / "agreements-sign.png", full_page=True)
    page.get_by_test_id("sign-form").get_by_role("button").click()
    expect(page.get_by_text("Signed. The lab will countersign it.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    log_in(page, partner_user.email)
    page.goto("/agreements/")
    page.get_by_role("link", name="Alpha Farm to School").first.click()
    page.get_by_label("Why do you decline?").fill("Our board approves new commitments in January.")
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_text("Declined").first).to_be_visible()
    page.screenshot(path=screenshots / "agreements-declined.png", full_page=True)
    page.get_by_role("button", name="Log out").click()

    log_in(page, collab_admin.email)
    page.goto("/")
    page.get_by_role(
        "link", name="1 letter of agreement signed by the party waits for your countersignature."
    ).click()
    page.get_by_role("link", name="Alpha Public Schools").first.click()
    page.get_by_label("I agree to sign this letter of agreement electronically").check()
    page.get_by_label("Your full name").fill("Avery Lindqvist")
    page.get_by_label("Your title").fill("Learning Lab Coordinator")
    page.get_by_role("button", name="Countersign").click()
    expect(page.get_by_text("Countersigned: the letter is complete")).to_be_visible()
    page.screenshot(path=screenshots / "agreements-complete.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("pdf-link").click()
    pdf = tmp_path / "signed.pdf"
    download.value.save_as(pdf)
    letter = Letter.objects.get(district=district)
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == letter.pdf_sha256
    page.get_by_role("link", name="Letters", exact=True).click()
    expect(page.locator('[data-count="countersigned"]')).to_have_text("1")
    expect(page.locator('[data-count="declined"]')).to_have_text("1")
    page.screenshot(path=screenshots / "agreements-overview.png", full_page=True)
    page.get_by_role("button", name="Log out").click()

    page.goto("/verify/")
    page.get_by_label("The signed PDF").set_input_files(str(pdf))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("verify-result")).to_contain_text("Genuine.")
    expect(page.get_by_test_id("verify-result")).to_contain_text("Alpha Public Schools")
    page.screenshot(path=screenshots / "agreements-verified.png", full_page=True)
