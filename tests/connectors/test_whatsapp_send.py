"""Replies through the local Cloud API peer: the 24-hour window, templates, idempotency,
provider errors, and delivery status reconciled from status webhooks (also out of order)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from symfonie.connectors.inbound import MAX_ATTEMPTS, process_pending
from symfonie.connectors.models import InboundEvent, OutboundMessage
from symfonie.connectors.outbound import deliver
from symfonie.contacts.models import Contact, Message
from symfonie.contacts.snapshot import state_of
from symfonie.events.models import Event
from symfonie.events.replay import replay
from symfonie.events.schemas import parse
from tests.connectors.conftest import fixture

pytestmark = pytest.mark.urls("tests.connectors.urls")
WA_ID = "16505551234"


@pytest.fixture
def contact(hooks, account) -> Contact:
    """A contact whose customer wrote just now (the window is open)."""
    now = int(timezone.now().timestamp())
    hooks.post(fixture("text", id="wamid.in1", timestamp=str(now - 60)))
    process_pending(account)
    return Contact.objects.get()


def reply(api, contact, **body):
    return api.post(f"/api/v1/contacts/{contact.pk}/replies", body, content_type="application/json")


def status(hooks, wamid, name, ts, **extra):
    document = fixture(f"status_{name}", id=wamid, timestamp=str(ts), **extra)
    return hooks.post(document)


def test_free_text_inside_the_window(api_anna, contact, peer, hooks, account):
    response = reply(api_anna, contact, text="Ja, ook in het blauw.", idempotency_key="k1")
    assert response.status_code == 202
    assert response.json()["delivery_status"] == "pending"
    outbound = OutboundMessage.objects.get()
    assert outbound.message.body == "Ja, ook in het blauw."
    assert peer.requests == []  # persisted first, sent by the task

    assert deliver(outbound.pk) == "accepted"
    assert peer.requests == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": WA_ID,
            "biz_opaque_callback_data": "k1",
            "type": "text",
            "text": {"preview_url": False, "body": "Ja, ook in het blauw."},
        }
    ]
    message = Message.objects.get(pk=outbound.message_id)
    assert message.delivery_status == "sent"
    assert message.external_id == "wamid.PEER00000001"

    now = int(timezone.now().timestamp())
    # out of order: read before delivered; a duplicate; a stale "sent"
    status(hooks, "wamid.PEER00000001", "read", now + 5)
    status(hooks, "wamid.PEER00000001", "delivered", now + 2)
    status(hooks, "wamid.PEER00000001", "delivered", now + 2)
    status(hooks, "wamid.PEER00000001", "sent", now + 1)
    process_pending(account)
    message.refresh_from_db()
    assert message.delivery_status == "read"
    # processed in provider order: sent (API answer), delivered, read; stale and duplicate add nothing
    assert Event.objects.filter(type="message.delivery_updated").count() == 3
    events = Event.objects.filter(tenant=contact.tenant).order_by("id")
    assert replay(parse(e.type, e.payload) for e in events) == state_of(contact.tenant)


def test_a_retry_never_sends_twice(api_anna, contact, peer):
    first = reply(api_anna, contact, text="Eén keer", idempotency_key="same")
    again = reply(api_anna, contact, text="Eén keer", idempotency_key="same")
    header = api_anna.post(
        f"/api/v1/contacts/{contact.pk}/replies",
        {"text": "Eén keer"},
        content_type="application/json",
        headers={"Idempotency-Key": "same"},
    )
    assert (first.status_code, again.status_code, header.status_code) == (202, 200, 200)
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "accepted"
    assert deliver(outbound.pk) == "accepted"  # a second task run finds nothing to claim
    assert len(peer.requests) == 1
    assert Message.objects.filter(author="agent").count() == 1


def test_a_lost_response_is_reconciled_from_the_status_webhook(
    api_anna, contact, peer, hooks, account
):
    peer.drop_next = 1
    reply(api_anna, contact, text="Verloren antwoord", idempotency_key="lost-1")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "unknown"
    assert deliver(outbound.pk) == "unknown"  # never re-sent blindly
    assert len(peer.requests) == 1
    now = int(timezone.now().timestamp())
    status(hooks, "wamid.PEER00000001", "delivered", now, biz_opaque_callback_data="lost-1")
    process_pending(account)
    outbound.refresh_from_db()
    assert outbound.status == "accepted"
    message = outbound.message
    message.refresh_from_db()
    assert (message.external_id, message.delivery_status) == ("wamid.PEER00000001", "delivered")


def test_the_window_closed_allows_only_templates(api_anna, hooks, account, peer):
    old = int((timezone.now() - timedelta(hours=25)).timestamp())
    hooks.post(fixture("text", id="wamid.old", timestamp=str(old)))
    process_pending(account)
    contact = Contact.objects.get()

    options = api_anna.get(f"/api/v1/contacts/{contact.pk}/reply-options").json()
    assert options["window_open"] is False
    assert [t["name"] for t in options["templates"]] == ["case_update"]

    refused = reply(api_anna, contact, text="Hallo?")
    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert "24-hour customer-service window is closed" in refused.json()["detail"]
    assert Message.objects.filter(author="agent").count() == 0

    assert reply(api_anna, contact, template="old_promo", language="nl").status_code == 422
    assert (
        reply(
            api_anna, contact, template="case_update", language="en", parameters=["a", "b"]
        ).status_code
        == 422
    )
    assert (
        reply(
            api_anna, contact, template="case_update", language="nl", parameters=["a"]
        ).status_code
        == 422
    )

    ok = reply(
        api_anna, contact, template="case_update", language="nl", parameters=["Sheena", "M-12"]
    )
    assert ok.status_code == 202
    outbound = OutboundMessage.objects.get()
    assert outbound.message.body == "Beste Sheena, er is nieuws over uw melding M-12."
    assert deliver(outbound.pk) == "accepted"
    assert peer.requests[0]["template"] == {
        "name": "case_update",
        "language": {"code": "nl"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Sheena"},
                    {"type": "text", "text": "M-12"},
                ],
            }
        ],
    }


def test_provider_refusal_131047_marks_the_message_failed(api_anna, contact, peer):
    peer.outside_window.add(WA_ID)  # Meta's clock says the window closed
    reply(api_anna, contact, text="Te laat")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "failed"
    outbound.refresh_from_db()
    assert outbound.error_code == "131047"
    assert "24 hours" in outbound.error
    assert outbound.message.delivery_status == "failed"


def test_rate_limit_is_retried_with_backoff(api_anna, contact, peer):
    peer.rate_limited = 1
    reply(api_anna, contact, text="Even geduld")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "queued"
    outbound.refresh_from_db()
    assert outbound.error_code == "130429"
    assert outbound.next_attempt_at > timezone.now()
    assert deliver(outbound.pk) == "accepted"
    assert len(peer.requests) == 2
    assert peer.sent == 1


def test_connection_refused_is_retried(api_anna, contact, account):
    account.base_url = "http://127.0.0.1:9"  # discard port: nothing listens
    account.save()
    reply(api_anna, contact, text="Niemand thuis")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "queued"


def test_failed_status_webhook_carries_the_reason(api_anna, contact, hooks, account):
    reply(api_anna, contact, text="Mislukt")
    outbound = OutboundMessage.objects.get()
    deliver(outbound.pk)
    status(hooks, "wamid.PEER00000001", "failed", int(timezone.now().timestamp()))
    process_pending(account)
    outbound.refresh_from_db()
    assert outbound.status == "failed"
    assert outbound.error_code == "131047"
    assert outbound.message.delivery_status == "failed"
    event = Event.objects.filter(type="message.delivery_updated").last()
    assert event.payload["error"].startswith("131047")


def test_a_status_for_an_unknown_message_waits_then_goes_to_review(hooks, account):
    status(hooks, "wamid.NOBODY", "delivered", 1750263774)
    for _ in range(MAX_ATTEMPTS - 1):
        process_pending(account)
        assert InboundEvent.objects.get().status == "pending"
    process_pending(account)
    assert InboundEvent.objects.get().status == "review"


def test_other_tenants_cannot_reply(api_olga, contact):
    response = reply(api_olga, contact, text="Niet van mij")
    assert response.status_code == 404
    assert OutboundMessage.objects.count() == 0
