"""WhatsApp Cloud API webhooks: set-up check, signature, splitting, and applying items.

Body shape (Meta's ``WebhookPayload``): ``{"object": "whatsapp_business_account", "entry": [{
"id", "changes": [{"field": "messages", "value": {"metadata", "contacts", "messages",
"statuses"}}]}]}``. Each message becomes an event keyed by its ``wamid``; each status by
``status:{wamid}:{status}``; anything else (other fields, unknown shapes) is kept raw for review.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

from symfonie.connectors.actions import do_update_delivery_status
from symfonie.connectors.inbound import store_customer_message
from symfonie.connectors.models import ChannelAccount, InboundEvent, OutboundMessage
from symfonie.connectors.registry import Item
from symfonie.connectors.whatsapp import sender
from symfonie.contacts.models import Message

MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")
TEXT_TYPES = ("text", "button", "interactive", "location", "contacts", "reaction", *MEDIA_TYPES)
STATUSES = {
    "sent": Message.Delivery.SENT,
    "delivered": Message.Delivery.DELIVERED,
    "read": Message.Delivery.READ,
    "failed": Message.Delivery.FAILED,
}


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _unhandled(raw: bytes, index: int, part: Any) -> Item:
    digest = hashlib.sha256(raw).hexdigest()[:40]
    return Item(f"raw:{digest}:{index}", "unhandled", None, {"part": part})


def body_text(message: dict[str, Any]) -> str | None:
    """The text shown on the timeline for an inbound message; None for types we do not handle."""
    kind = message.get("type")
    part = message.get(kind) if isinstance(kind, str) else None
    if kind not in TEXT_TYPES or not isinstance(part, dict | list):
        return None
    if kind == "text":
        return str(part.get("body", ""))
    if kind == "button":
        return str(part.get("text") or part.get("payload") or "")
    if kind == "interactive":
        reply = part.get(part.get("type", "")) or {}
        text = str(reply.get("title", ""))
        if reply.get("description"):
            text += f" — {reply['description']}"
        return f"{text} [{reply.get('id', '')}]"
    if kind == "location":
        place = ", ".join(str(part[k]) for k in ("name", "address") if part.get(k))
        where = f"{part.get('latitude')}, {part.get('longitude')}"
        return " ".join(
            x for x in (f"📍 {place}" if place else "📍", f"({where})", part.get("url", "")) if x
        )
    if kind == "contacts":
        lines = []
        for card in part:
            phones = ", ".join(p.get("phone", "") for p in card.get("phones", []))
            lines.append(f"👤 {card.get('name', {}).get('formatted_name', '')} {phones}".strip())
        return "\n".join(lines)
    if kind == "reaction":
        emoji = part.get("emoji") or "(removed)"
        return f"{emoji} reaction to {part.get('message_id', '')}"
    # media
    label = part.get("caption") or part.get("filename") or f"[{kind}]"
    return str(label)


class WhatsAppConnector:
    def verify_subscription(self, account: ChannelAccount, request: HttpRequest) -> HttpResponse:
        mode = request.GET.get("hub.mode", "")
        token = request.GET.get("hub.verify_token", "")
        challenge = request.GET.get("hub.challenge", "")
        tokens = account.accepted_secrets("verify_token")
        ok = mode == "subscribe" and any(hmac.compare_digest(token, t) for t in tokens)
        if not ok:
            return HttpResponse("verification failed", status=403, content_type="text/plain")
        return HttpResponse(challenge, content_type="text/plain")

    def signature_ok(self, account: ChannelAccount, request: HttpRequest, raw: bytes) -> bool:
        header = request.headers.get("X-Hub-Signature-256", "")
        if not header.startswith("sha256="):
            return False
        given = header.removeprefix("sha256=").strip().lower()
        return any(
            hmac.compare_digest(given, hmac.new(s.encode(), raw, hashlib.sha256).hexdigest())
            for s in account.accepted_secrets("app_secret")
        )

    def split(self, account: ChannelAccount, document: Any, raw: bytes) -> list[Item]:
        items: list[Item] = []
        if not isinstance(document, dict) or document.get("object") != "whatsapp_business_account":
            return [_unhandled(raw, 0, document)]
        for entry in document.get("entry") or []:
            for change in (entry or {}).get("changes") or []:
                value = (change or {}).get("value") or {}
                if change.get("field") != "messages" or not isinstance(value, dict):
                    items.append(_unhandled(raw, len(items), change))
                    continue
                metadata = value.get("metadata") or {}
                profiles = {
                    c.get("wa_id"): c for c in value.get("contacts") or [] if isinstance(c, dict)
                }
                for message in value.get("messages") or []:
                    if not isinstance(message, dict) or not message.get("id"):
                        items.append(_unhandled(raw, len(items), message))
                        continue
                    items.append(
                        Item(
                            str(message["id"]),
                            "message",
                            _timestamp(message.get("timestamp")),
                            {
                                "message": message,
                                "contact": profiles.get(message.get("from"), {}),
                                "metadata": metadata,
                            },
                        )
                    )
                for status in value.get("statuses") or []:
                    if not isinstance(status, dict) or not status.get("id"):
                        items.append(_unhandled(raw, len(items), status))
                        continue
                    items.append(
                        Item(
                            f"status:{status['id']}:{status.get('status')}",
                            "status",
                            _timestamp(status.get("timestamp")),
                            {"status": status, "metadata": metadata},
                        )
                    )
                other = set(value) - {
                    "messaging_product",
                    "metadata",
                    "contacts",
                    "messages",
                    "statuses",
                }
                if other:
                    items.append(_unhandled(raw, len(items), {k: value[k] for k in sorted(other)}))
        return items or [_unhandled(raw, 0, document)]

    def prepare(self, account: ChannelAccount, event: InboundEvent) -> dict[str, Any]:
        """Download the media of a message not stored yet (outside any transaction)."""
        message = event.payload.get("message") or {}
        kind = message.get("type")
        if event.item_type != "message" or kind not in MEDIA_TYPES:
            return {}
        if Message.objects.filter(
            tenant_id=account.tenant_id,
            channel_account=account.message_key,
            external_id=message["id"],
        ).exists():
            return {}
        part = message.get(kind) or {}
        data, mime = sender.fetch_media(account, str(part.get("id", "")))
        mime = (part.get("mime_type") or mime).split(";")[0].strip()
        return {"media": (part.get("filename") or f"{kind}-{part.get('id', '')}", mime, data)}

    def apply(self, account: ChannelAccount, event: InboundEvent, prepared: dict[str, Any]) -> str:
        if event.item_type == "status":
            return self._apply_status(account, event)
        message = event.payload["message"]
        text = body_text(message)
        if text is None:
            event.error = f"message type {message.get('type')!r} is not handled"
            return InboundEvent.Status.REVIEW
        name = ((event.payload.get("contact") or {}).get("profile") or {}).get("name", "")
        return store_customer_message(
            account,
            event,
            identity_kind="whatsapp",
            sender_id=str(message.get("from", "")),
            name=name,
            text=text,
            external_id=str(message["id"]),
            media=prepared.get("media"),
        )

    def _apply_status(self, account: ChannelAccount, event: InboundEvent) -> str:
        status = event.payload["status"]
        delivery = STATUSES.get(str(status.get("status")))
        if delivery is None:
            event.error = f"status {status.get('status')!r} is not handled"
            return InboundEvent.Status.REVIEW
        wamid = str(status["id"])
        message = Message.objects.filter(
            tenant_id=account.tenant_id, channel_account=account.message_key, external_id=wamid
        ).first()
        if message is None and status.get("biz_opaque_callback_data"):
            # the send response was lost: our idempotency key, echoed by Meta, finds the intent
            outbound = OutboundMessage.objects.filter(
                account=account, idempotency_key=str(status["biz_opaque_callback_data"])
            ).first()
            if outbound is not None:
                message = outbound.message
                if outbound.status in (
                    OutboundMessage.Status.SENDING,
                    OutboundMessage.Status.UNKNOWN,
                ):
                    outbound.status = OutboundMessage.Status.ACCEPTED
                    outbound.provider_message_id = wamid
                    outbound.save(update_fields=["status", "provider_message_id"])
        if message is None:
            event.error = "no message with this id (yet)"
            return InboundEvent.Status.PENDING
        errors = status.get("errors") or []
        reason = "; ".join(
            f"{e.get('code')}: {(e.get('error_data') or {}).get('details') or e.get('title', '')}"
            for e in errors
            if isinstance(e, dict)
        )
        do_update_delivery_status(
            message,
            delivery,
            external_id=wamid,
            error=reason,
            at=event.provider_timestamp,
        )
        if reason:
            OutboundMessage.objects.filter(message=message).update(
                status=OutboundMessage.Status.FAILED,
                error=reason[:2000],
                error_code=str(errors[0].get("code", "")),
            )
        return InboundEvent.Status.PROCESSED


connector = WhatsAppConnector()
