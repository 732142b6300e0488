"""Priority item workflows: propose an item, edit a draft, propose a version, record a district's
answer and adopt by the lab's rule, revise, withdraw, record menu commitments. Each raises
``DomainError`` to refuse; the email to the lab goes out once the transaction commits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import DISTRICT_ROLES, Role, User
from districts import access
from districts.models import Collaborative, District
from focus_lab.errors import DomainError
from focus_lab.tasks import enqueue
from purchasing.access import lab_ids
from purchasing.priority_items import rules
from purchasing.priority_items.models import (
    OPEN_STATUSES,
    ConsensusRule,
    Endorsement,
    MenuCommitment,
    PriorityItem,
    SpecVersion,
    Stance,
    VersionStatus,
)

SPEC_KEYS = ("product_form", "pack_size", "grade", "crediting", "processing", "claims", "allergens",
             "local_clause", "local_definition", "attributes", "required_practices", "required_certifications",
             "change_note")  # fmt: skip
ITEM_KEYS = ("name", "why", "unit", "case_net_weight_lb", "reference_price", "supplier_category", "supplier_keywords",
             "max_distance_miles")  # fmt: skip
FROZEN = "Version {number} is {status}: it is frozen. Revise the item to make a new version."


def consensus_rule_for(collaborative: Collaborative) -> ConsensusRule:
    """The lab's rule; an unsaved default (unanimity, objections block) until its admins set one."""
    rule = ConsensusRule.objects.filter(collaborative=collaborative).first()
    return rule or ConsensusRule(collaborative=collaborative)


def consensus_rule_set(*, user: User, collaborative: Collaborative, **fields: Any) -> ConsensusRule:
    if not access.can_write(user, collaborative):
        raise DomainError("Only the lab's admins set its consensus rule.")
    rule, _ = ConsensusRule.objects.get_or_create(collaborative=collaborative)
    for key, value in fields.items():
        setattr(rule, key, value)
    rule.full_clean()
    rule.save()
    return rule


def _check_spec(spec: dict[str, Any]) -> None:
    problem = rules.local_clause_problem(
        clause=spec.get("local_clause", rules.LOCAL_NEITHER), processing=spec.get("processing", rules.UNPROCESSED),
        definition=spec.get("local_definition", ""),
    )  # fmt: skip
    if problem:
        raise DomainError(problem, field="local_clause")
    for claim in spec.get("claims") or []:
        if not str(claim.get("verification", "")).strip():
            raise DomainError(f"Say how “{claim.get('claim')}” is verified.", field="claims")


def _full_clean(obj: Any, **kwargs: Any) -> None:
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        field, errors = next(iter(exc.message_dict.items()))
        raise DomainError(errors[0], field=None if field == "__all__" else field) from None


@transaction.atomic
def item_create(
    *, user: User, collaborative: Collaborative, spec: dict[str, Any], **item: Any
) -> PriorityItem:
    """A lab member proposes an item with its first specification, as a draft."""
    if not (
        user.is_superuser
        or Collaborative.objects.filter(pk=collaborative.pk, id__in=lab_ids(user, write=True)).exists()
    ):
        raise DomainError(
            "You can propose items only in a learning lab you belong to.", field="collaborative"
        )
    spec.setdefault("local_definition", consensus_rule_for(collaborative).local_definition)
    _check_spec(spec)
    obj = PriorityItem(
        collaborative=collaborative, created_by=user, **{k: item[k] for k in ITEM_KEYS if k in item}
    )
    _full_clean(obj)
    if PriorityItem.objects.filter(collaborative=collaborative, name__iexact=obj.name).exists():
        raise DomainError("The lab already has a priority item with this name.", field="name")
    obj.save()
    version = SpecVersion(item=obj, number=1, created_by=user, **{k: spec[k] for k in SPEC_KEYS if k in spec})
    _full_clean(version, exclude=["item"])
    version.save()
    return obj


def _writable_version(user: User, version_id: int) -> SpecVersion:
    version = (SpecVersion.objects.select_for_update(of=("self",)).select_related("item__collaborative")
               .filter(pk=version_id).first())  # fmt: skip
    if version is None or not SpecVersion.objects.for_user(user, write=True).filter(pk=version_id).exists():
        raise DomainError("You cannot change this version.")
    return version


@transaction.atomic
def item_update(*, user: User, item_id: int, **fields: Any) -> PriorityItem:
    item = PriorityItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None or not access.can_write(user, item):
        raise DomainError("You cannot change this item.")
    changes_unit = fields.get("unit", item.unit) != item.unit or (
        "case_net_weight_lb" in fields and fields["case_net_weight_lb"] != item.case_net_weight_lb
    )
    if changes_unit and item.commitments.exists():
        raise DomainError("Districts have committed in this unit: their volumes would change meaning. "
                          "Propose a new item instead.", field="unit")  # fmt: skip
    for key in ITEM_KEYS:
        if key in fields:
            setattr(item, key, fields[key])
    _full_clean(item)
    item.save()
    return item


@transaction.atomic
def version_update(*, user: User, version_id: int, **spec: Any) -> SpecVersion:
    """Edit a draft. Proposed, adopted, withdrawn and superseded versions are frozen."""
    version = _writable_version(user, version_id)
    if version.is_frozen:
        raise DomainError(FROZEN.format(number=version.number, status=version.get_status_display().lower()))
    _check_spec({**{k: getattr(version, k) for k in SPEC_KEYS}, **spec})
    for key in SPEC_KEYS:
        if key in spec:
            setattr(version, key, spec[key])
    _full_clean(version)
    version.save()
    return version


@transaction.atomic
def version_revise(*, user: User, item_id: int, change_note: str = "") -> SpecVersion:
    """A new draft copied from the latest version. A proposed version is superseded (its answers
    are kept with it); the adopted one stays in force until the new one is adopted."""
    item = PriorityItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None or not access.can_write(user, item):
        raise DomainError("You cannot revise this item.")
    latest = item.versions.order_by("-number").first()
    if latest is not None and latest.status == VersionStatus.DRAFT:
        raise DomainError(f"Version {latest.number} is still a draft: edit it.")
    if latest is not None and latest.status == VersionStatus.PROPOSED:
        latest.status, latest.decided_at = VersionStatus.SUPERSEDED, timezone.now()
        latest.decision = "Revised before adoption; endorsement restarts with the new version."
        latest.save(update_fields=["status", "decided_at", "decision"])
    number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    values = {k: getattr(latest, k) for k in SPEC_KEYS} if latest else {"product_form": item.name}
    values["change_note"] = change_note
    return SpecVersion.objects.create(item=item, number=number, created_by=user, **values)


def lab_emails(collaborative_id: int) -> list[str]:
    """Everyone in the lab: its districts' staff, its partners' staff and its admins."""
    return sorted(set(
        User.objects.filter(is_active=True).filter(
            Q(memberships__role__in=DISTRICT_ROLES, memberships__district__collaborative_id=collaborative_id)
            | Q(memberships__role=Role.PARTNER_STAFF, memberships__partner__collaborative_id=collaborative_id)
            | Q(memberships__role=Role.COLLABORATIVE_ADMIN, memberships__collaborative_id=collaborative_id)
        ).values_list("email", flat=True)
    ))  # fmt: skip


def _email_lab(version: SpecVersion, event: str, body: str) -> None:
    to = lab_emails(version.item.collaborative_id)
    if to:
        url = reverse("purchasing:version-detail", args=[version.pk])
        # One email per event: the id carries when it happened (ids restart in a rebuilt database).
        when = (version.decided_at if event == "adopted" else version.proposed_at) or timezone.now()
        enqueue("focus_lab.tasks.send_email", f"spec-version:{version.pk}:{event}:{when.isoformat()}",
                f"[{version.item.collaborative}] {version} {event}", f"{body}\n\n{url}", to)  # fmt: skip


@transaction.atomic
def version_propose(*, user: User, version_id: int) -> SpecVersion:
    version = _writable_version(user, version_id)
    if version.status != VersionStatus.DRAFT:
        raise DomainError(
            f"Only a draft can be proposed; version {version.number} is {version.get_status_display().lower()}."
        )
    _check_spec({k: getattr(version, k) for k in SPEC_KEYS})
    version.status, version.proposed_at = VersionStatus.PROPOSED, timezone.now()
    version.save(update_fields=["status", "proposed_at"])
    _email_lab(version, "proposed", f"{user} proposed version {version.number} of “{version.item}”. "
               "Each district of the lab: endorse it, endorse it with conditions, abstain or object.")  # fmt: skip
    return version


@transaction.atomic
def version_withdraw(*, user: User, version_id: int, reason: str = "") -> SpecVersion:
    version = _writable_version(user, version_id)
    if version.status not in OPEN_STATUSES:
        raise DomainError("Only a draft or a proposed version can be withdrawn.")
    version.status, version.decided_at = VersionStatus.WITHDRAWN, timezone.now()
    version.decision = reason or f"Withdrawn by {user}."
    version.save(update_fields=["status", "decided_at", "decision"])
    return version


def tally(version: SpecVersion) -> rules.Tally:
    districts = District.objects.filter(collaborative_id=version.item.collaborative_id).count()
    counts = {s: 0 for s in Stance.values}
    for stance in version.endorsements.values_list("stance", flat=True):
        counts[stance] += 1
    return rules.Tally(districts=districts, **counts)


def _evaluate(version: SpecVersion, *, closing: bool) -> rules.Verdict:
    rule = consensus_rule_for(version.item.collaborative)
    verdict = rules.consensus(rule=rule.kind, tally=tally(version), quorum_percent=rule.quorum_percent,
                              threshold_percent=rule.threshold_percent, objection_blocks=rule.objection_blocks,
                              closing=closing)  # fmt: skip
    if verdict.outcome == rules.ADOPT:
        _adopt(version, verdict.reason)
    elif closing:
        version.status, version.decided_at, version.decision = (
            VersionStatus.WITHDRAWN,
            timezone.now(),
            verdict.reason,
        )
        version.save(update_fields=["status", "decided_at", "decision"])
    return verdict


def _adopt(version: SpecVersion, reason: str) -> None:
    now = timezone.now()
    version.item.versions.filter(status=VersionStatus.ADOPTED).update(
        status=VersionStatus.SUPERSEDED, decision=f"Superseded by version {version.number}.", decided_at=now
    )
    version.status, version.decided_at, version.decision = VersionStatus.ADOPTED, now, reason
    version.save(update_fields=["status", "decided_at", "decision"])
    _email_lab(version, "adopted", f"Version {version.number} of “{version.item}” is adopted: {reason} "
               "Districts: record how often you will menu it.")  # fmt: skip


@transaction.atomic
def endorsement_record(*, user: User, version_id: int, district: District, stance: str,
                       comment: str = "") -> tuple[Endorsement, rules.Verdict]:  # fmt: skip
    """A district's manager answers for the district; the lab's rule is applied at once."""
    version = (
        SpecVersion.objects.select_for_update()
        .select_related("item__collaborative")
        .filter(pk=version_id)
        .first()
    )
    if version is None or not SpecVersion.objects.for_user(user).filter(pk=version_id).exists():
        raise DomainError("No such version.")
    if version.status != VersionStatus.PROPOSED:
        raise DomainError(
            f"Version {version.number} is {version.get_status_display().lower()}: it takes no answers."
        )
    if district.collaborative_id != version.item.collaborative_id:
        raise DomainError("The district is not in this item's learning lab.", field="district")
    if not (
        user.is_superuser
        or access.memberships(user, Role.DISTRICT_MANAGER).filter(district=district).exists()
    ):
        raise DomainError("Only the district's managers answer for it.", field="district")
    if stance not in Stance.values:
        raise DomainError("Choose an answer.", field="stance")
    comment = comment.strip()
    if stance == rules.OBJECT and not comment:
        raise DomainError(
            "An objection needs its reason: the lab revises the specification from it.", field="comment"
        )
    if stance == rules.CONDITIONS and not comment:
        raise DomainError("Say what the conditions are.", field="comment")
    try:
        with transaction.atomic():
            endorsement, _ = Endorsement.objects.update_or_create(
                version=version, district=district,
                defaults={"stance": stance, "comment": comment, "answered_by": user},
            )  # fmt: skip
    except IntegrityError as exc:  # pragma: no cover - the checks above hold the constraints
        raise DomainError("The answer could not be recorded.") from exc
    return endorsement, _evaluate(version, closing=False)


@transaction.atomic
def version_close_count(*, user: User, version_id: int) -> rules.Verdict:
    """The lab's admins close the count of a proposed version: the rule is applied to the answers
    given so far; a version that does not pass is withdrawn with the reason."""
    version = (
        SpecVersion.objects.select_for_update()
        .select_related("item__collaborative")
        .filter(pk=version_id)
        .first()
    )
    if version is None or not (user.is_superuser or access.can_write(user, version.item.collaborative)):
        raise DomainError("Only the lab's admins close a count.")
    if version.status != VersionStatus.PROPOSED:
        raise DomainError("Only a proposed version is counted.")
    return _evaluate(version, closing=True)


def adopted_version(item: PriorityItem) -> SpecVersion | None:
    return item.versions.filter(status=VersionStatus.ADOPTED).first()


@transaction.atomic
def commitment_set(*, user: User, item_id: int, district: District, times_per_month: Decimal,
                   months: list[int], servings_per_day: int, serving_size: Decimal, serving_unit: str,
                   override_volume: Decimal | None = None, override_reason: str = "") -> MenuCommitment:  # fmt: skip
    """Record (or change) how a district will menu an adopted item."""
    item = PriorityItem.objects.for_user(user).filter(pk=item_id).first()
    if item is None:
        raise DomainError("No such item.")
    if not item.versions.filter(status=VersionStatus.ADOPTED).exists():
        raise DomainError("Commit to an item once its specification is adopted.")
    if district.collaborative_id != item.collaborative_id:
        raise DomainError("The district is not in this item's learning lab.", field="district")
    if not (
        user.is_superuser
        or access.memberships(user, Role.DISTRICT_MANAGER).filter(district=district).exists()
    ):
        raise DomainError("Only the district's managers record its menu commitments.", field="district")
    if override_volume is not None and not override_reason.strip():
        raise DomainError("Say why you override the computed volume.", field="override_reason")
    if not months or any(m not in range(1, 13) for m in months):
        raise DomainError("Choose the months it is on the menu.", field="months")
    try:
        rules.annual_volume(times_per_month=times_per_month, months=len(months), servings_per_day=servings_per_day,
                            serving_size=serving_size, serving_unit=serving_unit, item_unit=item.unit,
                            case_net_weight_lb=item.case_net_weight_lb)  # fmt: skip
    except rules.VolumeError as exc:
        raise DomainError(str(exc), field="serving_unit") from None
    values = {"times_per_month": times_per_month, "months": sorted(set(months)), "servings_per_day": servings_per_day,
              "serving_size": serving_size, "serving_unit": serving_unit, "override_volume": override_volume,
              "override_reason": override_reason.strip() if override_volume is not None else "", "updated_by": user}  # fmt: skip
    commitment = MenuCommitment.objects.filter(item=item, district=district).first()
    if commitment is not None:
        current = {k: getattr(commitment, k) for k in values if k != "updated_by"}
        if current == {k: v for k, v in values.items() if k != "updated_by"}:
            return commitment  # saved unchanged: nothing changes
    commitment = commitment or MenuCommitment(item=item, district=district)
    for key, value in values.items():
        setattr(commitment, key, value)
    _full_clean(commitment, exclude=["item", "district"])
    commitment.save()
    return commitment
