"""An order window belongs to its school year (July 1 to June 30): it opens, closes and delivers
within it. The model, the service, the page's form and the API refuse anything else with the same
message, naming the year's first and last days, and write nothing."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from focus_lab.errors import DomainError
from tests.usda_foods.ordering_fixtures import SY, catalog_item
from usda_foods.entitlements.rules.values import SchoolYear
from usda_foods.models import OrderWindow
from usda_foods.ordering.models import window_dates_outside_school_year
from usda_foods.ordering.services.windows import window_create

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
OUTSIDE = "must fall within SY 2019-20, which runs from July 1, 2019 to June 30, 2020."


@pytest.fixture
def beans():
    return catalog_item("100117")


def _dates(**changes: object) -> dict[str, object]:
    dates = {"opens_at": datetime(2019, 10, 1, 8, tzinfo=CHICAGO), "closes_at": datetime(2019, 10, 15, 17, tzinfo=CHICAGO),
             "delivery_start": date(2019, 11, 1), "delivery_end": date(2019, 11, 30)}  # fmt: skip
    return {**dates, **changes}


def test_school_year_of_a_day_and_its_bounds():
    assert str(SchoolYear.of(date(2026, 12, 1))) == "2026-27"
    assert str(SchoolYear.of(date(2027, 6, 30))) == "2026-27"
    assert str(SchoolYear.of(date(2027, 7, 1))) == "2027-28"
    year = SchoolYear.parse("2019-20")
    assert (year.first_day, year.last_day) == (date(2019, 7, 1), date(2020, 6, 30))
    assert date(2019, 7, 1) in year and date(2020, 6, 30) in year
    assert date(2019, 6, 30) not in year and date(2020, 7, 1) not in year


def test_the_rule_names_each_date_outside_the_year():
    assert window_dates_outside_school_year(SY, _dates()) == {}
    # the year's first and last days are inside, by their local date in Chicago
    edges = _dates(opens_at=datetime(2019, 7, 1, 0, 0, tzinfo=CHICAGO), closes_at=datetime(2020, 6, 30, 23, 59, tzinfo=CHICAGO),
                   delivery_start=date(2019, 7, 1), delivery_end=date(2020, 6, 30))  # fmt: skip
    assert window_dates_outside_school_year(SY, edges) == {}
    late = _dates(closes_at=datetime(2020, 7, 1, 0, 30, tzinfo=CHICAGO), delivery_end=date(2020, 7, 1))
    assert window_dates_outside_school_year(SY, late) == {
        "closes_at": f"The close {OUTSIDE}",
        "delivery_end": f"The last delivery day {OUTSIDE}",
    }
    early = _dates(opens_at=datetime(2019, 6, 30, 23, 0, tzinfo=CHICAGO), delivery_start=date(2019, 6, 1))
    assert set(window_dates_outside_school_year(SY, early)) == {"opens_at", "delivery_start"}
    # a bad year or a missing date is left to the fields' own validation
    assert window_dates_outside_school_year("2019-2020", late) == {}
    assert window_dates_outside_school_year(SY, {"opens_at": None, "closes_at": "soon"}) == {}


def test_model_clean_refuses_a_window_of_another_year(mn_agency):
    window = OrderWindow(state_agency=mn_agency, school_year=SY, name="Fall", **_dates(delivery_start=date(2020, 8, 3),
                                                                                        delivery_end=date(2020, 8, 28)))  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        window.full_clean()
    assert refused.value.message_dict == {
        "delivery_start": [f"The first delivery day {OUTSIDE}"],
        "delivery_end": [f"The last delivery day {OUTSIDE}"],
    }


def test_service_refuses_dates_outside_the_year_and_writes_nothing(sda_reviewer, mn_agency, beans):
    with pytest.raises(DomainError) as refused:
        window_create(state_agency=mn_agency, school_year=SY, name="Fall", offered_items=[beans],
                               user=sda_reviewer, **_dates(opens_at=datetime(2026, 11, 30, 9, tzinfo=CHICAGO),
                                                           closes_at=datetime(2026, 12, 14, 9, tzinfo=CHICAGO)))  # fmt: skip
    assert refused.value.field == "opens_at"
    assert refused.value.message == f"The opening {OUTSIDE}"
    assert not OrderWindow.objects.exists()
    window = window_create(state_agency=mn_agency, school_year=SY, name="Fall", offered_items=[beans],
                                    user=sda_reviewer, **_dates())  # fmt: skip
    assert window.pk and window.school_year == SY


def test_page_shows_each_date_outside_the_year_on_its_field(client_for, sda_reviewer, mn_agency, beans):
    data = {"state_agency": mn_agency.pk, "school_year": SY, "foods_year": SY, "name": "Fall",
            "opens_at": "2019-10-01T08:00", "closes_at": "2020-07-02T17:00", "delivery_start": "2020-08-03",
            "delivery_end": "2020-08-28", "reminder_days_before": "2", "offered_items": [beans.pk]}  # fmt: skip

    response = client_for(sda_reviewer).post(reverse("usda_foods:window-create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "closes_at": [f"The close {OUTSIDE}"],
        "delivery_start": [f"The first delivery day {OUTSIDE}"],
        "delivery_end": [f"The last delivery day {OUTSIDE}"],
    }
    assert f"The close {OUTSIDE}" in response.content.decode()
    assert not OrderWindow.objects.exists()


def test_api_answers_400_with_each_date_outside_the_year(api_for, sda_reviewer, mn_agency, beans):
    payload = {"state_agency": mn_agency.pk, "school_year": SY, "name": "Fall",
               "opens_at": "2026-11-30T09:00:00-06:00", "closes_at": "2026-12-14T09:00:00-06:00",
               "delivery_start": "2019-11-01", "delivery_end": "2019-11-30", "offered_items": [beans.pk]}  # fmt: skip

    response = api_for(sda_reviewer).post("/api/v1/order-windows/", payload, format="json")

    assert response.status_code == 400
    assert response.json() == {"opens_at": [f"The opening {OUTSIDE}"], "closes_at": [f"The close {OUTSIDE}"]}
    assert not OrderWindow.objects.exists()
    inside = {**payload, "opens_at": "2019-10-01T08:00:00-05:00", "closes_at": "2019-10-15T17:00:00-05:00"}
    assert api_for(sda_reviewer).post("/api/v1/order-windows/", inside, format="json").status_code == 201
