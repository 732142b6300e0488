"""The partner's day (dashboard) and the daily digest, sent once per person per day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from focus_lab.tasks import SENT_KEY
from partners.contacts.digest import digest_recipients
from partners.contacts.models import DigestSent
from partners.contacts.selectors import partner_day
from partners.contacts.services import FollowUpInput
from partners.suppliers import services
from partners.suppliers.models import Certification
from partners.tasks import supplier_digest
from tests.partners.supplier_fixtures import log, make_supplier

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)
NOON = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # midday in the app's time zone


@pytest.fixture
def day(collaborative, district, farm, partner_user, partner_b_user):
    creamery = make_supplier(collaborative, "Cedar Valley Creamery")
    quiet = make_supplier(collaborative, "Quiet Acres")
    for kind, expires in (("gap", TODAY - timedelta(days=1)), ("ghp", TODAY + timedelta(days=60)),
                          ("organic", TODAY + timedelta(days=61))):  # fmt: skip
        services.child_save(obj=Certification(supplier=farm, kind=kind, expires_on=expires))
    log(partner_user, farm, districts=[district], when=TODAY - timedelta(days=10), notes="Orchard visit",
        follow_ups=[FollowUpInput("Send spec", TODAY - timedelta(days=2), partner_user.pk),
                    FollowUpInput("Call back", TODAY + timedelta(days=5), partner_user.pk),
                    FollowUpInput("Next season", TODAY + timedelta(days=40), partner_user.pk)])  # fmt: skip
    log(partner_user, creamery, when=TODAY - timedelta(days=200), notes="Long ago")
    log(partner_b_user, quiet, when=TODAY - timedelta(days=3), notes="Bravo's call",
        follow_ups=[FollowUpInput("Bravo's task", TODAY - timedelta(days=9), partner_b_user.pk)])  # fmt: skip
    return {"creamery": creamery, "quiet": quiet}


def test_the_partners_day(day, partner_user, farm):
    result = partner_day(partner_user, today=TODAY)
    assert (result.overdue, result.upcoming) == (1, 1)  # Bravo's overdue task is not ours
    assert [f.what for f in result.follow_ups] == ["Send spec", "Call back"]
    # expired yesterday and expiring on day 60 count; day 61 does not
    assert result.certs_due == 2 and [c.kind for c in result.certs] == ["gap", "ghp"]
    # not contacted by us in six months: the creamery (200 days ago) and Quiet Acres (only Bravo)
    assert result.quiet == 2 and [s.name for s in result.quiet_suppliers] == [
        "Cedar Valley Creamery",
        "Quiet Acres",
    ]
    assert [n.notes for n in result.recent] == ["Orchard visit"]


def test_dashboard_shows_the_supplier_section(day, client_for, partner_user):
    with time_machine.travel(NOON, tick=False):
        html = client_for(partner_user).get(reverse("dashboard")).content.decode()
    assert "Suppliers and contacts" in html and "Overdue since Nov 29, 2026: Send spec" in html
    assert "GAP expired on Nov 30, 2026" in html and "Bravo" not in html
    assert 'data-testid="recent-activity"' in html


def test_digest_goes_out_once_per_person_per_day(day, partner_user, partner_b_user, collab_admin,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    for user in (partner_user, partner_b_user, collab_admin):  # earlier runs' email claims (same ids)
        for d in (TODAY, TODAY + timedelta(days=1)):
            cache.delete(SENT_KEY.format(message_id=f"supplier-digest:{user.pk}:{d.isoformat()}"))
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert set(digest_recipients(today=TODAY)) == {partner_user.pk, partner_b_user.pk, collab_admin.pk}
        sent = supplier_digest.delay().get()
        again = supplier_digest.delay().get()
    assert (sent, again) == (3, 0)
    assert DigestSent.objects.count() == 3
    ours = next(m for m in mail.outbox if m.to == [partner_user.email])
    assert (
        "Send spec (OVERDUE since Nov 29, 2026)" in ours.body and "Call back (due" not in ours.body
    )  # 5 days out
    assert "Hanson Family Orchard: USDA GAP expired on Nov 30, 2026" in ours.body
    assert "Bravo's task" not in ours.body
    assert len(mail.outbox) == 3
    with (
        time_machine.travel(NOON + timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert supplier_digest.delay().get() == 3  # a new day, a new digest
