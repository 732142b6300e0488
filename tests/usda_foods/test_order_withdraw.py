"""A district withdraws a submitted order while its window is open (the hold is released and the
order is a draft again), and changes a line's cases in place, on the page and through the API."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from focus_lab.errors import DomainError
from tests.factories import SiteFactory
from tests.usda_foods.ordering_fixtures import catalog_item, fund, open_window
from usda_foods.models import Entitlement, OrderStatus
from usda_foods.ordering.services.orders import (
    order_approve,
    order_create,
    order_line_set,
    order_submit,
    order_withdraw,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(district, mn_agency, manager):
    fund(district)  # $23,750.00
    beans = catalog_item("100117", "25.00")
    window = open_window(mn_agency, [beans])
    order = order_create(district=district, window=window, user=manager)
    order_line_set(order_id=order.pk, catalog_item=beans, cases=10, delivery_site=SiteFactory(district=district),
                            user=manager)  # fmt: skip
    return order_submit(order_id=order.pk, user=manager)


def drawn(district) -> Decimal:
    return Entitlement.objects.get(district=district).drawn


def test_withdraw_releases_the_hold_and_makes_a_draft(submitted, district, manager):
    assert drawn(district) == Decimal("250.00")
    order = order_withdraw(order_id=submitted.pk, user=manager)
    assert order.status == OrderStatus.DRAFT and order.drawdown is None and drawn(district) == Decimal("0.00")
    last = order.transitions.order_by("-id").first()
    assert (last.from_status, last.to_status) == (OrderStatus.SUBMITTED, OrderStatus.DRAFT)
    order_submit(order_id=order.pk, user=manager)  # and it can be submitted again
    assert drawn(district) == Decimal("250.00")


def test_withdraw_is_refused_after_the_state_decides_or_the_window_closes(submitted, manager, sda_reviewer):
    later = timezone.now() + timedelta(days=30)
    with pytest.raises(DomainError, match="can only be withdrawn while it is open"):
        order_withdraw(order_id=submitted.pk, user=manager, now=later)
    order_approve(order_id=submitted.pk, user=sda_reviewer)
    with pytest.raises(DomainError, match="Only a submitted order can be withdrawn; this one is approved"):
        order_withdraw(order_id=submitted.pk, user=manager)


def test_withdraw_on_the_page(submitted, client_for, manager, district):
    client = client_for(manager)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "Withdraw to change it" in page
    response = client.post(reverse("usda_foods:order-withdraw", args=[submitted.pk]), follow=True)
    assert "withdrawn: it is a draft again" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == OrderStatus.DRAFT and drawn(district) == Decimal("0.00")


@pytest.mark.parametrize("who", ["viewer", "sda_reviewer", "outsider"])
def test_only_the_districts_managers_withdraw(submitted, client_for, api_for, request, who):
    user = request.getfixturevalue(who)
    expected = 404 if who == "outsider" else 403
    url = reverse("usda_foods:order-withdraw", args=[submitted.pk])
    assert client_for(user).post(url).status_code == expected
    assert api_for(user).post(f"/api/v1/orders/{submitted.pk}/withdraw/").status_code == expected
    submitted.refresh_from_db()
    assert submitted.status == OrderStatus.SUBMITTED


def test_withdraw_through_the_api(submitted, api_for, manager, district):
    response = api_for(manager).post(f"/api/v1/orders/{submitted.pk}/withdraw/")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    again = api_for(manager).post(f"/api/v1/orders/{submitted.pk}/withdraw/")
    assert again.status_code == 400 and "Only a submitted order can be withdrawn" in str(again.json())


def test_a_line_changes_its_cases_in_place(district, mn_agency, manager, client_for):
    fund(district)
    beans = catalog_item("100117", "25.00")
    order = order_create(district=district, window=open_window(mn_agency, [beans]), user=manager)
    site = SiteFactory(district=district)
    order_line_set(order_id=order.pk, catalog_item=beans, cases=10, delivery_site=site, user=manager)
    client = client_for(manager)
    html = client.get(order.get_absolute_url()).content.decode()
    assert 'data-testid="line-cases-form"' in html and 'name="cases" value="10"' in html
    # The row's own form posts the line's food and site with the new cases.
    response = client.post(reverse("usda_foods:order-line-set", args=[order.pk]),
                           {"catalog_item": beans.pk, "delivery_site": site.pk, "cases": 14}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200 and 'name="cases" value="14"' in response.content.decode()
    assert order.lines.get().cases == 14
