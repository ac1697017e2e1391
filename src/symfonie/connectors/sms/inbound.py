"""Twilio-compatible SMS/MMS webhooks: signature, form bodies, splitting and applying items.

Twilio posts ``application/x-www-form-urlencoded`` bodies, one message or one status callback
per request, and expects TwiML back (an empty ``<Response/>``: we never reply inline). The
``X-Twilio-Signature`` is base64(HMAC-SHA1(auth token, URL + each POST parameter, sorted by
name, as name + value)); the URL is the public URL Twilio called, which behind a proxy differs
from the one Django sees, so ``secrets["public_url"]`` may name the public base URL (see
``sender``). An incoming message is keyed by its ``MessageSid``; a status callback by
``status:{MessageSid}:{MessageStatus}``. Twilio sends no timestamp: events are processed in
arrival order and a message is placed at its arrival time. Other channels over Twilio
(``whatsapp:+31…``), foreign account sids and bodies without a ``MessageSid`` or ``Body`` are
stored raw for review.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import mimetypes
import urllib.parse
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse

from symfonie.connectors.actions import do_update_delivery_status
from symfonie.connectors.inbound import store_customer_message
from symfonie.connectors.models import ChannelAccount, InboundEvent, OutboundMessage
from symfonie.connectors.registry import Item
from symfonie.connectors.sms import sender
from symfonie.contacts.actions.customers import do_add_identity
from symfonie.contacts.actions.interactions import do_add_attachment
from symfonie.contacts.identities import normalise_phone
from symfonie.contacts.models import Identity, Message
from symfonie.problems import Problem

HEADER = "X-Twilio-Signature"
SECRET = "auth_token"
FORM = "application/x-www-form-urlencoded"
TWIML_EMPTY = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# the StatusCallback's ``?ref=`` (our idempotency key), kept apart from Twilio's parameters
REF_KEY = "symfonie:ref"
MAX_FIELDS = 1000  # as Django's DATA_UPLOAD_MAX_NUMBER_FIELDS
MAX_MEDIA = 10  # Twilio: at most 10 media per message
INBOUND_STATUSES = frozenset({"received", "receiving"})
STATUSES = {
    "queued": Message.Delivery.PENDING,
    "accepted": Message.Delivery.PENDING,
    "scheduled": Message.Delivery.PENDING,
    "sending": Message.Delivery.PENDING,
    "sent": Message.Delivery.SENT,
    "delivered": Message.Delivery.DELIVERED,
    "read": Message.Delivery.READ,
    "undelivered": Message.Delivery.FAILED,
    "failed": Message.Delivery.FAILED,
    "canceled": Message.Delivery.FAILED,
}
# Twilio's error dictionary (twilio.com/docs/api/errors) for the delivery errors of status
# callbacks, which carry only the code
DELIVERY_ERRORS = {
    "30001": "Queue overflow",
    "30002": "Account suspended",
    "30003": "Unreachable destination handset",
    "30004": "Message blocked",
    "30005": "Unknown destination handset",
    "30006": "Landline or unreachable carrier",
    "30007": "Message filtered",
    "30008": "Unknown error",
    "30009": "Missing segment",
    "30010": "Message price exceeds max price",
}


def compute_signature(token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's request signature: base64(HMAC-SHA1(token, url + name + value …)), the
    parameters sorted by name (case-sensitive code-point order), a repeated name's values
    sorted too (and, as Twilio's own validators do, each distinct value once)."""
    grouped: dict[str, set[str]] = {}
    for name, value in params:
        grouped.setdefault(name, set()).add(value)
    data = url + "".join(
        name + value for name in sorted(grouped) for value in sorted(grouped[name])
    )
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def url_variants(url: str) -> list[str]:
    """The URL as given and with its port toggled: Twilio signs some requests with the default
    port in the URL and some without, so its validators accept both."""
    parts = urllib.parse.urlsplit(url)
    if parts.port is not None:
        other = parts._replace(netloc=parts.netloc.rsplit(":", 1)[0])
    else:
        default = {"https": 443, "http": 80}.get(parts.scheme)
        other = parts._replace(netloc=f"{parts.netloc}:{default}") if default else parts
    return list(dict.fromkeys([url, urllib.parse.urlunsplit(other)]))


def public_urls(account: ChannelAccount, request: HttpRequest) -> list[str]:
    """The URLs Twilio may have signed: the configured public base URL with this path, then
    the URL as Django sees it."""
    urls = []
    base = str(account.secrets.get("public_url") or "").rstrip("/")
    if base:
        urls.append(base + request.get_full_path())
    urls.append(request.build_absolute_uri())
    return [variant for url in dict.fromkeys(urls) for variant in url_variants(url)]


def form_pairs(raw: bytes, *, strict: bool) -> list[tuple[str, str]]:
    """The fields of a form body. Lenient (undecodable bytes replaced) for the signature check,
    strict for parsing: a body Twilio could not have sent raises ValueError."""
    errors = "strict" if strict else "replace"
    return urllib.parse.parse_qsl(
        raw.decode("utf-8", errors=errors),
        keep_blank_values=True,  # Twilio signs empty parameters too
        strict_parsing=strict,
        errors=errors,
        max_num_fields=MAX_FIELDS,
    )


def _unhandled(raw: bytes, sid: str, document: Any, reason: str) -> Item:
    key = f"unhandled:{sid}" if sid else f"raw:{hashlib.sha256(raw).hexdigest()[:40]}"
    return Item(key, "unhandled", None, {"part": document, "reason": reason})


def _num_media(fields: dict[str, Any]) -> int:
    try:
        return max(0, min(int(str(fields.get("NumMedia") or 0)), MAX_MEDIA))
    except ValueError:
        return 0


def body_text(fields: dict[str, Any]) -> str:
    """The text shown on the timeline: the body, or a label for an MMS without text."""
    body = str(fields.get("Body") or "")
    if body.strip():
        return body
    types = [str(fields.get(f"MediaContentType{i}") or "media") for i in range(_num_media(fields))]
    return f"[MMS: {', '.join(types)}]" if types else body


def _filename(url: str, mime: str, index: int) -> str:
    """``ME….jpg``: the media sid Twilio ends the URL with, and an extension for the type."""
    name = urllib.parse.urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or f"media-{index}"
    extension = mimetypes.guess_extension(mime) or ""
    return name if name.endswith(extension) else name + extension


def delivery_error(fields: dict[str, Any]) -> tuple[str, str]:
    """(code, reason) of a status callback; empty strings when it reports no error."""
    code = str(fields.get("ErrorCode") or "").strip()
    if not code:
        return "", ""
    text = str(fields.get("ErrorMessage") or DELIVERY_ERRORS.get(code, ""))
    return code, f"{code}: {text or 'see https://www.twilio.com/docs/api/errors/' + code}"


def _link_whatsapp_customer(account: ChannelAccount, phone: str) -> None:
    """A number that is a known WhatsApp id becomes that customer's phone identity too (the
    mirror of ``customer_for``'s rule for WhatsApp), so both channels meet on one timeline."""
    tenant = account.tenant
    if Identity.objects.filter(tenant=tenant, kind="phone", value=phone).exists():
        return
    owner = Identity.objects.filter(tenant=tenant, kind="whatsapp", value=phone.lstrip("+")).first()
    if owner is not None:
        do_add_identity(owner.customer, "phone", phone)


class SmsConnector:
    def verify_subscription(self, account: ChannelAccount, request: HttpRequest) -> HttpResponse:
        # Twilio has no set-up check; configure the number's webhook with HTTP POST
        return HttpResponse("POST only", status=405, content_type="text/plain")

    def signature_ok(self, account: ChannelAccount, request: HttpRequest, raw: bytes) -> bool:
        given = request.headers.get(HEADER, "").strip()
        tokens = account.accepted_secrets(SECRET)
        if not given or not tokens:
            return False
        if request.content_type == FORM:
            try:
                params = form_pairs(raw, strict=False)
            except ValueError:  # more fields than any Twilio request has
                return False
        else:
            # Twilio signs a JSON body through the URL: ``?bodySHA256=`` is part of it
            params = []
            declared = request.GET.get("bodySHA256")
            if declared and not hmac.compare_digest(
                declared.lower(), hashlib.sha256(raw).hexdigest()
            ):
                return False
        return any(
            hmac.compare_digest(given.encode(), compute_signature(token, url, params).encode())
            for url in public_urls(account, request)
            for token in tokens
        )

    def parse(self, request: HttpRequest, raw: bytes) -> dict[str, str]:
        """The form fields (the first value of a repeated name) and the callback reference."""
        if request.content_type != FORM:
            raise ValueError(f"expected an {FORM} body, not {request.content_type or 'none'!r}")
        try:
            pairs = form_pairs(raw, strict=True)
        except UnicodeDecodeError:
            raise ValueError("the form body is not UTF-8") from None
        fields: dict[str, str] = {}
        for name, value in pairs:
            fields.setdefault(name, value)
        fields.pop(REF_KEY, None)
        if request.GET.get("ref"):
            fields[REF_KEY] = request.GET["ref"]
        return fields

    def respond(self, accepted: int) -> HttpResponse:
        # an empty TwiML document: acknowledged, no automatic reply
        return HttpResponse(TWIML_EMPTY, content_type="text/xml")

    def split(self, account: ChannelAccount, document: Any, raw: bytes) -> list[Item]:
        if not isinstance(document, dict):
            return [_unhandled(raw, "", document, "not a form body")]
        fields = {k: v for k, v in document.items() if k != REF_KEY}
        sid = str(fields.get("MessageSid") or fields.get("SmsSid") or "")
        status = str(fields.get("MessageStatus") or fields.get("SmsStatus") or "")
        own, theirs = account.provider_account_id, str(fields.get("AccountSid") or "")
        if own and theirs and theirs != own:
            return [_unhandled(raw, sid, fields, f"AccountSid {theirs} is not this account's")]
        if not sid:
            return [_unhandled(raw, "", fields, "no MessageSid")]
        for address in (str(fields.get("From") or ""), str(fields.get("To") or "")):
            if ":" in address:  # whatsapp:+31…, messenger:…, rcs:…
                channel = address.split(":", 1)[0]
                return [_unhandled(raw, sid, fields, f"{channel} messages are not SMS")]
        if status in INBOUND_STATUSES or (not status and "Body" in fields):
            if "Body" not in fields and "NumMedia" not in fields:
                return [_unhandled(raw, sid, fields, "a message without Body")]
            return [Item(sid, "message", None, {"fields": fields})]
        if status in STATUSES:
            payload = {"fields": fields, "ref": str(document.get(REF_KEY) or "")}
            return [Item(f"status:{sid}:{status}", "status", None, payload)]
        return [_unhandled(raw, sid, fields, f"status {status!r} is not handled")]

    def prepare(self, account: ChannelAccount, event: InboundEvent) -> dict[str, Any]:
        """Download the media of an MMS not stored yet (outside any transaction)."""
        fields = event.payload.get("fields") or {}
        count = _num_media(fields)
        if event.item_type != "message" or not count:
            return {}
        if Message.objects.filter(
            tenant_id=account.tenant_id,
            channel_account=account.message_key,
            external_id=event.external_key,
        ).exists():
            return {}
        media = []
        for i in range(count):
            url = str(fields.get(f"MediaUrl{i}") or "")
            if not url:
                continue
            data, served = sender.fetch_media(account, url)
            mime = str(fields.get(f"MediaContentType{i}") or served).split(";")[0].strip()
            media.append((_filename(url, mime, i), mime, data))
        return {"media": media}

    def apply(self, account: ChannelAccount, event: InboundEvent, prepared: dict[str, Any]) -> str:
        if event.item_type == "status":
            return self._apply_status(account, event)
        fields = event.payload["fields"]
        sid = event.external_key
        raw_from = str(fields.get("From") or "")
        try:
            phone = normalise_phone(raw_from, account.tenant.default_region, field="From")
        except Problem as exc:  # an alphanumeric sender or a short code: a human looks
            event.error = f"From {raw_from!r} is not a phone number: {exc.detail}"
            return InboundEvent.Status.REVIEW
        _link_whatsapp_customer(account, phone)
        stored = Message.objects.filter(
            tenant_id=account.tenant_id, channel_account=account.message_key, external_id=sid
        )
        # under the account lock of ``process_event``: no other worker adds it meanwhile
        already = stored.exists()
        status = store_customer_message(
            account,
            event,
            identity_kind="phone",
            sender_id=phone,
            name="",
            text=body_text(fields),
            external_id=sid,
            media=None,
        )
        media = prepared.get("media") or []
        if already or not media:
            return status
        message = stored.get()
        refused = []
        for filename, mime, data in media:
            try:
                do_add_attachment(message, filename, mime, data)
            except Problem as exc:
                refused.append(f"{filename}: {exc.detail}")
        if refused:
            event.error = "attachment not stored: " + "; ".join(refused)
            return InboundEvent.Status.REVIEW
        return status

    def _apply_status(self, account: ChannelAccount, event: InboundEvent) -> str:
        fields = event.payload["fields"]
        name = str(fields.get("MessageStatus") or fields.get("SmsStatus"))
        delivery = STATUSES[name]
        sid = str(fields.get("MessageSid") or fields.get("SmsSid"))
        message = Message.objects.filter(
            tenant_id=account.tenant_id, channel_account=account.message_key, external_id=sid
        ).first()
        ref = event.payload.get("ref")
        if message is None and ref:
            # the send response was lost: the ref of our StatusCallback URL finds the intent
            outbound = OutboundMessage.objects.filter(account=account, idempotency_key=ref).first()
            if outbound is not None:
                message = outbound.message
                if outbound.status in (
                    OutboundMessage.Status.SENDING,
                    OutboundMessage.Status.UNKNOWN,
                ):
                    outbound.status = OutboundMessage.Status.ACCEPTED
                    outbound.provider_message_id = sid
                    outbound.save(update_fields=["status", "provider_message_id"])
        if message is None:
            event.error = "no message with this id (yet)"
            return InboundEvent.Status.PENDING
        code, reason = delivery_error(fields)
        do_update_delivery_status(
            message, delivery, external_id=sid, error=reason, at=event.received_at
        )
        if delivery == Message.Delivery.FAILED:
            message.refresh_from_db(fields=["delivery_status"])
            # a late failure after "delivered" changes nothing (statuses only move forward)
            if message.delivery_status == Message.Delivery.FAILED:
                OutboundMessage.objects.filter(message=message).update(
                    status=OutboundMessage.Status.FAILED,
                    error=(reason or f"Twilio reported the message {name}")[:2000],
                    error_code=code,
                )
        return InboundEvent.Status.PROCESSED


connector = SmsConnector()
