"""What each role needs to do next, gathered for the dashboard. One section per role the user
holds; each query is scoped and aggregated, so the page costs a handful of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import DISTRICT_ROLES, Role, User
from agreements import todos as agreement_todos
from districts.access import roles_for
from districts.models import District, Site
from partners.contacts.todos import supplier_day
from partners.models import PartnerOrganisation, Partnership
from purchasing.priority_items import todos as purchasing_todos
from usda_foods import todos as usda_todos
from usda_foods.ordering.access import reviewed_state_agencies


@dataclass
class Todo:
    text: str
    url: str
    level: str = "warning"


@dataclass
class Section:
    title: str
    role: str
    stats: list[tuple[str, object, str]] = field(default_factory=list)
    todos: list[Todo] = field(default_factory=list)
    activity: list[tuple[str, str]] = field(default_factory=list)  # (text, url), newest first


def _district_todos(districts: list[District]) -> list[Todo]:
    todos = []
    for district in districts:
        if district.site_count == 0:
            todos.append(Todo(f"{district.name} has no delivery site yet: add one so orders can ship.",
                              reverse("districts:site-create") + f"?district={district.pk}"))  # fmt: skip
        if district.partner_count == 0:
            todos.append(
                Todo(f"{district.name} has no procurement partner.", district.get_absolute_url(), "info")
            )
    return todos


def _districts(user: User, **filters: object) -> list[District]:
    return list(
        District.objects.for_user(user)
        .filter(**filters)
        .select_related("state_agency")
        .annotate(
            site_count=Count("sites", distinct=True), partner_count=Count("partnerships", distinct=True)
        )
    )


def _usda(todos: list[tuple[str, str, str]]) -> list[Todo]:
    return [Todo(text, url, level) for text, url, level in todos]


def dashboard_sections(user: User) -> list[Section]:
    roles = roles_for(user)
    sections: list[Section] = []
    if roles & {Role.DISTRICT_MANAGER, Role.DISTRICT_VIEWER}:
        districts = _districts(user, memberships__user=user)
        section = Section("Your district", Role.DISTRICT_MANAGER)
        for district in districts:
            sites = f"{district.site_count:,} site{'' if district.site_count == 1 else 's'}"
            section.stats.append((district.name, sites, district.get_absolute_url()))
        own = District.objects.filter(memberships__user=user, memberships__role__in=DISTRICT_ROLES).distinct()
        managed = District.objects.filter(memberships__user=user, memberships__role=Role.DISTRICT_MANAGER)
        section.todos = _usda(usda_todos.district_todos(districts=managed, can_act=True))
        if Role.DISTRICT_VIEWER in roles:
            viewed = own.exclude(pk__in=managed.values("pk"))
            section.todos += _usda(usda_todos.district_todos(districts=viewed, can_act=False))
        section.todos += _usda(purchasing_todos.district_todos(districts=managed))
        section.todos += _district_todos(districts)
        if Role.DISTRICT_MANAGER in roles:
            section.todos += _usda(agreement_todos.signer_todos(user=user))
        sections.append(section)
    if Role.PARTNER_STAFF in roles:
        soon = timezone.localdate() + timedelta(days=60)
        partnerships = list(
            Partnership.objects.for_user(user)
            .filter(partner__memberships__user=user)
            .select_related("partner", "district")
        )
        section = Section("Districts you support", Role.PARTNER_STAFF)
        for partnership in partnerships:
            section.stats.append((partnership.district.name, partnership.focus or "partnership",
                                  partnership.get_absolute_url()))  # fmt: skip
            if partnership.end_date and partnership.end_date <= soon:
                section.todos.append(Todo(f"The partnership with {partnership.district} ends on "
                                          f"{partnership.end_date:%b %d, %Y}: renew it or wind it down.",
                                          partnership.get_absolute_url()))  # fmt: skip
        if not partnerships:
            section.todos.append(
                Todo("Your organisation has no active partnership yet.", reverse("partners:partner-list"))
            )
        if Role.DISTRICT_MANAGER not in roles:  # a district manager's section already lists them
            section.todos += _usda(agreement_todos.signer_todos(user=user))
        sections.append(section)
        stats, todos, recent = supplier_day(user=user, today=timezone.localdate())
        suppliers = Section("Suppliers and contacts", Role.PARTNER_STAFF, stats=stats, activity=recent)
        suppliers.todos = [Todo(text, url, level) for text, url, level in todos]
        sections.append(suppliers)
    if Role.SDA_REVIEWER in roles:
        districts = _districts(user, state_agency__memberships__user=user)
        section = Section("SFAs in your state", Role.SDA_REVIEWER)
        section.stats.append(("SFAs", len(districts), reverse("districts:district-list")))
        section.stats.append(
            ("Delivery sites", sum(d.site_count for d in districts), reverse("districts:site-list"))
        )
        section.stats.append(("People", "Invite reviewers", reverse("people")))
        section.todos = _usda(usda_todos.reviewer_todos(user=user, states=reviewed_state_agencies(user)))
        section.todos += [t for t in _district_todos(districts) if t.level == "warning"]
        sections.append(section)
    if Role.COLLABORATIVE_ADMIN in roles:
        districts = _districts(user, collaborative__memberships__user=user)
        partners = PartnerOrganisation.objects.for_user(user).filter(
            collaborative__memberships__user=user, removed_on__isnull=True
        )
        counts = partners.aggregate(total=Count("id", distinct=True),
                                    idle=Count("id", filter=Q(partnerships__isnull=True), distinct=True))  # fmt: skip
        section = Section("Your learning lab", Role.COLLABORATIVE_ADMIN)
        section.stats.append(("Districts", len(districts), reverse("districts:district-list")))
        section.stats.append(("Partners", counts["total"], reverse("partners:partner-list")))
        section.stats.append(
            ("Delivery sites", Site.objects.for_user(user).count(), reverse("districts:site-list"))
        )
        section.stats.append(("People", "Invite and manage", reverse("people")))
        lab = District.objects.filter(collaborative__memberships__user=user,
                                      collaborative__memberships__role=Role.COLLABORATIVE_ADMIN)  # fmt: skip
        section.todos = _usda(usda_todos.uncomputable_entitlements(districts=lab))
        section.todos += _usda(agreement_todos.admin_todos(user=user))
        section.todos += _usda(purchasing_todos.lab_todos(user=user))
        section.todos += _district_todos(districts)
        if counts["idle"]:
            section.todos.append(Todo(f"{counts['idle']} partner organisation(s) serve no district yet.",
                                      reverse("partners:partnership-create"), "info"))  # fmt: skip
        sections.append(section)
    if Role.REFERENCE_DATA in roles:
        section = Section("National reference data", Role.REFERENCE_DATA)
        for label, name in [("Per-meal values", "per-meal-value-list"), ("Reimbursement rates", "reimbursement-rate-list"),
                            ("Section 4 payments", "section4-payment-list"), ("USDA Foods available list", "catalog-list")]:  # fmt: skip
            section.stats.append((label, "Cite each publication", reverse(f"usda_foods:{name}")))
        sections.append(section)
    return sections
