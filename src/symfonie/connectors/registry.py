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


class Connector(Protocol):
    def verify_subscription(self, account: ChannelAccount, request: HttpRequest) -> HttpResponse:
        """Answer the provider's set-up check (GET)."""
        ...

    def signature_ok(self, account: ChannelAccount, request: HttpRequest, raw: bytes) -> bool:
        """Whether the request is signed by the provider with one of the account's secrets."""
        ...

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
}


def connector_for(kind: str) -> Connector | None:
    path = CONNECTORS.get(kind)
    connector: Connector | None = import_module(path).connector if path else None
    return connector
