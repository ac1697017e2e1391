"""Replies on Telegram through a local Bot API peer: sendMessage, flood limits with
``retry_after``, refusals with Telegram's reason, one post per intent, and the length limit."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from symfonie.connectors.inbound import process_pending
from symfonie.connectors.models import ChannelAccount, OutboundMessage
from symfonie.connectors.outbound import deliver
from symfonie.connectors.telegram import sender
from symfonie.contacts.models import Contact, Message
from symfonie.events.models import Event
from symfonie.problems import InvalidInput
from tests.connectors.test_telegram import BOT_TOKEN, SECRET, BotPeer, TgHooks, fixture

pytestmark = pytest.mark.urls("tests.connectors.urls")
CHAT = 1111111  # the user of the documented sample updates
BOT = {"id": 123456, "is_bot": True, "first_name": "Woonstad", "username": "woonstad_bot"}


class SendPeer(BotPeer):
    """The Bot API peer of ``test_telegram`` plus ``sendMessage`` as documented: JSON body,
    ``{"ok": true, "result": Message}`` with message ids counted per chat, and the error
    answers ``{"ok": false, "error_code", "description", "parameters"}``."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.posts: list[dict[str, Any]] = []
        self.known_chats: set[int] = {CHAT}  # chats that started the bot
        self.blocked: set[int] = set()
        self.flood_wait: list[int] = []  # answer the next sends with 429 retry_after=n
        self.unavailable = 0  # answer the next n sends with a proxy's 502 page
        self.hold = threading.Event()  # cleared: keep the next answer until it is set
        self.hold.set()
        self.message_ids: dict[int, int] = {}
        self.lock = threading.Lock()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        peer = self

        class Handler(super()._handler()):  # type: ignore[misc]
            def do_POST(self) -> None:
                if self.path != f"/bot{peer.token}/sendMessage":
                    self._error(401 if self.path.startswith("/bot") else 404, "Unauthorized")
                    return
                if self.headers.get_content_type() != "application/json":
                    self._error(400, "Bad Request: message text is empty")
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                with peer.lock:
                    peer.posts.append(body)
                answer = peer.answer(body)
                peer.hold.wait(timeout=30)
                try:
                    if answer is None:
                        self._answer(502, b"<html><body>502 Bad Gateway</body></html>")
                    else:
                        self._answer(200 if answer.get("ok") else answer["error_code"], answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

        return Handler

    def answer(self, body: dict[str, Any]) -> dict[str, Any] | None:
        text, chat = body.get("text"), body.get("chat_id")
        with self.lock:
            if self.unavailable:
                self.unavailable -= 1
                return None
            if self.flood_wait:
                wait = self.flood_wait.pop(0)
                return {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {wait}",
                    "parameters": {"retry_after": wait},
                }
            if not isinstance(text, str) or not text.strip():
                return error(400, "Bad Request: message text is empty")
            if len(text) > 4096:
                return error(400, "Bad Request: message is too long")
            if chat not in self.known_chats:
                return error(400, "Bad Request: chat not found")
            if chat in self.blocked:
                return error(403, "Forbidden: bot was blocked by the user")
            self.message_ids[chat] = self.message_ids.get(chat, 0) + 1
            message_id = self.message_ids[chat]
        return {
            "ok": True,
            "result": {
                "message_id": message_id,
                "from": BOT,
                "chat": {"id": chat, "type": "private"},
                "date": int(timezone.now().timestamp()),
                "text": text,
            },
        }


def error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


@pytest.fixture
def bot_peer():
    with SendPeer(BOT_TOKEN) as running:
        yield running


@pytest.fixture
def tg_account(tenant, bot_peer) -> ChannelAccount:
    return ChannelAccount.objects.create(
        tenant=tenant,
        kind="telegram",
        name="Woonstad Telegram",
        provider_account_id="123456",
        secrets={"secret_token": SECRET, "bot_token": BOT_TOKEN},
        base_url=bot_peer.url,
        default_queue="telegram",
    )


def customer_writes(account: ChannelAccount, update_id: int, user_id: int, text: str) -> Contact:
    user = {"id": user_id, "is_bot": False, "first_name": f"Klant {user_id}"}
    document = fixture(
        "text",
        update_id=update_id,
        date=int(timezone.now().timestamp()) - 60,
        text=text,
        chat={"id": user_id, "type": "private", "first_name": user["first_name"]},
        **{"from": user},
    )
    assert TgHooks(account).post(document).json() == {"accepted": 1}
    process_pending(account)
    return Contact.objects.get(customer__identities__value=str(user_id))


@pytest.fixture
def contact(tg_account) -> Contact:
    return customer_writes(tg_account, 10000, CHAT, "Mijn verwarming doet het niet")


def reply(api, contact, **body):
    return api.post(f"/api/v1/contacts/{contact.pk}/replies", body, content_type="application/json")


def test_a_reply_goes_out_through_send_message(api_anna, contact, bot_peer, tg_account):
    options = api_anna.get(f"/api/v1/contacts/{contact.pk}/reply-options").json()
    assert options == {
        "account_id": tg_account.pk,
        "window_open": True,  # no customer-service window on Telegram
        "window_closes_at": None,
        "templates": [],
    }
    response = reply(api_anna, contact, text="We sturen morgen een monteur.", idempotency_key="t1")
    assert response.status_code == 202
    assert response.json()["delivery_status"] == "pending"
    outbound = OutboundMessage.objects.get()
    assert outbound.request == {"chat_id": CHAT, "text": "We sturen morgen een monteur."}
    assert bot_peer.posts == []  # persisted first, sent by the task

    assert deliver(outbound.pk) == "accepted"
    assert bot_peer.posts == [{"chat_id": CHAT, "text": "We sturen morgen een monteur."}]
    message = Message.objects.get(pk=outbound.message_id)
    assert message.delivery_status == "sent"
    assert message.external_id == f"message:{CHAT}:1"
    outbound.refresh_from_db()
    assert outbound.provider_message_id == f"message:{CHAT}:1"
    event = Event.objects.filter(type="message.delivery_updated").get()
    assert event.payload["external_id"] == f"message:{CHAT}:1"


def test_message_ids_repeat_across_chats_without_a_clash(api_anna, contact, tg_account, bot_peer):
    other = customer_writes(tg_account, 10001, 2222222, "Ik ook")
    bot_peer.known_chats.add(2222222)
    for target in (contact, other):
        reply(api_anna, target, text="Dank u, we kijken ernaar.")
    for outbound in OutboundMessage.objects.order_by("id"):
        assert deliver(outbound.pk) == "accepted"
    # Telegram numbers messages per chat: both are message 1 of their chat
    assert sorted(Message.objects.filter(author="agent").values_list("external_id", flat=True)) == [
        f"message:{CHAT}:1",
        "message:2222222:1",
    ]


def test_flood_limit_waits_at_least_retry_after(
    api_anna, contact, bot_peer, django_capture_on_commit_callbacks
):
    bot_peer.flood_wait = [120]  # longer than the first backoff step (5 s)
    reply(api_anna, contact, text="Even geduld")
    outbound = OutboundMessage.objects.get()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(outbound.pk) == "queued"
    outbound.refresh_from_db()
    assert outbound.error_code == "429"
    assert outbound.error == "Too Many Requests: retry after 120"
    assert outbound.next_attempt_at >= before + timedelta(seconds=120)
    task = DBTaskResult.objects.get(task_path__endswith="deliver_outbound")
    assert task.args_kwargs["args"] == [outbound.pk]
    assert task.run_after == outbound.next_attempt_at
    assert outbound.message.delivery_status == "pending"

    assert deliver(outbound.pk) == "accepted"
    assert len(bot_peer.posts) == 2
    assert bot_peer.message_ids == {CHAT: 1}


@pytest.mark.parametrize(
    ("setup", "code", "reason"),
    [
        ("blocked", "403", "Forbidden: bot was blocked by the user"),
        ("unknown chat", "400", "Bad Request: chat not found"),
    ],
)
def test_refusals_fail_with_telegrams_reason(api_anna, contact, bot_peer, setup, code, reason):
    if setup == "blocked":
        bot_peer.blocked.add(CHAT)
    else:
        bot_peer.known_chats.clear()
    reply(api_anna, contact, text="Bent u er nog?")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "failed"
    outbound.refresh_from_db()
    assert (outbound.error_code, outbound.error) == (code, reason)
    assert outbound.message.delivery_status == "failed"
    event = Event.objects.filter(type="message.delivery_updated").get()
    assert event.payload["error"] == reason
    assert deliver(outbound.pk) == "failed"
    assert len(bot_peer.posts) == 1


def test_a_retried_delivery_never_posts_twice(api_anna, contact, bot_peer):
    first = reply(api_anna, contact, text="Eén keer", idempotency_key="same")
    again = reply(api_anna, contact, text="Eén keer", idempotency_key="same")
    assert (first.status_code, again.status_code) == (202, 200)
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "accepted"
    assert deliver(outbound.pk) == "accepted"  # a second task run finds nothing to claim
    assert bot_peer.posts == [{"chat_id": CHAT, "text": "Eén keer"}]
    assert Message.objects.filter(author="agent").count() == 1


def test_a_timeout_is_unknown_and_never_posted_again(api_anna, contact, bot_peer, monkeypatch):
    monkeypatch.setattr(sender, "TIMEOUT_SECONDS", 0.5)
    bot_peer.hold.clear()  # the peer takes the message but does not answer in time
    reply(api_anna, contact, text="Komt dit aan?")
    outbound = OutboundMessage.objects.get()
    try:
        assert deliver(outbound.pk) == "unknown"
    finally:
        bot_peer.hold.set()
    assert deliver(outbound.pk) == "unknown"
    assert len(bot_peer.posts) == 1
    outbound.refresh_from_db()
    assert outbound.message.delivery_status == "pending"


def test_bad_gateway_and_connection_refused_are_retried(api_anna, contact, bot_peer, tg_account):
    bot_peer.unavailable = 1
    reply(api_anna, contact, text="Nog een keer", idempotency_key="a")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "queued"
    outbound.refresh_from_db()
    assert (outbound.error_code, outbound.error) == ("502", "HTTP 502")
    assert deliver(outbound.pk) == "accepted"

    tg_account.base_url = "http://127.0.0.1:9"  # discard port: nothing listens
    tg_account.save()
    reply(api_anna, contact, text="Niemand thuis", idempotency_key="b")
    refused = OutboundMessage.objects.get(idempotency_key="b")
    assert deliver(refused.pk) == "queued"
    refused.refresh_from_db()
    assert refused.error.startswith("not reached")


def test_a_revoked_token_fails_without_showing_the_token(api_anna, contact, tg_account):
    tg_account.secrets = {**tg_account.secrets, "bot_token": "123456:REVOKED-token"}
    tg_account.save()
    reply(api_anna, contact, text="Hallo")
    outbound = OutboundMessage.objects.get()
    assert deliver(outbound.pk) == "failed"
    outbound.refresh_from_db()
    assert (outbound.error_code, outbound.error) == ("401", "Unauthorized")
    assert "REVOKED" not in json.dumps(list(Event.objects.values_list("payload", flat=True)))


def test_too_long_or_a_template_is_refused_naming_the_field(api_anna, contact, tg_account):
    too_long = reply(api_anna, contact, text="x" * 4097)
    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["text"]
    template = reply(api_anna, contact, template="case_update", language="nl")
    assert template.status_code == 422
    assert template.json()["errors"][0]["field"] == "template"
    assert not OutboundMessage.objects.exists()
    assert not Message.objects.filter(author="agent").exists()

    # the sender's own rule, for callers other than the API
    with pytest.raises(InvalidInput) as refused:
        sender.build_request(
            tg_account,
            recipient=str(CHAT),
            now=timezone.now(),
            window_closes=None,
            idempotency_key="k",
            text="é" * 4097,
        )
    assert refused.value.field == "text"
    request, body = sender.build_request(
        tg_account,
        recipient=str(CHAT),
        now=timezone.now(),
        window_closes=None,
        idempotency_key="k",
        text="é" * 4096,
    )
    assert (request, body) == ({"chat_id": CHAT, "text": "é" * 4096}, "é" * 4096)
