"""Reads for purchase records: the rows a user sees (scoped), their export, the definitions of
local, the vendor matches and keyword rules. Lists cost a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from purchasing.records import rules
from purchasing.records.models import AliasStatus, KeywordRule, LocalDefinition, PurchaseRecord, VendorAlias

if TYPE_CHECKING:
    from accounts.models import User

EXPORT_HEADER = ["id", "district", "site", "invoice_date", "vendor", "supplier_id", "product_description",
                 "category", "priority_item", "quantity", "unit", "case_weight_lb", "pounds", "conversion",
                 "spend", "origin", "origin_state", "origin_county", "source", "claims", "local_class"]  # fmt: skip


def record_list(*, user: User) -> QuerySet[PurchaseRecord]:
    return PurchaseRecord.objects.for_user(user).select_related("district", "site", "vendor", "priority_item")


def conversion_text(record: PurchaseRecord) -> str:
    return rules.to_pounds(record.quantity, record.unit, record.case_weight_lb).text


def export_rows(records: QuerySet[PurchaseRecord]) -> Iterator[list[Any]]:
    for r in records.iterator(chunk_size=2000):
        yield [r.pk, r.district.name, r.site.name if r.site else "", r.invoice_date, r.vendor_name, r.vendor_id,
               r.product_description, r.get_category_display(), r.priority_item.name if r.priority_item else "",
               r.quantity, r.get_unit_display(), r.case_weight_lb, r.pounds, conversion_text(r), r.spend,
               r.origin_text, r.origin_state, r.origin_county, r.get_source_display(), "; ".join(r.claims),
               r.get_local_class_display()]  # fmt: skip


def definition_list(*, user: User) -> QuerySet[LocalDefinition]:
    return (
        LocalDefinition.objects.for_user(user)
        .select_related("collaborative", "district", "updated_by")
        .order_by("collaborative__name", "district__name")
    )


def alias_list(*, user: User, status: str = "") -> QuerySet[VendorAlias]:
    aliases = VendorAlias.objects.for_user(user).select_related("supplier", "collaborative", "decided_by")
    return aliases.filter(status=status) if status else aliases


def pending_alias_count(*, user: User) -> int:
    return VendorAlias.objects.for_user(user, write=True).filter(status=AliasStatus.SUGGESTED).count()


def keyword_rule_list(*, user: User) -> QuerySet[KeywordRule]:
    return KeywordRule.objects.for_user(user).select_related("priority_item", "collaborative", "created_by")
