"""A co-op's storage (each member's cases on hand at the receiving site), pickups (never more than
on hand, even at once), storage fees on the monthly statement after the free days, and the
optional receipt photo. Hand-checked numbers; as each user; outsiders 404."""

from __future__ import annotations

import io
import os
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from focus_lab.errors import DomainError
from tests.usda_foods.deliveries_fixtures import released
from tests.usda_foods.threads import at_once
from usda_foods.deliveries.selectors import statement_lines
from usda_foods.deliveries.services import receipt_record, storage_pickup_record
from usda_foods.models import FeeSchedule, Receipt, StoragePickup

DELIVERED = date(2019, 10, 1)  # the fixture window's first delivery day


def receive(world, manager) -> dict:
    beans = world["beans_delivery"]  # 100 cases to the co-op's site at Alpha: Alpha 60, Delta 40 expected
    receipt_record(delivery_id=beans.pk, received_on=DELIVERED, cases_received=90, reason="damaged",
                   user=manager, today=DELIVERED)  # fmt: skip
    # 10 short, shared 6 / 4: Alpha holds 54, Delta 36
    world["coop"] = world["site"].coops_receiving.get()
    return world


@pytest.fixture
def world(district, manager, mn_agency, sda_reviewer):
    return receive(released(district, manager, mn_agency, sda_reviewer), manager)


def storage_url(world) -> str:
    return reverse("usda_foods:coop-storage", args=[world["coop"].pk])


@pytest.mark.django_db
def test_the_lead_sees_every_members_cases_on_hand_and_a_member_its_own(
    world, member_client, client_for, outsider_client, api_for, manager, outsider_api
):
    page = member_client.get(storage_url(world)).content.decode()
    assert "Alpha Public Schools" in page and "Delta Schools" in page and "Record a pickup" in page
    rows = api_for(manager).get(f"/api/v1/coop-storage/{world['coop'].pk}/").json()
    assert rows["lead"] is True
    assert [(r["district_name"], r["received"], r["picked_up"], r["on_hand"]) for r in rows["rows"]] == [
        ("Alpha Public Schools", 54, 0, 54), ("Delta Schools", 36, 0, 36)]  # fmt: skip
    delta = client_for(world["delta_manager"]).get(storage_url(world)).content.decode()
    assert (
        "Delta Schools" in delta
        and "Alpha Public Schools</td>" not in delta
        and "Record a pickup" not in delta
    )
    own = api_for(world["delta_manager"]).get(f"/api/v1/coop-storage/{world['coop'].pk}/").json()
    assert own["lead"] is False and [r["on_hand"] for r in own["rows"]] == [36]
    assert outsider_client.get(storage_url(world)).status_code == 404
    assert outsider_api.get(f"/api/v1/coop-storage/{world['coop'].pk}/").status_code == 404


@pytest.mark.django_db
def test_pickups_leave_the_cases_on_hand_never_more(world, member_client, client_for, api_for, manager):
    beans, delta = world["beans"], world["delta"]
    form = {"district": delta.pk, "food": beans.pk, "cases": 10, "picked_up_on": "2019-12-15", "notes": ""}
    assert member_client.post(storage_url(world), form).status_code == 302
    too_many = member_client.post(storage_url(world), {**form, "cases": 27})
    assert too_many.status_code == 400
    assert "Delta Schools has 26 cases of" in too_many.content.decode()
    assert client_for(world["delta_manager"]).post(storage_url(world), form).status_code == 403
    api = api_for(manager)
    made = api.post("/api/v1/storage-pickups/", {**form, "coop": world["coop"].pk, "cases": 6}, format="json")
    assert made.status_code == 201 and made.json()["cases"] == 6
    refused = api.post(
        "/api/v1/storage-pickups/", {**form, "coop": world["coop"].pk, "cases": 21}, format="json"
    )
    assert refused.status_code == 400 and "cases" in refused.json()
    member_api = api_for(world["delta_manager"])
    assert (
        member_api.post(
            "/api/v1/storage-pickups/", {**form, "coop": world["coop"].pk}, format="json"
        ).status_code
        == 400
    )
    assert [p["cases"] for p in member_api.get("/api/v1/storage-pickups/").json()["results"]] == [6, 10]
    rows = api.get(f"/api/v1/coop-storage/{world['coop'].pk}/").json()["rows"]
    assert [(r["district_name"], r["on_hand"]) for r in rows] == [
        ("Alpha Public Schools", 54),
        ("Delta Schools", 20),
    ]


@pytest.mark.django_db
def test_storage_fees_after_the_free_days_on_the_monthly_statement(world, mn_agency, manager, client_for):
    FeeSchedule.objects.create(state_agency=mn_agency, effective_from=date(2019, 7, 1),
                               storage_fee_per_case_month=D("0.35"), storage_free_days=90)  # fmt: skip
    delta = world["delta"]

    def storage(first: date, last: date) -> list[tuple]:
        lines = statement_lines(district_id=delta.pk, state_agency_id=mn_agency.pk, first=first, last=last)
        return [(line.on, line.cases, line.amount) for line in lines if line.fee == "Storage"]

    # Received Oct 1 with 90 free days: Dec 30 is the last free day, Dec 31 the first charge.
    assert storage(date(2019, 12, 30), date(2019, 12, 30)) == []
    assert storage(date(2019, 12, 31), date(2019, 12, 31)) == [
        (date(2019, 12, 31), 36, D("12.60"))
    ]  # 36 x $0.35
    # Delta picks up 10 on Dec 15: 26 held on Dec 31 -> $9.10; then Jan 30: still 26 -> $9.10.
    storage_pickup_record(coop=world["coop"], district=delta, food=world["beans"], cases=10,
                          picked_up_on=date(2019, 12, 15), user=manager, today=date(2019, 12, 15))  # fmt: skip
    assert storage(date(2019, 12, 1), date(2019, 12, 31)) == [(date(2019, 12, 31), 26, D("9.10"))]
    assert storage(date(2020, 1, 1), date(2020, 1, 31)) == [(date(2020, 1, 30), 26, D("9.10"))]
    csv = client_for(world["delta_manager"]).get(
        reverse("usda_foods:fee-statement", args=[delta.pk]) + "?month=2019-12"
    )
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[1] == ("2019-12-31,Received 10/01/2019,\"Beans, green, canned\",Alpha Warehouse,26,,Storage,"
                        "$0.3500/case a month after 90 free days,9.10")  # fmt: skip
    assert lines[-1] == ",,,,,,Total,,9.10"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_pickups_never_take_more_than_on_hand(district, manager, mn_agency, sda_reviewer):
    world = receive(released(district, manager, mn_agency, sda_reviewer), manager)

    def pick() -> None:
        storage_pickup_record(coop=world["coop"], district=world["delta"], food=world["beans"], cases=20,
                              picked_up_on=date(2019, 12, 1), user=manager, today=date(2019, 12, 1))  # fmt: skip

    outcomes = at_once(pick, 3)  # 3 x 20 asked of 36 on hand: one fits
    assert sorted(o[:22] for o in outcomes) == ["Delta Schools has 16 c"] * 2 + ["ok"]
    assert sum(StoragePickup.objects.values_list("cases", flat=True)) == 20


def png(size: tuple[int, int] = (40, 30), noise: bool = False) -> bytes:
    image = (
        Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
        if noise
        else Image.new("RGB", size, "teal")
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_a_receipt_photo_is_optional_checked_and_shown_only_to_those_who_see_the_delivery(
    district, manager, mn_agency, sda_reviewer, member_client, outsider_client, media
):
    world = released(district, manager, mn_agency, sda_reviewer)
    beans = world["beans_delivery"]
    url = reverse("usda_foods:delivery-detail", args=[beans.pk])
    form = {"received_on": "2019-10-01", "cases_received": 100, "reason": "", "notes": ""}
    not_an_image = member_client.post(url, {**form, "photo": SimpleUploadedFile("bol.png", b"not a png")})
    assert not_an_image.status_code == 400 and "Upload a valid image" in not_an_image.content.decode()
    big = png((1400, 1400), noise=True)
    assert len(big) > 5 * 1024 * 1024
    too_big = member_client.post(url, {**form, "photo": SimpleUploadedFile("bol.png", big)})
    assert too_big.status_code == 400 and "at most 5 MB" in too_big.content.decode()
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    wrong = member_client.post(url, {**form, "photo": SimpleUploadedFile("bol.gif", gif.getvalue())})
    assert wrong.status_code == 400 and "JPEG, PNG, WebP" in wrong.content.decode()
    assert not Receipt.objects.exists()
    ok = member_client.post(url, {**form, "photo": SimpleUploadedFile("bol.png", png())}, follow=True)
    receipt = Receipt.objects.get()
    assert (
        receipt.photo.name.startswith("receipts/2") and 'data-testid="receipt-photo"' in ok.content.decode()
    )
    photo = member_client.get(receipt.photo_url)
    assert photo.status_code == 200 and b"".join(photo.streaming_content) == png()
    assert outsider_client.get(receipt.photo_url).status_code == 404


@pytest.mark.django_db
def test_a_receipt_photo_through_the_api(district, manager, mn_agency, sda_reviewer, api_for, media):
    world = released(district, manager, mn_agency, sda_reviewer)
    beans = world["beans_delivery"]
    api = api_for(manager)
    bad = api.post(f"/api/v1/deliveries/{beans.pk}/receipt/", {"received_on": "2019-10-01", "cases_received": 100,
                   "photo": SimpleUploadedFile("x.png", b"nope")}, format="multipart")  # fmt: skip
    assert bad.status_code == 400 and "photo" in bad.json()
    response = api.post(f"/api/v1/deliveries/{beans.pk}/receipt/", {"received_on": "2019-10-01", "cases_received": 100,
                        "photo": SimpleUploadedFile("x.png", png())}, format="multipart")  # fmt: skip
    assert response.status_code == 200
    assert response.json()["receipt"]["photo_url"] == reverse("usda_foods:receipt-photo", args=[beans.pk])
    with pytest.raises(DomainError):  # and still one receipt per delivery
        receipt_record(delivery_id=beans.pk, received_on=date(2019, 10, 1), cases_received=1, reason="damaged",
                       user=manager, today=date(2019, 10, 2))  # fmt: skip
