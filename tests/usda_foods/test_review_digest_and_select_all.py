"""Reviewers at the scale of a state: approve every submitted order matching the queue's filters
(in the request for a few, in Celery with progress for many), a daily digest of new submissions
(once a day, however often beat runs), and an empty queue that says what to do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from focus_lab.jobs.models import BackgroundJob, JobStatus
from tests.factories import DistrictFactory, SiteFactory, member
from tests.usda_foods.ordering_fixtures import catalog_item, fund, open_window
from usda_foods.models import CatalogItem, Order, OrderStatus
from usda_foods.ordering.services.digest import review_digest_send
from usda_foods.ordering.services.orders import order_create, order_line_set, order_submit
from usda_foods.ordering.tasks import review_digest
from usda_foods.ordering.views.orders import BULK_IN_REQUEST

pytestmark = pytest.mark.django_db
QUEUE = reverse("usda_foods:order-review-queue")
BULK = reverse("usda_foods:order-bulk-approve")


def submitted_orders(agency, n: int, *, window=None) -> list[Order]:
    if window is None:
        beans = CatalogItem.objects.filter(material_code="100117").first() or catalog_item("100117", "10.00")
    else:
        beans = window.offered_items.get()
    window = window or open_window(agency, [beans])
    orders = []
    for i in range(n):
        district = DistrictFactory(state_agency=agency, name=f"SFA {i:03d}")
        user = member(Role.DISTRICT_MANAGER, district)
        fund(district)
        order = order_create(district=district, window=window, user=user)
        order_line_set(order_id=order.pk, catalog_item=beans, cases=1, delivery_site=SiteFactory(district=district),
                                user=user)  # fmt: skip
        orders.append(order_submit(order_id=order.pk, user=user))
    return orders


def test_approve_all_matching_covers_every_page(client_for, sda_reviewer, mn_agency):
    orders = submitted_orders(mn_agency, 3)
    client = client_for(sda_reviewer)
    page = client.get(QUEUE, {"q": "SFA 00"}).content.decode()
    assert "Approve all 3 submitted orders matching these filters" in page
    response = client.post(BULK, {"all_matching": "1", "query": "q=SFA+001"}, follow=True)
    assert "Approved 1 order" in response.content.decode()
    assert [o.status for o in Order.objects.filter(pk__in=[o.pk for o in orders]).order_by("district__name")] == [
        OrderStatus.SUBMITTED, OrderStatus.APPROVED, OrderStatus.SUBMITTED]  # fmt: skip


def test_approve_all_matching_many_runs_as_a_job_with_progress(
    client_for, sda_reviewer, mn_agency, django_capture_on_commit_callbacks
):
    submitted_orders(mn_agency, BULK_IN_REQUEST + 2)
    with django_capture_on_commit_callbacks(execute=True):  # the job starts once the request commits
        response = client_for(sda_reviewer).post(BULK, {"all_matching": "1", "query": ""})
    job = BackgroundJob.objects.get(kind="orders_bulk_approve")
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()  # tasks run eagerly in tests
    assert job.status == JobStatus.DONE and job.progress == job.total == BULK_IN_REQUEST + 2
    assert job.message == f"Approved {BULK_IN_REQUEST + 2} orders."
    assert not Order.objects.filter(status=OrderStatus.SUBMITTED).exists()
    assert "Approving orders" in client_for(sda_reviewer).get(job.get_absolute_url()).content.decode()


def test_approve_all_matching_never_reaches_another_state(client_for, sda_reviewer, mn_agency, wi_agency):
    theirs = submitted_orders(wi_agency, 1)[0]
    client_for(sda_reviewer).post(BULK, {"all_matching": "1", "query": "status="})
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.SUBMITTED


def test_daily_digest_lists_new_submissions_once(sda_reviewer, mn_agency, wi_agency):
    member(Role.SDA_REVIEWER, mn_agency, email="second@mn.example")
    submitted_orders(mn_agency, 2)
    submitted_orders(wi_agency, 1)  # no WI reviewer: no WI digest
    sent = review_digest.delay().get()
    assert sent == {mn_agency.pk: 2}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["reviewer@mn.example", "second@mn.example"]
    assert message.subject == "2 new USDA Foods orders to review (MN)"
    assert (
        "SFA 000" in message.body
        and "SFA 001" in message.body
        and "/usda-foods/review/?status=submitted" in message.body
    )
    assert review_digest.delay().get() == {}  # the same day again: nothing more
    assert len(mail.outbox) == 1


def test_next_digest_lists_only_what_arrived_since(sda_reviewer, mn_agency):
    first = submitted_orders(mn_agency, 1)
    review_digest_send(state_agency_id=mn_agency.pk)
    tomorrow = timezone.now() + timedelta(days=1)
    window = first[0].window
    submitted_orders(mn_agency, 1, window=window)
    assert review_digest_send(state_agency_id=mn_agency.pk, now=tomorrow) == 1
    assert "SFA 000" in mail.outbox[-1].body and mail.outbox[-1].subject.startswith("1 new USDA Foods order ")


def test_empty_queue_says_what_to_do(client_for, sda_reviewer):
    html = client_for(sda_reviewer).get(QUEUE).content.decode()
    assert "No order is waiting for review" in html and reverse("usda_foods:window-list") in html
