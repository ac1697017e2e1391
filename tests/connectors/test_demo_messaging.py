"""The demo's messaging (``make run``): a WhatsApp, Messenger, Telegram or SMS message of a known
demo customer reaches an available agent; the agent's reply goes to the demo provider over HTTP
(the live server) and comes back ``sent``, then ``delivered`` through the provider's status
webhook; an old WhatsApp conversation takes only a template. The inbound webhooks are the ones
``symfonie demo-message`` builds, posted through Django's test client."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from symfonie.cli import main
from symfonie.connectors import demo_provider
from symfonie.connectors.actions import do_queue_reply
from symfonie.connectors.demo import (
    LEGACY_SEND_API,
    add_demo_channel_accounts,
    demo_account,
    provider_url,
)
from symfonie.connectors.demo_cli import build_webhook
from symfonie.connectors.demo_provider import Webhook, post_callbacks
from symfonie.connectors.inbound import process_pending
from symfonie.connectors.models import ChannelAccount, InboundEvent, OutboundMessage
from symfonie.connectors.outbound import deliver
from symfonie.connectors.registry import sender_for
from symfonie.contacts.models import Contact, Customer, Identity, Message, TimelineEntry
from symfonie.events.models import Event
from symfonie.tenants.models import Tenant, User
from tests.conftest import api_client_for

TEST_SERVER = "http://testserver"  # the test client's address: what an SMS is signed for
# the delivery statuses a reply goes through: Telegram has no delivery receipts
STATUSES = {
    "whatsapp": ["sent", "delivered"],
    "messenger": ["sent", "delivered"],
    "telegram": ["sent"],
    "sms": ["sent", "delivered"],
}

# the status webhooks the provider posts after a send (Messenger: one delivery receipt)
CALLBACKS = {"whatsapp": 2, "messenger": 1, "telegram": 0, "sms": 2}


class Demo:
    def __init__(self, url: str) -> None:
        self.url = url  # the live server
        self.tenant = Tenant.objects.get(slug="woonstad")
        self.geertje = Customer.objects.get(tenant=self.tenant, name="Geertje Jansen")
        self.anna = User.objects.get(email="anna@symfonie.example")
        self.callbacks: list[Webhook] = []  # the status webhooks the provider scheduled

    def account(self, kind: str) -> ChannelAccount:
        account = demo_account(self.tenant, kind)
        assert account is not None
        return account

    def post(self, webhook: Webhook):
        """Post a built webhook through the test client (the same request the CLI sends)."""
        url = urlsplit(webhook.url)
        headers = dict(webhook.headers)
        content_type = headers.pop("Content-Type")
        path = url.path + (f"?{url.query}" if url.query else "")
        return Client().post(path, webhook.body, content_type=content_type, headers=headers)

    def customer_writes(self, kind: str, text: str, hours_ago: float = 0) -> Contact:
        account = self.account(kind)
        at = timezone.now() - timedelta(hours=hours_ago)
        response = self.post(build_webhook(account, self.geertje, text, at, TEST_SERVER))
        assert response.status_code == 200, response.content
        assert process_pending(account) == 1
        message = Message.objects.get(channel_account=account.message_key, author="customer")
        assert message.body == text
        return message.contact


@pytest.fixture
def demo(transactional_db, live_server, settings, monkeypatch) -> Demo:
    """The demo tenants with routing, their accounts' send APIs at the live server's demo
    provider, and the provider's status webhooks kept for the test to post (from this thread:
    the live server shares the test's in-memory database connection)."""
    from symfonie.demo.loader import load_demo
    from symfonie.demo.routing import load_routing_demo
    from symfonie.routing.commands import submit

    settings.PUBLIC_URL = live_server.url
    load_demo(scale=0.02, today=timezone.now().date())
    assert load_routing_demo()
    state = Demo(live_server.url)
    monkeypatch.setattr(demo_provider, "schedule", state.callbacks.extend)
    monkeypatch.setattr(demo_provider, "CALLBACK_DELAY_SECONDS", 0)
    submit("presence", {"agent": state.anna.pk, "presence": "available"})
    return state


def delivery_statuses(message: Message) -> list[str]:
    events = Event.objects.filter(type="message.delivery_updated", payload__message_id=message.pk)
    return [e.payload["delivery_status"] for e in events.order_by("id")]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["whatsapp", "messenger", "telegram", "sms"])
def test_a_demo_customer_reaches_an_agent_and_the_reply_is_delivered(demo, kind):
    from symfonie.routing.models import Offer

    account = demo.account(kind)
    assert account.base_url == provider_url(kind) == f"{demo.url}/demo-provider/{kind}"
    contact = demo.customer_writes(kind, "Goedemiddag, de kraan in mijn keuken lekt.")

    assert (contact.customer, contact.channel, contact.queue) == (
        demo.geertje,
        kind,
        "woning-digitaal",
    )
    assert TimelineEntry.objects.filter(
        customer=demo.geertje, kind="message", channel=kind, contact_id=contact.pk
    ).exists()
    contact.refresh_from_db()
    assert contact.state == "offered"
    assert Offer.objects.get(contact=contact).agent.user == demo.anna

    outbound, created = do_queue_reply(
        contact, account, text="We sturen morgen een monteur.", actor=demo.anna
    )
    assert created
    assert deliver(outbound.pk) == "accepted"  # over HTTP, at the demo provider
    reply = Message.objects.get(pk=outbound.message_id)
    assert reply.delivery_status == "sent"
    assert reply.external_id

    # the provider's status webhooks, signed as the provider signs them
    assert len(demo.callbacks) == CALLBACKS[kind]
    post_callbacks(demo.callbacks)
    process_pending(account)
    assert not InboundEvent.objects.filter(account=account).exclude(status="processed").exists()
    reply.refresh_from_db()
    assert reply.delivery_status == STATUSES[kind][-1]
    assert delivery_statuses(reply) == STATUSES[kind]


@pytest.mark.slow
def test_an_old_whatsapp_conversation_takes_only_a_template(demo):
    account = demo.account("whatsapp")
    contact = demo.customer_writes("whatsapp", "Is mijn melding al bekeken?", hours_ago=30)
    api = api_client_for(demo.anna, demo.tenant)
    replies = f"/api/v1/contacts/{contact.pk}/replies"

    options = api.get(f"/api/v1/contacts/{contact.pk}/reply-options").json()
    assert options["window_open"] is False
    assert {t["name"] for t in options["templates"]} == {"case_update", "satisfaction"}
    refused = api.post(replies, {"text": "Ja, vandaag."}, content_type="application/json")
    assert refused.status_code == 409
    assert not OutboundMessage.objects.exists()

    template = {"template": "case_update", "language": "nl", "parameters": ["Geertje", "M-1"]}
    assert api.post(replies, template, content_type="application/json").status_code == 202
    outbound = OutboundMessage.objects.get(account=account)
    assert deliver(outbound.pk) == "accepted"
    post_callbacks(demo.callbacks)
    process_pending(account)
    reply = Message.objects.get(pk=outbound.message_id)
    assert reply.body.startswith("Beste Geertje, er is nieuws over uw melding M-1.")
    assert delivery_statuses(reply) == ["sent", "delivered"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "secret", "request_body", "error_code"),
    [
        (
            "whatsapp",
            "access_token",
            {
                "messaging_product": "whatsapp",
                "to": "31612345678",
                "type": "text",
                "text": {"body": "Hoi"},
            },
            "190",
        ),
        (
            "messenger",
            "access_token",
            {
                "recipient": {"id": "1254477777772919"},
                "messaging_type": "RESPONSE",
                "message": {"text": "Hoi"},
            },
            "190",
        ),
        ("telegram", "bot_token", {"chat_id": 1111111, "text": "Hoi"}, "401"),
        (
            "sms",
            "auth_token",
            {"form": {"To": "+31612345678", "From": "+3197010000000", "Body": "Hoi"}},
            "20003",
        ),
    ],
)
def test_a_wrong_credential_gets_the_providers_authentication_error(
    demo, kind, secret, request_body, error_code
):
    account = demo.account(kind)
    if kind == "telegram":  # the token is the bot id, a colon, and the secret part
        account.secrets = {**account.secrets, secret: account.provider_account_id + ":wrong"}
    else:
        account.secrets = {**account.secrets, secret: "wrong"}
    result = sender_for(kind).send(account, request_body)  # type: ignore[union-attr]
    assert (result.outcome, result.error_code) == ("failed", error_code)
    assert demo.callbacks == []


@pytest.mark.slow
def test_demo_message_posts_to_the_running_server(demo, capsys):
    argv = ["demo-message", "--tenant", "woonstad", "--channel", "telegram", "--url", demo.url]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Telegram message of Geertje Jansen" in out
    assert "→ 200" in out
    telegram = Identity.objects.get(customer=demo.geertje, kind="telegram")
    account = demo.account("telegram")
    process_pending(account)
    contact = Contact.objects.get(channel="telegram", customer=demo.geertje)
    assert contact.state == "offered"
    # the same customer writes again: the same demo id, the same open contact
    assert main([*argv, "--text", "Nog een vraag."]) == 0
    process_pending(account)
    assert Identity.objects.get(customer=demo.geertje, kind="telegram") == telegram
    assert contact.messages.count() == 2


@pytest.mark.slow
def test_demo_message_tells_when_only_a_template_can_answer(demo, capsys):
    argv = ["demo-message", "--tenant", "woonstad", "--channel", "whatsapp", "--hours-ago", "30"]
    assert main([*argv, "--url", demo.url]) == 0
    out = capsys.readouterr().out
    assert "only an approved template can answer" in out
    # her WhatsApp id is her phone number's digits
    phone = Identity.objects.filter(customer=demo.geertje, kind="phone").order_by("pk").first()
    whatsapp = Identity.objects.get(customer=demo.geertje, kind="whatsapp")
    assert whatsapp.value == phone.value.lstrip("+")


# -- bad input ---------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def geertje(tenant) -> Customer:
    from symfonie.contacts.actions.customers import do_create_customer

    return do_create_customer(tenant, name="Geertje Jansen", identities=[("phone", "0612345678")])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tenant", "nope", "--channel", "sms"], "no tenant with slug 'nope'"),
        (["--tenant", "woonstad", "--channel", "sms", "--customer", "Piet"], "no customer named"),
        (["--tenant", "woonstad", "--channel", "sms", "--hours-ago", "30"], "Twilio"),
        (["--tenant", "woonstad", "--channel", "sms", "--hours-ago", "-1"], "between 0 and"),
        (["--tenant", "woonstad", "--channel", "sms"], "cannot reach the server"),
        (["--tenant", "woonstad", "--channel", "messenger"], "cannot reach the server"),
    ],
)
def test_bad_input_exits_with_code_2(geertje, capsys, argv, message):
    url = f"http://127.0.0.1:{closed_port()}"
    assert main(["demo-message", *argv, "--url", url]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_only_an_http_server_is_posted_to(geertje, capsys):
    argv = ["demo-message", "--tenant", "woonstad", "--channel", "sms", "--url", "file:///tmp"]
    assert main(argv) == 2
    assert "--url must be an http(s) address" in capsys.readouterr().err


def test_an_unknown_channel_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo-message", "--tenant", "woonstad", "--channel", "fax"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'fax'" in capsys.readouterr().err


def test_demo_accounts_are_made_once_and_old_ones_move_to_the_provider(tenant, settings):
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    old = ChannelAccount.objects.create(
        tenant=tenant,
        kind="whatsapp",
        key="demo-woonstad",
        name="Woonstad WhatsApp",
        provider_account_id="106540352242921",
        base_url=LEGACY_SEND_API,
        default_queue="whatsapp",
    )
    first = add_demo_channel_accounts([tenant])
    assert [a.kind for a in first] == ["whatsapp", "messenger", "telegram", "sms"]
    assert first[0].pk == old.pk
    assert {a.base_url for a in first} == {
        f"http://127.0.0.1:8000/demo-provider/{kind}" for kind in STATUSES
    }
    assert {a.default_queue for a in first} == {"woning-digitaal"}
    assert first[3].secrets["public_url"] == "http://127.0.0.1:8000"
    ChannelAccount.objects.filter(kind="sms").update(base_url="https://api.twilio.com")
    again = add_demo_channel_accounts([tenant])
    assert [a.pk for a in again] == [a.pk for a in first]
    assert again[3].base_url == "https://api.twilio.com"  # an administrator's choice stays


def test_status_webhooks_are_posted_from_a_thread(monkeypatch):
    received: list[tuple[bytes, str]] = []
    done = threading.Event()

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers["X-Hub-Signature-256"]))
            self.send_response(200)
            self.end_headers()
            done.set()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(demo_provider, "CALLBACK_DELAY_SECONDS", 0)
    try:
        url = f"http://127.0.0.1:{server.server_port}/hooks/whatsapp/demo-woonstad/"
        body = json.dumps({"object": "whatsapp_business_account"}).encode()
        demo_provider.schedule([Webhook(url, body, {"X-Hub-Signature-256": "sha256=ab"})])
        assert done.wait(timeout=30)
    finally:
        server.shutdown()
        server.server_close()
    assert received == [(body, "sha256=ab")]


def test_the_demo_provider_is_off_in_production(tmp_path):
    from tests.test_settings import import_settings

    code = "print(s.DEMO_PROVIDER, s.PUBLIC_URL)"
    production = import_settings(
        tmp_path, code, SYMFONIE_ENV="production", SYMFONIE_SECRET_KEY="k" * 50
    )
    assert production.returncode == 0, production.stderr
    assert production.stdout.split() == ["False", "http://127.0.0.1:8000"]
    assert import_settings(tmp_path, code).stdout.split()[0] == "True"
