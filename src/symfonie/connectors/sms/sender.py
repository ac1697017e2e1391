"""SMS send side through a Twilio-compatible Messages API; media download for inbound MMS.

``POST {base_url}/2010-04-01/Accounts/{AccountSid}/Messages.json`` with a form-encoded ``To``,
``From`` (or ``MessagingServiceSid``), ``Body`` and ``StatusCallback``, HTTP basic auth
AccountSid:auth token; a 201 answers the Message resource (``sid``, ``status``), an error the
body ``{"code", "message", "more_info", "status"}`` (see ``fixtures/SOURCE.md``). The base URL
is per account, so the tests talk to a local peer, and so does any Twilio-compatible provider.

Where the account's settings live (``ChannelAccount`` has no per-kind settings field):
``provider_account_id`` is the AccountSid (``AC…``: the basic-auth user, and the ``AccountSid``
every webhook carries); ``secrets["auth_token"]`` the auth token (rotated with a grace period for
inbound signatures); ``secrets["from"]`` the sending number in E.164 or
``secrets["messaging_service_sid"]`` (``MG…``); ``secrets["public_url"]`` the public base URL
of this installation (``https://cc.example.nl``), needed for the ``StatusCallback`` and for
checking signatures behind a proxy.

SMS has no customer-service window: free text is always allowed (``HAS_WINDOW = False``, which
``reply-options`` reads) and there are no templates. The ``StatusCallback`` carries our
idempotency key (``?ref=``): Twilio signs the full URL, so a status callback for a send whose
response was lost finds its intent, as ``biz_opaque_callback_data`` does for WhatsApp.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from django.urls import reverse

from symfonie.connectors.models import ChannelAccount
from symfonie.connectors.sms.segments import segments
from symfonie.contacts.models import Customer
from symfonie.problems import Conflict, InvalidInput

IDENTITY_KIND = "phone"
HAS_WINDOW = False
API_VERSION = "2010-04-01"
TIMEOUT_SECONDS = 10.0
MAX_SEGMENTS = 10
MAX_BODY_CHARS = 1600  # Twilio refuses longer bodies (error 21617)
MAX_RETRY_AFTER_SECONDS = 3600  # a provider's wait beyond an hour is treated as an hour
# Twilio error codes (twilio.com/docs/api/errors)
RATE_LIMIT_CODES = frozenset({20429, 14107})
AUTH_CODES = frozenset({20003})


def window_closes_at(account: ChannelAccount, customer: Customer) -> datetime | None:
    """SMS has no customer-service window."""
    return None


def approved_templates(account: ChannelAccount) -> list[dict[str, Any]]:
    return []


def webhook_url(account: ChannelAccount) -> str:
    """The public URL of the account's webhook; empty when no public URL is configured."""
    base = str(account.secrets.get("public_url") or "").rstrip("/")
    if not base:
        return ""
    return base + reverse("connectors:webhook", kwargs={"kind": account.kind, "key": account.key})


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
    """The Messages request (``form``) with its segment count, and the text shown on the
    timeline; refuses templates, empty texts and texts over 10 segments or 1,600 characters."""
    if template is not None:
        raise InvalidInput("SMS has no message templates; send a text", field="template")
    if text is None or not text.strip():
        raise InvalidInput("must not be empty", field="text")
    encoding, count = segments(text)
    if count > MAX_SEGMENTS or len(text) > MAX_BODY_CHARS:
        raise InvalidInput(
            f"an SMS is at most {MAX_SEGMENTS} segments and {MAX_BODY_CHARS} characters; "
            f"this text is {len(text)} characters, {count} {encoding} segments",
            field="text",
        )
    form: dict[str, str] = {"To": recipient, "Body": text}
    service = str(account.secrets.get("messaging_service_sid") or "")
    sender = str(account.secrets.get("from") or "")
    if service:
        form["MessagingServiceSid"] = service
    elif sender:
        form["From"] = sender
    else:
        raise Conflict(
            "this SMS account has no sending number or messaging service configured",
            field="contact_id",
        )
    callback = webhook_url(account)
    if callback:
        form["StatusCallback"] = f"{callback}?{urllib.parse.urlencode({'ref': idempotency_key})}"
    return {"form": form, "encoding": encoding, "segments": count}, text


@dataclass(frozen=True)
class SendResult:
    outcome: str  # "accepted", "retry", "failed", "unknown"
    message_id: str = ""
    error_code: str = ""
    error: str = ""
    retry_after: float | None = None


def _authorization(account: ChannelAccount) -> str:
    pair = f"{account.provider_account_id}:{account.secrets.get('auth_token', '')}"
    return "Basic " + base64.b64encode(pair.encode()).decode("ascii")


def messages_url(account: ChannelAccount) -> str:
    sid = urllib.parse.quote(account.provider_account_id, safe="")
    return f"{account.base_url.rstrip('/')}/{API_VERSION}/Accounts/{sid}/Messages.json"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """An HTTP ``Retry-After`` (delay seconds or an HTTP date) in seconds, capped at an hour."""
    if not value:
        return None
    value = value.strip()
    seconds = float(value) if value.isdigit() else None
    if seconds is None:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def _post(account: ChannelAccount, form: dict[str, str]) -> tuple[int, Any, str | None]:
    data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(messages_url(account), data=data, method="POST")  # noqa: S310
    request.add_header("Authorization", _authorization(account))
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    request.add_header("Accept", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null"), None
    except urllib.error.HTTPError as exc:
        retry_after = exc.headers.get("Retry-After") if exc.headers else None
        try:
            return exc.code, json.loads(exc.read() or b"null"), retry_after
        except ValueError:
            return exc.code, None, retry_after


def send(account: ChannelAccount, request: dict[str, Any]) -> SendResult:
    """POST the request once and classify the answer. A refused connection was never received
    and a 429 or 5xx was not taken (retry is safe); a timeout or a broken answer may have been
    sent (outcome unknown: the status callback settles it)."""
    try:
        status, body, retry_after = _post(account, request["form"])
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, ConnectionRefusedError):
            return SendResult("retry", error=f"connection refused: {exc.reason}")
        return SendResult("unknown", error=str(exc.reason))
    except (TimeoutError, ValueError, OSError) as exc:
        return SendResult("unknown", error=f"{type(exc).__name__}: {exc}")
    if 200 <= status < 300:
        sid = body.get("sid") if isinstance(body, dict) else None
        if not sid:
            return SendResult("unknown", error="the provider's answer has no message sid")
        return SendResult("accepted", message_id=str(sid))
    error = body if isinstance(body, dict) else {}
    code = error.get("code")
    reason = f"{code}: {error.get('message', '')}".strip() if code else f"HTTP {status}"
    error_code = str(code or status)
    if status == 429 or code in RATE_LIMIT_CODES or status >= 500:
        return SendResult(
            "retry",
            error_code=error_code,
            error=reason,
            retry_after=retry_after_seconds(retry_after),
        )
    # 21211 invalid To, 20003 authentication, 21610 unsubscribed, …: sending again won't help
    return SendResult("failed", error_code=error_code, error=reason)


def fetch_media(account: ChannelAccount, url: str) -> tuple[bytes, str]:
    """Download an inbound MMS medium from its ``MediaUrlN``. Returns (bytes, MIME type).

    The credentials go only to the account's own API host (Twilio can require HTTP basic auth
    for media), and never along a redirect: Twilio answers with a redirect to its CDN."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RuntimeError(f"media URL with scheme {parts.scheme!r} refused")
    request = urllib.request.Request(url)  # noqa: S310
    if parts.netloc == urllib.parse.urlsplit(account.base_url).netloc:
        request.add_unredirected_header("Authorization", _authorization(account))
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"media download answered HTTP {exc.code}") from None
