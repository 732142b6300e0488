"""A district exports its own orders' lines and its survey answers (CSV and Excel), and nobody
else's: another district's rows never appear, and another state's survey is a 404."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.exports import csv_body, xlsx_rows
from tests.factories import DistrictFactory, SiteFactory, member
from tests.usda_foods.ordering_fixtures import SY, catalog_item, fund, open_window
from usda_foods.models import Survey
from usda_foods.ordering.services.orders import order_create, order_line_set
from usda_foods.ordering.services.surveys import survey_respond

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_body(response))))


def order_with_line(district, window, user, item, cases):
    fund(district)
    order = order_create(district=district, window=window, user=user)
    order_line_set(order_id=order.pk, catalog_item=item, cases=cases, delivery_site=SiteFactory(district=district),
                            user=user)  # fmt: skip
    return order


def test_district_exports_its_own_order_lines(client_for, manager, district, mn_agency):
    beans = catalog_item("100117", "25.00", description="Beans, green, canned")
    window = open_window(mn_agency, [beans])
    ours = order_with_line(district, window, manager, beans, 12)
    neighbour = DistrictFactory(name="Neighbour Schools", state_agency=mn_agency)
    order_with_line(neighbour, window, member(Role.DISTRICT_MANAGER, neighbour), beans, 99)
    client = client_for(manager)
    assert "Export lines (CSV)" in client.get(reverse("usda_foods:order-list")).content.decode()
    rows = rows_of(client.get(reverse("usda_foods:order-list"), {"format": "csv"}))
    assert [(r["order_id"], r["district"], r["cases"], r["line_value"], r["status"]) for r in rows] == [
        (str(ours.pk), district.name, "12", "300.00", "Draft")
    ]
    sheet = xlsx_rows(client.get(reverse("usda_foods:order-list"), {"format": "xlsx"}))
    assert len(sheet) == 2 and sheet[1][6] == 12 and sheet[1][9] == 300.0


def test_the_order_export_follows_the_page_filters(client_for, manager, district, mn_agency):
    beans = catalog_item("100117", "25.00")
    order_with_line(district, open_window(mn_agency, [beans]), manager, beans, 3)
    rows = rows_of(
        client_for(manager).get(reverse("usda_foods:order-list"), {"format": "csv", "status": "approved"})
    )
    assert rows == []


def survey_with_answers(agency, districts_and_users, item):
    now = timezone.now()
    survey = Survey.objects.create(state_agency=agency, school_year=SY, title="Preferences",
                                   opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=5))  # fmt: skip
    for district, user, cases in districts_and_users:
        survey_respond(survey=survey, district=district, lines=[(item, cases)], user=user)
    return survey


def test_district_exports_its_survey_answers_only(client_for, manager, district, mn_agency, sda_reviewer):
    beans = catalog_item("100117", "25.00", description="Beans, green, canned")
    neighbour = DistrictFactory(name="Neighbour Schools", state_agency=mn_agency)
    survey = survey_with_answers(mn_agency, [(district, manager, 40),
                                             (neighbour, member(Role.DISTRICT_MANAGER, neighbour), 7)], beans)  # fmt: skip
    url = reverse("usda_foods:survey-answers-export", args=[survey.pk])
    assert url in client_for(manager).get(survey.get_absolute_url()).content.decode()
    rows = rows_of(client_for(manager).get(url, {"format": "csv"}))
    assert [(r["district"], r["material_code"], r["estimated_cases"]) for r in rows] == [
        (district.name, "100117", "40")
    ]
    # The state's reviewer gets every SFA's answers; Excel too.
    sheet = xlsx_rows(client_for(sda_reviewer).get(url, {"format": "xlsx"}))
    assert sorted((row[0], row[4]) for row in sheet[1:]) == [(district.name, 40), ("Neighbour Schools", 7)]


def test_another_states_survey_export_is_404(client_for, manager, wi_agency, other_district, outsider):
    beans = catalog_item("100117", "25.00")
    survey = survey_with_answers(wi_agency, [(other_district, outsider, 5)], beans)
    url = reverse("usda_foods:survey-answers-export", args=[survey.pk])
    assert client_for(manager).get(url).status_code == 404
