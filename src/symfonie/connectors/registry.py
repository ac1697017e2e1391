"""Channel kinds and their connector modules: adding a channel is one line here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Any, Protocol

from django.http import HttpRequest, HttpResponse

from symfonie.connectors.models import ChannelAccount, InboundEvent


@dataclass(frozen=True)
class Item:
    """One unit of a webhook body, stored as one ``InboundEvent``."""

    external_key: str
    item_type: str  # "message", "status" or "unhandled"
    provider_timestamp: datetime | None
    payload: dict[str, Any]


class Sender(Protocol):
    """The send side of a channel kind (``symfonie.connectors.<kind>.sender``)."""

    #: the identity kind that holds the recipient's address on this channel
    IDENTITY_KIND: str
    #: optional, default True: free text only inside a customer-service window
    #: (WhatsApp, Messenger, Instagram); False for SMS and Telegram
    HAS_WINDOW: bool

    def window_closes_at(self, account: ChannelAccount, customer: Any) -> datetime | None:
        """When free text stops being allowed (None: the customer never wrote, or no limit
        applies; see ``has_window``)."""
        ...

    def approved_templates(self, account: ChannelAccount) -> list[dict[str, Any]]: ...

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
        """The provider request to store before sending, and the text shown on the timeline;
        refuses (409/422) what the channel's rules forbid."""
        ...

    def send(self, account: ChannelAccount, request: dict[str, Any]) -> Any:
        """Call the provider once: a ``SendResult`` (accepted, retry, failed or unknown)."""
        ...


class Connector(Protocol):
    def verify_subscription(self, account: ChannelAccount, request: HttpRequest) -> HttpResponse:
        """Answer the provider's set-up check (GET)."""
        ...

    def signature_ok(self, account: ChannelAccount, request: HttpRequest, raw: bytes) -> bool:
        """Whether the request is signed by the provider with one of the account's secrets."""
        ...

    # Optional: ``parse(request, raw) -> document`` for bodies that are not JSON (raise
    # ValueError → 400), and ``respond(accepted) -> HttpResponse`` for the provider's answer.

    def split(self, account: ChannelAccount, document: Any, raw: bytes) -> list[Item]:
        """The items of a parsed webhook body; anything not understood is an "unhandled" item."""
        ...

    def prepare(self, account: ChannelAccount, event: InboundEvent) -> dict[str, Any]:
        """Work done before the event's transaction (downloading media): its result is passed
        to ``apply``. May raise; the event is then retried."""
        ...

    def apply(self, account: ChannelAccount, event: InboundEvent, prepared: dict[str, Any]) -> str:
        """Apply the event inside a transaction; return the event's new status."""
        ...


CONNECTORS: dict[str, str] = {
    ChannelAccount.Kind.WHATSAPP: "symfonie.connectors.whatsapp.inbound",
    ChannelAccount.Kind.TELEGRAM: "symfonie.connectors.telegram.inbound",
    ChannelAccount.Kind.MESSENGER: "symfonie.connectors.messenger.inbound",
    ChannelAccount.Kind.INSTAGRAM: "symfonie.connectors.instagram.inbound",
    ChannelAccount.Kind.SMS: "symfonie.connectors.sms.inbound",
}


SENDERS: dict[str, str] = {
    ChannelAccount.Kind.WHATSAPP: "symfonie.connectors.whatsapp.sender",
    ChannelAccount.Kind.TELEGRAM: "symfonie.connectors.telegram.sender",
    ChannelAccount.Kind.MESSENGER: "symfonie.connectors.messenger.sender",
    ChannelAccount.Kind.INSTAGRAM: "symfonie.connectors.instagram.sender",
    ChannelAccount.Kind.SMS: "symfonie.connectors.sms.sender",
}


def sender_for(kind: str) -> Sender | None:
    path = SENDERS.get(kind)
    return import_module(path) if path else None  # type: ignore[return-value]


def connector_for(kind: str) -> Connector | None:
    path = CONNECTORS.get(kind)
    connector: Connector | None = import_module(path).connector if path else None
    return connector
