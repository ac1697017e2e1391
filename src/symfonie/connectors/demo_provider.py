"""The demo provider: a stand-in for the send APIs of WhatsApp, Messenger, Telegram and Twilio.

Their clouds cannot run here, so ``make run`` points the demo accounts (``demo.py``) at this
module, mounted at ``/demo-provider/<kind>/`` only when ``settings.DEMO_PROVIDER`` (off in
production). It follows the providers' published contracts as the connectors' fixtures document
them (``<kind>/fixtures/SOURCE.md``), and goes no further: the endpoint and the credential check
as the senders call them, the documented success body, the documented authentication error for a
wrong credential, and afterwards the documented status webhook to the account's
``/hooks/<kind>/<key>/``, signed as the provider signs it:

- WhatsApp Cloud API, ``POST /<version>/<phone-number-id>/messages`` with a bearer token (wrong:
  401, Graph error 190) → ``{"messaging_product", "contacts", "messages": [{"id": wamid}]}``; then
  ``statuses[]`` ``sent`` and ``delivered`` echoing ``biz_opaque_callback_data``, signed
  ``X-Hub-Signature-256`` (HMAC-SHA256 of the body with the app secret).
- Messenger Send API, ``POST /<version>/<page-id>/messages?access_token=…`` (wrong: 400, error
  190) → ``{"recipient_id", "message_id"}``; then a ``delivery`` event (``mids``, ``watermark``),
  signed likewise.
- Telegram Bot API, ``POST /bot<token>/sendMessage`` (wrong: 401 ``{"ok": false, "error_code":
  401, "description": "Unauthorized"}``) → ``{"ok": true, "result": Message}``. The Bot API has no
  delivery receipts: ``sent`` is final.
- Twilio Messages API, ``POST /2010-04-01/Accounts/<AccountSid>/Messages.json`` with HTTP basic
  auth (wrong: 401, error 20003) → 201 with the Message resource; then the ``StatusCallback`` form
  ``sent`` and ``delivered``, signed ``X-Twilio-Signature``. Only the account's own webhook is
  called back, so the fixed demo credentials make no open relay.

Read receipts, rate limits, the customer's phone and content checks beyond the required fields
are left out: the connectors' tests cover those against their local peers (``tests/connectors``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import logging
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from symfonie.connectors.demo import (
    PROVIDER_PATH,
    business_number,
    whatsapp_business_account_id,
)
from symfonie.connectors.models import ChannelAccount
from symfonie.connectors.sms.inbound import compute_signature

logger = logging.getLogger(__name__)
CALLBACK_DELAY_SECONDS = 1.0  # between the send and each status webhook
TIMEOUT_SECONDS = 10.0
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_telegram_ids = itertools.count(int(time.time()))  # message ids only grow, across restarts too


# -- the status webhooks, posted from a thread ------------------------------------------------


@dataclass(frozen=True)
class Webhook:
    """A provider's POST to a webhook: the full URL, the raw body and the signed headers."""

    url: str
    body: bytes
    headers: dict[str, str]


def post(webhook: Webhook) -> tuple[int, bytes]:
    """POST the webhook once: (HTTP status, answer). Raises URLError when nothing answers."""
    request = urllib.request.Request(  # noqa: S310 (an http(s) webhook of this installation)
        webhook.url, data=webhook.body, headers=webhook.headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def post_callbacks(callbacks: list[Webhook]) -> None:
    """Post the status webhooks in order, ``CALLBACK_DELAY_SECONDS`` apart."""
    for callback in callbacks:
        time.sleep(CALLBACK_DELAY_SECONDS)
        try:
            status, _answer = post(callback)
        except (urllib.error.URLError, OSError) as exc:
            logger.warning("demo provider: status webhook not delivered: %s", exc)
            continue
        logger.info("demo provider: status webhook answered %s", status)


def schedule(callbacks: list[Webhook]) -> None:
    """Post the callbacks from a thread, never inside the request: the server runs sync views
    in one thread, so a webhook posted from the view would wait for the view itself."""
    if callbacks:
        threading.Thread(
            target=post_callbacks, args=(callbacks,), name="demo-provider", daemon=True
        ).start()


def webhook_url(account: ChannelAccount) -> str:
    """Where the provider posts this account's webhooks: its address under ``PUBLIC_URL``."""
    hook = reverse("connectors:webhook", kwargs={"kind": account.kind, "key": account.key})
    return settings.PUBLIC_URL.rstrip("/") + hook


def account_for(kind: str, provider_id: str, secret: str, given: str) -> ChannelAccount | None:
    """The active account of ``kind`` that uses this provider, has this provider id and whose
    secret ``secret`` is ``given``."""
    candidates = ChannelAccount.objects.select_related("tenant").filter(
        kind=kind, provider_account_id=provider_id, active=True
    )
    for account in candidates:
        expected = str(account.secrets.get(secret) or "")
        if (
            account.base_url.rstrip("/").endswith(PROVIDER_PATH + kind)
            and expected
            and hmac.compare_digest(given.encode(), expected.encode())
        ):
            return account
    return None


def _body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body)
    except ValueError:
        return None


# -- Meta: WhatsApp Cloud API and Messenger Send API ------------------------------------------


def graph_error(status: int, code: int, message: str, **extra: Any) -> JsonResponse:
    error = {"message": message, "type": "OAuthException", "code": code, **extra}
    error["fbtrace_id"] = "ADemoTraceId" + secrets.token_urlsafe(8)
    return JsonResponse({"error": error}, status=status)


BAD_TOKEN = "Invalid OAuth access token - Cannot parse access token"


def meta_headers(account: ChannelAccount, raw: bytes) -> dict[str, str]:
    """Meta's webhook headers: ``X-Hub-Signature-256`` is HMAC-SHA256 of the body, app secret."""
    digest = hmac.new(account.secrets["app_secret"].encode(), raw, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


def meta_callback(account: ChannelAccount, document: dict[str, Any]) -> Webhook:
    raw = json.dumps(document).encode()
    return Webhook(webhook_url(account), raw, meta_headers(account, raw))


def whatsapp_status(
    account: ChannelAccount, request: dict[str, Any], wamid: str, status: str, at: int
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(at),
        "recipient_id": request["to"],
        "conversation": {
            "id": hashlib.md5(
                f"{account.pk}:{request['to']}".encode(), usedforsecurity=False
            ).hexdigest(),
            "expiration_timestamp": str(at + 24 * 3600),
            "origin": {"type": "service" if request["type"] == "text" else "utility"},
        },
        "pricing": {"billable": True, "pricing_model": "PMP", "category": "service"},
    }
    if request.get("biz_opaque_callback_data"):
        item["biz_opaque_callback_data"] = request["biz_opaque_callback_data"]
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": business_number(account.tenant).lstrip("+"),
            "phone_number_id": account.provider_account_id,
        },
        "statuses": [item],
    }
    entry = {"id": whatsapp_business_account_id(account.tenant), "changes": []}
    entry["changes"].append({"value": value, "field": "messages"})
    return {"object": "whatsapp_business_account", "entry": [entry]}


def whatsapp_invalid(body: Any) -> str:
    """The documented required fields of a messages request; empty when they are there."""
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        return "messaging_product must be 'whatsapp'"
    if not str(body.get("to", "")).lstrip("+").isdigit():
        return "to must be a phone number or WhatsApp id"
    if body.get("type") == "text":
        text = (body.get("text") or {}).get("body")
        return "" if isinstance(text, str) and 0 < len(text) <= 4096 else "text.body is required"
    if body.get("type") == "template":
        template = body.get("template") or {}
        ok = template.get("name") and (template.get("language") or {}).get("code")
        return "" if ok else "template.name and template.language.code are required"
    return f"unsupported message type {body.get('type')!r}"


@csrf_exempt
@require_POST
def whatsapp_messages(request: HttpRequest, version: str, phone_number_id: str) -> JsonResponse:
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    account = account_for("whatsapp", phone_number_id, "access_token", token)
    if account is None:
        return graph_error(401, 190, BAD_TOKEN)
    body = _body(request)
    problem = whatsapp_invalid(body)
    if problem:
        details = {"messaging_product": "whatsapp", "details": problem}
        return graph_error(400, 100, "(#100) Invalid parameter", error_data=details)
    wamid = "wamid." + base64.b64encode(b"DEMO" + secrets.token_bytes(26)).decode()
    now = int(time.time())
    schedule(
        [
            meta_callback(account, whatsapp_status(account, body, wamid, status, now + n))
            for n, status in enumerate(("sent", "delivered"), start=1)
        ]
    )
    message: dict[str, str] = {"id": wamid}
    if body["type"] == "template":
        message["message_status"] = "accepted"
    return JsonResponse(
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": str(body["to"]).lstrip("+")}],
            "messages": [message],
        }
    )


def messenger_invalid(body: Any) -> str:
    if not isinstance(body, dict) or not str((body.get("recipient") or {}).get("id", "")).isdigit():
        return "param recipient[id] must be a page-scoped id"
    kind = body.get("messaging_type")
    if kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG") or (kind == "MESSAGE_TAG") != (
        "tag" in body
    ):
        return "param messaging_type must be RESPONSE, UPDATE or MESSAGE_TAG (with a tag)"
    text = (body.get("message") or {}).get("text")
    if not isinstance(text, str) or not 0 < len(text) <= 2000:
        return "param message[text] must be a non-empty string of at most 2000 characters"
    return ""


@csrf_exempt
@require_POST
def messenger_messages(request: HttpRequest, version: str, page_id: str) -> JsonResponse:
    token = request.GET.get("access_token", "")
    account = account_for("messenger", page_id, "access_token", token)
    if account is None:
        return graph_error(400, 190, BAD_TOKEN)
    body = _body(request)
    problem = messenger_invalid(body)
    if problem:
        return graph_error(400, 100, f"(#100) {problem}")
    psid = str(body["recipient"]["id"])
    mid = "m_" + secrets.token_urlsafe(32)
    watermark = int(time.time() * 1000) + 1000  # "delivered: everything sent before this"
    receipt = {
        "sender": {"id": psid},
        "recipient": {"id": page_id},
        "delivery": {"mids": [mid], "watermark": watermark},
    }
    document = {"object": "page", "entry": [{"id": page_id, "time": watermark}]}
    document["entry"][0]["messaging"] = [receipt]
    schedule([meta_callback(account, document)])
    return JsonResponse({"recipient_id": psid, "message_id": mid})


# -- Telegram Bot API --------------------------------------------------------------------------


def telegram_error(status: int, description: str) -> JsonResponse:
    return JsonResponse(
        {"ok": False, "error_code": status, "description": description}, status=status
    )


@csrf_exempt
@require_POST
def telegram_send_message(request: HttpRequest, token: str) -> JsonResponse:
    account = account_for("telegram", token.split(":", 1)[0], "bot_token", token)
    if account is None:
        return telegram_error(401, "Unauthorized")
    # the Bot API takes JSON, a form or the query string
    params = _body(request) if request.content_type == "application/json" else request.POST
    params = params if params is not None else {}
    text, chat = params.get("text"), str(params.get("chat_id", ""))
    if not isinstance(text, str) or not text.strip():
        return telegram_error(400, "Bad Request: message text is empty")
    if len(text) > 4096:
        return telegram_error(400, "Bad Request: message is too long")
    if not chat.lstrip("-").isdigit():
        return telegram_error(400, "Bad Request: chat not found")
    bot = {
        "id": int(account.provider_account_id),
        "is_bot": True,
        "first_name": account.name,
        "username": f"{account.tenant.slug.replace('-', '_')}_demo_bot",
    }
    message = {
        "message_id": next(_telegram_ids),
        "from": bot,
        "chat": {"id": int(chat), "type": "private"},
        "date": int(time.time()),
        "text": text,
    }
    return JsonResponse({"ok": True, "result": message})


# -- Twilio Messages API -----------------------------------------------------------------------


def twilio_error(status: int, code: int, message: str) -> JsonResponse:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return JsonResponse(body, status=status)


def basic_auth(request: HttpRequest) -> tuple[str, str]:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    try:
        user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return "", ""
    return (user, password) if scheme.lower() == "basic" else ("", "")


def twilio_form(account: ChannelAccount, url: str, fields: dict[str, str]) -> Webhook:
    """A form Twilio posts to ``url``, signed ``X-Twilio-Signature`` (the URL and the sorted
    parameters, HMAC-SHA1 with the auth token: ``sms/inbound.compute_signature``)."""
    pairs = list(fields.items())
    signature = compute_signature(account.secrets["auth_token"], url, pairs)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    return Webhook(url, urllib.parse.urlencode(pairs).encode(), headers)


def own_webhook(account: ChannelAccount, url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    hook = reverse("connectors:webhook", kwargs={"kind": account.kind, "key": account.key})
    return parts.scheme in ("http", "https") and parts.path.endswith(hook)


@csrf_exempt
@require_POST
def twilio_messages(request: HttpRequest, account_sid: str) -> JsonResponse:
    user, password = basic_auth(request)
    account = (
        account_for("sms", account_sid, "auth_token", password) if user == account_sid else None
    )
    if account is None:
        return twilio_error(401, 20003, "Authenticate")
    form = request.POST
    to, sender, service = form.get("To", ""), form.get("From", ""), form.get("MessagingServiceSid")
    body = form.get("Body", "")
    if not to:
        return twilio_error(400, 21604, "A 'To' phone number is required.")
    if not sender and not service:
        return twilio_error(400, 21603, "A 'From' phone number is required.")
    if not body:
        return twilio_error(400, 21602, "Message body is required.")
    if len(body) > 1600:
        return twilio_error(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    if not E164.match(to):
        return twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    sid = "SM" + secrets.token_hex(16)
    sender = sender or business_number(account.tenant)
    callback = form.get("StatusCallback", "")
    if callback and own_webhook(account, callback):
        schedule(
            [
                twilio_form(
                    account,
                    callback,
                    {
                        "SmsSid": sid,
                        "SmsStatus": status,
                        "MessageStatus": status,
                        "To": to,
                        "MessageSid": sid,
                        "AccountSid": account_sid,
                        "From": sender,
                        "ApiVersion": "2010-04-01",
                    },
                )
                for status in ("sent", "delivered")
            ]
        )
    now = format_datetime(datetime.now(UTC))  # RFC 2822, as Twilio writes its dates
    base = f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}"
    resource = {
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": None if service else sender,
        "messaging_service_sid": service,
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "accepted" if service else "queued",
        "subresource_uris": {"media": f"{base}/Media.json"},
        "to": to,
        "uri": f"{base}.json",
    }
    return JsonResponse(resource, status=201)


urlpatterns = [
    path("whatsapp/<str:version>/<str:phone_number_id>/messages", whatsapp_messages),
    path("messenger/<str:version>/<str:page_id>/messages", messenger_messages),
    re_path(r"^telegram/bot(?P<token>[^/]+)/sendMessage$", telegram_send_message),
    path("sms/2010-04-01/Accounts/<str:account_sid>/Messages.json", twilio_messages),
]
