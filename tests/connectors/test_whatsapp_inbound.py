"""WhatsApp webhooks end to end: every message type of Meta's examples, each also delivered
tampered, duplicated, replayed after processing and out of order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from symfonie.connectors.inbound import MAX_ATTEMPTS, process_pending
from symfonie.connectors.models import InboundEvent
from symfonie.contacts.actions.customers import do_create_customer
from symfonie.contacts.models import Attachment, Contact, Customer, Identity, Message
from symfonie.events.models import Event
from tests.connectors.conftest import APP_SECRET, fixture

pytestmark = pytest.mark.django_db(transaction=False)

EXPECTED = {
    "text": "Does it come in another color?",
    "reaction": "👍 reaction to wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA",
    "image": "Taj Mahal",
    "location": "📍 Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301 "
    "(37.44221496582, -122.16165924072) https://philzcoffee.com/",
    "contacts": "👤 Lucía Gómez +1 (983) 555-2319",
    "button": "Unsubscribe",
    "list_reply": "Priority Mail Express — Next Day to 2 Days [priority_express]",
    "button_reply": "Cancel [cancel-button]",
    "document": "Invoice",
    "audio": "[audio]",
}
MEDIA = {
    "image": ("1003383421387256", b"\xff\xd8\xff\xe0 jpeg bytes", "image/jpeg"),
    "document": ("2003383421387256", b"%PDF-1.4 invoice", "application/pdf"),
    "audio": ("3003383421387256", b"OggS voice", "audio/ogg"),
}


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (InboundEvent, Message, Contact, Customer, Event, Attachment, DBTaskResult)
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_message_types_tampered_duplicated_and_replayed(name, hooks, account, peer, settings):
    settings.ALLOWED_ATTACHMENT_TYPES = [*settings.ALLOWED_ATTACHMENT_TYPES, "audio/ogg"]
    if name in MEDIA:
        media_id, data, mime = MEDIA[name]
        peer.media[media_id] = (data, mime)
    document = fixture(name)
    before = counts()

    assert hooks.post(document, tamper=True).status_code == 401
    assert counts() == before

    first = hooks.post(document)
    assert first.status_code == 200
    assert first.json() == {"accepted": 1}
    stored = counts()
    duplicate = hooks.post(document)
    assert duplicate.status_code == 200
    assert duplicate.json() == {"accepted": 0}
    assert counts() == stored  # no new rows, not even a task

    assert process_pending(account) == 1
    message = Message.objects.get()
    assert message.body == EXPECTED[name]
    assert message.author == "customer"
    assert message.channel_account == account.message_key
    assert message.contact.channel == "whatsapp"
    assert message.contact.state == "queued"
    assert message.contact.queue == "whatsapp"
    assert message.contact.customer.identities.get().value == "16505551234"
    assert message.contact.customer.name == "Sheena Nelson"
    event = InboundEvent.objects.get()
    assert event.status == "processed"
    assert bytes(event.raw_body) == first.wsgi_request.body
    if name in MEDIA:
        attachment = message.attachments.get()
        assert attachment.file.read() == MEDIA[name][1]
        assert attachment.content_type == MEDIA[name][2]

    processed = counts()
    replay = hooks.post(document)
    assert replay.json() == {"accepted": 0}
    assert process_pending(account) == 0
    assert counts() == processed


def test_out_of_order_messages_are_ordered_by_provider_time(hooks, account):
    later = fixture("text", id="wamid.B", timestamp="1749416400")
    later["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = "second"
    earlier = fixture("text", id="wamid.A", timestamp="1749416383")
    earlier["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = "first"
    assert hooks.post(later).status_code == 200
    process_pending(account)  # the later one is processed before the earlier one arrives
    assert hooks.post(earlier).status_code == 200
    assert hooks.post(later).json() == {"accepted": 0}
    process_pending(account)
    contact = Contact.objects.get()
    assert [m.body for m in contact.messages.order_by("created_at")] == ["first", "second"]
    assert contact.messages.count() == 2


def test_pending_events_are_processed_in_provider_order(hooks, account):
    for wamid, ts in (
        ("wamid.3", "1749416500"),
        ("wamid.1", "1749416100"),
        ("wamid.2", "1749416300"),
    ):
        hooks.post(fixture("text", id=wamid, timestamp=ts))
    process_pending(account)
    assert list(Message.objects.order_by("id").values_list("external_id", flat=True)) == [
        "wamid.1",
        "wamid.2",
        "wamid.3",
    ]
    assert Contact.objects.count() == 1


def test_a_batched_body_stores_each_item(hooks, account):
    document = fixture("text", id="wamid.X1")
    value = document["entry"][0]["changes"][0]["value"]
    value["messages"].append({**value["messages"][0], "id": "wamid.X2", "timestamp": "1749416390"})
    assert hooks.post(document).json() == {"accepted": 2}
    assert process_pending(account) == 2
    assert Message.objects.count() == 2


@pytest.mark.parametrize("name", ["unsupported", "order"])
def test_unhandled_message_types_are_kept_for_review(name, hooks, account):
    response = hooks.post(fixture(name))
    assert response.status_code == 200
    process_pending(account)
    event = InboundEvent.objects.get()
    assert event.status == "review"
    assert "not handled" in event.error
    assert Message.objects.count() == 0
    assert hooks.post(fixture(name)).json() == {"accepted": 0}


def test_other_webhook_fields_are_stored_raw_for_review(hooks, account):
    document = fixture("group_create")
    response = hooks.post(document)
    assert response.status_code == 200
    event = InboundEvent.objects.get()
    assert event.status == "review"
    assert event.item_type == "unhandled"
    assert b"group_lifecycle_update" in bytes(event.raw_body)
    assert DBTaskResult.objects.count() == 0  # nothing to process automatically
    assert hooks.post(document).json() == {"accepted": 0}
    assert InboundEvent.objects.count() == 1


def test_a_refused_attachment_keeps_the_message_and_flags_it(hooks, account, peer, settings):
    settings.ALLOWED_ATTACHMENT_TYPES = ["application/pdf"]  # a tenant that refuses audio
    peer.media["3003383421387256"] = (b"OggS", "audio/ogg")
    hooks.post(fixture("audio"))
    process_pending(account)
    assert Message.objects.get().body == "[audio]"
    event = InboundEvent.objects.get()
    assert event.status == "review"
    assert "attachment not stored" in event.error


def test_a_voice_note_is_stored(hooks, account, peer):
    peer.media["3003383421387256"] = (b"OggS", "audio/ogg")
    hooks.post(fixture("audio"))
    process_pending(account)
    assert InboundEvent.objects.get().status == "processed"
    assert Message.objects.get().attachments.get().content_type == "audio/ogg"


def test_media_download_failures_are_retried_then_marked_failed(hooks, account):
    hooks.post(fixture("image"))  # the peer does not know this media id: 404
    for _ in range(MAX_ATTEMPTS - 1):
        process_pending(account)
        assert InboundEvent.objects.get().status == "pending"
    process_pending(account)
    event = InboundEvent.objects.get()
    assert event.status == "failed"
    assert event.attempts == MAX_ATTEMPTS
    assert Message.objects.count() == 0


def test_bad_signatures_store_nothing(hooks, caplog):
    document = fixture("text")
    before = counts()
    assert hooks.post(document, signature="").status_code == 401
    assert hooks.post(document, signature="sha256=" + "0" * 64).status_code == 401
    assert hooks.post(document, signature="sha1=abc").status_code == 401
    response = hooks.post(document, secret="another-secret")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert counts() == before
    assert "Does it come" not in caplog.text
    assert f"account {hooks.account.pk}" in caplog.text


def test_malformed_json_is_400_and_unknown_account_404(hooks, client):
    response = hooks.post(None, raw=b'{"object": "whatsapp_business_account", ')
    assert response.status_code == 400
    assert response.json()["title"] == "Malformed request body"
    assert InboundEvent.objects.count() == 0
    response = client.post("/hooks/whatsapp/no-such-key/", b"{}", content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert (
        client.post("/hooks/carrier-pigeon/x/", b"{}", content_type="application/json").status_code
        == 404
    )


def test_inactive_account_is_404(hooks, account):
    account.active = False
    account.save()
    assert hooks.post(fixture("text")).status_code == 404


def test_subscription_check(hooks, client):
    ok = client.get(
        hooks.url,
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200
    assert ok.content == b"1158201444"
    wrong = client.get(
        hooks.url, {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}
    )
    assert wrong.status_code == 403
    assert (
        client.get(
            hooks.url, {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me"}
        ).status_code
        == 403
    )


def test_secret_rotation_accepts_the_old_secret_during_the_grace_period(hooks, account):
    account.rotate_secret("app_secret", "app-secret-2", grace=timedelta(hours=1))
    assert hooks.post(fixture("text", id="wamid.old"), secret=APP_SECRET).status_code == 200
    assert hooks.post(fixture("text", id="wamid.new"), secret="app-secret-2").status_code == 200
    account.previous_secrets_until = account.previous_secrets_until - timedelta(hours=2)
    account.save()
    assert hooks.post(fixture("text", id="wamid.late"), secret=APP_SECRET).status_code == 401
    assert InboundEvent.objects.count() == 2


def test_a_known_phone_number_joins_the_customer(hooks, account, tenant):
    known = do_create_customer(tenant, name="Sheena N.", identities=[("phone", "+1 650-555-1234")])
    hooks.post(fixture("text"))
    process_pending(account)
    assert Message.objects.get().contact.customer == known
    assert set(Identity.objects.values_list("kind", flat=True)) == {"phone", "whatsapp"}
    assert Customer.objects.count() == 1


def test_messages_never_reach_another_tenant(hooks, account, other_tenant):
    do_create_customer(other_tenant, name="Ander", identities=[("whatsapp", "16505551234")])
    hooks.post(fixture("text"))
    process_pending(account)
    message = Message.objects.get()
    assert message.tenant_id == account.tenant_id
    assert message.contact.customer.tenant_id == account.tenant_id


def test_a_second_message_joins_the_open_contact(hooks, account):
    hooks.post(fixture("text", id="wamid.1", timestamp="1749416383"))
    hooks.post(fixture("button_reply", id="wamid.2", timestamp="1749416999"))
    process_pending(account)
    assert Contact.objects.count() == 1
    contact = Contact.objects.get()
    contact.state = "closed"
    contact.save()
    hooks.post(fixture("text", id="wamid.3", timestamp="1749419999"))
    process_pending(account)
    assert Contact.objects.count() == 2


def test_demo_accounts_are_created_once(tenant, other_tenant):
    from symfonie.connectors.demo import add_demo_channel_accounts

    first = add_demo_channel_accounts([tenant, other_tenant])
    again = add_demo_channel_accounts([tenant, other_tenant])
    assert [a.pk for a in first] == [a.pk for a in again]
    assert first[0].key == "demo-woonstad"
    assert first[0].template("case_update", "nl")["parameters"] == 2
