"""The demo learning lab: seven districts across four states, three partners, one login per role,
and a seeder that can run on every `make run` without changing anything the second time."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, User
from districts import demo
from districts.models import Collaborative, Coop, District, Site, StateAgency
from partners.models import PartnerOrganisation, Partnership
from usda_foods.entitlements.access import lunch_count_districts
from usda_foods.entitlements.services.reference import current_per_meal_value, per_meal_value_create
from usda_foods.models import (
    CatalogItem,
    DataCorrection,
    Drawdown,
    EndProduct,
    EndProductPurchase,
    Entitlement,
    ExpectedDelivery,
    FeeSchedule,
    LunchCount,
    Order,
    OrderLine,
    OrderStatus,
    OrderWindow,
    PerMealValue,
    Processor,
    ProcessorInventory,
    Receipt,
    ReimbursementRate,
    Survey,
)

pytestmark = pytest.mark.django_db

# The app's clock in the demo's year: SY 2026-27 runs from July 1, 2026 to June 30, 2027.
TODAY = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture(autouse=True)
def app_clock():
    from tests.usda_foods.ordering_fixtures import ensure_reference_values

    ensure_reference_values()  # the migration's published values (a browser test may have flushed them)
    with time_machine.travel(TODAY, tick=True):
        yield


MODELS = [
    Processor,
    EndProduct,
    ExpectedDelivery,
    Receipt,
    EndProductPurchase,
    FeeSchedule,
    District,
    Site,
    Coop,
    StateAgency,
    Collaborative,
    PartnerOrganisation,
    Partnership,
    User,
    Membership,
    LunchCount,
    Entitlement,
    CatalogItem,
    Survey,
    OrderWindow,
    Order,
    OrderLine,
    Drawdown,
    DataCorrection,
    PerMealValue,
    ReimbursementRate,
]


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    counts = {model._meta.label: model.objects.count() for model in MODELS}
    counts["districts.Coop.members"] = Coop.members.through.objects.count()
    return counts


@pytest.fixture
def seeded() -> str:
    return _seed()


def _user(role: str) -> User:
    email = next(email for email, _first, _last, user_role, _target in demo.USERS if user_role == role)
    return User.objects.get(email=email)


def _district_names(user: User, *, write: bool = False) -> set[str]:
    return set(District.objects.for_user(user, write=write).values_list("name", flat=True))


def test_first_run_prints_every_login(seeded):
    assert "Demo lab ready: 7 districts, 3 partners" in seeded
    assert f"password for each: {demo.DEMO_PASSWORD}" in seeded
    for email, *_ in [*demo.USERS, demo.SUPERUSER]:
        assert email in seeded


def test_second_run_changes_nothing_and_prints_no_password(seeded):
    before = _counts()

    again = _seed()

    assert _counts() == before
    assert "Demo lab ready" in again
    assert demo.DEMO_PASSWORD not in again
    assert "Demo logins" not in again


def test_demo_lab_shape(seeded):
    districts = District.objects.select_related("state_agency")
    assert districts.count() == 7
    assert {d.state for d in districts} == {"MN", "WI", "IA", "IL"}
    assert PartnerOrganisation.objects.count() == 3
    assert Partnership.objects.count() == 7
    collaborative = Collaborative.objects.get(slug=demo.COLLABORATIVE["slug"])
    assert set(District.objects.values_list("collaborative", flat=True)) == {collaborative.pk}
    assert Site.objects.count() == sum(len(sites) for *_, sites in demo.DISTRICTS)
    # Sites carry their district's state.
    for site in Site.objects.select_related("district__state_agency"):
        assert site.state == site.district.state
    coop = Coop.objects.get()
    assert set(coop.members.values_list("name", flat=True)) == set(demo.COOP["members"])
    assert coop.receiving_site.district == coop.lead_district


def test_one_login_per_role(seeded):
    roles = list(Membership.objects.values_list("role", flat=True))
    # One login per role, and Wisconsin's reviewer for the joint truck with Minnesota.
    assert sorted(roles) == sorted([*Role.values, Role.SDA_REVIEWER])
    for email, *_ in demo.USERS:
        user = User.objects.get(email=email)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert not user.is_superuser
        assert user.memberships.count() == 1
    superuser = User.objects.get(email=demo.SUPERUSER[0])
    assert superuser.is_superuser and superuser.is_staff
    assert User.objects.count() == len(demo.USERS) + 1


def test_sda_reviewer_sees_only_minnesota_sfas(seeded):
    reviewer = _user(Role.SDA_REVIEWER)

    assert _district_names(reviewer) == {"Minneapolis Public Schools", "Saint Paul Public Schools"}
    assert set(District.objects.for_user(reviewer).values_list("state_agency__state", flat=True)) == {"MN"}
    assert _district_names(reviewer, write=True) == set()


def test_district_manager_sees_and_changes_only_minneapolis(seeded):
    manager = _user(Role.DISTRICT_MANAGER)

    assert _district_names(manager) == {"Minneapolis Public Schools"}
    assert _district_names(manager, write=True) == {"Minneapolis Public Schools"}
    assert set(Site.objects.for_user(manager).values_list("district__name", flat=True)) == {
        "Minneapolis Public Schools"
    }


def test_district_viewer_sees_saint_paul_read_only(seeded):
    viewer = _user(Role.DISTRICT_VIEWER)

    assert _district_names(viewer) == {"Saint Paul Public Schools"}
    assert _district_names(viewer, write=True) == set()


def test_partner_staff_see_the_districts_they_serve(seeded):
    staff = _user(Role.PARTNER_STAFF)

    north_star = next(p for p in demo.PARTNERS if p[0] == "North Star Farm to School Network")
    assert _district_names(staff) == set(north_star[5])
    assert _district_names(staff, write=True) == set()
    assert set(PartnerOrganisation.objects.for_user(staff).values_list("name", flat=True)) == {north_star[0]}


def test_collaborative_admin_sees_and_changes_the_whole_lab(seeded):
    admin = _user(Role.COLLABORATIVE_ADMIN)

    every_district = {name for name, *_ in demo.DISTRICTS}
    assert _district_names(admin) == every_district
    assert _district_names(admin, write=True) == every_district
    assert PartnerOrganisation.objects.for_user(admin, write=True).count() == 3


def test_demo_lives_in_the_current_school_year(seeded):
    """Today is in SY 2026-27: its entitlements compute from the state's SY 2025-26 lunch counts,
    its catalog, survey and open window are there, and the order drew on this year's entitlement."""
    rows = {
        e.district.name: e
        for e in Entitlement.objects.filter(school_year="2026-27").select_related("district")
    }
    assert len(rows) == 7
    # Minneapolis: 37.00 cents (demo value) x (2,900,000 + 310,000 + 1,450,000) SY2025-26 lunches
    assert rows["Minneapolis Public Schools"].commodity_offer_value == Decimal("1724200.00")
    assert rows["Minneapolis Public Schools"].per_meal_value_cents == Decimal("37.00")
    # Milwaukee is a commodity school: without a Section 4 payment for the year it cannot compute.
    assert rows["Milwaukee Public Schools"].commodity_offer_value is None
    assert any("Section 4" in reason for reason in rows["Milwaukee Public Schools"].missing)
    assert all(e.commodity_offer_value for name, e in rows.items() if name != "Milwaukee Public Schools")
    # Last year, complete: its COV (36.00 cents x SY2024-25 lunches) and its 12 percent share.
    last_year = Entitlement.objects.get(district__name="Minneapolis Public Schools", school_year="2025-26")
    assert last_year.commodity_offer_value == Decimal("1644048.00")  # 36.00 x 4,566,800
    assert last_year.twelve_share is not None and last_year.missing == []
    assert set(CatalogItem.objects.values_list("school_year", flat=True)) == {"2026-27"}
    assert Survey.objects.get().school_year == "2026-27"
    window = OrderWindow.objects.get(
        name="Winter delivery"
    )  # (the other: autumn's diverted chicken, delivered)
    assert window.school_year == "2026-27" and window.is_open()
    assert date(2026, 7, 1) <= timezone.localdate(window.opens_at) <= timezone.localdate(window.closes_at)
    assert window.delivery_start >= date(2026, 7, 1) and window.delivery_end <= date(2027, 6, 30)
    submitted = Order.objects.get(status=OrderStatus.SUBMITTED)
    assert submitted.district.name == "Minneapolis Public Schools"
    assert submitted.entitlement == rows["Minneapolis Public Schools"]
    # Its drawn total: the submitted order, plus the autumn order of diverted chicken (final, less the
    # share of the processor's short-shipped cases its receipt released).
    autumn = Drawdown.objects.filter(
        order__district__name="Minneapolis Public Schools", order__status=OrderStatus.APPROVED
    )
    assert rows["Minneapolis Public Schools"].drawn == submitted.value + sum(d.amount for d in autumn)
    assert submitted.value > 0
    # a correction waits for the Minnesota reviewer; the state's counts are unchanged until then
    correction = DataCorrection.objects.get()
    assert correction.status == "pending" and correction.district.name == "Minneapolis Public Schools"
    assert correction.created_by == _user(Role.DISTRICT_MANAGER) and correction.school_year == "2025-26"


def test_demo_reference_values_are_labelled_as_demo_values(seeded):
    """The app has no citation for SY 2025-26 and 2026-27: the demo's values say so, and the
    published ones (from the migration) are left as they are."""
    demo_values = PerMealValue.objects.filter(school_year__in=["2025-26", "2026-27"])
    assert sorted(v.cents for v in demo_values) == [Decimal("36.00"), Decimal("37.00")]
    assert all(v.is_demo_value and v.citation.startswith("DEMO VALUE") for v in demo_values)
    assert not PerMealValue.objects.get(school_year="2019-20").is_demo_value
    rates = ReimbursementRate.objects.filter(school_year__in=["2025-26", "2026-27"])
    assert rates.count() == 6 and all(rate.is_demo_value for rate in rates)
    assert not any(r.is_demo_value for r in ReimbursementRate.objects.filter(school_year="2024-25"))

    client = Client()
    client.force_login(_user(Role.SDA_REVIEWER))
    html = client.get(reverse("usda_foods:per-meal-value-list")).content.decode()
    assert html.count('data-testid="demo-value"') == 2
    html = client.get(reverse("usda_foods:reimbursement-rate-list")).content.decode()
    assert html.count('data-testid="demo-value"') == 2  # one per school year row
    minneapolis = District.objects.get(name="Minneapolis Public Schools")
    page = client.get(reverse("usda_foods:entitlement-detail", args=[minneapolis.pk, "2026-27"]))
    html = page.content.decode()
    assert "Not computed yet" not in html
    assert "$1,724,200.00" in html and 'data-testid="demo-value"' in html


def test_a_published_notice_replaces_a_demo_value(seeded, django_capture_on_commit_callbacks):
    """The reference-data editor enters the real notice: it supersedes the demo value (dated
    January 1, before any July notice), the entitlements follow, and the badge goes."""

    with django_capture_on_commit_callbacks(execute=True):  # the year's recompute
        per_meal_value_create(school_year="2026-27", cents=Decimal("38.25"), published_on=date(2026, 7, 10),
                                       citation="Federal Register notice, July 2026", user=_user(Role.REFERENCE_DATA))  # fmt: skip

    assert current_per_meal_value("2026-27").citation == "Federal Register notice, July 2026"
    minneapolis = Entitlement.objects.get(district__name="Minneapolis Public Schools", school_year="2026-27")
    assert minneapolis.commodity_offer_value == Decimal("1782450.00")  # 38.25 x 4,660,000
    client = Client()
    client.force_login(_user(Role.SDA_REVIEWER))
    page = client.get(reverse("usda_foods:entitlement-detail", args=[minneapolis.district_id, "2026-27"]))
    assert 'data-testid="demo-value"' not in page.content.decode()


def test_a_published_rate_replaces_the_demo_rate_through_the_page(seeded):
    """Rates are one per year and category: the editor's "new rate" for a year that only has a demo
    rate replaces it (instead of "already exists"); a published rate is never overwritten."""
    client = Client()
    client.force_login(_user(Role.REFERENCE_DATA))
    url = reverse("usda_foods:reimbursement-rate-create")
    published = {"school_year": "2026-27", "category": "free", "dollars": "4.81",
                 "citation": "Federal Register notice of NSLP reimbursement rates, July 2026"}  # fmt: skip

    assert client.post(url, published).status_code == 302

    rate = ReimbursementRate.objects.get(school_year="2026-27", category="free")
    assert (rate.dollars, rate.is_demo_value) == (Decimal("4.81"), False)
    assert ReimbursementRate.objects.filter(school_year="2026-27").count() == 3
    html = client.get(reverse("usda_foods:reimbursement-rate-list")).content.decode()
    assert html.count('data-testid="demo-value"') == 2  # reduced and paid are still demo values
    again = client.post(url, {**published, "dollars": "4.90"})
    assert again.status_code == 200 and "already exists" in again.content.decode()
    assert ReimbursementRate.objects.get(pk=rate.pk).dollars == Decimal("4.81")


def test_seeding_late_in_june_keeps_the_window_inside_its_year():
    with time_machine.travel(datetime(2027, 6, 25, 12, tzinfo=ZoneInfo("America/Chicago")), tick=False):
        _seed()
        window = OrderWindow.objects.get(name="Winter delivery")
    assert window.school_year == "2026-27"
    assert timezone.localdate(window.closes_at) == date(2027, 6, 30)
    assert window.delivery_start == window.delivery_end == date(2027, 6, 30)
    window.full_clean()  # the model's own rule agrees


def test_demo_roles_own_their_data(seeded):
    """Lunch counts are the state's (its reviewer writes them, the district only reads them); the
    national reference data is the reference-data editor's."""
    from districts import access
    from usda_foods.models import CatalogItem, PerMealValue

    minneapolis = District.objects.get(name="Minneapolis Public Schools")
    assert lunch_count_districts(_user(Role.SDA_REVIEWER)).filter(pk=minneapolis.pk).exists()
    for role in (Role.DISTRICT_MANAGER, Role.COLLABORATIVE_ADMIN):
        assert not lunch_count_districts(_user(role)).exists()
        assert not access.can_create(_user(role), PerMealValue)
    editor = _user(Role.REFERENCE_DATA)
    assert access.can_create(editor, PerMealValue) and access.can_create(editor, CatalogItem)
    assert not editor.memberships.get().target


def test_demo_has_a_poultry_processor_diverted_chicken_receipts_and_fees(seeded):
    processor = Processor.objects.get(name="North Star Poultry Processing")
    assert processor.end_products.count() == 2
    assert FeeSchedule.objects.count() == 4  # one for each demo state
    deliveries = ExpectedDelivery.objects.filter(plan__window__name="Autumn processing")
    assert deliveries.filter(processor=processor).exists() and Receipt.objects.count() == 1
    assert deliveries.filter(late_at__isnull=False, receipt__isnull=True).count() >= 1  # one late
    # Minneapolis: chicken received at the processor, less the end-product purchase.
    inventory = ProcessorInventory.objects.get(district__name="Minneapolis Public Schools")
    assert Decimal("0") < inventory.pounds < Decimal(600 * 40)
    assert EndProductPurchase.objects.count() == 1


def test_spring_plans_show_splits_a_carry_over_and_one_joint_truck(seeded):
    from usda_foods.shipping.models import CarryOver, JointPlan, JointStatus, PlanAdjustment, PlanStop

    joint = JointPlan.objects.select_related("offer__from_agency", "offer__to_agency").get()
    assert (joint.offer.from_agency.state, joint.offer.to_agency.state) == ("MN", "WI")
    assert joint.status == JointStatus.BINDING and joint.trucks == 1 and joint.cross_state_trucks == 1
    assert joint.requested_cases == 1400 and joint.adjusted_cases == 0
    assert "1 truck of Beans, green, canned for 1,400 cases between Minnesota and Wisconsin" in seeded
    spring = PlanStop.objects.filter(truck__plan__window__name="Spring delivery")
    # Splits: a truck with stops of two districts; nothing cut or added anywhere.
    assert spring.filter(sequence=2).exists()
    assert not PlanAdjustment.objects.filter(plan__window__name="Spring delivery").exists()
    # The joint truck's beans left both states' plans; Iowa's and Illinois' beans wait.
    assert not spring.filter(
        truck__food__material_code="100117", truck__plan__window__state_agency__state__in=["MN", "WI"]
    ).exists()
    assert set(CarryOver.objects.values_list("window__state_agency__state", flat=True)) == {"IA", "IL"}
