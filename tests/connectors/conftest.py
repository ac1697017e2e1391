"""Fixtures of the connector tests: a WhatsApp account talking to the local peer, and a
signed webhook poster."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from symfonie.connectors.models import ChannelAccount
from tests.connectors.peer import Peer

FIXTURES = Path(__file__).resolve().parents[2] / "src/symfonie/connectors/whatsapp/fixtures"
APP_SECRET = "app-secret-1"
TOKEN = "EAAG-test-token"
PHONE_NUMBER_ID = "106540352242922"


def fixture(name: str, **changes: Any) -> dict[str, Any]:
    """A Meta example; ``id``/``timestamp``/``from`` of its first message or status replaced."""
    document = json.loads((FIXTURES / f"{name}.json").read_text())
    value = document["entry"][0]["changes"][0]["value"]
    item = (value.get("messages") or value.get("statuses") or [{}])[0]
    item.update(changes)
    if "from" in changes and value.get("contacts"):
        value["contacts"][0]["wa_id"] = changes["from"]
    return copy.deepcopy(document)


def sign(raw: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


@pytest.fixture
def peer():
    with Peer(TOKEN, PHONE_NUMBER_ID) as running:
        yield running


@pytest.fixture
def account(tenant, peer) -> ChannelAccount:
    return ChannelAccount.objects.create(
        tenant=tenant,
        kind="whatsapp",
        name="Woonstad WhatsApp",
        provider_account_id=PHONE_NUMBER_ID,
        secrets={"app_secret": APP_SECRET, "verify_token": "verify-me", "access_token": TOKEN},
        base_url=peer.url,
        default_queue="whatsapp",
        templates=[
            {
                "name": "case_update",
                "language": "nl",
                "status": "APPROVED",
                "body": "Beste {{1}}, er is nieuws over uw melding {{2}}.",
                "parameters": 2,
            },
            {"name": "old_promo", "language": "nl", "status": "REJECTED", "parameters": 0},
        ],
    )


class Hooks:
    """Posts webhook bodies to an account's URL, signed like Meta signs them."""

    secret = APP_SECRET

    def __init__(self, account: ChannelAccount) -> None:
        self.client = Client()
        self.account = account

    @property
    def url(self) -> str:
        return f"/hooks/{self.account.kind}/{self.account.key}/"

    def post(
        self,
        document: Any,
        *,
        secret: str | None = None,
        tamper: bool = False,
        raw: bytes | None = None,
        signature: str | None = None,
    ):
        body = raw if raw is not None else json.dumps(document).encode()
        header = signature if signature is not None else sign(body, secret or self.secret)
        if tamper:
            body = self.tampered(body)
        return self.client.post(
            self.url, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=header
        )

    @staticmethod
    def tampered(body: bytes) -> bytes:
        """The body changed after signing: another sender, one byte more."""
        return body.replace(b"16505551234", b"16505559999", 1) + b" "


@pytest.fixture
def hooks(account) -> Hooks:
    return Hooks(account)
