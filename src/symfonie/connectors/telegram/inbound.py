"""Telegram Bot API webhooks: secret token, splitting updates, and applying messages.

Telegram posts one ``Update`` per request (``{"update_id", "message": {...}}``, see
core.telegram.org/bots/api#update) with the ``secret_token`` given to ``setWebhook`` in the
``X-Telegram-Bot-Api-Secret-Token`` header. The ``update_id`` is the dedup key of every update;
it also orders them: the provider timestamp is the message ``date`` (whole seconds) plus
``update_id`` mod 10^6 microseconds, so updates of one second are processed in ``update_id``
order. Update types other than ``message`` are stored for review.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse

from symfonie.connectors.inbound import store_customer_message
from symfonie.connectors.models import ChannelAccount, InboundEvent
from symfonie.connectors.registry import Item
from symfonie.connectors.telegram import files
from symfonie.contacts.models import Message

HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET = "secret_token"


def provider_time(update_id: int, date: Any) -> datetime | None:
    try:
        at = datetime.fromtimestamp(int(date), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return at + timedelta(microseconds=update_id % 1_000_000)


def largest_photo(sizes: list[Any]) -> dict[str, Any]:
    sizes = [s for s in sizes if isinstance(s, dict) and s.get("file_id")]
    if not sizes:
        return {}
    return max(
        sizes,
        key=lambda s: (int(s.get("width", 0)) * int(s.get("height", 0)), s.get("file_size", 0)),
    )


def media_of(message: dict[str, Any]) -> tuple[str, str, str] | None:
    """(file_id, filename, MIME type) of a photo or document message; None otherwise."""
    if isinstance(message.get("photo"), list):
        photo = largest_photo(message["photo"])
        if photo:
            # Telegram re-encodes photos as JPEG
            return (
                str(photo["file_id"]),
                f"photo-{photo.get('file_unique_id', '')}.jpg",
                "image/jpeg",
            )
    document = message.get("document")
    if isinstance(document, dict) and document.get("file_id"):
        mime = str(document.get("mime_type") or "application/octet-stream")
        name = str(document.get("file_name") or f"document-{document.get('file_unique_id', '')}")
        return str(document["file_id"]), name, mime.split(";")[0].strip()
    return None


def body_text(message: dict[str, Any]) -> str | None:
    """The text shown on the timeline; None for message kinds we do not handle."""
    if isinstance(message.get("text"), str):
        return message["text"]
    media = media_of(message)
    if media is None:
        return None
    return str(message.get("caption") or ("[photo]" if "photo" in message else media[1]))


class TelegramConnector:
    def verify_subscription(self, account: ChannelAccount, request: HttpRequest) -> HttpResponse:
        # Telegram has no set-up check: the webhook is registered with setWebhook
        return HttpResponse("POST only", status=405, content_type="text/plain")

    def signature_ok(self, account: ChannelAccount, request: HttpRequest, raw: bytes) -> bool:
        given = request.headers.get(HEADER, "")
        return bool(given) and any(
            hmac.compare_digest(given.encode(), secret.encode())
            for secret in account.accepted_secrets(SECRET)
        )

    def split(self, account: ChannelAccount, document: Any, raw: bytes) -> list[Item]:
        update_id = document.get("update_id") if isinstance(document, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            digest = hashlib.sha256(raw).hexdigest()[:40]
            return [Item(f"raw:{digest}:0", "unhandled", None, {"part": document})]
        key = f"update:{update_id}"
        message = document.get("message")
        if isinstance(message, dict) and isinstance(message.get("from"), dict):
            return [Item(key, "message", provider_time(update_id, message.get("date")), document)]
        return [Item(key, "unhandled", None, document)]

    def prepare(self, account: ChannelAccount, event: InboundEvent) -> dict[str, Any]:
        """Download the photo or document of a message not stored yet (outside transactions)."""
        message = event.payload.get("message") or {}
        media = media_of(message)
        if event.item_type != "message" or media is None:
            return {}
        if Message.objects.filter(
            tenant_id=account.tenant_id,
            channel_account=account.message_key,
            external_id=event.external_key,
        ).exists():
            return {}
        file_id, filename, mime = media
        data, _path = files.fetch_file(account, file_id)
        return {"media": (filename, mime, data)}

    def apply(self, account: ChannelAccount, event: InboundEvent, prepared: dict[str, Any]) -> str:
        message = event.payload["message"]
        text = body_text(message)
        if text is None:
            kinds = sorted(set(message) - {"message_id", "from", "chat", "date"})
            event.error = f"message kind {', '.join(kinds)!r} is not handled"
            return InboundEvent.Status.REVIEW
        sender = message["from"]
        name = " ".join(str(sender[k]) for k in ("first_name", "last_name") if sender.get(k))
        return store_customer_message(
            account,
            event,
            identity_kind="telegram",
            sender_id=str(sender.get("id", "")),
            name=name,
            text=text,
            external_id=event.external_key,
            media=prepared.get("media"),
        )


connector = TelegramConnector()
