"""SMS through a Twilio-compatible provider, end to end against a local Messages API peer.

Inbound: Twilio's published signature vector; tampered, unsigned and foreign-token bodies
refused with nothing stored; the previous auth token accepted during rotation; the public URL
behind a proxy; duplicates and replays adding no rows; a known caller's number joining their
timeline; MMS media downloaded and stored; status callbacks moving delivery forward only (with
the error code of an undelivered message visible); malformed bodies, unknown accounts and
unhandled payloads. Outbound: the request persisted before the peer is called, segments
counted (GSM-7 and UCS-2), 429 retried after ``Retry-After``, 21211 failed with its reason, a
timeout left unknown and reconciled from the status callback, and nothing ever sent twice.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from symfonie.connectors.inbound import MAX_ATTEMPTS, process_pending
from symfonie.connectors.models import ChannelAccount, InboundEvent, OutboundMessage
from symfonie.connectors.outbound import deliver
from symfonie.connectors.sms import sender as sms_sender
from symfonie.connectors.sms.inbound import compute_signature, url_variants
from symfonie.connectors.sms.segments import segments
from symfonie.contacts.actions.customers import do_create_customer
from symfonie.contacts.models import Attachment, Contact, Customer, Identity, Message
from symfonie.contacts.snapshot import state_of
from symfonie.events.models import Event
from symfonie.events.replay import replay
from symfonie.events.schemas import parse
from tests.connectors.twilio_peer import TwilioPeer

pytestmark = pytest.mark.urls("tests.connectors.urls")

FIXTURES = Path(__file__).resolve().parents[2] / "src/symfonie/connectors/sms/fixtures"
ACCOUNT_SID = "AC3f1e5c2a9b8d7e6f5a4b3c2d1e0f9a8b"
AUTH_TOKEN = "twilio-auth-token-1"
TWILIO_NUMBER = "+15017122661"
CUSTOMER = "+31612345678"
PUBLIC = "https://cc.example.nl"
FORM = "application/x-www-form-urlencoded"
TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MMS_SID = "MM4b6c8d0e2f1a3b5c7d9e0f1a2b3c4d5e"
ME0, ME1 = "ME1c3e5a7b9d0f2a4c6e8b0d1f3a5c7e9b", "ME2d4f6b8c0e1a3b5d7f9c1e2a4b6d8f0c"
JPEG, PNG = b"\xff\xd8\xff\xe0 leak photo", b"\x89PNG\r\n\x1a\n floor plan"


def fixture(name: str, **changes: str) -> dict[str, str]:
    """A documented Twilio form body; fields replaced (``MessageSid`` also as ``SmsSid``)."""
    fields = copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text()))
    if "MessageSid" in changes:
        for alias in ("SmsSid", "SmsMessageSid"):
            if alias in fields:
                fields[alias] = changes["MessageSid"]
    fields.update(changes)
    return fields


def twilio_sign(token: str, url: str, params: dict[str, str]) -> str:
    """The signature as Twilio's security guide describes it, written out independently."""
    data = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


class Hooks:
    """Posts form bodies to the account's webhook, signed for the public URL by default."""

    def __init__(self, account: ChannelAccount) -> None:
        self.client = Client()
        self.account = account

    @property
    def path(self) -> str:
        return f"/hooks/sms/{self.account.key}/"

    def post(
        self,
        fields: dict[str, str],
        *,
        token: str = AUTH_TOKEN,
        base: str = PUBLIC,
        query: str = "",
        signature: str | None = None,
        tamper: bool = False,
        raw: bytes | None = None,
        content_type: str = FORM,
    ):
        path = self.path + (f"?{query}" if query else "")
        header = signature if signature is not None else twilio_sign(token, base + path, fields)
        if tamper:
            fields = {**fields, "Body": fields.get("Body", "") + " (changed)"}
        body = raw if raw is not None else urlencode(fields).encode()
        extra = {"HTTP_X_TWILIO_SIGNATURE": header} if header else {}
        return self.client.post(path, body, content_type=content_type, **extra)


@pytest.fixture
def twilio():
    with TwilioPeer(ACCOUNT_SID, AUTH_TOKEN) as peer:
        yield peer


@pytest.fixture
def account(tenant, twilio) -> ChannelAccount:
    return ChannelAccount.objects.create(
        tenant=tenant,
        kind="sms",
        name="Woonstad SMS",
        provider_account_id=ACCOUNT_SID,
        secrets={"auth_token": AUTH_TOKEN, "from": TWILIO_NUMBER, "public_url": PUBLIC},
        base_url=twilio.url,
        api_version="2010-04-01",
        default_queue="sms",
    )


@pytest.fixture
def hooks(account) -> Hooks:
    return Hooks(account)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (InboundEvent, Message, Contact, Customer, Event, Attachment, DBTaskResult)
    }


# --- the signature ---------------------------------------------------------------------------


def test_the_published_signature_vector():
    vector = json.loads((FIXTURES / "signature_vector.json").read_text())
    assert (
        compute_signature(vector["auth_token"], vector["url"], vector["params"].items())
        == vector["signature"]
        == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    )
    # and the independent writing-out of the guide used by these tests agrees
    assert twilio_sign(vector["auth_token"], vector["url"], vector["params"]) == vector["signature"]


def test_signature_url_ports_and_parameter_order():
    assert url_variants("https://cc.example.nl/hooks/sms/k/?ref=1") == [
        "https://cc.example.nl/hooks/sms/k/?ref=1",
        "https://cc.example.nl:443/hooks/sms/k/?ref=1",
    ]
    assert url_variants("http://cc.example.nl:8080/x") == [
        "http://cc.example.nl:8080/x",
        "http://cc.example.nl/x",
    ]
    # names sort case-sensitively (upper case first); the order they were posted in is irrelevant
    one = compute_signature("t", "https://a/", [("b", "1"), ("B", "2"), ("a", "3")])
    other = compute_signature("t", "https://a/", [("a", "3"), ("b", "1"), ("B", "2")])
    assert one == other == twilio_sign("t", "https://a/", {"B": "2", "a": "3", "b": "1"})


# --- inbound messages ------------------------------------------------------------------------


def test_an_sms_tampered_duplicated_and_replayed(hooks, account):
    fields = fixture("sms_received", From=CUSTOMER)
    before = counts()
    assert hooks.post(fields, tamper=True).status_code == 401
    assert counts() == before

    first = hooks.post(fields)
    assert first.status_code == 200
    assert first["Content-Type"] == "text/xml"
    assert first.content == TWIML
    stored = counts()
    assert stored["InboundEvent"] == before["InboundEvent"] + 1
    duplicate = hooks.post(fields)
    assert (duplicate.status_code, duplicate.content) == (200, TWIML)
    assert counts() == stored  # no new rows, not even a task

    assert process_pending(account) == 1
    message = Message.objects.get()
    assert message.body == "Hello from Twilio!"
    assert message.author == "customer"
    assert message.external_id == fields["MessageSid"]
    assert message.channel_account == account.message_key
    assert message.contact.channel == "sms"
    assert message.contact.queue == "sms"
    identity = message.contact.customer.identities.get()
    assert (identity.kind, identity.value) == ("phone", CUSTOMER)
    event = InboundEvent.objects.get()
    assert event.status == "processed"
    assert event.provider_timestamp is None  # Twilio sends none: arrival order
    assert bytes(event.raw_body) == first.wsgi_request.body

    processed = counts()
    assert hooks.post(fields).status_code == 200
    assert process_pending(account) == 0
    assert counts() == processed


def test_bad_signatures_store_nothing(hooks, account, caplog):
    fields = fixture("sms_received", From=CUSTOMER)
    before = counts()
    assert hooks.post(fields, signature="").status_code == 401
    assert hooks.post(fields, signature="0/KCTR6DLpKmkAf8muzZqo1nDgQ=").status_code == 401
    assert hooks.post(fields, token="another-token").status_code == 401
    # signed for another address than the one Twilio was told to call
    response = hooks.post(fields, base="https://elsewhere.example.com")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert counts() == before
    assert "Hello from Twilio" not in caplog.text
    assert f"account {account.pk}" in caplog.text


def test_the_previous_auth_token_is_accepted_during_the_grace_period(hooks, account):
    account.rotate_secret("auth_token", "twilio-auth-token-2", grace=timedelta(hours=1))
    old = fixture("sms_received", From=CUSTOMER, MessageSid="SM" + "1" * 32)
    new = fixture("sms_received", From=CUSTOMER, MessageSid="SM" + "2" * 32)
    assert hooks.post(old, token=AUTH_TOKEN).status_code == 200
    assert hooks.post(new, token="twilio-auth-token-2").status_code == 200
    account.previous_secrets_until = timezone.now() - timedelta(seconds=1)
    account.save()
    late = fixture("sms_received", From=CUSTOMER, MessageSid="SM" + "3" * 32)
    assert hooks.post(late, token=AUTH_TOKEN).status_code == 401
    assert InboundEvent.objects.count() == 2


def test_the_signed_url_behind_a_proxy(hooks, account):
    """Twilio signs the public URL; without ``public_url`` only the URL Django sees matches."""
    account.secrets = {k: v for k, v in account.secrets.items() if k != "public_url"}
    account.save()
    fields = fixture("sms_received", From=CUSTOMER)
    assert hooks.post(fields, base=PUBLIC).status_code == 401
    assert hooks.post(fields, base="http://testserver").status_code == 200
    account.secrets = {**account.secrets, "public_url": PUBLIC + "/"}
    account.save()
    second = fixture("sms_received", From=CUSTOMER, MessageSid="SM" + "4" * 32)
    assert hooks.post(second, base=PUBLIC).status_code == 200
    third = fixture("sms_received", From=CUSTOMER, MessageSid="SM" + "5" * 32)
    assert hooks.post(third, base=PUBLIC + ":443").status_code == 200  # Twilio's port variant
    assert InboundEvent.objects.count() == 3


def test_a_known_callers_number_joins_their_timeline(hooks, account, tenant):
    caller = do_create_customer(
        tenant, name="Sanne de Vries", identities=[("phone", "06 12345678")]
    )
    hooks.post(fixture("sms_received", From=CUSTOMER))
    process_pending(account)
    assert Message.objects.get().contact.customer == caller
    assert Customer.objects.count() == 1
    assert list(Identity.objects.values_list("kind", "value")) == [("phone", CUSTOMER)]


def test_a_whatsapp_customers_number_joins_their_timeline(hooks, account, tenant):
    known = do_create_customer(tenant, name="Sanne", identities=[("whatsapp", CUSTOMER[1:])])
    hooks.post(fixture("sms_received", From=CUSTOMER))
    process_pending(account)
    assert Message.objects.get().contact.customer == known
    assert set(Identity.objects.values_list("kind", flat=True)) == {"phone", "whatsapp"}
    assert Customer.objects.count() == 1


def test_messages_are_processed_in_arrival_order(hooks, account):
    for n, text in enumerate(("eerste", "tweede", "derde"), start=1):
        hooks.post(fixture("sms_received", From=CUSTOMER, MessageSid=f"SM{n:032x}", Body=text))
    assert process_pending(account) == 3
    contact = Contact.objects.get()
    assert [m.body for m in contact.messages.order_by("created_at", "id")] == [
        "eerste",
        "tweede",
        "derde",
    ]


def mms(twilio: TwilioPeer, **changes: str) -> dict[str, str]:
    return fixture(
        "mms_received",
        From=CUSTOMER,
        MediaUrl0=twilio.media_url(MMS_SID, ME0),
        MediaUrl1=twilio.media_url(MMS_SID, ME1),
        **changes,
    )


def test_mms_media_are_downloaded_and_stored(hooks, account, twilio):
    twilio.media[ME0] = (JPEG, "image/jpeg")
    twilio.media[ME1] = (PNG, "image/png")
    fields = mms(twilio)
    assert hooks.post(fields).status_code == 200
    assert hooks.post(fields).status_code == 200  # a duplicate downloads nothing
    assert process_pending(account) == 1
    message = Message.objects.get()
    assert message.body == "Photo of the leak"
    stored = {a.filename: (a.content_type, a.file.read()) for a in message.attachments.all()}
    assert stored == {f"{ME0}.jpg": ("image/jpeg", JPEG), f"{ME1}.png": ("image/png", PNG)}
    api = [r for r in twilio.requests if "/Media/" in r["path"]]
    cdn = [r for r in twilio.requests if r["path"].startswith("/cdn/")]
    assert len(api) == len(cdn) == 2
    assert all(r["authorization"].startswith("Basic ") for r in api)
    assert all(r["authorization"] is None for r in cdn)  # credentials never follow a redirect
    assert InboundEvent.objects.get().status == "processed"


def test_an_mms_without_text_and_a_refused_type(hooks, account, twilio, settings):
    settings.ALLOWED_ATTACHMENT_TYPES = ["image/jpeg"]
    twilio.media[ME0] = (JPEG, "image/jpeg")
    twilio.media[ME1] = (PNG, "image/png")
    hooks.post(mms(twilio, Body=""))
    process_pending(account)
    message = Message.objects.get()
    assert message.body == "[MMS: image/jpeg, image/png]"
    assert [a.content_type for a in message.attachments.all()] == ["image/jpeg"]
    event = InboundEvent.objects.get()
    assert event.status == "review"
    assert "attachment not stored" in event.error
    assert f"{ME1}.png" in event.error


def test_media_download_failures_are_retried_then_marked_failed(hooks, account, twilio):
    hooks.post(mms(twilio))  # the peer has no such media: 404
    for _ in range(MAX_ATTEMPTS - 1):
        process_pending(account)
        assert InboundEvent.objects.get().status == "pending"
    process_pending(account)
    event = InboundEvent.objects.get()
    assert (event.status, event.attempts) == ("failed", MAX_ATTEMPTS)
    assert "HTTP 404" in event.error
    assert Message.objects.count() == 0


def test_a_short_code_sender_is_kept_for_review(hooks, account):
    hooks.post(fixture("sms_received", From="12345"))
    process_pending(account)
    event = InboundEvent.objects.get()
    assert event.status == "review"
    assert "not a phone number" in event.error
    assert Message.objects.count() == 0


UNHANDLED = {
    "whatsapp": (fixture("whatsapp_received"), "whatsapp messages are not SMS"),
    "no sid and no body": (
        {
            k: v
            for k, v in fixture("sms_received").items()
            if k not in ("MessageSid", "SmsSid", "SmsMessageSid", "Body")
        },
        "no MessageSid",
    ),
    "no body": (
        {k: v for k, v in fixture("sms_received").items() if k not in ("Body", "NumMedia")},
        "a message without Body",
    ),
    "other account": (
        fixture("sms_received", AccountSid="AC" + "0" * 32),
        "is not this account's",
    ),
    "unknown status": (fixture("status_sent", MessageStatus="partially_delivered"), "not handled"),
}


@pytest.mark.parametrize("case", sorted(UNHANDLED))
def test_unhandled_bodies_are_stored_raw_for_review(case, hooks, account):
    fields, reason = UNHANDLED[case]
    response = hooks.post(fields)
    assert (response.status_code, response.content) == (200, TWIML)
    event = InboundEvent.objects.get()
    assert (event.item_type, event.status) == ("unhandled", "review")
    assert reason in event.payload["reason"]
    assert bytes(event.raw_body) == urlencode(fields).encode()
    assert DBTaskResult.objects.count() == 0  # nothing to process automatically
    assert hooks.post(fields).status_code == 200
    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 0


def test_malformed_bodies_are_400(hooks, account):
    url = PUBLIC + hooks.path
    document = json.dumps({"MessageSid": "SM1", "Body": "hi"}).encode()
    response = hooks.post(
        {},
        raw=document,
        content_type="application/json",
        signature=twilio_sign(AUTH_TOKEN, url, {}),
    )
    assert response.status_code == 400
    assert response.json()["title"] == "Malformed request body"
    assert "x-www-form-urlencoded" in response.json()["detail"]
    # signed as Twilio would sign what it can read of it, but not UTF-8 / not a form
    undecodable = b"MessageSid=SM1&Body=%FF"
    signature = twilio_sign(AUTH_TOKEN, url, {"MessageSid": "SM1", "Body": "\ufffd"})
    assert hooks.post({}, raw=undecodable, signature=signature).status_code == 400
    signature = twilio_sign(AUTH_TOKEN, url, {"not a form": ""})
    assert hooks.post({}, raw=b"not a form", signature=signature).status_code == 400
    assert InboundEvent.objects.count() == 0


def test_unknown_and_inactive_accounts_are_404(hooks, account, client):
    response = client.post("/hooks/sms/no-such-key/", b"Body=x", content_type=FORM)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    account.active = False
    account.save()
    assert hooks.post(fixture("sms_received", From=CUSTOMER)).status_code == 404
    account.active = True
    account.save()
    assert client.get(hooks.path).status_code == 405  # no set-up check: POST only
    assert InboundEvent.objects.count() == 0


# --- replies ---------------------------------------------------------------------------------


@pytest.fixture
def contact(hooks, account) -> Contact:
    hooks.post(fixture("sms_received", From=CUSTOMER))
    process_pending(account)
    return Contact.objects.get()


def reply(api, contact, **body):
    return api.post(f"/api/v1/contacts/{contact.pk}/replies", body, content_type="application/json")


def status(hooks, name: str, sid: str, ref: str = "", **changes: str):
    fields = fixture(f"status_{name}", MessageSid=sid, To=CUSTOMER, **changes)
    return hooks.post(fields, query=urlencode({"ref": ref}) if ref else "")


def test_a_reply_goes_out_with_its_status_callback(api_anna, contact, twilio, hooks, account):
    options = api_anna.get(f"/api/v1/contacts/{contact.pk}/reply-options").json()
    assert options["window_open"] is True  # SMS has no customer-service window
    assert (options["window_closes_at"], options["templates"]) == (None, [])

    response = reply(api_anna, contact, text="Uw melding is ontvangen.", idempotency_key="k1")
    assert response.status_code == 202
    assert response.json()["delivery_status"] == "pending"
    outbound = OutboundMessage.objects.get()
    callback = f"{PUBLIC}/hooks/sms/{account.key}/?ref=k1"
    assert outbound.request == {
        "form": {
            "To": CUSTOMER,
            "Body": "Uw melding is ontvangen.",
            "From": TWILIO_NUMBER,
            "StatusCallback": callback,
        },
        "encoding": "GSM-7",
        "segments": 1,
    }
    assert twilio.sends == []  # persisted first, sent by the task

    assert deliver(outbound.pk) == "accepted"
    assert twilio.sends == [outbound.request["form"]]
    posted = twilio.requests[-1]
    assert posted["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert posted["content_type"] == FORM
    sid = "SM" + f"{1:032x}"
    message = Message.objects.get(pk=outbound.message_id)
    assert (message.external_id, message.delivery_status) == (sid, "sent")

    # Twilio calls the StatusCallback URL, query included: out of order, duplicated, late
    assert status(hooks, "delivered", sid, ref="k1").status_code == 200
    assert status(hooks, "delivered", sid, ref="k1").status_code == 200
    assert status(hooks, "sent", sid, ref="k1").status_code == 200
    assert status(hooks, "undelivered", sid, ref="k1").status_code == 200
    assert InboundEvent.objects.filter(item_type="status").count() == 3
    process_pending(account)
    message.refresh_from_db()
    assert message.delivery_status == "delivered"  # never moves back
    outbound.refresh_from_db()
    assert outbound.status == "accepted"
    # sent (the API answer), delivered; the stale and the late reports write nothing
    assert Event.objects.filter(type="message.delivery_updated").count() == 2
    events = Event.objects.filter(tenant=contact.tenant).order_by("id")
    assert replay(parse(e.type, e.payload) for e in events) == state_of(contact.tenant)


def test_an_undelivered_status_shows_the_error_code(api_anna, contact, hooks, account):
    reply(api_anna, contact, text="Bent u thuis?")
    outbound = OutboundMessage.objects.get()
    deliver(outbound.pk)
    sid = OutboundMessage.objects.get().provider_message_id
    status(hooks, "undelivered", sid)
    process_pending(account)
    outbound.refresh_from_db()
    assert outbound.status == "failed"
    assert (outbound.error_code, outbound.error) == (
        "30003",
        "30003: Unreachable destination handset",
    )
    assert outbound.message.delivery_status == "failed"
    event = Event.objects.filter(type="message.delivery_updated").last()
    assert event.payload["error"] == "30003: Unreachable destination handset"
    # the WhatsApp rule: a later "delivered" outranks "failed"
    status(hooks, "delivered", sid)
    process_pending(account)
    outbound.message.refresh_from_db()
    assert outbound.message.delivery_status == "delivered"


def test_a_failed_status_carries_its_code(api_anna, contact, hooks, account):
    reply(api_anna, contact, text="Tot morgen")
    outbound = OutboundMessage.objects.get()
    deliver(outbound.pk)
    status(hooks, "failed", OutboundMessage.objects.get().provider_message_id)
    process_pending(account)
    outbound.refresh_from_db()
    assert (outbound.status, outbound.error_code) == ("failed", "30008")
    assert outbound.message.delivery_status == "failed"


def test_segments_are_counted_and_stored(api_anna, contact):
    cases = {
        "a": "Uw afspraak is morgen om 10:00.",  # GSM-7, 1
        "b": "x" * 161,  # GSM-7, 2
        "c": "Dank u wel 😀",  # an emoji: UCS-2, 1
        "d": "y" * 69 + "😀",  # 71 UTF-16 units: UCS-2, 2
        "e": "{[€]}" * 32,  # 160 characters, 320 septets with the escapes: GSM-7, 3
    }
    for key, text in cases.items():
        assert reply(api_anna, contact, text=text, idempotency_key=key).status_code == 202
    stored = {
        o.idempotency_key: (o.request["encoding"], o.request["segments"])
        for o in OutboundMessage.objects.all()
    }
    assert stored == {
        "a": ("GSM-7", 1),
        "b": ("GSM-7", 2),
        "c": ("UCS-2", 1),
        "d": ("UCS-2", 2),
        "e": ("GSM-7", 3),
    }


def test_segments_of_twilios_published_vectors():
    """The test messages of Twilio's own segment calculator (see fixtures/SOURCE.md)."""
    vectors = json.loads((FIXTURES / "segment_vectors.json").read_text())
    assert len(vectors) == 6
    for vector in vectors:
        assert segments(vector["body"]) == (vector["encoding"], vector["segments"]), vector


def test_segment_boundaries():
    """Per segment 160 or 153 GSM-7 septets, 70 or 67 UCS-2 code units (TS 23.038/23.040)."""
    assert segments("a" * 160) == ("GSM-7", 1)
    assert segments("a" * 161) == ("GSM-7", 2)
    assert segments("a" * 306) == ("GSM-7", 2)
    assert segments("€" * 80) == ("GSM-7", 1)
    assert segments("€" * 81) == ("GSM-7", 2)  # 76 escapes fit a segment of 153, not 76.5
    assert segments("Ç" * 70) == ("GSM-7", 1)  # capital Ç is GSM-7 (0x09), small ç is not
    assert segments("ç" * 70) == ("UCS-2", 1)
    assert segments("ç" * 71) == ("UCS-2", 2)
    assert segments("ç" * 134) == ("UCS-2", 2)
    assert segments("ç" * 135) == ("UCS-2", 3)
    assert segments("😀" * 35) == ("UCS-2", 1)
    assert segments("😀" * 34 + "abc") == ("UCS-2", 2)  # 71 code units
    # neither an escape sequence nor a surrogate pair is split over two segments
    assert segments("a" * 152 + "€" + "a" * 152) == ("GSM-7", 3)  # 306 septets
    assert segments("x" * 66 + "😀" + "x" * 66) == ("UCS-2", 3)  # 134 code units
    assert segments("") == ("GSM-7", 1)


def test_texts_over_ten_segments_are_refused(api_anna, contact):
    for text in ("ł" * 700, "a" * 1531, "😀" * 800):
        response = reply(api_anna, contact, text=text)
        assert response.status_code == 422, text[:3]
        body = response.json()
        assert body["errors"][0]["field"] == "text"
        assert "10 segments" in body["detail"]
    assert reply(api_anna, contact, text="ł" * 670).status_code == 202  # exactly 10
    assert reply(api_anna, contact, text="a" * 1530).status_code == 202  # exactly 10
    refused = reply(api_anna, contact, template="case_update", language="nl")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "template"


def test_a_messaging_service_sends_instead_of_a_number(api_anna, contact, account, twilio):
    account.secrets = {**account.secrets, "messaging_service_sid": "MG" + "a" * 32}
    account.save()
    reply(api_anna, contact, text="Via de service")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "accepted"
    assert twilio.sends[0]["MessagingServiceSid"] == "MG" + "a" * 32
    assert "From" not in twilio.sends[0]


def test_a_retry_never_sends_twice(api_anna, contact, twilio):
    first = reply(api_anna, contact, text="Eén keer", idempotency_key="same")
    again = reply(api_anna, contact, text="Eén keer", idempotency_key="same")
    assert (first.status_code, again.status_code) == (202, 200)
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "accepted"
    assert deliver(outbound.pk) == "accepted"  # a second task run finds nothing to claim
    assert len(twilio.sends) == 1
    assert Message.objects.filter(author="agent").count() == 1


def test_429_is_retried_after_retry_after(api_anna, contact, twilio):
    twilio.rate_limited, twilio.retry_after = 1, "120"
    reply(api_anna, contact, text="Even geduld")
    outbound = OutboundMessage.objects.get()
    before = timezone.now()
    assert deliver(outbound.pk) == "queued"
    outbound.refresh_from_db()
    assert (outbound.error_code, outbound.error) == ("20429", "20429: Too Many Requests")
    # the provider's 120 s, not the first backoff step of 5 s
    assert outbound.next_attempt_at >= before + timedelta(seconds=120)
    assert outbound.message.delivery_status == "pending"
    assert deliver(outbound.pk) == "accepted"
    assert (len(twilio.sends), twilio.sent) == (2, 1)


def test_retry_after_values():
    now = timezone.now()
    assert sms_sender.retry_after_seconds("30") == 30
    assert sms_sender.retry_after_seconds(None) is None
    assert sms_sender.retry_after_seconds("soon") is None
    date = (now + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 89 <= sms_sender.retry_after_seconds(date, now=now) <= 90
    assert sms_sender.retry_after_seconds("86400") == sms_sender.MAX_RETRY_AFTER_SECONDS


def test_21211_fails_with_the_reason(api_anna, contact, twilio):
    twilio.invalid_numbers.add(CUSTOMER)
    reply(api_anna, contact, text="Hallo?")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "failed"
    outbound.refresh_from_db()
    assert outbound.error_code == "21211"
    assert outbound.error == f"21211: The 'To' number {CUSTOMER} is not a valid phone number."
    assert outbound.message.delivery_status == "failed"
    event = Event.objects.filter(type="message.delivery_updated").last()
    assert event.payload["error"].startswith("21211")
    assert deliver(outbound.pk) == "failed"  # never retried
    assert len(twilio.sends) == 1


def test_wrong_credentials_fail(api_anna, contact, account, twilio):
    account.secrets = {**account.secrets, "auth_token": "revoked"}
    account.save()
    reply(api_anna, contact, text="Hallo")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "failed"
    outbound.refresh_from_db()
    assert (outbound.error_code, outbound.error) == ("20003", "20003: Authenticate")
    assert twilio.sends == []


def test_server_errors_and_refused_connections_are_retried(api_anna, contact, account, twilio):
    twilio.server_errors = 1
    reply(api_anna, contact, text="Nog eens", idempotency_key="five")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "queued"
    assert deliver(outbound.pk) == "accepted"
    account.base_url = "http://127.0.0.1:9"  # discard port: nothing listens
    account.save()
    reply(api_anna, contact, text="Niemand thuis", idempotency_key="refused")
    refused = OutboundMessage.objects.get(idempotency_key="refused")
    assert deliver(refused.pk) == "queued"
    assert twilio.sent == 1


def test_a_timeout_is_unknown_and_the_status_callback_settles_it(
    api_anna, contact, twilio, hooks, account, monkeypatch
):
    monkeypatch.setattr(sms_sender, "TIMEOUT_SECONDS", 0.5)
    twilio.hang_next = 1  # takes the message, answers only when the peer stops
    reply(api_anna, contact, text="Verloren antwoord", idempotency_key="lost-1")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "unknown"
    assert deliver(outbound.pk) == "unknown"  # never re-sent blindly
    assert twilio.sent == 1
    sid = "SM" + f"{1:032x}"
    status(hooks, "delivered", sid, ref="lost-1")
    process_pending(account)
    outbound.refresh_from_db()
    assert (outbound.status, outbound.provider_message_id) == ("accepted", sid)
    message = outbound.message
    message.refresh_from_db()
    assert (message.external_id, message.delivery_status) == (sid, "delivered")


def test_a_dropped_answer_is_unknown(api_anna, contact, twilio):
    twilio.drop_next = 1
    reply(api_anna, contact, text="Half verstuurd")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "unknown"
    assert twilio.sent == 1


def test_a_status_for_an_unknown_message_waits_then_goes_to_review(hooks, account):
    status(hooks, "delivered", "SM" + "9" * 32)
    for _ in range(MAX_ATTEMPTS - 1):
        process_pending(account)
        assert InboundEvent.objects.get().status == "pending"
    process_pending(account)
    assert InboundEvent.objects.get().status == "review"


def test_other_tenants_cannot_reply(api_olga, contact, twilio):
    response = reply(api_olga, contact, text="Niet van mij")
    assert response.status_code == 404
    assert OutboundMessage.objects.count() == 0
