"""Build the demo learning lab. Idempotent: a second run changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Membership, User
from districts import demo
from districts.models import Collaborative, Coop, District, Site, StateAgency
from partners.models import PartnerOrganisation, Partnership


class Command(BaseCommand):
    help = "Create the demo Upper Midwest learning lab with one login per role (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        collaborative, _ = Collaborative.objects.update_or_create(
            slug=demo.COLLABORATIVE["slug"],
            defaults={"name": demo.COLLABORATIVE["name"], "description": demo.COLLABORATIVE["description"]},
        )
        agencies = {}
        for state, name, email in demo.STATE_AGENCIES:
            agencies[state], _ = StateAgency.objects.update_or_create(
                state=state, defaults={"name": name, "email": email}
            )
        districts = {}
        for name, state, code, enrollment, commodity, sites in demo.DISTRICTS:
            district, _ = District.objects.update_or_create(
                state_agency=agencies[state], agency_code=code,
                defaults={"name": name, "enrollment": enrollment, "is_commodity_school": commodity,
                          "collaborative": collaborative},
            )  # fmt: skip
            districts[name] = district
            for site_name, kind, street, city, postal, lat, lon in sites:
                Site.objects.update_or_create(
                    district=district, name=site_name,
                    defaults={"kind": kind, "street": street, "city": city, "state": state, "postal_code": postal,
                              "latitude": Decimal(lat), "longitude": Decimal(lon)},
                )  # fmt: skip
        partners = {}
        for name, kind, city, state, description, served, focus in demo.PARTNERS:
            partner, _ = PartnerOrganisation.objects.update_or_create(
                name=name, defaults={"kind": kind, "city": city, "state": state, "description": description,
                                     "collaborative": collaborative},
            )  # fmt: skip
            partners[name] = partner
            for district_name in served:
                Partnership.objects.update_or_create(
                    partner=partner, district=districts[district_name],
                    defaults={"start_date": demo.PARTNERSHIP_START, "focus": focus},
                )  # fmt: skip
        lead = districts[demo.COOP["lead"]]
        coop, _ = Coop.objects.update_or_create(
            name=demo.COOP["name"],
            defaults={
                "lead_district": lead,
                "receiving_site": Site.objects.get(district=lead, name=demo.COOP["site"]),
            },
        )
        coop.members.set([districts[n] for n in demo.COOP["members"]])

        targets = {
            "collaborative_admin": lambda t: {"collaborative": collaborative},
            "district_manager": lambda t: {"district": districts[t]},
            "district_viewer": lambda t: {"district": districts[t]},
            "partner_staff": lambda t: {"partner": partners[t]},
            "sda_reviewer": lambda t: {"state_agency": agencies[t]},
            "reference_data": lambda t: {},  # national: no organisation
        }
        created = []
        for email, first, last, role, target in demo.USERS:
            user = self._user(email, first, last, created)
            Membership.objects.get_or_create(user=user, role=role, **targets[role](target))
        self._user(*demo.SUPERUSER, created, superuser=True)
        from usda_foods.demo import seed_usda_foods

        notes: list[str] = []
        seed_usda_foods(out=notes)
        from agreements.demo import seed_agreements
        from agreements.forms import current_school_year

        seed_agreements(lab=collaborative, school_year=current_school_year(), out=notes)

        from partners.demo import seed_suppliers

        seed_suppliers(out=notes)

        from purchasing.demo import seed_purchasing

        seed_purchasing(out=notes)

        self.stdout.write(self.style.SUCCESS(
            f"Demo lab ready: {len(districts)} districts, {len(partners)} partners, "
            f"{Site.objects.filter(district__collaborative=collaborative).count()} sites."
        ))  # fmt: skip
        for note in notes:
            self.stdout.write(note)
        if created:
            self.stdout.write(f"Demo logins (created now; password for each: {demo.DEMO_PASSWORD}):")
            for line in created:
                self.stdout.write(f"  {line}")

    def _user(
        self, email: str, first: str, last: str, created: list[str], *, superuser: bool = False
    ) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            make = User.objects.create_superuser if superuser else User.objects.create_user
            user = make(email, demo.DEMO_PASSWORD, first_name=first, last_name=last)
            created.append(f"{email:32} {demo.DEMO_PASSWORD}")
        return user
