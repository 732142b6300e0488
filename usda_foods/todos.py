"""USDA Foods to-dos for the dashboard: what each role has waiting, counted in the database.

Each function returns plain ``(text, url, level)`` triples and costs a fixed number of queries
whatever the number of orders, windows or districts (counts are aggregated, lists are bounded)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import User
from districts.models import District
from focus_lab.jobs.models import JobStatus
from focus_lab.text import possessive
from usda_foods.corrections.models import CorrectionStatus, DataCorrection
from usda_foods.deliveries.models import ExpectedDelivery
from usda_foods.entitlements.models import Entitlement
from usda_foods.ordering.models import Order, OrderStatus, OrderWindow, Survey, SurveyResponse
from usda_foods.shipping.models import AdjustmentStatus, PlanAdjustment, ShipmentPlan

Todo = tuple[str, str, str]
CLOSING_SOON = timedelta(days=7)
LISTED = 10  # at most this many windows, plans or surveys per kind; the page links to the rest
OPEN_ADJUSTMENT = (AdjustmentStatus.PROPOSED, AdjustmentStatus.OVERRIDDEN)
# The state's to act on: not sent yet, or a cut its district declined (an open problem; a declined
# increase waits for a full truck instead).
STATE_OPEN = Q(status__in=OPEN_ADJUSTMENT) | Q(status=AdjustmentStatus.DECLINED, cases__lt=0)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _open_windows(states: QuerySet) -> QuerySet[OrderWindow]:
    now = timezone.now()
    return OrderWindow.objects.filter(state_agency__in=states, opens_at__lte=now, closes_at__gt=now)


def _open_surveys(states: QuerySet) -> QuerySet[Survey]:
    now = timezone.now()
    return Survey.objects.filter(state_agency__in=states, opens_at__lte=now, closes_at__gt=now)


def reviewer_todos(*, user: User, states: QuerySet) -> list[Todo]:
    """SDA reviewers: orders to review, windows closing, plans with open adjustments, surveys
    still waiting for answers."""
    todos: list[Todo] = []
    waiting = Order.objects.filter(status=OrderStatus.SUBMITTED, district__state_agency__in=states).count()
    if waiting:
        url = reverse("usda_foods:order-review-queue") + "?" + urlencode({"status": OrderStatus.SUBMITTED})
        todos.append((f"{_plural(waiting, 'order')} waiting for your review.", url, "warning"))
    corrections = DataCorrection.objects.filter(
        status=CorrectionStatus.PENDING, district__state_agency__in=states
    ).count()
    if corrections:
        todos.append((f"{_plural(corrections, 'correction')} to your SFAs' data {'waits' if corrections == 1 else 'wait'} "
                      "for your decision.",
                      reverse("usda_foods:correction-review"), "warning"))  # fmt: skip
    now = timezone.now()
    closing = (_open_windows(states).filter(closes_at__lte=now + CLOSING_SOON)
               .annotate(submitted=Count("orders", filter=Q(orders__status=OrderStatus.SUBMITTED)))
               .order_by("closes_at")[:LISTED])  # fmt: skip
    for window in closing:
        when = timezone.localtime(window.closes_at)
        todos.append((f"{window.name} closes on {when:%b %-d, %Y at %-I:%M %p}; "
                      f"{_plural(window.submitted, 'order')} submitted so far.", window.get_absolute_url(), "info"))  # fmt: skip
    plans = (ShipmentPlan.objects.filter(window__state_agency__in=states, status=JobStatus.DONE)
             .annotate(open=Count("adjustments", filter=Q(adjustments__in=PlanAdjustment.objects.filter(STATE_OPEN))))
             .filter(open__gt=0).select_related("window").order_by("-created_at")[:LISTED])  # fmt: skip
    for plan in plans:
        todos.append((f"Shipment plan #{plan.pk} for {plan.window.name} has "
                      f"{_plural(plan.open, 'adjustment')} to send to the districts or override.",
                      plan.get_absolute_url() + "#adjustments", "warning"))  # fmt: skip
    surveys = (_open_surveys(states)
               .annotate(sfas=Count("state_agency__districts", distinct=True),
                         answered=Count("responses", filter=Q(responses__submitted_at__isnull=False), distinct=True))
               .order_by("closes_at")[:LISTED])  # fmt: skip
    for survey in surveys:
        missing = survey.sfas - survey.answered
        if missing > 0:
            todos.append((f"{survey.title}: {_plural(missing, 'SFA')} of {survey.sfas:,} "
                          f"{'has' if missing == 1 else 'have'} not answered.",
                          survey.get_absolute_url(), "info"))  # fmt: skip
    todos += _receipts(
        ExpectedDelivery.objects.filter(state_agency__in=states, processor__isnull=False), "warning"
    )
    return todos


def district_todos(*, districts: QuerySet[District], can_act: bool) -> list[Todo]:
    """District staff: open windows without a submitted order, unanswered surveys, returned
    orders, shipment adjustments proposed at their sites. Viewers see them as information."""
    level = "warning" if can_act else "info"
    todos: list[Todo] = []
    states = districts.values("state_agency_id")
    windows = list(_open_windows(states).order_by("closes_at")[:LISTED])
    orders = {(o.district_id, o.window_id): o for o in Order.objects.filter(district__in=districts,
                                                                               window__in=windows)}  # fmt: skip
    district_list = list(districts.order_by("name"))
    for window in windows:
        when = timezone.localtime(window.closes_at)
        for district in district_list:
            if district.state_agency_id != window.state_agency_id:
                continue
            order = orders.get((district.pk, window.pk))
            if order is None:
                todos.append((f"{window.name} is open until {when:%b %-d, %Y}: {district.name} has no order yet.",
                              reverse("usda_foods:order-list"), level))  # fmt: skip
            elif order.status == OrderStatus.DRAFT:
                todos.append((f"{possessive(district.name)} order in {window.name} is a draft: submit it by {when:%b %-d, %Y}.",
                              order.get_absolute_url(), level))  # fmt: skip
    returned = Order.objects.filter(district__in=districts, status=OrderStatus.RETURNED).select_related(
        "window", "district"
    )[:LISTED]
    for order in returned:
        todos.append((f"{possessive(order.district.name)} order in {order.window.name} was returned for changes: "
                      "fix it and submit it again.", order.get_absolute_url(), level))  # fmt: skip
    surveys = list(_open_surveys(states).order_by("closes_at")[:LISTED])
    answered = set(
        SurveyResponse.objects.filter(
            survey__in=surveys, district__in=districts, submitted_at__isnull=False
        ).values_list("survey_id", "district_id")
    )
    for survey in surveys:
        when = timezone.localtime(survey.closes_at)
        for district in district_list:
            if (
                district.state_agency_id == survey.state_agency_id
                and (survey.pk, district.pk) not in answered
            ):
                todos.append((f"{survey.title}: {district.name} has not answered yet (closes {when:%b %-d, %Y}).",
                              reverse("usda_foods:survey-respond", args=[survey.pk]), level))  # fmt: skip
    adjustments = PlanAdjustment.objects.filter(
        site__district__in=districts, status=AdjustmentStatus.OFFERED, plan__status=JobStatus.DONE
    ).count()
    if adjustments:
        todos.append((f"The state proposes {_plural(adjustments, 'change')} to your approved orders to fill "
                      f"trucks: accept or decline {'it' if adjustments == 1 else 'each'}.",
                      reverse("usda_foods:proposal-list"), level))  # fmt: skip
    todos += _receipts(ExpectedDelivery.objects.filter(district__in=districts), level)
    return todos


def _receipts(deliveries: QuerySet, level: str) -> list[Todo]:
    """Deliveries waiting for their receipt (FD-062: within 2 calendar days), late ones first. One query."""
    counts = deliveries.filter(receipt__isnull=True, delivery_date__lte=timezone.localdate()).aggregate(
        late=Count("pk", filter=Q(late_at__isnull=False)), due=Count("pk", filter=Q(late_at__isnull=True))
    )
    url = reverse("usda_foods:delivery-list")
    todos = []
    if counts["late"]:
        todos.append((f"{_plural(counts['late'], 'delivery', 'deliveries')} past the 2-day receipt deadline: "
                      "record the receipts.", url + "?status=late", "warning" if level == "warning" else "info"))  # fmt: skip
    if counts["due"]:
        todos.append((f"{_plural(counts['due'], 'delivery', 'deliveries')} to receipt within 2 calendar days "
                      "of delivery.", url + "?status=expected", level))  # fmt: skip
    return todos


def uncomputable_entitlements(*, districts: QuerySet[District]) -> list[Todo]:
    """Collaborative admins: the lab's districts whose latest year's entitlement cannot be
    computed, with why (a district with no entitlement row at all has no lunch counts)."""
    latest = (
        Entitlement.objects.filter(district__in=districts)
        .order_by("-school_year")
        .values_list("school_year", flat=True)
        .first()
    )
    if latest is None:
        return []
    has_row = Entitlement.objects.filter(district=OuterRef("pk"), school_year=latest)
    todos: list[Todo] = []
    # The COV is what cannot be computed; a missing input that only blocks the 12% share is not.
    rows = (Entitlement.objects.filter(district__in=districts, school_year=latest, commodity_offer_value=None)
            .select_related("district").order_by("district__name")[:LISTED])  # fmt: skip
    for entitlement in rows:
        todos.append((f"{entitlement.district.name}: SY {latest} entitlement cannot be computed: "
                      f"{'; '.join(entitlement.missing)}.", entitlement.get_absolute_url(), "warning"))  # fmt: skip
    for district in (
        districts.annotate(has_row=Exists(has_row)).filter(has_row=False).order_by("name")[:LISTED]
    ):
        todos.append((f"{district.name}: SY {latest} entitlement cannot be computed: no lunch counts.",
                      reverse("usda_foods:lunch-count-list") + f"?district={district.pk}", "warning"))  # fmt: skip
    return todos
