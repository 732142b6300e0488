"""The letters API: tenancy (404), roles (403), state refusals (400), the evidence trail readable,
and the actions issue, send, sign, countersign, decline, withdraw, renew."""

from __future__ import annotations

import pytest

from agreements.models import Letter
from agreements.rules import State

pytestmark = pytest.mark.django_db


def _sign_body(letter: Letter, **extra: object) -> dict[str, object]:
    return {"consent": True, "typed_name": "Dana Okafor", "title": "Director", "letter_sha256": letter.text_sha256,
            "tz": "America/Chicago"} | extra  # fmt: skip


def test_outsider_gets_404(outsider_api, sent, template):
    assert outsider_api.get(f"/api/v1/letters/{sent.pk}/").status_code == 404
    assert (
        outsider_api.post(f"/api/v1/letters/{sent.pk}/sign/", _sign_body(sent), format="json").status_code
        == 404
    )
    assert outsider_api.get(f"/api/v1/letter-templates/{template.pk}/").status_code == 404
    assert outsider_api.get("/api/v1/letters/").json()["results"] == []


def test_the_whole_flow_through_the_api(
    api_for, collab_admin, manager, version, district, partner, partner_user
):
    admin = api_for(collab_admin)
    issued = admin.post("/api/v1/letters/issue/", {"version": version.pk, "school_year": 2026, "everyone": True},
                        format="json")  # fmt: skip
    assert issued.status_code == 201 and len(issued.json()["issued"]) == 2
    letters = {row["party_kind"]: row["id"] for row in issued.json()["issued"]}
    for pk in letters.values():
        assert admin.post(f"/api/v1/letters/{pk}/send/").json()["state"] == "sent"
    letter = Letter.objects.get(pk=letters["district"])
    signed = api_for(manager).post(f"/api/v1/letters/{letter.pk}/sign/", _sign_body(letter), format="json",
                                   REMOTE_ADDR="192.0.2.8", HTTP_USER_AGENT="curl/8")  # fmt: skip
    assert signed.status_code == 200 and signed.json()["state"] == "signed"
    evidence = signed.json()["signatures"][0]
    assert (evidence["ip_address"], evidence["user_agent"], evidence["timezone"]) == (
        "192.0.2.8",
        "curl/8",
        "America/Chicago",
    )
    assert evidence["letter_sha256"] == letter.text_sha256 and len(evidence["consent_sha256"]) == 64
    again = api_for(manager).post(f"/api/v1/letters/{letter.pk}/sign/", _sign_body(letter), format="json")
    assert again.status_code == 400 and "already signed" in str(again.json())
    done = admin.post(
        f"/api/v1/letters/{letter.pk}/countersign/", _sign_body(letter, typed_name="Avery"), format="json"
    )
    assert done.json()["state"] == "countersigned" and len(done.json()["pdf_sha256"]) == 64
    kinds = [event["kind"] for event in admin.get(f"/api/v1/letters/{letter.pk}/").json()["events"]]
    assert kinds == ["issued", "emailed", "signed", "countersigned", "sealed"]
    declined = api_for(partner_user).post(f"/api/v1/letters/{letters['partner']}/decline/",
                                          {"reason": "Board has not approved"}, format="json")  # fmt: skip
    assert (
        declined.json()["state"] == "declined"
        and declined.json()["decline_reason"] == "Board has not approved"
    )
    renewed = admin.post("/api/v1/letters/renew/", {"collaborative": letter.collaborative_id, "from_year": 2026,
                                                    "to_year": 2027}, format="json")  # fmt: skip
    assert [row["party_name"] for row in renewed.json()["issued"]] == ["Alpha Public Schools"]


def test_roles_that_may_not_act_get_403(api_for, viewer, manager, sent, partner_user):
    assert (
        api_for(viewer).post(f"/api/v1/letters/{sent.pk}/sign/", _sign_body(sent), format="json").status_code
        == 403
    )
    assert api_for(partner_user).get(f"/api/v1/letters/{sent.pk}/").status_code == 404
    assert api_for(manager).post(f"/api/v1/letters/{sent.pk}/withdraw/", {}, format="json").status_code == 403
    assert (
        api_for(manager)
        .post(f"/api/v1/letters/{sent.pk}/countersign/", _sign_body(sent), format="json")
        .status_code
        == 403
    )
    assert api_for(manager).post("/api/v1/letters/issue/", {}, format="json").status_code == 403


def test_state_refusals_are_400(api_for, collab_admin, manager, draft):
    assert (
        api_for(manager)
        .post(f"/api/v1/letters/{draft.pk}/sign/", _sign_body(draft), format="json")
        .status_code
        == 400
    )
    admin = api_for(collab_admin)
    assert (
        admin.post(f"/api/v1/letters/{draft.pk}/withdraw/", {"reason": "x"}, format="json").json()["state"]
        == State.WITHDRAWN
    )
    assert admin.post(f"/api/v1/letters/{draft.pk}/send/").status_code == 400


def test_templates_api_versions(api_for, collab_admin, template, manager):
    admin = api_for(collab_admin)
    current = admin.get(f"/api/v1/letter-templates/{template.pk}/").json()["current"]
    body = {key: current[key] for key in ("title", "introduction", "gives_both", "gives_districts", "gives_partners",
                                          "gets", "closing", "formality", "term")} | {"title": "API letter"}  # fmt: skip
    revised = admin.post(f"/api/v1/letter-templates/{template.pk}/revise/", body, format="json")
    assert revised.status_code == 200 and revised.json()["current"]["number"] == 2
    assert len(admin.get(f"/api/v1/letter-templates/{template.pk}/versions/").json()) == 2
    assert api_for(manager).get(f"/api/v1/letter-templates/{template.pk}/").status_code == 404
    created = admin.post("/api/v1/letter-templates/", body | {"collaborative": template.collaborative_id,
                                                              "name": "Formal"}, format="json")  # fmt: skip
    assert created.status_code == 201


def test_the_schema_documents_the_actions(api_for, collab_admin):
    schema = api_for(collab_admin).get("/api/schema/?format=json").json()
    for path in ("/api/v1/letters/issue/", "/api/v1/letters/{id}/sign/", "/api/v1/letters/{id}/countersign/",
                 "/api/v1/letters/{id}/decline/", "/api/v1/letters/{id}/withdraw/", "/api/v1/letters/{id}/send/",
                 "/api/v1/letters/renew/", "/api/v1/letter-templates/"):  # fmt: skip
        assert path in schema["paths"], path


def test_letter_list_query_count_does_not_grow(api_for, collab_admin, version, collaborative, district,
                                               django_assert_max_num_queries):  # fmt: skip
    from agreements import services
    from tests.factories import DistrictFactory

    client = api_for(collab_admin)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/letters/").status_code == 200
        return len(queries)

    services.letter_issue(version=version, party=district, school_year=2026, user=collab_admin)
    small = count()
    for _ in range(5):
        services.letter_issue(version=version, user=collab_admin, school_year=2026,
                              party=DistrictFactory(collaborative=collaborative, state_agency=district.state_agency))  # fmt: skip
    assert count() == small


def test_editing_after_signing_is_refused_through_the_api(
    api_for, collab_admin, manager, sent, draft, template
):
    from agreements import services
    from agreements.services.templates import CONTENT_FIELDS

    content = {key: getattr(template.current, key) for key in CONTENT_FIELDS} | {"title": "Revised"}
    services.template_revise(template=template, content=content, user=collab_admin)
    admin = api_for(collab_admin)
    signed = api_for(manager).post(f"/api/v1/letters/{sent.pk}/sign/", _sign_body(sent), format="json")
    assert signed.status_code == 200
    refused = admin.post(f"/api/v1/letters/{sent.pk}/update_text/")
    assert refused.status_code == 400 and "never changes" in str(refused.json())
    assert api_for(manager).post(f"/api/v1/letters/{sent.pk}/update_text/").status_code == 403


def test_a_draft_takes_the_new_version_through_the_api(api_for, collab_admin, draft, template):
    from agreements import services
    from agreements.services.templates import CONTENT_FIELDS

    content = {key: getattr(template.current, key) for key in CONTENT_FIELDS} | {"title": "Revised"}
    services.template_revise(template=template, content=content, user=collab_admin)
    body = api_for(collab_admin).post(f"/api/v1/letters/{draft.pk}/update_text/").json()
    assert body["template_version"] == 2 and body["text"].startswith("Revised")
