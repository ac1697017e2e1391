"""Instagram messaging end to end: the Messenger connector with ``"object": "instagram"`` and
IGSIDs. Meta's examples (also tampered, duplicated and replayed), echoes, ``messaging_seen``
receipts, and replies through the local peer with Instagram's rules (1,000 bytes, HUMAN_AGENT
as the only tag, no metadata)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from symfonie.connectors.inbound import process_pending
from symfonie.connectors.models import ChannelAccount, InboundEvent, OutboundMessage
from symfonie.connectors.outbound import deliver
from symfonie.contacts.models import Contact, Customer, Message
from tests.connectors.meta_peer import APP_SECRET, MetaHooks, MetaPeer, fixture

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.connectors.urls")]

IGID = "17841405822304914"
IGSID = "5183849711642123"
TOKEN = "EAAG-instagram-token"
EXPECTED = {
    "text": "MESSAGE-TEXT",
    "image": "[image]",
    "story_mention": "[story_mention] https://lookaside.fbsbx.com/ig_messaging_cdn/"
    "?asset_id=17887498072083520",
    "postback": "SELECTED-ICEBREAKER-REPLY-OR-CTA-BUTTON [CUSTOMER-RESPONSE-PAYLOAD]",
}


@pytest.fixture
def peer():
    with MetaPeer(TOKEN, IGID) as running:
        yield running


@pytest.fixture
def account(tenant, peer) -> ChannelAccount:
    return ChannelAccount.objects.create(
        tenant=tenant,
        kind="instagram",
        name="Woonstad op Instagram",
        provider_account_id=IGID,
        secrets={"app_secret": APP_SECRET, "verify_token": "verify-ig", "access_token": TOKEN},
        base_url=peer.url,
        default_queue="instagram",
    )


@pytest.fixture
def hooks(account) -> MetaHooks:
    return MetaHooks(account)


def instagram(name: str, **changes) -> dict:
    return fixture("instagram", name, **changes)


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_message_types_tampered_duplicated_and_replayed(name, hooks, account, peer):
    document = instagram(name)
    if name == "image":
        # served like Meta's lookaside CDN: no file name in the path
        peer.files["17895695668004550"] = (b"\x89PNG image", "image/png")
        attachment = document["entry"][0]["messaging"][0]["message"]["attachments"][0]
        attachment["payload"]["url"] = peer.file_url("17895695668004550")

    assert hooks.post(document, tamper=True).status_code == 401
    assert InboundEvent.objects.count() == 0
    assert hooks.post(document).json() == {"accepted": 1}
    assert hooks.post(document).json() == {"accepted": 0}
    assert process_pending(account) == 1

    message = Message.objects.get()
    assert message.body == EXPECTED[name]
    assert message.contact.channel == "instagram"
    assert message.contact.queue == "instagram"
    identity = message.contact.customer.identities.get()
    assert (identity.kind, identity.value) == ("instagram", IGSID)
    assert InboundEvent.objects.get().status == "processed"
    if name == "image":
        attachment = message.attachments.get()
        assert (attachment.filename, attachment.content_type) == ("image-1.png", "image/png")
        assert attachment.file.read() == b"\x89PNG image"

    assert hooks.post(document).json() == {"accepted": 0}
    assert process_pending(account) == 0
    assert Message.objects.count() == 1


def test_echoes_never_become_customer_messages(hooks, account):
    assert hooks.post(instagram("echo")).json() == {"accepted": 1}
    process_pending(account)
    assert InboundEvent.objects.get().status == "processed"
    assert (Message.objects.count(), Customer.objects.count()) == (0, 0)


def test_reactions_deletions_and_other_objects_are_kept_for_review(hooks, account):
    hooks.post(instagram("reaction"))
    deleted = instagram("text")
    deleted["entry"][0]["messaging"][0]["message"] = {"mid": "aWdfZAG1-gone", "is_deleted": True}
    hooks.post(deleted)
    page = instagram("text", mid="aWdfZAG1-page")
    page["object"] = "page"
    hooks.post(page)
    process_pending(account)
    assert (
        list(InboundEvent.objects.values_list("item_type", "status"))
        == [("unhandled", "review")] * 3
    )
    assert InboundEvent.objects.filter(external_key="deleted:aWdfZAG1-gone").exists()
    assert Message.objects.count() == 0


def test_signature_and_subscription_check(hooks, client, account):
    assert hooks.post(instagram("text"), secret="another-secret").status_code == 401
    assert hooks.post(instagram("text"), signature="").status_code == 401
    account.rotate_secret("app_secret", "meta-app-secret-2", grace=timedelta(hours=1))
    assert hooks.post(instagram("text"), secret=APP_SECRET).status_code == 200
    query = {"hub.mode": "subscribe", "hub.verify_token": "verify-ig", "hub.challenge": "42"}
    assert client.get(hooks.url, query).content == b"42"
    assert client.get(hooks.url, {**query, "hub.verify_token": "x"}).status_code == 403


# -- replies ---------------------------------------------------------------------------------


def customer_wrote(hooks, account, at: datetime) -> Contact:
    hooks.post(instagram("text", mid=f"aWdf-in-{ms(at)}", timestamp=ms(at)))
    process_pending(account)
    return Contact.objects.get()


def reply(api, contact, **body):
    return api.post(f"/api/v1/contacts/{contact.pk}/replies", body, content_type="application/json")


def test_a_reply_inside_the_window_and_its_seen_receipt(api_anna, hooks, account, peer):
    contact = customer_wrote(hooks, account, timezone.now() - timedelta(minutes=5))
    assert reply(api_anna, contact, text="Dank voor uw bericht!").status_code == 202
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "accepted"
    assert peer.requests == [
        {
            "recipient": {"id": IGSID},
            "messaging_type": "RESPONSE",
            "message": {"text": "Dank voor uw bericht!"},  # no metadata on Instagram
        }
    ]
    assert peer.paths == ["/v23.0/me/messages"]  # the token's Page or Instagram account
    seen = instagram("seen", timestamp=ms(timezone.now()))
    seen["entry"][0]["messaging"][0]["read"]["mid"] = "m_PEER00000001"
    hooks.post(seen)
    process_pending(account)
    message = Message.objects.get(pk=outbound.message_id)
    assert (message.external_id, message.delivery_status) == ("m_PEER00000001", "read")


def test_outside_the_window_only_human_agent(api_anna, hooks, account, peer):
    contact = customer_wrote(hooks, account, timezone.now() - timedelta(days=2))
    options = api_anna.get(f"/api/v1/contacts/{contact.pk}/reply-options").json()
    assert options["window_open"] is False
    assert [t["name"] for t in options["templates"]] == ["HUMAN_AGENT"]
    assert reply(api_anna, contact, text="Hallo?").status_code == 409
    event_update = reply(api_anna, contact, text="Hallo?", template="CONFIRMED_EVENT_UPDATE")
    assert event_update.status_code == 422
    ok = reply(api_anna, contact, text="Wij kijken ernaar.", template="HUMAN_AGENT")
    assert ok.status_code == 202
    assert deliver(OutboundMessage.objects.get().pk) == "accepted"
    assert peer.requests[0]["messaging_type"] == "MESSAGE_TAG"
    assert peer.requests[0]["tag"] == "HUMAN_AGENT"


def test_texts_are_at_most_1000_bytes(api_anna, hooks, account):
    contact = customer_wrote(hooks, account, timezone.now() - timedelta(minutes=5))
    too_long = reply(api_anna, contact, text="é" * 501)  # 501 characters, 1,002 bytes
    assert too_long.status_code == 422
    assert "1,000 bytes" in too_long.json()["detail"]
    assert reply(api_anna, contact, text="é" * 500).status_code == 202
