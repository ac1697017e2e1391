"""Telegram Bot API webhooks end to end: the secret token (also during rotation), update_id
dedup and ordering, photos and documents through getFile against a local Bot API peer, and
update types stored for review."""

from __future__ import annotations

import copy
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from symfonie.connectors.inbound import process_pending
from symfonie.connectors.models import ChannelAccount, InboundEvent
from symfonie.contacts.models import Attachment, Contact, Customer, Message
from symfonie.events.models import Event

pytestmark = pytest.mark.django_db(transaction=False)

FIXTURES = Path(__file__).resolve().parents[2] / "src/symfonie/connectors/telegram/fixtures"
SECRET = "tg-secret-1"
BOT_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"


def fixture(name: str, **changes: Any) -> dict[str, Any]:
    """A documented Update; ``update_id`` and fields of its message replaced."""
    document = copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text()))
    if "update_id" in changes:
        document["update_id"] = changes.pop("update_id")
    message = document.get("message") or {}
    message.update(changes)
    return document


class BotPeer:
    """A local Telegram Bot API peer on 127.0.0.1: ``getFile`` and the file download as
    documented (``{"ok": true, "result": File}``; ``{"ok": false, "error_code": …}``)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id → (file_path, data)
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> BotPeer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, body: Any) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, code: int, description: str) -> None:
                self._answer(code, {"ok": False, "error_code": code, "description": description})

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                peer.requests.append(url.path)
                if url.path == f"/bot{peer.token}/getFile":
                    file_id = parse_qs(url.query).get("file_id", [""])[0]
                    if file_id not in peer.files:
                        self._error(400, "Bad Request: invalid file_id")
                        return
                    path, data = peer.files[file_id]
                    self._answer(
                        200,
                        {
                            "ok": True,
                            "result": {
                                "file_id": file_id,
                                "file_unique_id": "u" + file_id[-6:],
                                "file_size": len(data),
                                "file_path": path,
                            },
                        },
                    )
                elif url.path.startswith(f"/file/bot{peer.token}/"):
                    wanted = url.path.removeprefix(f"/file/bot{peer.token}/")
                    for path, data in peer.files.values():
                        if path == wanted:
                            self._answer(200, data)
                            return
                    self._error(404, "Not Found")
                elif url.path.startswith("/bot") or url.path.startswith("/file/bot"):
                    self._error(401, "Unauthorized")
                else:
                    self._error(404, "Not Found")

        return Handler


@pytest.fixture
def bot_peer():
    with BotPeer(BOT_TOKEN) as running:
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


class TgHooks:
    def __init__(self, account: ChannelAccount) -> None:
        self.client = Client()
        self.url = f"/hooks/telegram/{account.key}/"

    def post(self, document: Any, *, secret: str | None = SECRET, raw: bytes | None = None):
        body = raw if raw is not None else json.dumps(document).encode()
        headers = {} if secret is None else {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret}
        return self.client.post(self.url, body, content_type="application/json", **headers)


@pytest.fixture
def tg(tg_account) -> TgHooks:
    return TgHooks(tg_account)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (InboundEvent, Message, Contact, Customer, Event, Attachment, DBTaskResult)
    }


MEDIA = {
    "photo": ("AgACAgQAAxkBAAIBlarge", "photos/file_7.jpg", b"\xff\xd8\xff\xe0 large jpeg"),
    "document": ("AwADBAADbXXXXXXXXXXXGBdhD2l6_XX", "documents/file_3.pdf", b"%PDF-1.4 test"),
}
EXPECTED = {
    "text": ("/start", None),
    "photo": ("Lekkage in de badkamer", ("photo-AQADlarge.jpg", "image/jpeg")),
    "document": ("Testfile.pdf", ("Testfile.pdf", "application/pdf")),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_updates_tampered_duplicated_and_replayed(name, tg, tg_account, bot_peer):
    for file_id, path, data in MEDIA.values():
        bot_peer.files[file_id] = (path, data)
    # a smaller size of the photo exists too: it must not be the one downloaded
    bot_peer.files["AgACAgQAAxkBAAIBsmall"] = ("photos/file_6.jpg", b"small")
    document = fixture(name)
    before = counts()

    assert tg.post(document, secret="tg-secret-2").status_code == 401
    assert tg.post(document, secret=None).status_code == 401
    assert tg.post(document, secret="").status_code == 401
    assert counts() == before

    first = tg.post(document)
    assert first.status_code == 200
    assert first.json() == {"accepted": 1}
    stored = counts()
    duplicate = tg.post(document)
    assert duplicate.status_code == 200
    assert duplicate.json() == {"accepted": 0}
    assert counts() == stored

    assert process_pending(tg_account) == 1
    message = Message.objects.get()
    body, media = EXPECTED[name]
    assert message.body == body
    assert message.author == "customer"
    assert message.external_id == "update:10000"
    assert message.channel_account == tg_account.message_key
    assert message.contact.channel == "telegram"
    assert message.contact.state == "queued"
    assert message.contact.queue == "telegram"
    identity = message.contact.customer.identities.get()
    assert (identity.kind, identity.value) == ("telegram", "1111111")
    assert message.contact.customer.name == "Test Firstname Test Lastname"
    assert InboundEvent.objects.get().status == "processed"
    if media:
        attachment = message.attachments.get()
        file_id, _path, data = MEDIA[name]
        assert attachment.file.read() == data
        assert (attachment.filename, attachment.content_type) == media
        assert f"/bot{BOT_TOKEN}/getFile" in bot_peer.requests
    else:
        assert not message.attachments.exists()

    processed = counts()
    assert tg.post(document).json() == {"accepted": 0}
    assert process_pending(tg_account) == 0
    assert counts() == processed


def test_out_of_order_updates_are_processed_in_update_id_order(tg, tg_account):
    # same second: only update_id decides
    for update_id in (10003, 10001, 10002):
        assert tg.post(fixture("text", update_id=update_id, text=f"u{update_id}")).json() == {
            "accepted": 1
        }
    assert tg.post(fixture("text", update_id=10001, text="u10001")).json() == {"accepted": 0}
    assert process_pending(tg_account) == 3
    assert list(Message.objects.order_by("id").values_list("body", flat=True)) == [
        "u10001",
        "u10002",
        "u10003",
    ]


def test_late_update_lands_before_a_later_one_on_the_timeline(tg, tg_account):
    tg.post(fixture("text", update_id=20002, date=1441645600, text="second"))
    process_pending(tg_account)
    tg.post(fixture("text", update_id=20001, date=1441645590, text="first"))
    tg.post(fixture("text", update_id=20002, date=1441645600, text="second"))  # replay
    process_pending(tg_account)
    contact = Contact.objects.get()
    assert [m.body for m in contact.messages.order_by("created_at")] == ["first", "second"]


def test_previous_secret_accepted_during_rotation_only(tg, tg_account):
    tg_account.rotate_secret("secret_token", "tg-secret-2", timedelta(hours=1))
    assert tg.post(fixture("text", update_id=1), secret=SECRET).status_code == 200
    assert tg.post(fixture("text", update_id=2), secret="tg-secret-2").status_code == 200
    tg_account.previous_secrets_until = tg_account.previous_secrets_until - timedelta(hours=2)
    tg_account.save()
    assert tg.post(fixture("text", update_id=3), secret=SECRET).status_code == 401
    assert InboundEvent.objects.count() == 2


@pytest.mark.parametrize("name", ["edited_message", "callback_query"])
def test_unhandled_update_types_are_stored_for_review(name, tg, tg_account):
    document = fixture(name)
    assert tg.post(document).json() == {"accepted": 1}
    assert tg.post(document).json() == {"accepted": 0}
    event = InboundEvent.objects.get()
    assert (event.status, event.item_type, event.external_key) == (
        "review",
        "unhandled",
        "update:10000",
    )
    assert event.payload == document
    assert not DBTaskResult.objects.exists()


def test_message_kind_not_handled_goes_to_review(tg, tg_account):
    document = fixture("text")
    del document["message"]["text"]
    document["message"]["sticker"] = {"file_id": "CAACAgIAAxkBAAIC", "emoji": "👍"}
    tg.post(document)
    process_pending(tg_account)
    event = InboundEvent.objects.get()
    assert event.status == "review"
    assert "sticker" in event.error
    assert not Message.objects.exists()


def test_bad_input(tg, tg_account):
    assert tg.post(None, raw=b"{not json").status_code == 400
    assert tg.post({"no": "update_id"}).json() == {"accepted": 1}
    assert InboundEvent.objects.get().status == "review"
    assert (
        Client().post("/hooks/telegram/nope/", b"{}", content_type="application/json").status_code
        == 404
    )
    assert Client().get(tg.url).status_code == 405


def test_failed_download_stays_pending_without_a_message(tg, tg_account, bot_peer):
    tg.post(fixture("document"))  # the peer does not know the file
    assert process_pending(tg_account) == 0
    event = InboundEvent.objects.get()
    assert (event.status, event.attempts) == ("pending", 1)
    assert BOT_TOKEN not in event.error
    assert not Message.objects.exists()
    file_id, path, data = MEDIA["document"]
    bot_peer.files[file_id] = (path, data)
    assert process_pending(tg_account) == 1
    assert Message.objects.get().attachments.get().file.read() == data
