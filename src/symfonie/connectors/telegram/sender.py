"""Telegram Bot API send side: ``sendMessage`` to the customer's chat.

``POST {base_url}/bot<token>/sendMessage`` with ``{"chat_id", "text"}`` (core.telegram.org/bots/api
#sendmessage, "1-4096 characters after entities parsing"). Every answer is ``{"ok": true,
"result": Message}`` or ``{"ok": false, "error_code", "description", "parameters"}``; a flood
limit is ``error_code`` 429 with ``parameters.retry_after`` seconds (#responseparameters), which
``outbound.deliver`` honours. Telegram has no customer-service window and no templates: free text
is always allowed. The bot token is part of the URL, so no error text here ever carries the URL.

The recipient is the ``telegram`` identity stored by ``telegram/inbound.py``: the sender's user
id, which is the chat id of the user's private chat with the bot.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from symfonie.connectors.models import ChannelAccount
from symfonie.contacts.models import Customer
from symfonie.problems import InvalidInput

IDENTITY_KIND = "telegram"
HAS_WINDOW = False  # api.reply_options: free text is always allowed
MAX_TEXT_CHARACTERS = 4096
TIMEOUT_SECONDS = 10.0


def window_closes_at(account: ChannelAccount, customer: Customer) -> datetime | None:
    return None


def approved_templates(account: ChannelAccount) -> list[dict[str, Any]]:
    return []


def chat_id(recipient: str) -> int | str:
    """A numeric chat id as the integer the Bot API documents; anything else (``@channel``) as
    given."""
    return int(recipient) if recipient.lstrip("-").isdigit() else recipient


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
    """The sendMessage body and the text shown on the timeline; refuses what Telegram would.

    The Bot API takes no idempotency key: a retry is kept from sending twice by the claim in
    ``outbound.deliver`` alone."""
    if template is not None:
        raise InvalidInput("Telegram bots send free text; there are no templates", field="template")
    if text is None:
        raise InvalidInput("a text is required", field="text")
    if not text.strip():
        raise InvalidInput("must not be empty", field="text")
    if len(text) > MAX_TEXT_CHARACTERS:
        raise InvalidInput(
            f"Telegram texts are at most {MAX_TEXT_CHARACTERS:,} characters", field="text"
        )
    return {"chat_id": chat_id(recipient), "text": text}, text


@dataclass(frozen=True)
class SendResult:
    outcome: str  # "accepted", "retry", "failed", "unknown"
    message_id: str = ""
    error_code: str = ""
    error: str = ""
    retry_after: int | None = None  # seconds Telegram asks us to wait (429)


def message_key(chat: Any, message_id: Any) -> str:
    """The id stored as ``Message.external_id``: Telegram numbers messages per chat, so two
    customers' chats both have a message 1; the chat id makes it unique per account."""
    return f"message:{chat}:{message_id}"


def _redacted(text: str, token: str) -> str:
    return text.replace(token, "<bot token>") if token else text


def send(account: ChannelAccount, request: dict[str, Any]) -> SendResult:
    """POST the request once and classify the answer. A refused connection or an unknown host
    was never received (retry is safe); a timeout or a broken answer may have been delivered
    (outcome unknown: Telegram sends no status webhook, so it stays for a human to judge)."""
    token = str(account.secrets.get("bot_token", ""))
    url = f"{account.base_url.rstrip('/')}/bot{token}/sendMessage"
    data = json.dumps(request).encode()
    call = urllib.request.Request(url, data=data, method="POST")  # noqa: S310
    call.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(call, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except urllib.error.URLError as exc:
        reason = _redacted(str(exc.reason), token)
        if isinstance(exc.reason, ConnectionRefusedError | socket.gaierror):
            return SendResult("retry", error=f"not reached: {reason}")
        return SendResult("unknown", error=reason)
    except (TimeoutError, OSError) as exc:
        return SendResult("unknown", error=_redacted(f"{type(exc).__name__}: {exc}", token))
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        if 200 <= status < 300:
            return SendResult("unknown", error="the Bot API's answer is not JSON")
        # a proxy in front of the Bot API (502 with an HTML page)
        outcome = "retry" if status >= 500 or status == 429 else "failed"
        return SendResult(outcome, error_code=str(status), error=f"HTTP {status}")
    if body.get("ok") is True:
        result = body.get("result")
        if not isinstance(result, dict) or "message_id" not in result:
            return SendResult("unknown", error="the Bot API's answer has no message_id")
        chat = (result.get("chat") or {}).get("id", request.get("chat_id"))
        return SendResult("accepted", message_id=message_key(chat, result["message_id"]))
    code = body.get("error_code") if isinstance(body.get("error_code"), int) else status
    description = _redacted(str(body.get("description") or f"HTTP {status}"), token)
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    retry_after = parameters.get("retry_after")
    if code == 429:
        wait = retry_after if isinstance(retry_after, int) and retry_after > 0 else None
        return SendResult("retry", error_code="429", error=description, retry_after=wait)
    if code >= 500:
        return SendResult("retry", error_code=str(code), error=description)
    # 400 "Bad Request: chat not found", 403 "Forbidden: bot was blocked by the user",
    # 401 a revoked token: sending again changes nothing, the agent sees the reason
    return SendResult("failed", error_code=str(code), error=description)
