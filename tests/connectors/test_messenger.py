"""Messenger end to end: Meta's webhook examples (each also tampered, duplicated and replayed),
batches and ordering, echoes, receipts, and replies through the local Send API peer: the
24-hour window, message tags, provider errors, and sends never repeated."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from symfonie.connectors.inbound import MAX_ATTEMPTS, process_pending
from symfonie.connectors.messenger import sender as messenger_sender
from symfonie.connectors.models import ChannelAccount, InboundEvent, OutboundMessage
from symfonie.connectors.outbound import deliver
from symfonie.contacts.models import Attachment, Contact, Customer, Message
from symfonie.contacts.snapshot import state_of
from symfonie.events.models import Event
from symfonie.events.replay import replay
from symfonie.events.schemas import parse
from tests.connectors.meta_peer import APP_SECRET, MetaHooks, MetaPeer, fixture

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.connectors.urls")]

PAGE_ID = "682498302938465"
PSID = "1254477777772919"
TOKEN = "EAAG-page-token"
EXPECTED = {
    "text": "hello, world!",
    "quick_reply": "hello, world! [DEVELOPER_DEFINED_PAYLOAD]",
    "image": "[image]",
    "file": "[file]",
    "location": "📍 Pinned Location (52.3676, 4.9041) https://l.facebook.com/l.php?u=https%3A%2F"
    "%2Fwww.bing.com%2Fmaps%2Fdefault.aspx%3Fv%3D2%26pc%3DFACEBK%26mid%3D8100%26where1%3D52.3676"
    "%252C%2B4.9041",
    "fallback": "🔗 Symfonie https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.org%2F",
    "postback": "TITLE-FOR-THE-CTA [USER-DEFINED-PAYLOAD]",
}
MEDIA = {
    "image": ("photo.jpg", b"\xff\xd8\xff\xe0 jpeg bytes", "image/jpeg"),
    "file": ("invoice.pdf", b"%PDF-1.4 invoice", "application/pdf"),
}


@pytest.fixture
def peer():
    with MetaPeer(TOKEN, PAGE_ID) as running:
        yield running


@pytest.fixture
def account(tenant, peer) -> ChannelAccount:
    return ChannelAccount.objects.create(
        tenant=tenant,
        kind="messenger",
        name="Woonstad op Facebook",
        provider_account_id=PAGE_ID,
        secrets={"app_secret": APP_SECRET, "verify_token": "verify-me", "access_token": TOKEN},
        base_url=peer.url,
        default_queue="messenger",
    )


@pytest.fixture
def hooks(account) -> MetaHooks:
    return MetaHooks(account)


def messenger(name: str, **changes) -> dict:
    return fixture("messenger", name, **changes)


def served(document: dict, peer: MetaPeer, *names: str) -> dict:
    """The document with its attachment URLs pointing at files the peer serves."""
    attachments = document["entry"][0]["messaging"][0]["message"]["attachments"]
    for attachment, name in zip(attachments, names, strict=True):
        attachment["payload"]["url"] = peer.file_url(name)
    return document


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (InboundEvent, Message, Contact, Customer, Event, Attachment, DBTaskResult)
    }


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


# -- inbound ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_message_types_tampered_duplicated_and_replayed(name, hooks, account, peer):
    document = messenger(name)
    if name in MEDIA:
        filename, data, mime = MEDIA[name]
        peer.files[filename] = (data, mime)
        served(document, peer, filename)
    before = counts()

    assert hooks.post(document, tamper=True).status_code == 401
    assert counts() == before

    first = hooks.post(document)
    assert first.status_code == 200
    assert first.json() == {"accepted": 1}
    stored = counts()
    duplicate = hooks.post(document)
    assert duplicate.json() == {"accepted": 0}
    assert counts() == stored  # no new rows, not even a task

    assert process_pending(account) == 1
    message = Message.objects.get()
    assert message.body == EXPECTED[name]
    assert message.author == "customer"
    assert message.channel_account == account.message_key
    assert message.contact.channel == "messenger"
    assert message.contact.state == "queued"
    assert message.contact.queue == "messenger"
    identity = message.contact.customer.identities.get()
    assert (identity.kind, identity.value) == ("messenger", PSID)
    assert message.contact.customer.name == ""  # the webhook carries no name
    event = InboundEvent.objects.get()
    assert event.status == "processed"
    assert message.external_id == event.external_key
    assert bytes(event.raw_body) == first.wsgi_request.body
    if name in MEDIA:
        attachment = message.attachments.get()
        assert (attachment.filename, attachment.content_type) == (MEDIA[name][0], MEDIA[name][2])
        assert attachment.file.read() == MEDIA[name][1]

    processed = counts()
    assert hooks.post(document).json() == {"accepted": 0}
    assert process_pending(account) == 0
    assert counts() == processed


def test_provider_timestamps_in_milliseconds_and_seconds(hooks, account):
    hooks.post(messenger("text"))
    hooks.post(messenger("postback"))
    process_pending(account)
    times = dict(Message.objects.values_list("external_id", "created_at"))
    assert times["m_1457764197618:41d102a3e1ae206a38"] == datetime(
        2016, 3, 23, 0, 25, 52, 478000, tzinfo=UTC
    )
    assert times["postback:m_MESSAGE-ID"] == datetime(2018, 5, 27, 22, 23, 44, tzinfo=UTC)


def test_a_batched_body_stores_each_item_and_processes_them_in_provider_order(hooks, account):
    document = messenger("batched")
    assert hooks.post(document).json() == {"accepted": 3}
    assert hooks.post(document).json() == {"accepted": 0}
    assert process_pending(account) == 3
    assert list(Message.objects.order_by("id").values_list("external_id", flat=True)) == [
        "mid.1457764197618:41d102a3e1ae206a37",  # second entry, earliest timestamp
        "m_1457764197618:41d102a3e1ae206a38",
        "mid.1457764197618:41d102a3e1ae206a38",
    ]
    assert Contact.objects.count() == 1


def test_out_of_order_messages_are_ordered_by_provider_time(hooks, account):
    later = messenger("text", mid="m_B", text="second", timestamp=1749416400000)
    earlier = messenger("text", mid="m_A", text="first", timestamp=1749416383000)
    assert hooks.post(later).status_code == 200
    process_pending(account)  # the later one is processed before the earlier one arrives
    assert hooks.post(earlier).status_code == 200
    assert hooks.post(later).json() == {"accepted": 0}
    process_pending(account)
    contact = Contact.objects.get()
    assert [m.body for m in contact.messages.order_by("created_at")] == ["first", "second"]


def test_echoes_never_become_customer_messages(hooks, account):
    assert hooks.post(messenger("echo")).json() == {"accepted": 1}
    assert hooks.post(messenger("echo")).json() == {"accepted": 0}
    process_pending(account)
    event = InboundEvent.objects.get()
    assert (event.item_type, event.status) == ("echo", "processed")
    assert "ignored" in event.error
    assert (Message.objects.count(), Customer.objects.count(), Contact.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize(("name", "marker"), [("reaction", b"love"), ("standby", b"standby")])
def test_unhandled_items_are_stored_raw_for_review(name, marker, hooks, account):
    document = messenger(name)
    assert hooks.post(document).status_code == 200
    event = InboundEvent.objects.get()
    assert (event.item_type, event.status) == ("unhandled", "review")
    assert marker in bytes(event.raw_body)
    assert DBTaskResult.objects.count() == 0  # nothing to process automatically
    assert hooks.post(document).json() == {"accepted": 0}
    process_pending(account)
    assert Message.objects.count() == 0


def test_an_entry_of_another_page_or_object_is_kept_for_review(hooks, account):
    document = messenger("text")
    document["entry"][0]["id"] = "999999999999"
    hooks.post(document)
    other_object = messenger("text", mid="m_ig")
    other_object["object"] = "instagram"
    hooks.post(other_object)
    process_pending(account)
    assert list(InboundEvent.objects.values_list("item_type", "status")) == [
        ("unhandled", "review"),
        ("unhandled", "review"),
    ]
    notes = sorted(e.payload["note"] for e in InboundEvent.objects.all())
    assert notes[0].startswith("entry of '999999999999'")
    assert notes[1] == "object 'instagram', not 'page'"
    assert Message.objects.count() == 0


def test_several_attachments_are_all_stored(hooks, account, peer):
    document = messenger("image", mid="m_two")
    message = document["entry"][0]["messaging"][0]["message"]
    message["text"] = "Zie de foto en de factuur"
    message["attachments"].append({"type": "file", "payload": {"url": ""}})
    for filename, data, mime in MEDIA.values():
        peer.files[filename] = (data, mime)
    served(document, peer, "photo.jpg", "invoice.pdf")
    hooks.post(document)
    process_pending(account)
    stored = Message.objects.get()
    assert stored.body == "Zie de foto en de factuur\n[image]\n[file]"
    assert sorted(stored.attachments.values_list("filename", flat=True)) == [
        "invoice.pdf",
        "photo.jpg",
    ]


def test_a_refused_attachment_keeps_the_message_and_flags_it(hooks, account, peer, settings):
    settings.ALLOWED_ATTACHMENT_TYPES = ["application/pdf"]  # a tenant that refuses images
    peer.files["photo.jpg"] = (b"\xff\xd8", "image/jpeg")
    hooks.post(served(messenger("image"), peer, "photo.jpg"))
    process_pending(account)
    assert Message.objects.get().body == "[image]"
    event = InboundEvent.objects.get()
    assert event.status == "review"
    assert "attachment not stored" in event.error


def test_download_failures_are_retried_then_marked_failed(hooks, account, peer):
    hooks.post(served(messenger("image"), peer, "gone.jpg"))  # the peer answers 404
    for _ in range(MAX_ATTEMPTS - 1):
        process_pending(account)
        assert InboundEvent.objects.get().status == "pending"
    process_pending(account)
    event = InboundEvent.objects.get()
    assert (event.status, event.attempts) == ("failed", MAX_ATTEMPTS)
    assert "404" in event.error
    assert Message.objects.count() == 0


def test_bad_signatures_store_nothing(hooks, caplog):
    document = messenger("text")
    before = counts()
    assert hooks.post(document, signature="").status_code == 401
    assert hooks.post(document, signature="sha256=" + "0" * 64).status_code == 401
    assert hooks.post(document, signature="sha1=abc").status_code == 401
    response = hooks.post(document, secret="another-secret")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert counts() == before
    assert "hello, world" not in caplog.text
    assert f"account {hooks.account.pk}" in caplog.text


def test_secret_rotation_accepts_the_old_secret_during_the_grace_period(hooks, account):
    account.rotate_secret("app_secret", "meta-app-secret-2", grace=timedelta(hours=1))
    assert hooks.post(messenger("text", mid="m_old"), secret=APP_SECRET).status_code == 200
    assert hooks.post(messenger("text", mid="m_new"), secret="meta-app-secret-2").status_code == 200
    account.previous_secrets_until = account.previous_secrets_until - timedelta(hours=2)
    account.save()
    assert hooks.post(messenger("text", mid="m_late"), secret=APP_SECRET).status_code == 401
    assert InboundEvent.objects.count() == 2


def test_malformed_json_is_400_and_unknown_account_404(hooks, client):
    response = hooks.post(None, raw=b'{"object": "page", ')
    assert response.status_code == 400
    assert response.json()["title"] == "Malformed request body"
    assert InboundEvent.objects.count() == 0
    unknown = client.post("/hooks/messenger/no-such-key/", b"{}", content_type="application/json")
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/problem+json"


def test_subscription_check(hooks, client, account):
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": "verify-me",
        "hub.challenge": "1158201444",
    }
    ok = client.get(hooks.url, query)
    assert (ok.status_code, ok.content) == (200, b"1158201444")
    assert client.get(hooks.url, {**query, "hub.verify_token": "nope"}).status_code == 403
    assert client.get(hooks.url, {**query, "hub.mode": "unsubscribe"}).status_code == 403
    account.rotate_secret("verify_token", "verify-me-2", grace=timedelta(hours=1))
    assert client.get(hooks.url, query).status_code == 200
    assert client.get(hooks.url, {**query, "hub.verify_token": "verify-me-2"}).status_code == 200


# -- replies ---------------------------------------------------------------------------------


def customer_wrote(hooks, account, at: datetime) -> Contact:
    hooks.post(messenger("text", mid=f"m_in{ms(at)}", timestamp=ms(at)))
    process_pending(account)
    return Contact.objects.get()


@pytest.fixture
def contact(hooks, account) -> Contact:
    """A contact whose customer wrote a minute ago (the window is open)."""
    return customer_wrote(hooks, account, timezone.now() - timedelta(minutes=1))


def reply(api, contact, **body):
    return api.post(f"/api/v1/contacts/{contact.pk}/replies", body, content_type="application/json")


def receipt(hooks, kind: str, part: dict, at: int):
    document = messenger(kind)
    item = document["entry"][0]["messaging"][0]
    item[kind] = part
    item["timestamp"] = at
    return hooks.post(document)


def test_free_text_inside_the_window_and_its_receipts(api_anna, contact, peer, hooks, account):
    response = reply(api_anna, contact, text="Ja, dat kan.", idempotency_key="k1")
    assert response.status_code == 202
    assert response.json()["delivery_status"] == "pending"
    outbound = OutboundMessage.objects.get()
    assert peer.requests == []  # persisted first, sent by the task

    assert deliver(outbound.pk) == "accepted"
    assert peer.requests == [
        {
            "recipient": {"id": PSID},
            "messaging_type": "RESPONSE",
            "message": {"text": "Ja, dat kan.", "metadata": "k1"},
        }
    ]
    assert peer.queries[0]["access_token"] == [TOKEN]
    assert peer.paths == [f"/v23.0/{PAGE_ID}/messages"]
    message = Message.objects.get(pk=outbound.message_id)
    assert (message.delivery_status, message.external_id) == ("sent", "m_PEER00000001")

    now = ms(timezone.now())
    # out of order: the read receipt first, the delivery after it, then both again
    read = {"watermark": now + 1000}
    delivery = {"mids": ["m_PEER00000001"], "watermark": now + 1000}
    assert receipt(hooks, "read", read, now + 5000).json() == {"accepted": 1}
    assert receipt(hooks, "delivery", delivery, now + 2000).json() == {"accepted": 1}
    assert receipt(hooks, "read", read, now + 5000).json() == {"accepted": 0}
    assert receipt(hooks, "delivery", delivery, now + 2000).json() == {"accepted": 0}
    process_pending(account)
    message.refresh_from_db()
    assert message.delivery_status == "read"
    assert set(
        InboundEvent.objects.filter(item_type="status").values_list("status", flat=True)
    ) == {"processed"}
    # sent (the API answer), delivered, read: processed in provider order, each once
    updates = Event.objects.filter(type="message.delivery_updated").order_by("id")
    assert [e.payload["delivery_status"] for e in updates] == ["sent", "delivered", "read"]
    events = Event.objects.filter(tenant=contact.tenant).order_by("id")
    assert replay(parse(e.type, e.payload) for e in events) == state_of(contact.tenant)


def test_a_read_watermark_covers_earlier_messages_only(api_anna, contact, hooks, account):
    for n in range(3):
        reply(api_anna, contact, text=f"Bericht {n}")
    for outbound in OutboundMessage.objects.order_by("id"):
        assert deliver(outbound.pk) == "accepted"
    _first, second, third = Message.objects.filter(author="agent").order_by("id")
    # the third was written a minute after the watermark
    Message.objects.filter(pk=third.pk).update(created_at=second.created_at + timedelta(minutes=1))
    receipt(hooks, "read", {"watermark": ms(second.created_at) + 1}, ms(timezone.now()))
    process_pending(account)
    statuses = [m.delivery_status for m in Message.objects.filter(author="agent").order_by("id")]
    assert statuses == ["read", "read", "sent"]


def test_a_receipt_for_unknown_messages_waits_then_goes_to_review(hooks, account):
    receipt(hooks, "delivery", {"mids": ["m_NOBODY"], "watermark": 1458668856253}, 1458668856463)
    for _ in range(MAX_ATTEMPTS - 1):
        process_pending(account)
        assert InboundEvent.objects.get().status == "pending"
    process_pending(account)
    assert InboundEvent.objects.get().status == "review"


def test_outside_the_window_only_a_message_tag_carries_text(api_anna, hooks, account, peer):
    contact = customer_wrote(hooks, account, timezone.now() - timedelta(hours=25))
    peer.outside_window.add(PSID)  # Meta agrees: free text would be refused

    options = api_anna.get(f"/api/v1/contacts/{contact.pk}/reply-options").json()
    assert options["window_open"] is False
    assert [(t["name"], t["language"], t["parameters"]) for t in options["templates"]] == [
        ("CONFIRMED_EVENT_UPDATE", "", 0),
        ("POST_PURCHASE_UPDATE", "", 0),
        ("ACCOUNT_UPDATE", "", 0),
        ("HUMAN_AGENT", "", 0),
    ]

    refused = reply(api_anna, contact, text="Hallo?")
    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["errors"] == [
        {"field": "text", "message": refused.json()["errors"][0]["message"]}
    ]
    assert "24-hour standard messaging window is closed" in refused.json()["detail"]
    unknown = reply(api_anna, contact, text="Hallo?", template="SHIPPING_UPDATE")
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "template")
    with_parameters = reply(
        api_anna, contact, text="Hallo?", template="HUMAN_AGENT", parameters=["x"]
    )
    assert (with_parameters.status_code, with_parameters.json()["errors"][0]["field"]) == (
        422,
        "parameters",
    )
    assert reply(api_anna, contact, template="HUMAN_AGENT").status_code == 422  # no text
    assert Message.objects.filter(author="agent").count() == 0

    ok = reply(
        api_anna, contact, text="Uw monteur komt dinsdag.", template="HUMAN_AGENT", language=""
    )
    assert ok.status_code == 202
    outbound = OutboundMessage.objects.get()
    assert outbound.message.body == "Uw monteur komt dinsdag."
    assert deliver(outbound.pk) == "accepted"
    assert peer.requests == [
        {
            "recipient": {"id": PSID},
            "messaging_type": "MESSAGE_TAG",
            "tag": "HUMAN_AGENT",
            "message": {"text": "Uw monteur komt dinsdag.", "metadata": outbound.idempotency_key},
        }
    ]


def test_human_agent_ends_seven_days_after_the_last_message(api_anna, hooks, account, peer):
    contact = customer_wrote(hooks, account, timezone.now() - timedelta(days=8))
    late = reply(api_anna, contact, text="Nog één ding", template="HUMAN_AGENT")
    assert late.status_code == 409
    assert late.json()["errors"][0]["field"] == "template"
    assert "7 days" in late.json()["detail"]
    update = reply(api_anna, contact, text="Uw contract is verlengd.", template="ACCOUNT_UPDATE")
    assert update.status_code == 202
    assert deliver(OutboundMessage.objects.get().pk) == "accepted"
    assert peer.requests[0]["tag"] == "ACCOUNT_UPDATE"


def test_texts_longer_than_messenger_allows_are_refused(api_anna, contact):
    response = reply(api_anna, contact, text="x" * 2001)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "text"


def test_meta_refusing_outside_its_window_marks_the_message_failed(api_anna, contact, peer):
    peer.outside_window.add(PSID)  # Meta's clock says the window closed
    reply(api_anna, contact, text="Te laat")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "failed"
    outbound.refresh_from_db()
    assert outbound.error_code == "10/2018278"
    assert "outside of allowed window" in outbound.error
    assert outbound.message.delivery_status == "failed"
    event = Event.objects.filter(type="message.delivery_updated").last()
    assert event.payload["error"].startswith("10/2018278: (#10) This message is sent outside")


def test_a_bad_token_fails_with_the_reason_visible(api_anna, contact, account):
    account.secrets = {**account.secrets, "access_token": "EAAG-revoked"}
    account.save()
    reply(api_anna, contact, text="Hallo")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "failed"
    outbound.refresh_from_db()
    assert outbound.error_code == "190"
    assert "Invalid OAuth access token" in outbound.error
    assert "EAAG-revoked" not in outbound.error
    assert outbound.message.delivery_status == "failed"
    assert deliver(outbound.pk) == "failed"  # not tried again


def test_the_rate_limit_is_retried_after_the_wait_meta_asks(api_anna, contact, peer):
    peer.rate_limited = 1
    reply(api_anna, contact, text="Even geduld")
    outbound = OutboundMessage.objects.get()
    before = timezone.now()
    assert deliver(outbound.pk) == "queued"
    outbound.refresh_from_db()
    assert outbound.error_code == "613"
    # X-Business-Use-Case-Usage: estimated_time_to_regain_access 1 (minute) beats the 5 s backoff
    assert outbound.next_attempt_at >= before + timedelta(seconds=60)
    assert deliver(outbound.pk) == "accepted"
    assert (len(peer.requests), peer.sent) == (2, 1)


def test_server_errors_and_refused_connections_are_retried(api_anna, contact, peer, account):
    peer.server_errors = 1
    reply(api_anna, contact, text="Eerste")
    first = OutboundMessage.objects.get()
    assert deliver(first.pk) == "queued"
    first.refresh_from_db()
    assert first.error_code == "2"
    assert deliver(first.pk) == "accepted"

    account.base_url = "http://127.0.0.1:9"  # discard port: nothing listens
    account.save()
    reply(api_anna, contact, text="Tweede")
    second = OutboundMessage.objects.exclude(pk=first.pk).get()
    assert deliver(second.pk) == "queued"


def test_a_timeout_is_unknown_and_never_sent_again(api_anna, contact, peer, monkeypatch):
    monkeypatch.setattr(messenger_sender, "TIMEOUT_SECONDS", 0.2)
    peer.hang_next = 1  # Meta takes the message and does not answer in time
    reply(api_anna, contact, text="Traag")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "unknown"
    assert deliver(outbound.pk) == "unknown"
    assert len(peer.requests) == 1
    outbound.refresh_from_db()
    assert outbound.message.delivery_status == "pending"


def test_a_lost_response_is_reconciled_from_the_echo(api_anna, contact, peer, hooks, account):
    peer.drop_next = 1
    reply(api_anna, contact, text="Verloren antwoord", idempotency_key="lost-1")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "unknown"
    echo = messenger(
        "echo",
        mid="m_PEER00000001",
        metadata="lost-1",
        text="Verloren antwoord",
        timestamp=ms(timezone.now()),
    )
    hooks.post(echo)
    process_pending(account)
    outbound.refresh_from_db()
    assert (outbound.status, outbound.provider_message_id) == ("accepted", "m_PEER00000001")
    message = outbound.message
    message.refresh_from_db()
    assert (message.external_id, message.delivery_status) == ("m_PEER00000001", "sent")
    assert Message.objects.filter(author="customer").count() == 1  # only the first one
    assert len(peer.requests) == 1


def test_an_echo_stops_the_retry_of_a_message_meta_had_taken(
    api_anna, contact, peer, hooks, account
):
    peer.server_errors = 1  # answered 500, yet (as the echo shows) Meta had taken it
    reply(api_anna, contact, text="Toch aangekomen", idempotency_key="k500")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "queued"
    hooks.post(messenger("echo", mid="m_ECHOED", metadata="k500", timestamp=ms(timezone.now())))
    process_pending(account)
    assert deliver(outbound.pk) == "accepted"  # nothing to claim: not sent again
    assert len(peer.requests) == 1
    outbound.refresh_from_db()
    assert outbound.message.external_id == "m_ECHOED"


def test_a_retry_never_sends_twice(api_anna, contact, peer):
    first = reply(api_anna, contact, text="Eén keer", idempotency_key="same")
    again = reply(api_anna, contact, text="Eén keer", idempotency_key="same")
    assert (first.status_code, again.status_code) == (202, 200)
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "accepted"
    assert deliver(outbound.pk) == "accepted"
    assert len(peer.requests) == 1


def test_other_tenants_cannot_reply(api_olga, contact):
    assert reply(api_olga, contact, text="Niet van mij").status_code == 404
    assert OutboundMessage.objects.count() == 0


def test_the_stored_request_carries_no_token(api_anna, contact):
    reply(api_anna, contact, text="Geheim?")
    assert TOKEN not in json.dumps(OutboundMessage.objects.get().request)
