"""Request-driven ordering: the catalog, the preference survey, order windows and orders.

Every order transition runs in one transaction with the order row locked, checks the rule that
applies, records who, when and why (OrderTransition), and emails the district after commit.
Submitting posts a pending drawdown through ``drawdown_post``, which locks the entitlement row:
simultaneous submissions against one entitlement queue, and none can overdraw it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import DISTRICT_ROLES, Membership
from districts.models import District, Site, StateAgency
from focus_lab.csv_import import (
    ParsedFile,
    RowError,
    RowErrors,
    decimal_number,
    parse_csv,
    text_value,
    whole_number,
)
from focus_lab.errors import DomainError
from focus_lab.jobs.models import BackgroundJob
from focus_lab.text import possessive
from usda_foods import entitlements
from usda_foods.models import (
    CatalogItem,
    Entitlement,
    FoodCategory,
    Order,
    OrderLine,
    OrderStatus,
    OrderTransition,
    OrderWindow,
    Survey,
    SurveyResponse,
    SurveyResponseLine,
)
from usda_foods.models.ordering import MAX_NET_CASE_WEIGHT_LB, MAX_UNIT_PRICE, MIN_NET_CASE_WEIGHT_LB
from usda_foods.services.entitlement import ImportReport, drawdown_finalize, drawdown_post, drawdown_release
from usda_foods.shipping import bounds as shipping_bounds
from usda_foods.shipping.bounds import MAX_CASES_PER_TRUCKLOAD, MIN_CASES_PER_TRUCKLOAD

if TYPE_CHECKING:
    from accounts.models import User

WINDOW_NOT_OPEN = "The order window “{window}” is {state}: orders can only be submitted while it is open."
NOT_EDITABLE = "This order is {status} and can no longer be changed."
LOCKED = "The order window has closed: this order is locked."
NOT_OFFERED = "{item} is not offered in the window “{window}”."
BAD_SITE = "{site} is not a delivery site of {district} or of its co-op."
NO_LINES = "Add at least one line before submitting."
NOT_SUBMITTED = "Only a submitted order can be {verb}; this one is {status}."
COMMENT_REQUIRED = "Say what needs to change: the district sees this comment."


# --- Catalog ------------------------------------------------------------------------------------

CATALOG_COLUMNS = ("school_year", "material_code", "description", "category", "pack_description",
                   "net_case_weight_lb", "cases_per_truckload", "unit_price")  # fmt: skip
CATALOG_OPTIONAL = ("is_bulk_for_processing",)
_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0", ""}


@dataclass(frozen=True)
class CatalogRow:
    school_year: str
    material_code: str
    description: str
    category: str
    pack_description: str
    net_case_weight_lb: Decimal
    cases_per_truckload: int
    unit_price: Decimal
    is_bulk_for_processing: bool


def _parse_catalog_row(row: dict[str, str]) -> CatalogRow:
    errors: list[tuple[str, str]] = []
    try:  # cut short for the message: no school year is longer than 7 characters anyway
        entitlements.parse_school_year(row["school_year"][:20])
    except entitlements.EntitlementInputError as exc:
        errors.append(("school_year", str(exc)))
    for column in ("material_code", "description", "pack_description"):
        text_value(row[column], column, errors, max_length=CatalogItem._meta.get_field(column).max_length)
    category = row["category"].lower()
    if category not in FoodCategory.values:
        errors.append(
            ("category", f"“{row['category'][:40]}” is not one of {', '.join(FoodCategory.values)}")
        )
    weight = decimal_number(row["net_case_weight_lb"], "net_case_weight_lb", errors,
                            minimum=MIN_NET_CASE_WEIGHT_LB, maximum=MAX_NET_CASE_WEIGHT_LB)  # fmt: skip
    if weight is not None and weight != weight.quantize(Decimal("0.01")):
        errors.append(
            ("net_case_weight_lb", f"“{row['net_case_weight_lb']}” has more than two decimal places")
        )
    per_truck = whole_number(row["cases_per_truckload"], "cases_per_truckload", errors,
                             minimum=MIN_CASES_PER_TRUCKLOAD, maximum=MAX_CASES_PER_TRUCKLOAD)  # fmt: skip
    price = decimal_number(
        row["unit_price"], "unit_price", errors, minimum=Decimal("0"), maximum=MAX_UNIT_PRICE
    )
    if price is not None and price != price.quantize(Decimal("0.01")):
        errors.append(("unit_price", f"“{row['unit_price']}” has more than two decimal places"))
    bulk = row.get("is_bulk_for_processing", "").lower()
    if bulk not in _TRUE | _FALSE:
        errors.append(("is_bulk_for_processing", f"“{bulk[:40]}” is not true or false"))
    if errors:
        raise RowErrors(errors)
    return CatalogRow(school_year=row["school_year"], material_code=row["material_code"], description=row["description"],
                      category=category, pack_description=row["pack_description"], net_case_weight_lb=weight,
                      cases_per_truckload=per_truck, unit_price=price, is_bulk_for_processing=bulk in _TRUE)  # type: ignore[arg-type]  # fmt: skip


def catalog_import(*, data: bytes | str, user: User) -> ImportReport:
    """Import the available list. Every row is checked first; a bad row means nothing is written;
    re-importing the same file changes nothing (rows are matched on school year + material code)."""
    if not _can_load_catalog(user):
        raise DomainError("Only national reference-data editors load the USDA Foods available list.")
    parsed: ParsedFile[CatalogRow] = parse_csv(data, required=CATALOG_COLUMNS, optional=CATALOG_OPTIONAL,
                                               parse_row=_parse_catalog_row)  # fmt: skip
    report = ImportReport(errors=list(parsed.errors))
    seen: dict[tuple[str, str], int] = {}
    for line, row in parsed.rows:
        key = (row.school_year, row.material_code)
        if key in seen:
            report.errors.append(
                RowError(
                    line,
                    "material_code",
                    f"{row.material_code} for SY{row.school_year} is already on line {seen[key]}",
                )
            )
            continue
        seen[key] = line
    if report.errors:
        report.errors.sort(key=lambda e: (e.line, e.column))
        return report
    existing = {(c.school_year, c.material_code): c for c in CatalogItem.objects.filter(
        school_year__in={r.school_year for _, r in parsed.rows}, material_code__in={r.material_code for _, r in parsed.rows})}  # fmt: skip
    fields = ["description", "category", "pack_description", "net_case_weight_lb", "cases_per_truckload", "unit_price",
              "is_bulk_for_processing"]  # fmt: skip
    to_create, to_update = [], []
    for _, row in parsed.rows:
        current = existing.get((row.school_year, row.material_code))
        values = {f: getattr(row, f) for f in fields}
        if current is None:
            to_create.append(
                CatalogItem(school_year=row.school_year, material_code=row.material_code, **values)
            )
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            to_update.append(current)
        else:
            report.unchanged += 1
    with transaction.atomic():
        CatalogItem.objects.bulk_create(to_create, batch_size=1000)
        CatalogItem.objects.bulk_update(to_update, fields, batch_size=1000)
    report.created, report.updated = len(to_create), len(to_update)
    return report


def _can_load_catalog(user: User) -> bool:
    from districts import access

    return access.can_create(user, CatalogItem)


# --- Preference survey --------------------------------------------------------------------------


def survey_open(
    *,
    state_agency: StateAgency,
    school_year: str,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    user: User,
) -> Survey:
    _require_reviewer(user, state_agency)
    survey = Survey(state_agency=state_agency, school_year=school_year, title=title, opens_at=opens_at,
                    closes_at=closes_at, created_by=user)  # fmt: skip
    _full_clean(survey)
    if not CatalogItem.objects.filter(school_year=school_year).exists():
        raise DomainError(
            f"Load the SY{school_year} USDA Foods available list before opening a survey.",
            field="school_year",
        )
    survey.save()
    return survey


def survey_respond(
    *,
    survey: Survey,
    district: District,
    lines: Sequence[tuple[CatalogItem, int]],
    user: User,
    now: datetime | None = None,
) -> SurveyResponse:
    """A district marks the foods it wants with estimated cases. Answering again replaces the
    earlier answer, while the survey is open."""
    if not survey.is_open(now):
        raise DomainError("This survey is not open: answers are taken between its opening and closing dates.")
    if district.state_agency_id != survey.state_agency_id:
        raise DomainError(f"{district} is not an SFA of {survey.state_agency}.")
    wanted = [(item, cases) for item, cases in lines if cases]
    for item, cases in wanted:
        if item.school_year != survey.school_year:
            raise DomainError(f"{item} is not on the SY{survey.school_year} available list.")
        if cases < 0:
            raise DomainError("Estimated cases cannot be negative.", field="estimated_cases")
    with transaction.atomic():
        response, created = SurveyResponse.objects.select_for_update().get_or_create(
            survey=survey, district=district
        )
        stored = dict(response.lines.values_list("catalog_item_id", "estimated_cases"))
        if not created and response.submitted_at and stored == {item.pk: cases for item, cases in wanted}:
            return response  # the same answer again: keep it as given, and when and by whom
        response.lines.all().delete()
        SurveyResponseLine.objects.bulk_create(
            [
                SurveyResponseLine(response=response, catalog_item=item, estimated_cases=cases)
                for item, cases in wanted
            ]
        )
        response.submitted_at, response.submitted_by = timezone.now(), user
        response.save(update_fields=["submitted_at", "submitted_by"])
    return response


@dataclass(frozen=True)
class SurveyResultRow:
    item: CatalogItem
    sfa_count: int
    total_cases: int
    offered: bool


def survey_results(survey: Survey) -> list[SurveyResultRow]:
    """How many SFAs want each food and the cases they estimate, most wanted first (one query for
    the aggregates, one for the offered set)."""
    offered = set(survey.offered_items.values_list("pk", flat=True))
    items = (
        CatalogItem.objects.filter(school_year=survey.school_year)
        .annotate(
            sfa_count=Count("survey_lines", filter=Q(survey_lines__response__survey=survey,
                                                           survey_lines__response__submitted_at__isnull=False)),
            total_cases=Sum("survey_lines__estimated_cases",
                            filter=Q(survey_lines__response__survey=survey,
                                     survey_lines__response__submitted_at__isnull=False)),
        )
        .order_by("-sfa_count", "-total_cases", "description")
    )  # fmt: skip
    return [SurveyResultRow(item=i, sfa_count=i.sfa_count, total_cases=i.total_cases or 0, offered=i.pk in offered)
            for i in items]  # fmt: skip


def survey_choose_offered(*, survey: Survey, items: Iterable[CatalogItem], user: User) -> None:
    chosen = list(items)
    wrong = [i for i in chosen if i.school_year != survey.school_year]
    if wrong:
        raise DomainError(f"{wrong[0]} is not on the SY{survey.school_year} available list.", field="items")
    survey.offered_items.set(chosen)


def survey_non_respondents(survey: Survey) -> QuerySet[District]:
    answered = SurveyResponse.objects.filter(survey=survey, submitted_at__isnull=False).values("district_id")
    return District.objects.filter(state_agency=survey.state_agency).exclude(pk__in=answered).order_by("name")


def survey_remind(*, survey: Survey, user: User) -> int:
    """Email the SFAs that have not answered; returns how many districts were reminded."""
    from usda_foods.tasks import send_district_email

    districts = list(survey_non_respondents(survey))
    now = timezone.now()
    with transaction.atomic():
        for district in districts:
            SurveyResponse.objects.update_or_create(
                survey=survey, district=district, defaults={"last_reminded_at": now}
            )
            subject = f"Reminder: {survey.title}"
            body = (f"{district.name} has not yet answered {possessive(survey.state_agency.name)} USDA Foods preference survey "
                    f"for SY{survey.school_year}. It closes {timezone.localtime(survey.closes_at):%B %d, %Y at %H:%M}.")  # fmt: skip
            transaction.on_commit(lambda d=district.pk, s=subject, b=body: send_district_email.delay(d, s, b))
    return len(districts)


# --- Order windows ------------------------------------------------------------------------------


def window_create(
    *, state_agency: StateAgency, school_year: str, name: str, opens_at: datetime, closes_at: datetime,
    delivery_start: date, delivery_end: date, offered_items: Iterable[CatalogItem], user: User,
    reminder_days_before: int = 3,
) -> OrderWindow:  # fmt: skip
    _require_reviewer(user, state_agency)
    window = OrderWindow(state_agency=state_agency, school_year=school_year, name=name, opens_at=opens_at,
                         closes_at=closes_at, delivery_start=delivery_start, delivery_end=delivery_end,
                         reminder_days_before=reminder_days_before, created_by=user)  # fmt: skip
    _full_clean(window)
    items = list(offered_items)
    if not items:
        raise DomainError("Offer at least one food in the window.", field="offered_items")
    wrong = [i for i in items if i.school_year != school_year]
    if wrong:
        raise DomainError(f"{wrong[0]} is not on the SY{school_year} available list.", field="offered_items")
    with transaction.atomic():
        window.save()
        window.offered_items.set(items)
    return window


# --- Orders -------------------------------------------------------------------------------------


def delivery_sites_for(district: District) -> QuerySet[Site]:
    """Where a district's USDA Foods may go: its own receiving sites, and the receiving site of
    each co-op it belongs to (co-ops receive collectively)."""
    return Site.objects.filter(
        Q(district=district, receives_deliveries=True) | Q(coops_receiving__members=district)
    ).distinct().select_related("district")  # fmt: skip


def order_create(
    *, district: District, window: OrderWindow, user: User, now: datetime | None = None
) -> Order:
    if district.state_agency_id != window.state_agency_id:
        raise DomainError(f"{district} orders through {district.state_agency}, not {window.state_agency}.")
    if not window.is_open(now):
        raise DomainError(WINDOW_NOT_OPEN.format(window=window.name, state=window.state(now).label.lower()))
    entitlement = Entitlement.objects.filter(district=district, school_year=window.school_year).first()
    if entitlement is None or entitlement.planned_assistance_level is None:
        reasons = "; ".join(entitlement.missing) if entitlement else "it has not been computed"
        raise DomainError(
            f"{district} has no SY{window.school_year} entitlement to order against: {reasons}."
        )
    existing = Order.objects.filter(district=district, window=window).first()
    if existing:
        return existing
    with transaction.atomic():
        order = Order.objects.create(
            district=district, window=window, entitlement=entitlement, created_by=user
        )
        OrderTransition.objects.create(
            order=order, to_status=OrderStatus.DRAFT, user=user, comment="Draft started"
        )
    return order


def _lock_editable(order_id: int, now: datetime | None) -> Order:
    # ``of=("self",)``: lock the order row only. Without it PostgreSQL also locks the joined window
    # and district rows, so every district's edits in one window would queue behind each other.
    order = (
        Order.objects.select_for_update(of=("self",)).select_related("window", "district").get(pk=order_id)
    )
    if order.locked:
        raise DomainError(LOCKED)
    if not order.is_editable:
        raise DomainError(NOT_EDITABLE.format(status=order.get_status_display().lower()))
    if not order.window.is_open(now):
        raise DomainError(
            WINDOW_NOT_OPEN.format(window=order.window.name, state=order.window.state(now).label.lower())
        )
    return order


def _refresh_value(order: Order) -> None:
    """The order's value from its lines, summed in the database."""
    order.value = order.lines.aggregate(v=Sum(F("cases") * F("unit_price")))["v"] or Decimal("0.00")
    Order.objects.filter(pk=order.pk).update(value=order.value)


def order_line_set(
    *,
    order_id: int,
    catalog_item: CatalogItem,
    cases: int,
    delivery_site: Site,
    user: User,
    now: datetime | None = None,
) -> Order:
    """Add a line, or change the cases of the same food to the same site; 0 cases removes it."""
    if cases < 0:
        raise DomainError("Cases cannot be negative.", field="cases")
    # a window's shipment plan takes every line; one line is at most what one site can receive
    if problem := shipping_bounds.request_problem(cases, capacity=catalog_item.cases_per_truckload):
        raise DomainError(problem[0].upper() + problem[1:] + ".", field="cases")
    with transaction.atomic():
        order = _lock_editable(order_id, now)
        if not order.window.offered_items.filter(pk=catalog_item.pk).exists():
            raise DomainError(
                NOT_OFFERED.format(item=catalog_item, window=order.window.name), field="catalog_item"
            )
        if not delivery_sites_for(order.district).filter(pk=delivery_site.pk).exists():
            raise DomainError(
                BAD_SITE.format(site=delivery_site.name, district=order.district), field="delivery_site"
            )
        line = OrderLine.objects.filter(
            order=order, catalog_item=catalog_item, delivery_site=delivery_site
        ).first()
        if cases == 0:
            if line:
                line.delete()
        elif line:
            line.cases = cases
            line.save(update_fields=["cases"])
        else:
            OrderLine.objects.create(order=order, catalog_item=catalog_item, cases=cases, delivery_site=delivery_site,
                                     unit_price=catalog_item.unit_price)  # fmt: skip
        _refresh_value(order)
    return order


def order_line_remove(*, order_id: int, line_id: int, user: User, now: datetime | None = None) -> Order:
    with transaction.atomic():
        order = _lock_editable(order_id, now)
        OrderLine.objects.filter(order=order, pk=line_id).delete()
        _refresh_value(order)
    return order


def _transition(order: Order, to: str, user: User | None, comment: str = "") -> None:
    OrderTransition.objects.create(
        order=order, from_status=order.status, to_status=to, user=user, comment=comment
    )
    order.status = to
    _email_district_later(order, to, comment)


def order_submit(*, order_id: int, user: User, now: datetime | None = None) -> Order:
    """Check the window is open, every food is offered and every site valid, then post a pending
    drawdown of the order's value (refused if it exceeds the remaining balance)."""
    with transaction.atomic():
        order = _lock_editable(order_id, now)
        lines = list(order.lines.select_related("catalog_item", "delivery_site"))
        if not lines:
            raise DomainError(NO_LINES)
        offered = set(order.window.offered_items.values_list("pk", flat=True))
        sites = set(delivery_sites_for(order.district).values_list("pk", flat=True))
        for line in lines:
            if line.catalog_item_id not in offered:
                raise DomainError(NOT_OFFERED.format(item=line.catalog_item, window=order.window.name))
            if line.delivery_site_id not in sites:
                raise DomainError(BAD_SITE.format(site=line.delivery_site.name, district=order.district))
        value = sum((line.value for line in lines), Decimal("0.00"))
        order.drawdown = drawdown_post(entitlement_id=order.entitlement_id, amount=value, user=user,
                                       reference=f"Order #{order.pk}", memo=order.window.name)  # fmt: skip
        order.value = value
        order.submitted_at = timezone.now()
        _transition(order, OrderStatus.SUBMITTED, user)
        order.save(update_fields=["drawdown", "value", "submitted_at", "status"])
    return order


def order_withdraw(*, order_id: int, user: User, now: datetime | None = None) -> Order:
    """The district takes a submitted order back while its window is open (the state has not
    decided yet): the hold on the entitlement is released and the order is a draft again, to
    change and submit anew."""
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("window", "district")
            .get(pk=order_id)
        )
        if order.locked:
            raise DomainError(LOCKED)
        if order.status != OrderStatus.SUBMITTED:
            raise DomainError(
                f"Only a submitted order can be withdrawn; this one is {order.get_status_display().lower()}."
            )
        if not order.window.is_open(now):
            raise DomainError(f"The order window “{order.window.name}” is {order.window.state(now).label.lower()}: "
                              "a submitted order can only be withdrawn while it is open.")  # fmt: skip
        drawdown_release(drawdown_id=order.drawdown_id, user=user)
        order.drawdown = None
        order.submitted_at = None
        _transition(order, OrderStatus.DRAFT, user, "Withdrawn by the district to change it")
        order.save(update_fields=["status", "drawdown", "submitted_at"])
    return order


def _lock_submitted(order_id: int, verb: str, user: User) -> Order:
    from usda_foods import access as usda_access

    # The reviewer filter joins the district and its state: lock only the order row (see above).
    locked = Order.objects.select_for_update(of=("self",))
    order = usda_access.reviewable_orders(user, locked).filter(pk=order_id).first()
    if order is None:
        raise DomainError("You cannot review this order.")
    if order.status != OrderStatus.SUBMITTED:
        raise DomainError(NOT_SUBMITTED.format(verb=verb, status=order.get_status_display().lower()))
    return order


def order_approve(*, order_id: int, user: User, comment: str = "") -> Order:
    """Approval turns the pending drawdown final. A second approval is refused."""
    with transaction.atomic():
        order = _lock_submitted(order_id, "approved", user)
        drawdown_finalize(drawdown_id=order.drawdown_id, user=user)
        order.decided_at = timezone.now()
        _transition(order, OrderStatus.APPROVED, user, comment)
        order.save(update_fields=["status", "decided_at"])
    return order


def order_return(*, order_id: int, user: User, comment: str) -> Order:
    """Send back for changes with a comment; the pending drawdown is released until resubmission."""
    if not comment.strip():
        raise DomainError(COMMENT_REQUIRED, field="comment")
    with transaction.atomic():
        order = _lock_submitted(order_id, "returned", user)
        drawdown_release(drawdown_id=order.drawdown_id, user=user)
        order.drawdown = None
        _transition(order, OrderStatus.RETURNED, user, comment.strip())
        order.save(update_fields=["status", "drawdown"])
    return order


def order_reject(*, order_id: int, user: User, comment: str) -> Order:
    """Reject: the pending drawdown is released and the order is closed."""
    if not comment.strip():
        raise DomainError("Say why the order is rejected: the district sees this comment.", field="comment")
    with transaction.atomic():
        order = _lock_submitted(order_id, "rejected", user)
        drawdown_release(drawdown_id=order.drawdown_id, user=user)
        order.drawdown = None
        order.decided_at = timezone.now()
        _transition(order, OrderStatus.REJECTED, user, comment.strip())
        order.save(update_fields=["status", "drawdown", "decided_at"])
    return order


@dataclass
class BulkResult:
    approved: list[int]
    refused: dict[int, str]


def orders_bulk_approve(*, order_ids: Iterable[int], user: User) -> BulkResult:
    """Approve each order in its own transaction, so one refusal does not undo the others."""
    result = BulkResult(approved=[], refused={})
    for order_id in order_ids:
        try:
            order_approve(order_id=order_id, user=user)
            result.approved.append(order_id)
        except DomainError as exc:
            result.refused[order_id] = exc.message
    return result


def orders_bulk_approve_start(*, order_ids: list[int], user: User) -> BackgroundJob:
    """Approve many orders in Celery (the reviewer's "all matching" selection), with progress on
    the job page. The task approves each in its own transaction, as ``orders_bulk_approve``."""
    from focus_lab.jobs import services as jobs

    return jobs.job_create(kind="orders_bulk_approve", user=user, params={"order_ids": list(order_ids)},
                           task="usda_foods.tasks.orders_bulk_approve_job")  # fmt: skip


# --- Window side effects (beat) -----------------------------------------------------------------


def _claim(window_id: int, stamp: str, condition: Q) -> bool:
    """Compare-and-set a window's side-effect stamp: true for exactly one caller."""
    return bool(OrderWindow.objects.filter(condition, pk=window_id, **{f"{stamp}__isnull": True})
                .update(**{stamp: timezone.now()}))  # fmt: skip


def window_due_work(now: datetime | None = None) -> dict[str, list[int]]:
    """Which windows need which side effect now. Derived from timestamps, so a late tick catches up."""
    now = now or timezone.now()
    pending = OrderWindow.objects.filter(opens_at__lte=now)
    return {
        "open": list(pending.filter(opened_notice_sent_at__isnull=True, closes_at__gt=now).values_list("pk", flat=True)),
        "remind": [w.pk for w in pending.filter(reminder_sent_at__isnull=True, closes_at__gt=now)
                   if w.closes_at - timedelta(days=w.reminder_days_before) <= now],
        "close": list(pending.filter(closed_processed_at__isnull=True, closes_at__lte=now).values_list("pk", flat=True)),
    }  # fmt: skip


def window_announce_open(*, window_id: int) -> bool:
    """Email every SFA of the state that the window is open. Once."""
    if not _claim(window_id, "opened_notice_sent_at", Q()):
        return False
    window = OrderWindow.objects.select_related("state_agency").get(pk=window_id)
    body = (f"The USDA Foods order window “{window.name}” (SY{window.school_year}) is open until "
            f"{timezone.localtime(window.closes_at):%B %d, %Y at %H:%M}. Deliveries {window.delivery_start:%b %d} – "
            f"{window.delivery_end:%b %d, %Y}.")  # fmt: skip
    _email_state_districts(window, f"Order window open: {window.name}", body)
    return True


def window_remind(*, window_id: int) -> bool:
    """Remind SFAs whose order is not submitted that the window closes soon. Once."""
    if not _claim(window_id, "reminder_sent_at", Q()):
        return False
    window = OrderWindow.objects.select_related("state_agency").get(pk=window_id)
    submitted = Order.objects.filter(window=window, status__in=[OrderStatus.SUBMITTED, OrderStatus.APPROVED])
    body = (f"The USDA Foods order window “{window.name}” closes {timezone.localtime(window.closes_at):%B %d, %Y at %H:%M}. "
            "Your district has not submitted an order in it yet.")  # fmt: skip
    _email_state_districts(window, f"Order window closing soon: {window.name}", body,
                           exclude=submitted.values("district_id"))  # fmt: skip
    return True


def window_close(*, window_id: int) -> bool:
    """Lock the window's orders so nothing changes after the close, then queue the shipment plan
    of its approved lines. Once."""
    from usda_foods.services.shipping import shipment_plan_start

    if not _claim(window_id, "closed_processed_at", Q(closes_at__lte=timezone.now())):
        return False
    Order.objects.filter(window_id=window_id).update(locked=True)
    if Order.objects.filter(window_id=window_id, status=OrderStatus.APPROVED).exists():
        shipment_plan_start(window=OrderWindow.objects.get(pk=window_id), user=None)
    return True


# --- Email --------------------------------------------------------------------------------------


def district_recipients(district_ids: Iterable[int] | QuerySet) -> dict[int, list[str]]:
    rows = Membership.objects.filter(
        district_id__in=district_ids, role__in=DISTRICT_ROLES, user__is_active=True
    )
    recipients: dict[int, list[str]] = {}
    for district_id, email in rows.values_list("district_id", "user__email"):
        recipients.setdefault(district_id, []).append(email)
    return recipients


def _email_district_later(order: Order, status: str, comment: str) -> None:
    from usda_foods.tasks import send_district_email

    label = OrderStatus(status).label.lower()
    subject = f"Order #{order.pk} {label}: {order.window.name}"
    body = f"Order #{order.pk} of {order.district.name} in “{order.window.name}” is now {label} (value ${order.value:,})."
    if comment:
        body += f"\n\nComment: {comment}"
    transaction.on_commit(lambda: send_district_email.delay(order.district_id, subject, body))


def _email_state_districts(
    window: OrderWindow, subject: str, body: str, exclude: QuerySet | None = None
) -> None:
    from usda_foods.tasks import send_district_email

    districts = District.objects.filter(state_agency=window.state_agency)
    if exclude is not None:
        districts = districts.exclude(pk__in=exclude)
    for district_id in districts.values_list("pk", flat=True):
        transaction.on_commit(lambda d=district_id: send_district_email.delay(d, subject, body))


def _require_reviewer(user: User, state_agency: StateAgency) -> None:
    from usda_foods import access as usda_access

    if not usda_access.reviews_state(user, state_agency.pk):
        raise DomainError(f"Only {possessive(state_agency.name)} reviewers do this.", field="state_agency")


def _full_clean(obj: object) -> None:
    try:
        obj.full_clean()  # type: ignore[attr-defined]
    except ValidationError as exc:
        field, messages = (
            next(iter(exc.message_dict.items())) if hasattr(exc, "error_dict") else ("", exc.messages)
        )
        raise DomainError(" ".join(messages), field=None if field == "__all__" else field) from exc
