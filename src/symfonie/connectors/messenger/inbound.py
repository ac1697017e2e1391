"""Messenger Platform webhooks: set-up check, signature, splitting, and applying items.

Body shape (Meta's webhook events reference): ``{"object": "page", "entry": [{"id": PAGE_ID,
"time": ms, "messaging": [{"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp":
ms, "message" | "postback" | "delivery" | "read" | …: {…}}]}]}``. Meta batches: several
entries, several messaging items each; every item becomes one event:

- a customer message is keyed by its ``mid``; a postback by ``postback:{mid}``; both put a
  customer message on the timeline (attachments with a URL are downloaded first);
- an echo (``message.is_echo``: a message the Page sent) is keyed ``echo:{mid}``; it never
  becomes a customer message, but when its ``metadata`` is one of our idempotency keys it
  reconciles a send whose response was lost;
- ``delivery`` (``mids``, ``watermark``) and ``read`` (``watermark``; Instagram: ``mid``) set
  the delivery status of our outbound messages;
- anything else (reactions, referrals, hand-over ``standby``, an entry of another Page) is kept
  raw for review.

Instagram uses the same framework with ``"object": "instagram"`` and IGSIDs:
``symfonie.connectors.instagram.inbound`` is this connector, parameterised.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import posixpath
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from symfonie.connectors.actions import RANK, do_update_delivery_status
from symfonie.connectors.inbound import store_customer_message
from symfonie.connectors.models import ChannelAccount, InboundEvent, OutboundMessage
from symfonie.connectors.registry import Item
from symfonie.connectors.whatsapp.inbound import WhatsAppConnector
from symfonie.contacts.actions.interactions import do_add_attachment
from symfonie.contacts.models import Message
from symfonie.problems import Problem

MEDIA_TYPES = ("image", "video", "audio", "file")
TIMEOUT_SECONDS = 10.0
# the messaging item kinds we act on; every other key of an item makes it "unhandled"
HANDLED = ("message", "postback", "delivery", "read")


def provider_time(value: Any) -> datetime | None:
    """A Meta timestamp: milliseconds since the epoch (seconds in some documented examples)."""
    try:
        number = int(value)
        return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _digest(part: Any) -> str:
    return hashlib.sha256(json.dumps(part, sort_keys=True).encode()).hexdigest()[:40]


def _unhandled(raw: bytes, index: int, part: Any, note: str = "") -> Item:
    digest = hashlib.sha256(raw).hexdigest()[:40]
    payload = {"part": part, "note": note} if note else {"part": part}
    return Item(f"raw:{digest}:{index}", "unhandled", None, payload)


def _attachment_url(attachment: dict[str, Any]) -> str:
    payload = attachment.get("payload")
    url = payload.get("url") if isinstance(payload, dict) else None
    return str(url or attachment.get("url") or "")


def describe(attachment: dict[str, Any]) -> str:
    """One line of timeline text for an attachment (media files are stored besides)."""
    kind = str(attachment.get("type") or "attachment")
    payload = attachment.get("payload") if isinstance(attachment.get("payload"), dict) else {}
    url = _attachment_url(attachment)
    if kind in MEDIA_TYPES:
        return f"[{kind}]"
    if kind == "location":
        point = payload.get("coordinates") or {}
        where = f"({point.get('lat')}, {point.get('long')})"
        title = payload.get("title") or attachment.get("title") or ""
        return " ".join(x for x in ("📍", title, where, url) if x)
    if kind == "fallback":
        title = payload.get("title") or attachment.get("title") or ""
        return " ".join(x for x in ("🔗", title, url) if x)
    # sticker, template, share, reel, ig_reel, story_mention, post, ig_post, …
    return " ".join(x for x in (f"[{kind}]", url) if x)


def body_text(item: dict[str, Any]) -> str | None:
    """The timeline text of a customer message or postback; None when there is nothing to show."""
    postback = item.get("postback")
    if isinstance(postback, dict):
        title, payload = postback.get("title") or "", postback.get("payload") or ""
        text = f"{title} [{payload}]" if title and payload else str(title or payload)
        return text or None
    message = item.get("message") or {}
    lines = []
    if isinstance(message.get("text"), str) and message["text"]:
        reply = message.get("quick_reply")
        payload = reply.get("payload") if isinstance(reply, dict) else None
        lines.append(f"{message['text']} [{payload}]" if payload else message["text"])
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            lines.append(describe(attachment))
    return "\n".join(lines) or None


def media_of(message: dict[str, Any]) -> list[tuple[int, str, str]]:
    """(index, type, URL) of the attachments to download: images, videos, audio and files."""
    found = []
    for index, attachment in enumerate(message.get("attachments") or []):
        if not isinstance(attachment, dict) or attachment.get("type") not in MEDIA_TYPES:
            continue
        url = _attachment_url(attachment)
        if urllib.parse.urlsplit(url).scheme in ("http", "https"):
            found.append((index, str(attachment["type"]), url))
    return found


def download(url: str, fallback_name: str) -> tuple[str, str, bytes]:
    """Fetch an attachment URL (Meta's CDN needs no token): (filename, MIME type, bytes).
    Reads at most one byte more than an attachment may have, so a huge file is refused by
    ``do_add_attachment`` without being held in memory."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("attachment URLs must be http(s)")
    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        data = response.read(settings.MAX_ATTACHMENT_BYTES + 1)
        declared = response.headers.get("Content-Type") or ""
    name = urllib.parse.unquote(posixpath.basename(urllib.parse.urlsplit(url).path))
    mime = declared.split(";")[0].strip()
    if "." not in name:  # a CDN path without a file name (Instagram's lookaside URLs)
        mime = mime or "application/octet-stream"
        return fallback_name + (mimetypes.guess_extension(mime) or ""), mime, data
    return name, mime or mimetypes.guess_type(name)[0] or "application/octet-stream", data


class MessengerConnector:
    """Meta's messaging webhooks for one ``object`` (``page`` or ``instagram``)."""

    # Meta's webhook framework is one for WhatsApp, Messenger and Instagram: the same set-up
    # check (hub.mode/hub.verify_token/hub.challenge against the ``verify_token`` secret) and
    # the same X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the ``app_secret``,
    # compared in constant time, the previous secret accepted during a rotation)
    verify_subscription = WhatsAppConnector.verify_subscription
    signature_ok = WhatsAppConnector.signature_ok

    def __init__(self, *, object_name: str, identity_kind: str) -> None:
        self.object_name = object_name
        self.identity_kind = identity_kind

    def split(self, account: ChannelAccount, document: Any, raw: bytes) -> list[Item]:
        if not isinstance(document, dict) or document.get("object") != self.object_name:
            found = document.get("object") if isinstance(document, dict) else None
            return [_unhandled(raw, 0, document, f"object {found!r}, not {self.object_name!r}")]
        items: list[Item] = []
        for entry in document.get("entry") or []:
            if not isinstance(entry, dict):
                items.append(_unhandled(raw, len(items), entry))
                continue
            page = str(entry.get("id", ""))
            if account.provider_account_id and page != account.provider_account_id:
                # one Meta app may serve several Pages: never file one Page's messages under
                # another's account (the replies would go out with the wrong token)
                note = f"entry of {page!r}, not of this account ({account.provider_account_id})"
                items.append(_unhandled(raw, len(items), entry, note))
                continue
            for event in entry.get("messaging") or []:
                items.append(self._item(raw, len(items), page, entry.get("time"), event))
            other = set(entry) - {"id", "time", "messaging"}
            if other:  # standby (hand-over protocol), changes (feed), …
                items.append(_unhandled(raw, len(items), {k: entry[k] for k in sorted(other)}))
        return items or [_unhandled(raw, 0, document)]

    def _item(self, raw: bytes, index: int, page: str, sent: Any, event: Any) -> Item:
        if not isinstance(event, dict) or not isinstance(event.get("sender"), dict):
            return _unhandled(raw, index, event)
        kinds = [k for k in HANDLED if isinstance(event.get(k), dict)]
        if len(kinds) != 1:
            return _unhandled(raw, index, event)
        kind = kinds[0]
        part = event[kind]
        at = provider_time(event.get("timestamp")) or provider_time(part.get("watermark"))
        at = at or provider_time(sent)
        payload = {"event": event, "page": page}
        sender = str(event["sender"].get("id", ""))
        mid = str(part.get("mid") or "")
        if kind == "message":
            if not mid:
                return _unhandled(raw, index, event)
            if part.get("is_echo"):
                return Item(f"echo:{mid}", "echo", at, payload)
            if part.get("is_deleted"):
                return Item(f"deleted:{mid}", "unhandled", at, payload)
            return Item(mid, "message", at, payload)
        if kind == "postback":
            return Item(f"postback:{mid or sender + ':' + _digest(event)}", "message", at, payload)
        # delivery or read: one receipt per reader and content
        return Item(f"{kind}:{sender}:{_digest(part)}", "status", at, payload)

    def prepare(self, account: ChannelAccount, event: InboundEvent) -> dict[str, Any]:
        """Download the files of a message not stored yet (outside any transaction)."""
        message = (event.payload.get("event") or {}).get("message") or {}
        if event.item_type != "message" or not media_of(message):
            return {}
        if Message.objects.filter(
            tenant_id=account.tenant_id,
            channel_account=account.message_key,
            external_id=event.external_key,
        ).exists():
            return {}
        return {
            "media": [
                download(url, f"{kind}-{index + 1}") for index, kind, url in media_of(message)
            ]
        }

    def apply(self, account: ChannelAccount, event: InboundEvent, prepared: dict[str, Any]) -> str:
        if event.item_type == "status":
            return self._apply_receipt(account, event)
        if event.item_type == "echo":
            return self._apply_echo(account, event)
        item = event.payload["event"]
        text = body_text(item)
        if text is None:
            event.error = "a message without text or attachments is not handled"
            return InboundEvent.Status.REVIEW
        media = list(prepared.get("media") or [])
        known = Message.objects.filter(
            tenant_id=account.tenant_id,
            channel_account=account.message_key,
            external_id=event.external_key,
        ).exists()
        status = store_customer_message(
            account,
            event,
            identity_kind=self.identity_kind,
            sender_id=str(item["sender"].get("id", "")),
            name="",  # the webhook carries no name; the profile API is not used
            text=text,
            external_id=event.external_key,
            media=media[0] if media else None,
        )
        if known or len(media) < 2:
            return status
        stored = Message.objects.get(
            tenant_id=account.tenant_id,
            channel_account=account.message_key,
            external_id=event.external_key,
        )
        for filename, mime, data in media[1:]:
            try:
                do_add_attachment(stored, filename, mime, data)
            except Problem as exc:
                event.error = f"attachment not stored: {exc.detail}"
                status = InboundEvent.Status.REVIEW
        return status

    def _apply_echo(self, account: ChannelAccount, event: InboundEvent) -> str:
        """A message the Page sent: ours (reconcile a lost send response) or someone else's."""
        message = event.payload["event"]["message"]
        mid, key = str(message["mid"]), str(message.get("metadata") or "")
        outbound = (
            OutboundMessage.objects.filter(account=account, idempotency_key=key)
            .select_related("message")
            .first()
            if key
            else None
        )
        if outbound is None:
            event.error = "echo of a message the page sent elsewhere: ignored"
            return InboundEvent.Status.PROCESSED
        if outbound.status in (
            OutboundMessage.Status.QUEUED,
            OutboundMessage.Status.SENDING,
            OutboundMessage.Status.UNKNOWN,
        ):
            # Meta has it: a queued retry must not send it again
            outbound.status = OutboundMessage.Status.ACCEPTED
            outbound.provider_message_id = mid
            outbound.save(update_fields=["status", "provider_message_id"])
        if outbound.status == OutboundMessage.Status.ACCEPTED:
            do_update_delivery_status(
                outbound.message,
                Message.Delivery.SENT,
                external_id=mid,
                at=event.provider_timestamp,
            )
        return InboundEvent.Status.PROCESSED

    def _apply_receipt(self, account: ChannelAccount, event: InboundEvent) -> str:
        """``delivery`` or ``read``: by message id, and for every message of ours to this
        customer up to the watermark (Meta: "all messages sent before this timestamp")."""
        item = event.payload["event"]
        delivered = "delivery" in item
        part = item["delivery"] if delivered else item["read"]
        status = Message.Delivery.DELIVERED if delivered else Message.Delivery.READ
        ours = Message.objects.filter(
            tenant_id=account.tenant_id,
            channel_account=account.message_key,
            author=Message.Author.AGENT,
            external_id__isnull=False,
        )
        mids = [str(m) for m in part.get("mids") or [] if m]
        if part.get("mid"):
            mids.append(str(part["mid"]))
        by_id = list(ours.filter(external_id__in=mids))
        # the watermark is Meta's send time; our created_at (when the agent wrote) is earlier,
        # so it covers every message of ours to this customer that Meta had by then
        until = provider_time(part.get("watermark"))
        if until is None and by_id:
            until = max(m.created_at for m in by_id)  # Instagram: read up to this message
        earlier = ours.none()
        if until is not None:
            recipient = str(item["sender"].get("id", ""))
            earlier = ours.filter(outbound__recipient=recipient, created_at__lte=until)
        if not by_id and not earlier.exists():
            event.error = "no message of ours with these ids or before this watermark (yet)"
            return InboundEvent.Status.PENDING
        behind = [name for name, rank in RANK.items() if rank < RANK[status]]
        changed = {m.pk: m for m in by_id} | {
            m.pk: m for m in earlier.filter(delivery_status__in=behind)
        }
        for message in sorted(changed.values(), key=lambda m: (m.created_at, m.pk)):
            do_update_delivery_status(message, status, at=event.provider_timestamp)
        return InboundEvent.Status.PROCESSED


connector = MessengerConnector(object_name="page", identity_kind="messenger")
