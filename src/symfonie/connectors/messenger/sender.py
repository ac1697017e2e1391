"""Messenger Send API: the 24-hour standard messaging window, message tags, and the send call.

Requests follow Meta's documented ``POST /{version}/{page-id}/messages?access_token=…`` with
``{"recipient": {"id": PSID}, "messaging_type": …, "message": {"text": …}}`` (see
``fixtures/SOURCE.md``); the base URL is per account, so the tests talk to a local peer.

Inside the window (24 h after the customer's last message on this account) free text goes as
``messaging_type: RESPONSE``. Outside it only a message tag may carry the text
(``messaging_type: MESSAGE_TAG``): ``HUMAN_AGENT`` up to 7 days after the customer's last
message, the update tags whenever their use case applies. The tags are offered as the
"templates" of the reply-options API; ``build_request(template=TAG, text=…)`` sends the text
with that tag.

Our idempotency key goes in ``message.metadata``, which Meta returns in the message echo: that
is how a send whose response was lost is reconciled instead of sent again (``inbound.py``).

``SendAPI`` is parameterised so that Instagram (the same Send API, IGSID recipients, its own
tags and limits) reuses it; the module-level names are the Messenger instance.
"""

from __future__ import annotations

import json
import socket
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

WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
TIMEOUT_SECONDS = 10.0
# developers.facebook.com/docs/messenger-platform/send-messages/message-tags
TAGS = {
    "CONFIRMED_EVENT_UPDATE": "Reminder or update for an event the customer registered for",
    "POST_PURCHASE_UPDATE": "Update on a recent purchase of the customer",
    "ACCOUNT_UPDATE": "Non-recurring change to the customer's application or account",
    "HUMAN_AGENT": "A person answering, up to 7 days after the customer's last message",
}
HUMAN_AGENT = "HUMAN_AGENT"
# Graph API error codes (developers.facebook.com/docs/messenger-platform/error-codes and
# /docs/graph-api/overview/rate-limiting): application (4), user (17), page (32) and API (613)
# request limits, and the business-use-case limits of Pages (80001), Instagram (80002) and
# Messenger (80006)
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 80006})
# "An unknown error occurred" (1), "Service temporarily unavailable" (2)
TRANSIENT_CODES = frozenset({1, 2})


@dataclass(frozen=True)
class SendResult:
    outcome: str  # "accepted", "retry", "failed", "unknown"
    message_id: str = ""
    error_code: str = ""
    error: str = ""
    retry_after: int | None = None  # seconds the provider asked us to wait


def window_closes_at(account: ChannelAccount, customer: Customer) -> datetime | None:
    """When the standard messaging window closes: 24 h after the customer's last inbound
    message on this account (by provider timestamp); None when the customer never wrote."""
    last = Message.objects.filter(
        tenant_id=account.tenant_id,
        channel_account=account.message_key,
        author=Message.Author.CUSTOMER,
        contact__customer=customer,
    ).aggregate(last=Max("created_at"))["last"]
    return last + WINDOW if last else None


def messages_url(account: ChannelAccount, node: str | None = None) -> str:
    """The Send API endpoint of ``node`` (default: the account's Page), with its token."""
    base = account.base_url.rstrip("/")
    node = urllib.parse.quote(node or account.provider_account_id or "me", safe="")
    query = urllib.parse.urlencode({"access_token": account.secrets.get("access_token", "")})
    return f"{base}/{account.api_version}/{node}/messages?{query}"


def retry_after_seconds(headers: Any) -> int | None:
    """The wait the provider asked for: ``Retry-After`` (seconds), or the largest
    ``estimated_time_to_regain_access`` (minutes) of ``X-Business-Use-Case-Usage``."""
    if headers is None:
        return None
    value = str(headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return int(value)
    try:
        usage = json.loads(headers.get("X-Business-Use-Case-Usage") or "{}")
    except ValueError:
        return None
    minutes = [
        int(entry.get("estimated_time_to_regain_access") or 0)
        for entries in (usage.values() if isinstance(usage, dict) else [])
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
        and str(entry.get("estimated_time_to_regain_access", "")).isdigit()
    ]
    return max(minutes) * 60 if minutes and max(minutes) > 0 else None


def _post(url: str, payload: dict[str, Any]) -> tuple[int, Any, Any]:
    request = urllib.request.Request(  # noqa: S310 (the account's https base URL, or the test peer)
        url, data=json.dumps(payload).encode(), method="POST"
    )
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"null"), exc.headers
        except ValueError:
            return exc.code, None, exc.headers


class SendAPI:
    """The send side of one Meta messaging channel (Messenger, or Instagram reusing it)."""

    def __init__(
        self,
        *,
        identity_kind: str,
        label: str,
        tags: dict[str, str],
        max_text_chars: int | None = None,
        max_text_bytes: int | None = None,
        echo_metadata: bool = True,
        node: str | None = None,
    ) -> None:
        self.identity_kind = identity_kind
        self.node = node
        self.label = label
        self.tags = tags
        self.max_text_chars = max_text_chars
        self.max_text_bytes = max_text_bytes
        self.echo_metadata = echo_metadata

    def approved_templates(self, account: ChannelAccount) -> list[dict[str, Any]]:
        """The message tags, in the shape of the reply-options templates: the text of the
        reply is the message; a tag takes no parameters."""
        return [
            {"name": tag, "language": "", "body": description, "parameters": 0}
            for tag, description in self.tags.items()
        ]

    def _check_text(self, text: str | None) -> str:
        if text is None or not text.strip():
            raise InvalidInput(
                "write the text to send (a message tag carries a text)", field="text"
            )
        if self.max_text_chars is not None and len(text) > self.max_text_chars:
            raise InvalidInput(
                f"{self.label} texts are at most {self.max_text_chars:,} characters", field="text"
            )
        if self.max_text_bytes is not None and len(text.encode()) > self.max_text_bytes:
            raise InvalidInput(
                f"{self.label} texts are at most {self.max_text_bytes:,} bytes (UTF-8)",
                field="text",
            )
        return text

    def build_request(
        self,
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
        """The Send API request and the text shown on the timeline; refuses what Meta would.
        ``template`` is a message tag; ``language`` has no meaning here and is ignored."""
        body = self._check_text(text)
        if parameters:
            raise InvalidInput(
                "message tags take no parameters: the text is the message", field="parameters"
            )
        message: dict[str, Any] = {"text": body}
        if self.echo_metadata:
            message["metadata"] = idempotency_key
        if template is None:
            if window_closes is None or now >= window_closes:
                raise Conflict(
                    "the 24-hour standard messaging window is closed"
                    + (f" (it closed at {window_closes.isoformat()})" if window_closes else "")
                    + "; send the text with a message tag (template), such as "
                    + f"{HUMAN_AGENT} up to 7 days after the customer's last message",
                    field="text",
                )
            return {
                "recipient": {"id": recipient},
                "messaging_type": "RESPONSE",
                "message": message,
            }, body
        if template not in self.tags:
            raise InvalidInput(
                f"no message tag {template!r} on {self.label}; one of {', '.join(self.tags)}",
                field="template",
            )
        if window_closes is None:
            raise Conflict(
                f"the customer never wrote to this {self.label} account: Meta allows no message",
                field="template",
            )
        last_inbound = window_closes - WINDOW
        if template == HUMAN_AGENT and now >= last_inbound + HUMAN_AGENT_WINDOW:
            raise Conflict(
                f"{HUMAN_AGENT} replies are allowed up to 7 days after the customer's last "
                f"message, which was at {last_inbound.isoformat()}",
                field="template",
            )
        return {
            "recipient": {"id": recipient},
            "messaging_type": "MESSAGE_TAG",
            "tag": template,
            "message": message,
        }, body

    def send(self, account: ChannelAccount, request: dict[str, Any]) -> SendResult:
        """POST the request once and classify the answer. A refused connection or an unknown
        host was never received (retry is safe); a timeout or a broken answer may have been
        sent (outcome unknown: the echo or a delivery receipt will tell)."""
        try:
            status, body, headers = _post(messages_url(account, self.node), request)
        except urllib.error.URLError as exc:
            # never the URL in a message: it carries the access token
            if isinstance(exc.reason, ConnectionRefusedError | socket.gaierror):
                return SendResult("retry", error=f"not reachable: {exc.reason}")
            return SendResult("unknown", error=f"{type(exc.reason).__name__}: {exc.reason}")
        except (TimeoutError, ValueError, OSError) as exc:
            return SendResult("unknown", error=f"{type(exc).__name__}: {exc}")
        if 200 <= status < 300:
            if isinstance(body, dict) and body.get("message_id"):
                return SendResult("accepted", message_id=str(body["message_id"]))
            return SendResult("unknown", error="the provider's answer has no message id")
        error = body.get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {}
        code, subcode = error.get("code"), error.get("error_subcode")
        error_code = f"{code}/{subcode}" if code and subcode else str(code or status)
        detail = error.get("error_user_msg") or error.get("message") or f"HTTP {status}"
        reason = f"{error_code}: {detail}"
        if code in RATE_LIMIT_CODES or status == 429:
            return SendResult(
                "retry",
                error_code=error_code,
                error=reason,
                retry_after=retry_after_seconds(headers),
            )
        if code in TRANSIENT_CODES or status >= 500:
            return SendResult("retry", error_code=error_code, error=reason)
        # 10/2018278 outside the window, 551 not available, 190 token, 200 permission, 100 …
        return SendResult("failed", error_code=error_code, error=reason)


messenger = SendAPI(identity_kind="messenger", label="Messenger", tags=TAGS, max_text_chars=2000)

IDENTITY_KIND = messenger.identity_kind
approved_templates = messenger.approved_templates
build_request = messenger.build_request
send = messenger.send
