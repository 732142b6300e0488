"""Each role, through a real browser: log in with the form, see its own dashboard section, and
create a site if (and only if) the role may."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from districts.models import Site
from tests.browser.conftest import CHROMIUM, NO_CHROMIUM
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]


@dataclass(frozen=True)
class RoleCase:
    role: str
    fixture: str  # the user fixture in tests/conftest.py
    heading: str  # the role's dashboard section
    can_create_sites: bool


ROLES = [
    RoleCase("district_manager", "manager", "Your district", True),
    RoleCase("district_viewer", "viewer", "Your district", False),
    RoleCase("partner_staff", "partner_user", "Districts you support", False),
    RoleCase("sda_reviewer", "sda_reviewer", "SFAs in your state", False),
    RoleCase("collaborative_admin", "collab_admin", "Your learning lab", True),
]


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="Log out")).to_be_attached()


def fill_site_form(page: Page, *, district: str, name: str, city: str | None = "Minneapolis") -> None:
    page.get_by_label("District").select_option(label=district)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Street").fill("2500 Hiawatha Ave")
    if city is not None:
        page.get_by_label("City").fill(city)
    page.get_by_label("State").select_option("MN")
    page.get_by_label("Postal code").fill("55406")
    page.get_by_label("Latitude").fill("44.956100")
    page.get_by_label("Longitude").fill("-93.229800")


@pytest.mark.parametrize("case", ROLES, ids=[case.role for case in ROLES])
def test_role_dashboard_and_sites(case: RoleCase, page: Page, request, district, site, screenshots):
    user = request.getfixturevalue(case.fixture)

    log_in(page, user.email)

    expect(page.get_by_role("heading", name=case.heading)).to_be_visible()
    page.screenshot(path=screenshots / f"dashboard-{case.role}.png", full_page=True)

    page.get_by_role("button", name="More").click()  # setup lists sit under "More"
    page.get_by_role("navigation").get_by_role("link", name="Sites").click()
    expect(page.get_by_role("heading", name="Delivery sites")).to_be_visible()
    # Every role here reaches the district, so every one sees its site.
    expect(page.get_by_role("link", name=site.name)).to_be_visible()
    new_site = page.get_by_role("link", name="New site")

    if not case.can_create_sites:
        expect(new_site).to_have_count(0)
        response = page.goto("/sites/new/")
        assert response is not None and response.status == 403
        return

    new_site.click()
    expect(page.get_by_role("heading", name="New site")).to_be_visible()
    name = f"{district.name.split()[0]} Kitchen by {case.role}"
    fill_site_form(page, district=district.name, name=name)
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/sites/\d+/$"))
    expect(page.get_by_role("alert")).to_contain_text(f"Site “{name} ({district.name})” created.")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.screenshot(path=screenshots / f"site-created-{case.role}.png", full_page=True)
    created = Site.objects.get(district=district, name=name)
    assert (created.city, created.state, created.postal_code) == ("Minneapolis", "MN", "55406")
    assert page.url.endswith(created.get_absolute_url())


def test_site_form_with_a_missing_field_shows_the_error_and_saves_nothing(
    page: Page, manager, district, screenshots
):
    log_in(page, manager.email)
    page.goto("/sites/new/")
    fill_site_form(page, district=district.name, name="Half-Filled Site", city=None)
    city = page.get_by_label("City")
    before = Site.objects.count()

    # The browser refuses first: the field is required in HTML as well.
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/sites/new/$"))
    assert city.evaluate("el => el.validity.valueMissing") is True

    # Past the browser (as a script or an old browser would be), the server says the same.
    city.evaluate("el => { el.form.noValidate = true; }")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct the errors below; nothing was saved.")
    field = page.locator("#div_id_city")
    expect(field.locator(".invalid-feedback")).to_have_text("This field is required.")
    expect(city).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.get_by_label("Name")).to_have_value("Half-Filled Site")  # the rest is kept
    page.screenshot(path=screenshots / "site-form-error-district_manager.png", full_page=True)
    assert Site.objects.count() == before
    assert not Site.objects.filter(name="Half-Filled Site").exists()
