"""A priority item through a real browser: a partner proposes it; three districts endorse and one
objects; the partner revises the spec and proposes it again; all endorse and it is adopted; the
districts record their menu commitments; the lab's admin opens the pooled demand and downloads
the RFP draft."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from purchasing.priority_items.models import PriorityItem
from purchasing.priority_items.services import endorsement_record
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.test_entitlements_flow import log_in
from tests.purchasing.fixtures import build_lab, commit

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


def answer(page: Page, district: str, stance: str, comment: str = "") -> None:
    page.locator("#id_district").select_option(label=district)
    page.get_by_label(stance, exact=True).check()
    if comment:
        page.get_by_label("Comment").fill(comment)
    page.get_by_role("button", name="Record the answer").click()


def test_partner_proposes_districts_answer_admin_downloads_the_rfp(
    page: Page, district, manager, partner_user, collab_admin, collaborative, screenshots
):
    lab = build_lab(district, manager)
    log_in(page, partner_user.email)
    page.get_by_role("link", name="Priority items").first.click()
    expect(page.get_by_text("No priority items yet")).to_be_visible()
    page.get_by_role("link", name="Propose an item").click()
    page.get_by_label("Name").fill("Chicken drumsticks, raised without antibiotics")
    page.get_by_label("Why it matters").fill("Antibiotic stewardship.")
    page.get_by_label("Reference price per unit ($)").fill("2.15")
    page.get_by_label("Product and form").fill("Chicken drumsticks, bone-in, raw, IQF")
    page.get_by_label("Pack and size").fill("40 lb case")
    page.get_by_label("Processing").select_option("minimal")
    page.get_by_label("Production claims").fill("Raised without antibiotics | USDA Process Verified Program")
    page.get_by_label("Local clause").select_option("preference")
    page.get_by_label("Definition of local").fill("Within 250 miles")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_text("saved as a draft")).to_be_visible()
    page.get_by_role("link", name="Version 1").first.click()
    page.get_by_role("button", name="Propose to the lab").click()
    expect(page.get_by_text("is proposed")).to_be_visible()
    item = PriorityItem.objects.get()
    v1 = item.versions.get()
    page.get_by_role("button", name="Log out").click()

    for other, other_manager in lab[1:3]:  # two endorse off-screen; Alpha endorses and one objects here
        endorsement_record(user=other_manager, version_id=v1.pk, district=other, stance="endorse")
    log_in(page, manager.email)
    page.goto("/")
    page.get_by_role(
        "link", name="Version 1 of “Chicken drumsticks, raised without antibiotics” waits"
    ).click()
    answer(page, "Alpha Public Schools", "Endorses")
    expect(page.get_by_text("answer is recorded")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    objector, objector_manager = lab[3]
    log_in(page, objector_manager.email)
    page.goto(f"/purchasing/versions/{v1.pk}/")
    answer(page, objector.name, "Objects")
    expect(page.get_by_text("An objection needs its reason")).to_be_visible()
    answer(page, objector.name, "Objects", "Our ovens need 3.5-4.5 oz pieces.")
    expect(page.get_by_text("Not adopted: 1 objection")).to_be_visible()
    page.screenshot(path=screenshots / "priority-item-objection.png", full_page=True)
    page.get_by_role("button", name="Log out").click()

    log_in(page, partner_user.email)
    page.goto(f"/purchasing/versions/{v1.pk}/")
    page.get_by_role("button", name="Revise (restarts endorsement)").click()
    page.get_by_label("Other attributes").fill("piece size: 3.5-4.5 oz")
    page.get_by_label("What changed").fill("Piece size from the objection")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Propose to the lab").click()
    page.goto(f"/purchasing/items/{item.pk}/compare/")
    expect(page.get_by_text("1 field differs")).to_be_visible()
    page.screenshot(path=screenshots / "priority-item-compare.png", full_page=True)
    page.get_by_role("button", name="Log out").click()

    v2 = item.versions.get(number=2)
    for other, other_manager in lab[:3]:
        endorsement_record(user=other_manager, version_id=v2.pk, district=other, stance="endorse")
    log_in(page, objector_manager.email)
    page.goto(f"/purchasing/versions/{v2.pk}/")
    answer(page, objector.name, "Endorses")
    expect(page.get_by_text("Adopted: Every district that answered endorses it")).to_be_visible()
    page.get_by_role("link", name=item.name).first.click()
    page.get_by_role("link", name="record how often you will menu it").click()
    page.get_by_label("Times a month").fill("2")
    for month in ("Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May"):
        page.get_by_label(month).check()
    page.get_by_label("Servings a menu day (expected participation)").fill("1200")
    page.get_by_label("Serving size").fill("4")
    page.get_by_role("button", name="Save the commitment").click()
    expect(page.get_by_test_id("total")).to_have_text("5,400 lb")
    page.get_by_role("button", name="Log out").click()
    for other, other_manager in lab[:3]:
        commit(item, other, other_manager)

    log_in(page, collab_admin.email)
    page.get_by_role("link", name="Priority items").first.click()
    page.get_by_role("link", name="Pooled demand").first.click()
    expect(page.get_by_text("21,600 lb")).to_be_visible()  # 4 districts x 5,400 lb
    expect(page.get_by_test_id("total-value")).to_have_text("$46,440.00")  # x $2.15
    page.screenshot(path=screenshots / "priority-items-pooled-demand.png", full_page=True)
    page.get_by_role("link", name="RFI/RFP draft").first.click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Draft to edit (DOCX)").click()
    assert download.value.suggested_filename == "rfp-draft.docx"
    with page.expect_download() as download:
        page.get_by_role("button", name="Draft (PDF)").click()
    assert download.value.suggested_filename == "rfp-draft.pdf"
