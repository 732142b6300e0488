"""Bringing someone in, through a real browser: the lab admin invites a district viewer from the
People page; the invitee opens the link from the email (the live server commits for real, so the
Celery task, eager in tests, sends it), chooses a password and lands on their dashboard; the link
then no longer works; the admin sees the new member and changes their role."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import Membership, Role
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.browser.test_entitlements_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

LINK = re.compile(r"https?://[^/\s]+(/accounts/invitations/[^/\s]+/)")
NEW_PASSWORD = "a long new password 42"


def test_admin_invites_and_the_invitee_joins(page: Page, collab_admin, district, screenshots):
    log_in(page, collab_admin.email)
    page.goto("/")
    page.get_by_role("link", name="People").first.click()
    expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
    page.get_by_role("link", name="Invite someone").first.click()
    page.get_by_label("Email address").fill("dana@alpha.example")
    page.get_by_label("Role").select_option(label="District viewer")
    page.get_by_label("Organisation").select_option(label=district.name)
    page.screenshot(path=screenshots / "invitation-form.png", full_page=True)
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent to dana@alpha.example")).to_be_visible()
    expect(page.get_by_role("cell", name="dana@alpha.example", exact=True)).to_be_visible()
    page.screenshot(path=screenshots / "people-invitation-waiting.png", full_page=True)
    page.get_by_role("button", name="Log out").click()

    (message,) = mail.outbox
    assert message.to == ["dana@alpha.example"]
    path = LINK.search(message.body).group(1)
    page.goto(path)
    expect(
        page.get_by_role("heading", name=f"You are invited as District viewer of {district.name}")
    ).to_be_visible()
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Doe")
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("The same password again").fill(NEW_PASSWORD)
    page.screenshot(path=screenshots / "invitation-accept.png", full_page=True)
    page.get_by_role("button", name="Create my account and accept").click()
    expect(page.get_by_text(f"Welcome: you are now District viewer of {district.name}")).to_be_visible()
    expect(page.get_by_role("heading", name="Hello, Dana")).to_be_visible()
    expect(page.get_by_text(district.name).first).to_be_visible()
    page.screenshot(path=screenshots / "invitee-dashboard.png", full_page=True)
    page.get_by_role("button", name="Log out").click()

    page.goto(path)  # the link worked once
    expect(page.get_by_text("This invitation has already been used")).to_be_visible()

    log_in(page, collab_admin.email)
    page.goto("/accounts/people/")
    page.get_by_role("link", name="Change role of dana@alpha.example").click()
    page.get_by_label("District manager").check()
    page.get_by_role("button", name="Save the role").click()
    expect(page.get_by_text("is now District manager of")).to_be_visible()
    page.screenshot(path=screenshots / "people-role-changed.png", full_page=True)
    assert Membership.objects.get(user__email="dana@alpha.example").role == Role.DISTRICT_MANAGER
