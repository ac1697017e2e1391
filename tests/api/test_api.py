"""The REST API: happy paths and every kind of bad input the issue names."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from symfonie.contacts.models import Contact, Customer, Identity, TimelineEntry
from symfonie.events.models import Event

JSON = "application/json"


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type=JSON)


def create_customer(client, **body):
    body.setdefault("name", "Truus Jansen")
    response = post(client, "/api/v1/customers", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_customer_with_identities_and_timeline_across_channels(api_anna):
    customer = create_customer(
        api_anna,
        identities=[
            {"kind": "phone", "value": "06 12345678"},
            {"kind": "email", "value": "T@Voorbeeld.nl"},
        ],
    )
    assert [i["value"] for i in customer["identities"]] == ["+31612345678", "t@voorbeeld.nl"]
    for n, channel in enumerate(
        ["letter", "voice", "webchat", "email", "whatsapp", "webform", "sms"]
    ):
        at = f"2026-10-{n + 1:02d}T09:00:00+02:00"
        contact = post(
            api_anna,
            "/api/v1/contacts",
            {"customer_id": customer["id"], "channel": channel, "arrived_at": at},
        )
        assert contact.status_code == 201
    timeline = api_anna.get(f"/api/v1/customers/{customer['id']}/timeline?limit=3")
    assert timeline.status_code == 200
    page = timeline.json()
    assert [i["channel"] for i in page["items"]] == ["sms", "webform", "whatsapp"]
    rest = api_anna.get(
        f"/api/v1/customers/{customer['id']}/timeline?limit=10&cursor={page['next_cursor']}"
    ).json()
    assert [i["channel"] for i in rest["items"]] == ["email", "webchat", "voice", "letter"]
    assert rest["next_cursor"] is None


def test_invalid_phone_is_422_naming_the_field_and_writes_nothing(api_anna):
    response = post(
        api_anna,
        "/api/v1/customers",
        {
            "name": "Jan",
            "identities": [
                {"kind": "email", "value": "jan@voorbeeld.nl"},
                {"kind": "phone", "value": "12"},
            ],
        },
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "identities[1].value"
    assert (
        not Customer.objects.exists()
        and not Identity.objects.exists()
        and not Event.objects.exists()
    )


def test_invalid_email_and_schema_errors_name_the_field(api_anna):
    response = post(
        api_anna, "/api/v1/customers", {"identities": [{"kind": "email", "value": "geen adres"}]}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "identities[0].value"
    response = post(api_anna, "/api/v1/customers", {"language": "xx"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "language"


def test_malformed_json_is_400(api_anna):
    response = api_anna.post("/api/v1/customers", data="{niet: json", content_type=JSON)
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_nul_characters_are_refused_not_a_database_error(api_anna):
    response = post(api_anna, "/api/v1/customers", {"name": "Jan\x00"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"


def test_illegal_transition_is_409(api_anna):
    customer = create_customer(api_anna)
    contact = post(
        api_anna, "/api/v1/contacts", {"customer_id": customer["id"], "channel": "voice"}
    ).json()
    ok = post(api_anna, f"/api/v1/contacts/{contact['id']}/transitions", {"to_state": "queued"})
    assert ok.status_code == 200 and ok.json()["queued_at"] is not None
    bad = post(api_anna, f"/api/v1/contacts/{contact['id']}/transitions", {"to_state": "wrap_up"})
    assert bad.status_code == 409
    assert bad.json()["errors"][0]["field"] == "to_state"
    assert Contact.objects.get(pk=contact["id"]).state == "queued"


def test_contact_life_cycle_records_timestamps_and_outcome(api_anna, agent_anna):
    customer = create_customer(api_anna)
    contact = post(
        api_anna, "/api/v1/contacts", {"customer_id": customer["id"], "channel": "webchat"}
    ).json()
    url = f"/api/v1/contacts/{contact['id']}/transitions"
    for state in ("queued", "offered"):
        assert post(api_anna, url, {"to_state": state}).status_code == 200
    assert post(api_anna, url, {"to_state": "active", "agent_id": agent_anna.pk}).status_code == 200
    assert post(api_anna, url, {"to_state": "wrap_up"}).status_code == 200
    done = post(api_anna, url, {"to_state": "closed", "outcome": "resolved"}).json()
    assert (
        done["state"] == "closed"
        and done["outcome"] == "resolved"
        and done["agent_id"] == agent_anna.pk
    )
    assert all(
        done[f] for f in ("queued_at", "offered_at", "answered_at", "ended_at", "wrap_up_ended_at")
    )


def test_repeated_provider_message_is_not_duplicated(api_anna):
    customer = create_customer(api_anna)
    contact = post(
        api_anna, "/api/v1/contacts", {"customer_id": customer["id"], "channel": "whatsapp"}
    ).json()
    body = {
        "author": "customer",
        "body": "Hallo",
        "external_id": "wamid.1",
        "channel_account": "wa-1",
    }
    first = post(api_anna, f"/api/v1/contacts/{contact['id']}/messages", body)
    again = post(api_anna, f"/api/v1/contacts/{contact['id']}/messages", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert TimelineEntry.objects.filter(kind="message").count() == 1


def test_oversized_upload_is_413_and_wrong_type_422(api_anna, settings):
    settings.MAX_ATTACHMENT_BYTES = 1000
    customer = create_customer(api_anna)
    contact = post(
        api_anna, "/api/v1/contacts", {"customer_id": customer["id"], "channel": "email"}
    ).json()
    message = post(
        api_anna,
        f"/api/v1/contacts/{contact['id']}/messages",
        {"author": "customer", "body": "zie bijlage"},
    ).json()
    url = f"/api/v1/messages/{message['id']}/attachments"
    big = api_anna.post(
        url, {"file": SimpleUploadedFile("brief.pdf", b"x" * 1001, "application/pdf")}
    )
    assert big.status_code == 413
    assert big.json()["errors"][0]["field"] == "file"
    exe = api_anna.post(
        url, {"file": SimpleUploadedFile("x.exe", b"MZ", "application/x-msdownload")}
    )
    assert exe.status_code == 422
    ok = api_anna.post(
        url, {"file": SimpleUploadedFile("brief.pdf", b"%PDF-1.4", "application/pdf")}
    )
    assert ok.status_code == 201 and ok.json()["size_bytes"] == 8


def test_cases_tasks_and_sla_due_dates(api_anna):
    customer = create_customer(api_anna)
    case = post(
        api_anna,
        "/api/v1/cases",
        {"customer_id": customer["id"], "subject": "Betalingsregeling", "priority": "high"},
    )
    assert case.status_code == 201
    case = case.json()
    assert case["reference"].startswith("D-") and case["resolution_due"] is not None
    task = post(
        api_anna,
        "/api/v1/tasks",
        {"case_id": case["id"], "team": "Huurincasso", "title": "Regeling vastleggen"},
    )
    assert task.status_code == 201 and not task.json()["breached"]
    done = post(api_anna, f"/api/v1/tasks/{task.json()['id']}/complete", {"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = post(api_anna, f"/api/v1/tasks/{task.json()['id']}/complete", {"status": "done"})
    assert again.status_code == 409
    patched = api_anna.patch(
        f"/api/v1/cases/{case['id']}", data=json.dumps({"escalation_level": 9}), content_type=JSON
    )
    assert patched.status_code == 422


def test_merge_and_undo_through_the_api_with_audit(api_bram, api_anna):
    a = create_customer(
        api_bram, name="Jan de Vries", identities=[{"kind": "postal", "value": "1234AB, 1"}]
    )
    b = create_customer(
        api_bram, name="Jan de Vries", identities=[{"kind": "postal", "value": "1234 AB, 3"}]
    )
    suggestions = api_bram.get("/api/v1/merge-suggestions").json()
    assert len(suggestions) == 1 and suggestions[0]["reason"] == "name_postcode"
    forbidden = post(
        api_anna, "/api/v1/merges", {"source_id": a["id"], "target_id": b["id"], "reason": "x"}
    )
    assert forbidden.status_code == 403
    merge = post(
        api_bram,
        "/api/v1/merges",
        {
            "source_id": a["id"],
            "target_id": b["id"],
            "reason": "zelfde adres",
            "suggestion_id": suggestions[0]["id"],
        },
    )
    assert merge.status_code == 201
    assert api_bram.get(f"/api/v1/customers/{a['id']}").json()["merged_into_id"] == b["id"]
    assert api_bram.get("/api/v1/merge-suggestions").json() == []
    undo = post(
        api_bram, f"/api/v1/merges/{merge.json()['id']}/undo", {"reason": "toch twee mensen"}
    )
    assert undo.status_code == 200 and undo.json()["undone_at"] is not None
    restored = api_bram.get(f"/api/v1/customers/{a['id']}").json()
    assert restored["is_active"] and [i["value"] for i in restored["identities"]] == ["1234AB 1"]
    again = post(api_bram, f"/api/v1/merges/{merge.json()['id']}/undo", {"reason": "nog eens"})
    assert again.status_code == 409


def test_unauthenticated_is_401_and_client_viewer_cannot_read_customers(client, tenant):
    assert client.get("/api/v1/customers").status_code == 401
    from tests.conftest import api_client_for, make_user

    viewer = api_client_for(make_user("rapport@example.nl", tenant, "client-viewer"), tenant)
    assert viewer.get("/api/v1/customers").status_code == 403


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/customers/{customer_id}/timeline" in response.json()["paths"]


def test_null_for_a_required_field_is_422_not_a_database_error(api_anna):
    customer = create_customer(api_anna)
    response = api_anna.patch(
        f"/api/v1/customers/{customer['id']}", data='{"name": null}', content_type=JSON
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "name"
    cleared = api_anna.patch(
        f"/api/v1/customers/{customer['id']}", data='{"birth_date": null}', content_type=JSON
    )
    assert cleared.status_code == 200
    case = post(api_anna, "/api/v1/cases", {"customer_id": customer["id"], "subject": "x"}).json()
    for field in ("subject", "status", "priority", "escalation_level"):
        response = api_anna.patch(
            f"/api/v1/cases/{case['id']}", data=json.dumps({field: None}), content_type=JSON
        )
        assert response.status_code == 422, field
        assert response.json()["errors"][0]["field"] == field


def test_a_time_without_timezone_is_refused(api_anna):
    customer = create_customer(api_anna)
    response = post(
        api_anna,
        "/api/v1/contacts",
        {"customer_id": customer["id"], "channel": "voice", "arrived_at": "2026-10-01T09:00:00"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "arrived_at"


def test_query_parameters_are_validated_not_passed_to_the_database(api_anna):
    assert api_anna.get("/api/v1/tasks", {"status": "open\x00"}).status_code == 422
    assert api_anna.get("/api/v1/merge-suggestions", {"status": "x"}).status_code == 422
    assert api_anna.get("/api/v1/customers", {"q": "jan\x00"}).status_code == 422


def test_search_finds_a_phone_number_in_any_notation(api_anna):
    customer = create_customer(api_anna, identities=[{"kind": "phone", "value": "+31612345678"}])
    for text in ("06-1234 5678", "0612345678", "Truus"):
        found = api_anna.get("/api/v1/customers", {"q": text}).json()
        assert [c["id"] for c in found] == [customer["id"]], text
    assert api_anna.get("/api/v1/customers", {"q": "0698765432"}).json() == []
