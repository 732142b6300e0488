"""Correction pages and API: a district manager proposes a correction to the state's lunch counts
or commodity-school status, a reviewer of the district's state accepts (the COV is recomputed) or
rejects it. Every page renders for the roles that may open it, outsiders get 404, and the lists
cost the same number of queries for 5 rows or 50."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from tests.conftest import ROLE_FIXTURES
from tests.factories import DistrictFactory, UserFactory, member
from tests.usda_foods.helpers import COV, PRIOR, YEAR, entitlement, lunch_count
from usda_foods.corrections.services import correction_propose
from usda_foods.models import CorrectionKind, CorrectionStatus, DataCorrection, Entitlement, LunchCount

pytestmark = pytest.mark.django_db

LIST, QUEUE, NEW = (
    reverse("usda_foods:correction-list"),
    reverse("usda_foods:correction-review"),
    reverse("usda_foods:correction-create"),
)
REASON = "The May claim was amended: 100,000 paid lunches were missing."


@pytest.fixture
def funded(district):
    return entitlement(district)  # COV = PAL = $237,500.00 from 1,000,000 SY 2018-19 lunches


@pytest.fixture
def correction(manager, district, funded):
    return correction_propose(district=district, user=manager, kind=CorrectionKind.LUNCH_COUNTS,
                                       school_year=PRIOR, free=600_000, reduced=100_000, paid=400_000, reason=REASON)  # fmt: skip


@pytest.fixture
def wi_reviewer(wi_agency):
    return member(Role.SDA_REVIEWER, wi_agency, email="reviewer@wi.example")


def _user(request, role: str):
    if role == "superuser":
        return UserFactory(is_superuser=True, is_staff=True)
    return request.getfixturevalue(role)


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Every page, every role ------------------------------------------------------------------------

SEES_OURS = {"manager", "viewer", "sda_reviewer", "collab_admin", "superuser"}


@pytest.mark.parametrize("role", [*ROLE_FIXTURES, "reference_editor", "superuser", "outsider", "wi_reviewer"])
def test_each_page_for_each_role(request, client_for, role, correction, partner):
    client = client_for(_user(request, role))
    listed = html_of(client.get(LIST))
    assert (f"#{correction.pk}" in listed) == (role in SEES_OURS)
    detail = client.get(correction.get_absolute_url())
    if role in SEES_OURS:
        html = html_of(detail)
        assert REASON in html and "600,000 free, 100,000 reduced-price, 400,000 paid" in html
        assert ("Accept and apply" in html) == (role in {"sda_reviewer", "superuser"})
    else:  # partners, the national editor, another district, another state: not theirs
        assert detail.status_code == 404
    # district managers propose, for the districts they manage (the outsider for its own)
    assert client.get(NEW).status_code == (200 if role in {"manager", "outsider"} else 403)
    queue = client.get(QUEUE)
    assert queue.status_code == (200 if role in {"sda_reviewer", "superuser", "wi_reviewer"} else 403)
    if queue.status_code == 200:
        assert (f"#{correction.pk}" in queue.content.decode()) == (role != "wi_reviewer")


@pytest.mark.parametrize("role", ["outsider", "wi_reviewer", "partner_user"])
def test_outsiders_get_404_and_change_nothing(request, client_for, role, correction, funded, partner):
    client = client_for(request.getfixturevalue(role))
    url = correction.get_absolute_url()
    assert client.get(url).status_code == 404
    for action in ("accept", "reject"):
        assert client.post(url, {"action": action, "note": "x"}).status_code == 404
    correction.refresh_from_db()
    funded.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING and funded.commodity_offer_value == COV


@pytest.mark.parametrize("role", ["manager", "viewer", "collab_admin"])
def test_those_who_see_it_but_do_not_review_get_403(request, client_for, role, correction, funded):
    response = client_for(request.getfixturevalue(role)).post(
        correction.get_absolute_url(), {"action": "accept"}
    )
    assert response.status_code == 403
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING


def test_anonymous_users_are_sent_to_log_in(client, correction):
    for url in (LIST, QUEUE, NEW, correction.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


# --- The cycle through the pages --------------------------------------------------------------------


def test_manager_proposes_from_the_lunch_count_page(client_for, manager, district, funded):
    client = client_for(manager)
    listed = html_of(client.get(reverse("usda_foods:lunch-count-list")))
    link = f"{NEW}?kind=lunch_counts&amp;district={district.pk}&amp;school_year={PRIOR}"
    assert link in listed and "New lunch count" not in listed
    page = client.get(f"{NEW}?kind=lunch_counts&district={district.pk}&school_year={PRIOR}")
    form = page.context["form"]
    assert form.initial == {"district": district.pk, "school_year": PRIOR, "free": 600_000, "reduced": 100_000,
                            "paid": 300_000}  # fmt: skip  # the state's figures, to correct
    assert list(form.fields["district"].queryset) == [district]
    data = {"kind": "lunch_counts", "district": district.pk, "school_year": PRIOR, "free": "600000",
            "reduced": "100000", "paid": "400000", "reason": REASON}  # fmt: skip
    response = client.post(NEW, data, follow=True)
    html = html_of(response)
    correction = DataCorrection.objects.get()
    assert response.redirect_chain[-1][0] == correction.get_absolute_url()
    assert "proposed: it applies once" in html and "Waiting for a reviewer of" in html
    # the effect on the next year's COV, for the reviewer to weigh
    assert "$237,500.00 now" in html and "<strong>$261,250.00</strong> with the proposed counts" in html
    assert LunchCount.objects.get(district=district, school_year=PRIOR).paid == 300_000
    again = client.post(NEW, {**data, "paid": "450000"})
    assert "already waiting" in again.content.decode()
    assert DataCorrection.objects.count() == 1


def test_manager_proposes_from_the_entitlement_page(client_for, manager, sda_reviewer, district, funded):
    entitlement_url = reverse("usda_foods:entitlement-detail", args=[district.pk, YEAR])
    html = html_of(client_for(manager).get(entitlement_url))
    assert f"{NEW}?kind=lunch_counts&amp;district={district.pk}&amp;school_year={PRIOR}" in html
    assert f"{NEW}?kind=commodity_school&amp;district={district.pk}" in html
    assert (
        reverse("usda_foods:lunch-count-update", args=[LunchCount.objects.get(school_year=PRIOR).pk])
        not in html
    )
    reviewer_html = html_of(client_for(sda_reviewer).get(entitlement_url))
    assert NEW not in reviewer_html  # the state edits its figures directly
    assert (
        reverse("usda_foods:lunch-count-update", args=[LunchCount.objects.get(school_year=PRIOR).pk])
        in reviewer_html
    )


def test_proposal_form_names_bad_fields_and_writes_nothing(
    client_for, manager, district, other_district, funded
):
    data = {"kind": "lunch_counts", "district": other_district.pk, "school_year": "2018-2019", "free": "-1",
            "reduced": "lots", "paid": "3000000000", "reason": ""}  # fmt: skip
    response = client_for(manager).post(NEW, data)
    assert {"district", "school_year", "free", "reduced", "paid", "reason"} <= set(
        response.context["form"].errors
    )
    assert "nothing was proposed" in html_of(response)
    same = {**data, "district": district.pk, "school_year": PRIOR, "free": "600000", "reduced": "100000",
            "paid": "300000", "reason": "x"}  # fmt: skip
    response = client_for(manager).post(NEW, same)
    assert "already records" in html_of(response)
    assert not DataCorrection.objects.exists()


def test_commodity_school_proposal_through_the_page(client_for, manager, district, funded):
    client = client_for(manager)
    page = client.get(f"{NEW}?kind=commodity_school&district={district.pk}")
    assert set(page.context["form"].fields) == {"district", "is_commodity_school", "reason"}
    assert page.context["form"].initial["is_commodity_school"] == "true"  # the opposite of the record
    response = client.post(NEW, {"kind": "commodity_school", "district": district.pk, "is_commodity_school": "true",
                                 "reason": "We receive Section 4 as USDA Foods."})  # fmt: skip
    assert response.status_code == 302
    correction = DataCorrection.objects.get()
    assert (correction.kind, correction.is_commodity_school, correction.school_year) == (
        "commodity_school",
        True,
        "",
    )


def test_reviewer_accepts_on_the_detail_page_and_the_cov_follows(
    client_for, sda_reviewer, manager, correction, funded, django_capture_on_commit_callbacks
):
    client = client_for(sda_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(correction.get_absolute_url(), {"action": "accept", "note": ""}, follow=True)
    html = html_of(response)
    assert "accepted: it now applies" in html and "Accept and apply" not in html
    funded.refresh_from_db()
    assert funded.commodity_offer_value == Decimal("261250.00")
    assert mail.outbox[-1].to == [manager.email]
    refused = client.post(correction.get_absolute_url(), {"action": "accept"})
    assert "already accepted" in html_of(refused)


def test_reviewer_rejects_from_the_queue_with_a_note(client_for, sda_reviewer, correction, funded):
    client = client_for(sda_reviewer)
    queue = html_of(client.get(QUEUE))
    assert f'action="{correction.get_absolute_url()}"' in queue and 'value="reject"' in queue
    missing_note = client.post(
        correction.get_absolute_url(), {"action": "reject", "note": "", "next": "queue"}
    )
    assert "Say why the correction is rejected" in html_of(missing_note)
    response = client.post(correction.get_absolute_url(), {"action": "reject", "note": "Claims show 300,000.",
                                                            "next": "queue"})  # fmt: skip
    assert response.status_code == 302 and response.url == QUEUE
    correction.refresh_from_db()
    funded.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED and funded.commodity_offer_value == COV
    assert f'action="{correction.get_absolute_url()}"' not in html_of(
        client.get(QUEUE)
    )  # decided: off the queue
    assert client.post(correction.get_absolute_url(), {"action": "bogus"}).status_code == 400


def test_navigation_links_fit_the_role(client_for, manager, sda_reviewer, collab_admin):
    reviewer = html_of(client_for(sda_reviewer).get(reverse("dashboard")))
    import_url = reverse("imports:upload", args=["lunch-counts"])
    assert QUEUE in reviewer and import_url in reviewer
    for user in (manager, collab_admin):
        html = html_of(client_for(user).get(reverse("dashboard")))
        assert LIST in html and QUEUE not in html and import_url not in html


# --- Query budgets ----------------------------------------------------------------------------------


def _grow(n: int, mn_agency, collaborative) -> None:
    for _ in range(n):
        district = DistrictFactory(state_agency=mn_agency, collaborative=collaborative)
        lunch_count(district)
        manager = member(Role.DISTRICT_MANAGER, district)
        correction_propose(district=district, user=manager, kind=CorrectionKind.LUNCH_COUNTS,
                                    school_year=PRIOR, free=1, reduced=2, paid=3, reason="Amended claim")  # fmt: skip


@pytest.mark.parametrize("page", ["list", "queue"])
def test_list_pages_cost_constant_queries(
    client_for, sda_reviewer, mn_agency, collaborative, page, django_assert_num_queries
):
    client, url = client_for(sda_reviewer), LIST if page == "list" else QUEUE
    _grow(5, mn_agency, collaborative)
    client.get(url)  # warm the session
    # session, user, the roles (can_create and the navigation), the paginator's count, the page of
    # corrections with their districts, states and people; the list adds the district filter's
    # choices, the queue the reviewed-state check of its dispatch
    with django_assert_num_queries(6):
        assert len(client.get(url).context["object_list"]) == 5
    _grow(45, mn_agency, collaborative)
    with django_assert_num_queries(6):
        assert len(client.get(url).context["object_list"]) == 50


# --- API ---------------------------------------------------------------------------------------------

API = "/api/v1/corrections/"


def _payload(district, **changes) -> dict:
    return {"district": district.pk, "kind": "lunch_counts", "school_year": PRIOR, "free": 600_000,
            "reduced": 100_000, "paid": 400_000, "reason": REASON, **changes}  # fmt: skip


def test_api_manager_proposes_and_reviewer_accepts(
    api_for, manager, sda_reviewer, district, funded, django_capture_on_commit_callbacks
):
    created = api_for(manager).post(API, _payload(district), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["proposed_total"], body["created_by"]) == (
        "pending",
        1_100_000,
        str(manager),
    )
    again = api_for(manager).post(API, _payload(district, paid=450_000), format="json")
    assert again.status_code == 400 and "already waiting" in again.json()["detail"][0]
    funded.refresh_from_db()
    assert funded.commodity_offer_value == COV
    url = f"{API}{body['id']}/"
    assert api_for(manager).post(url + "accept/", {}, format="json").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api_for(sda_reviewer).post(url + "accept/", {"note": "Matches"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["decided_by"] == str(sda_reviewer)
    funded.refresh_from_db()
    assert funded.commodity_offer_value == Decimal("261250.00")
    twice = api_for(sda_reviewer).post(url + "accept/", {}, format="json")
    assert twice.status_code == 400 and "already accepted" in twice.json()["detail"][0]


def test_api_reject_needs_a_note_and_leaves_the_cov(api_for, sda_reviewer, correction, funded):
    url = f"{API}{correction.pk}/reject/"
    missing = api_for(sda_reviewer).post(url, {}, format="json")
    assert missing.status_code == 400 and "note" in missing.json()
    rejected = api_for(sda_reviewer).post(url, {"note": "Claims show 300,000."}, format="json")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    funded.refresh_from_db()
    assert funded.commodity_offer_value == COV


@pytest.mark.parametrize(
    "role", ["viewer", "collab_admin", "sda_reviewer", "partner_user", "reference_editor"]
)
def test_api_only_managers_propose(request, api_for, role, district, partner):
    response = api_for(request.getfixturevalue(role)).post(API, _payload(district), format="json")
    assert response.status_code == 403
    assert not DataCorrection.objects.exists()


def test_api_proposal_for_another_district_or_bad_fields_is_a_400(api_for, manager, other_district, district):
    api = api_for(manager)
    other = api.post(API, _payload(other_district), format="json")
    assert other.status_code == 400 and "district" in other.json()
    huge = api.post(API, _payload(district, paid=2**31), format="json")
    assert huge.status_code == 400 and "paid" in huge.json()
    mixed = api.post(
        API, _payload(district, kind="commodity_school", is_commodity_school=None), format="json"
    )
    assert mixed.status_code == 400 and "is_commodity_school" in mixed.json()
    assert not DataCorrection.objects.exists()


@pytest.mark.parametrize("role", ["outsider", "wi_reviewer", "partner_user"])
def test_api_outsiders_get_404(request, api_for, role, correction, funded, partner):
    api = api_for(request.getfixturevalue(role))
    assert api.get(f"{API}{correction.pk}/").status_code == 404
    assert api.post(f"{API}{correction.pk}/accept/", {}, format="json").status_code == 404
    assert api.post(f"{API}{correction.pk}/reject/", {"note": "x"}, format="json").status_code == 404
    assert correction.pk not in {r["id"] for r in api.get(API).json()["results"]}
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING


def test_api_has_no_direct_writes(api_for, manager, sda_reviewer, correction):
    for user in (manager, sda_reviewer):
        api = api_for(user)
        assert api.patch(f"{API}{correction.pk}/", {"paid": 9}, format="json").status_code == 405
        assert api.delete(f"{API}{correction.pk}/").status_code == 405
    correction.refresh_from_db()
    assert correction.paid == 400_000


def test_api_list_costs_constant_queries(
    api_for, sda_reviewer, mn_agency, collaborative, django_assert_num_queries
):
    api = api_for(sda_reviewer)
    _grow(5, mn_agency, collaborative)
    api.get(API)  # warm
    # the count and the page (with districts, proposers and deciders joined)
    with django_assert_num_queries(2):
        assert api.get(API).json()["count"] == 5
    _grow(45, mn_agency, collaborative)
    with django_assert_num_queries(2):
        assert len(api.get(API, {"page_size": 50}).json()["results"]) in (25, 50)


def test_api_entitlement_page_figures_after_acceptance(api_for, sda_reviewer, manager, district, funded):
    correction = correction_propose(district=district, user=manager, kind=CorrectionKind.COMMODITY_SCHOOL,
                                             is_commodity_school=True, reason="Section 4 as foods")  # fmt: skip
    assert api_for(sda_reviewer).post(f"{API}{correction.pk}/accept/", {}, format="json").status_code == 200
    row = (
        api_for(manager).get(f"/api/v1/entitlements/{Entitlement.objects.get(district=district).pk}/").json()
    )
    assert "Section 4" in " ".join(row["missing"])  # a commodity school now needs its Section 4 payment


def test_dashboards_point_to_the_work(client_for, sda_reviewer, wi_agency, reference_editor, correction):
    html = html_of(client_for(sda_reviewer).get(reverse("dashboard")))
    assert "1 correction to your SFAs&#x27; data waits for your decision." in html and QUEUE in html
    other_state = member(Role.SDA_REVIEWER, wi_agency)
    assert "wait for your decision" not in html_of(client_for(other_state).get(reverse("dashboard")))
    editor = html_of(client_for(reference_editor).get(reverse("dashboard")))
    assert "National reference data" in editor and reverse("usda_foods:per-meal-value-list") in editor
