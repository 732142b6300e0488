"""The state's preference survey: open it, districts answer, the state chooses what to offer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from districts.models import District, StateAgency
from districts.services import district_email_later
from focus_lab.errors import DomainError
from focus_lab.text import possessive
from usda_foods.ordering.models import (
    CatalogItem,
    Survey,
    SurveyResponse,
    SurveyResponseLine,
)
from usda_foods.ordering.services.common import full_clean, require_reviewer

if TYPE_CHECKING:
    from accounts.models import User


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
    require_reviewer(user, state_agency)
    survey = Survey(state_agency=state_agency, school_year=school_year, title=title, opens_at=opens_at,
                    closes_at=closes_at, created_by=user)  # fmt: skip
    full_clean(survey)
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
            district_email_later(district_id=district.pk, subject=subject, body=body)
    return len(districts)
