"""Every API endpoint, called with another tenant's ids, answers 404: no leak, no change."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from symfonie.api.v1 import api
from symfonie.contacts.actions.cases import do_create_task, do_open_case
from symfonie.contacts.actions.customers import do_create_customer
from symfonie.contacts.actions.interactions import do_add_message, do_create_contact
from symfonie.contacts.actions.merges import do_merge_customers
from symfonie.contacts.models import MergeSuggestion
from symfonie.events.models import Event
from symfonie.tenants.scoping import Tenancy

# a valid body per operation, so that only the foreign ids can make it fail
BODIES = {
    ("patch", "/customers/{customer_id}"): {"name": "Overgenomen"},
    ("post", "/customers/{customer_id}/identities"): {"kind": "email", "value": "x@voorbeeld.nl"},
    ("post", "/customers/{customer_id}/notes"): {"body": "notitie"},
    ("post", "/contacts/{contact_id}/transitions"): {"to_state": "queued"},
    ("put", "/contacts/{contact_id}/topics"): {"topic_ids": []},
    ("post", "/contacts/{contact_id}/satisfaction"): {"score": 5},
    ("post", "/contacts/{contact_id}/messages"): {"author": "agent", "body": "hallo"},
    ("patch", "/cases/{case_id}"): {"status": "closed"},
    ("post", "/tasks/{task_id}/complete"): {"status": "done"},
    ("post", "/merge-suggestions/{suggestion_id}/dismiss"): {"reason": "x"},
    ("post", "/merges/{merge_id}/undo"): {"reason": "x"},
    ("post", "/contacts/{contact_id}/replies"): {"text": "hallo"},
    ("post", "/routing/agents/{user_id}/presence"): {"presence": "available"},
    ("put", "/routing/agents/{user_id}/skills"): {"skills": {}},
    ("post", "/routing/contacts/{contact_id}/queue"): {"queue": "chat"},
    ("post", "/routing/contacts/{contact_id}/wrap-up"): {"topics": [], "outcome": "resolved"},
    ("post", "/routing/contacts/{contact_id}/transfer"): {"queue": "chat"},
    ("post", "/routing/contacts/{contact_id}/escalate"): {"note": ""},
}


@pytest.fixture
def foreign(tenant, supervisor_bram):
    """Rows of the first tenant, which outsider_olga (other tenant) must never reach."""
    tenancy = Tenancy(tenant=tenant, user=supervisor_bram, role="supervisor")
    customer = do_create_customer(tenant, name="Jan de Vries", identities=[("postal", "1234AB, 1")])
    twin = do_create_customer(tenant, name="Jan de Vries", identities=[("postal", "1234AB, 2")])
    third = do_create_customer(tenant, name="Piet")
    contact = do_create_contact(customer, channel="email")
    message, _ = do_add_message(contact, author="customer", body="vraag")
    case = do_open_case(customer, subject="dossier")
    task = do_create_task(case, team="Backoffice", title="taak")
    merge = do_merge_customers(tenancy, third, twin, "test")
    return {
        "customer_id": customer.pk,
        "contact_id": contact.pk,
        "message_id": message.pk,
        "case_id": case.pk,
        "task_id": task.pk,
        "merge_id": merge.pk,
        "suggestion_id": MergeSuggestion.objects.get().pk,
        "twin_id": twin.pk,
        "user_id": supervisor_bram.pk,
    }


def operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method, path.removeprefix("/api/v1")


def test_every_endpoint_with_a_foreign_id_is_404(api_olga, foreign):
    events_before = Event.objects.count()
    checked = 0
    for method, path in operations():
        params = re.findall(r"{(\w+)}", path)
        if not params:
            continue
        url = "/api/v1" + path.format(**{p: foreign[p] for p in params})
        if path == "/messages/{message_id}/attachments":
            response = api_olga.post(
                url, {"file": SimpleUploadedFile("a.pdf", b"%PDF", "application/pdf")}
            )
        else:
            body = BODIES.get((method, path))
            kwargs = (
                {"data": json.dumps(body), "content_type": "application/json"}
                if body is not None
                else {}
            )
            response = getattr(api_olga, method)(url, **kwargs)
        assert response.status_code == 404, (method, path, response.status_code, response.content)
        checked += 1
    assert checked >= 17
    assert Event.objects.count() == events_before  # nothing changed


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/contacts", lambda f: {"customer_id": f["customer_id"], "channel": "voice"}),
        ("/api/v1/cases", lambda f: {"customer_id": f["customer_id"], "subject": "x"}),
        ("/api/v1/tasks", lambda f: {"case_id": f["case_id"], "team": "t", "title": "x"}),
        (
            "/api/v1/merges",
            lambda f: {"source_id": f["customer_id"], "target_id": f["twin_id"], "reason": "x"},
        ),
    ],
)
def test_foreign_ids_in_a_body_are_404(api_olga, foreign, url, body):
    response = api_olga.post(url, data=json.dumps(body(foreign)), content_type="application/json")
    assert response.status_code == 404


def test_lists_show_only_the_own_tenant(api_olga, foreign):
    assert api_olga.get("/api/v1/customers").json() == []
    assert api_olga.get("/api/v1/merge-suggestions").json() == []
    assert api_olga.get("/api/v1/merges").json() == []
    assert api_olga.get("/api/v1/tasks").json() == []
    assert api_olga.get("/api/v1/events").json()["items"] == []
