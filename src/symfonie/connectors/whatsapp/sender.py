"""WhatsApp Cloud API send side: the 24-hour window, templates, the messages and media calls.

Requests follow Meta's ``POST /{version}/{phone-number-id}/messages`` contract (see
``fixtures/SOURCE.md``); the base URL is per account, so the tests talk to a local peer.
``biz_opaque_callback_data`` carries our idempotency key: Meta echoes it in status webhooks,
which is how a send whose response was lost is reconciled instead of sent again.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max

from symfonie.connectors.models import ChannelAccount
from symfonie.contacts.models import Customer, Message
from symfonie.problems import Conflict, InvalidInput

IDENTITY_KIND = "whatsapp"
WINDOW = timedelta(hours=24)
TIMEOUT_SECONDS = 10.0
# Cloud API error codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes)
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131048, 131056})
TRANSIENT_CODES = frozenset({1, 2, 131000, 131016})
OUTSIDE_WINDOW = 131047


def window_closes_at(account: ChannelAccount, customer: Customer) -> datetime | None:
    """When the customer-service window closes: 24 h after the customer's last inbound message
    on this account (by provider timestamp); None when the customer never wrote."""
    last = Message.objects.filter(
        tenant_id=account.tenant_id,
        channel_account=account.message_key,
        author=Message.Author.CUSTOMER,
        contact__customer=customer,
    ).aggregate(last=Max("created_at"))["last"]
    return last + WINDOW if last else None


def approved_templates(account: ChannelAccount) -> list[dict[str, Any]]:
    return [t for t in account.templates if t.get("status", "APPROVED") == "APPROVED"]


def build_request(
    account: ChannelAccount,
    *,
    recipient: str,
    now: datetime,
    window_closes: datetime | None,
    idempotency_key: str,
    text: str | None = None,
    template: str | None = None,
    language: str | None = None,
    parameters: list[str] | None = None,
) -> tuple[dict[str, Any], str]:
    """The messages request and the text shown on the timeline; refuses what Meta would."""
    base: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": recipient,
        "biz_opaque_callback_data": idempotency_key,
    }
    if (text is None) == (template is None):
        raise InvalidInput("send either a text or a template", field="text")
    if text is not None:
        if not text.strip():
            raise InvalidInput("must not be empty", field="text")
        if len(text) > 4096:
            raise InvalidInput("WhatsApp texts are at most 4,096 characters", field="text")
        if window_closes is None or now >= window_closes:
            raise Conflict(
                "the 24-hour customer-service window is closed"
                + (f" (it closed at {window_closes.isoformat()})" if window_closes else "")
                + "; only an approved template can be sent",
                field="text",
            )
        return {**base, "type": "text", "text": {"preview_url": False, "body": text}}, text
    entry = account.template(str(template), language or "")
    if entry is None or entry.get("status", "APPROVED") != "APPROVED":
        raise InvalidInput(
            f"no approved template {template!r} in language {language!r}", field="template"
        )
    values = list(parameters or [])
    expected = int(entry.get("parameters", 0))
    if len(values) != expected:
        raise InvalidInput(
            f"template {template!r} takes {expected} parameters, not {len(values)}",
            field="parameters",
        )
    body = str(entry.get("body", template))
    for n, value in enumerate(values, start=1):
        body = body.replace("{{" + str(n) + "}}", value)
    components = (
        [{"type": "body", "parameters": [{"type": "text", "text": v} for v in values]}]
        if values
        else []
    )
    return {
        **base,
        "type": "template",
        "template": {"name": template, "language": {"code": language}, "components": components},
    }, body


@dataclass(frozen=True)
class SendResult:
    outcome: str  # "accepted", "retry", "failed", "unknown"
    message_id: str = ""
    error_code: str = ""
    error: str = ""


def _call(account: ChannelAccount, method: str, url: str, payload: Any = None) -> tuple[int, Any]:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    request.add_header("Authorization", f"Bearer {account.secrets.get('access_token', '')}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"null")
        except ValueError:
            return exc.code, None


def messages_url(account: ChannelAccount) -> str:
    base = account.base_url.rstrip("/")
    return f"{base}/{account.api_version}/{account.provider_account_id}/messages"


def send(account: ChannelAccount, request: dict[str, Any]) -> SendResult:
    """POST the request once and classify the answer. A refused connection was never received
    (retry is safe); a timeout or a broken answer may have been sent (outcome unknown)."""
    try:
        status, body = _call(account, "POST", messages_url(account), request)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, ConnectionRefusedError):
            return SendResult("retry", error=f"connection refused: {exc.reason}")
        return SendResult("unknown", error=str(exc.reason))
    except (TimeoutError, ValueError, OSError) as exc:
        return SendResult("unknown", error=f"{type(exc).__name__}: {exc}")
    if 200 <= status < 300:
        try:
            return SendResult("accepted", message_id=str(body["messages"][0]["id"]))
        except (KeyError, IndexError, TypeError):
            return SendResult("unknown", error="the provider's answer has no message id")
    error = (body or {}).get("error", {}) if isinstance(body, dict) else {}
    code = error.get("code")
    details = (error.get("error_data") or {}).get("details") or error.get("message") or ""
    reason = f"{code}: {details}" if code else f"HTTP {status}"
    if code in RATE_LIMIT_CODES or code in TRANSIENT_CODES or status == 429 or status >= 500:
        return SendResult("retry", error_code=str(code or status), error=reason)
    return SendResult("failed", error_code=str(code or status), error=reason)


def fetch_media(account: ChannelAccount, media_id: str) -> tuple[bytes, str]:
    """Download a media object: ``GET /{version}/{media-id}`` gives a short-lived URL, which is
    fetched with the same bearer token. Returns (bytes, MIME type)."""
    base = account.base_url.rstrip("/")
    quoted = urllib.parse.quote(media_id, safe="")
    status, meta = _call(account, "GET", f"{base}/{account.api_version}/{quoted}")
    if status != 200 or not isinstance(meta, dict) or "url" not in meta:
        raise RuntimeError(f"media {media_id}: the media endpoint answered {status}")
    request = urllib.request.Request(meta["url"])  # noqa: S310
    request.add_header("Authorization", f"Bearer {account.secrets.get('access_token', '')}")
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        data = response.read()
    return data, str(meta.get("mime_type") or response.headers.get_content_type())
