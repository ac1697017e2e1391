"""Demo channel accounts: per demo tenant a WhatsApp number, a Messenger Page, a Telegram bot and
an SMS number (called by the demo loader, and by ``symfonie demo-message``).

The secrets are fixed demo values, readable on purpose (``demo-…``): never use these outside the
demo. Each account's send API is the demo provider of this installation,
``{PUBLIC_URL}/demo-provider/<kind>`` (``demo_provider.py``), so the demo never reaches Meta,
Telegram or Twilio; new contacts go to the tenant's ``*-digitaal`` routing queue (skill "wonen" at
Woonstad, "abonnementen" at OV Regio). Webhooks: ``/hooks/whatsapp/demo-<slug>/`` and
``/hooks/<kind>/demo-<slug>-<kind>/`` for the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

from symfonie.connectors.models import ChannelAccount
from symfonie.demo.routing import QUEUES
from symfonie.tenants.models import Tenant

# the send API of demo accounts made before the demo provider existed (the discard port)
LEGACY_SEND_API = "http://127.0.0.1:9"
PROVIDER_PATH = "/demo-provider/"
KINDS = ("whatsapp", "messenger", "telegram", "sms")

DEMO_TEMPLATES = [
    {
        "name": "case_update",
        "language": "nl",
        "status": "APPROVED",
        "body": "Beste {{1}}, er is nieuws over uw melding {{2}}. Reageer op dit bericht om verder te praten.",
        "parameters": 2,
    },
    {
        "name": "case_update",
        "language": "en",
        "status": "APPROVED",
        "body": "Dear {{1}}, there is news about your request {{2}}. Reply to continue the conversation.",
        "parameters": 2,
    },
    {
        "name": "satisfaction",
        "language": "nl",
        "status": "APPROVED",
        "body": "Hoe tevreden bent u over ons contact? Antwoord met een cijfer van 1 tot 5.",
        "parameters": 0,
    },
]


def demo_number(tenant: Tenant, kind: str, digits: int) -> str:
    """A fixed number of ``digits`` digits for this tenant and kind (the same on every install)."""
    value = int(hashlib.sha256(f"{kind}:{tenant.slug}".encode()).hexdigest(), 16)
    return f"{value % 10**digits:0{digits}d}"


def business_number(tenant: Tenant) -> str:
    """The tenant's demo business number in E.164: it sends the SMS and carries the WhatsApp
    account (a Dutch 097 number, the range for machine-to-machine services)."""
    return "+31970" + demo_number(tenant, "sms", 8)


def whatsapp_business_account_id(tenant: Tenant) -> str:
    """The WhatsApp Business Account (WABA) id: the ``entry[].id`` of WhatsApp webhooks."""
    return "1094" + demo_number(tenant, "waba", 11)


def demo_key(tenant: Tenant, kind: str) -> str:
    # the WhatsApp account kept the key it had before the other channels joined the demo
    return f"demo-{tenant.slug}" if kind == "whatsapp" else f"demo-{tenant.slug}-{kind}"


def demo_queue(tenant: Tenant) -> str:
    """The routing queue for the demo's messages: the tenant's ``*-digitaal`` queue."""
    slugs = [spec[0] for spec in QUEUES.get(tenant.slug, [])]
    return next((s for s in slugs if s.endswith("-digitaal")), "berichten")


def provider_url(kind: str) -> str:
    return settings.PUBLIC_URL.rstrip("/") + PROVIDER_PATH + kind


def _whatsapp(tenant: Tenant) -> dict[str, Any]:
    return {
        "name": f"{tenant.name} WhatsApp",
        "provider_account_id": "1065" + demo_number(tenant, "whatsapp", 11),  # phone-number id
        "secrets": {
            "app_secret": f"demo-app-secret-{tenant.slug}",
            "verify_token": f"demo-verify-{tenant.slug}",
            "access_token": "demo-access-token",
        },
        "templates": DEMO_TEMPLATES,
    }


def _messenger(tenant: Tenant) -> dict[str, Any]:
    return {
        "name": f"{tenant.name} Messenger",
        "provider_account_id": "1000" + demo_number(tenant, "messenger", 11),  # the Page id
        "secrets": {
            "app_secret": f"demo-messenger-app-secret-{tenant.slug}",
            "verify_token": f"demo-messenger-verify-{tenant.slug}",
            "access_token": f"demo-page-access-token-{tenant.slug}",
        },
    }


def _telegram(tenant: Tenant) -> dict[str, Any]:
    bot_id = "7" + demo_number(tenant, "telegram", 9)  # a bot token starts with the bot's id
    return {
        "name": f"{tenant.name} Telegram-bot",
        "provider_account_id": bot_id,
        "secrets": {
            "bot_token": f"{bot_id}:demo-bot-token-{tenant.slug}",
            "secret_token": f"demo-telegram-secret-{tenant.slug}",
        },
    }


def _sms(tenant: Tenant) -> dict[str, Any]:
    return {
        "name": f"{tenant.name} SMS",
        "provider_account_id": "AC"
        + hashlib.sha256(f"sms:{tenant.slug}".encode()).hexdigest()[:32],
        "api_version": "2010-04-01",
        "secrets": {
            "auth_token": f"demo-twilio-auth-token-{tenant.slug}",
            "from": business_number(tenant),
            # the StatusCallback and the inbound signature check need the public address
            "public_url": settings.PUBLIC_URL.rstrip("/"),
        },
    }


ACCOUNTS: dict[str, Callable[[Tenant], dict[str, Any]]] = {
    "whatsapp": _whatsapp,
    "messenger": _messenger,
    "telegram": _telegram,
    "sms": _sms,
}


def add_demo_channel_accounts(tenants: Iterable[Tenant]) -> list[ChannelAccount]:
    """The demo accounts of each tenant (WhatsApp first), created once. A demo account made
    before the demo provider existed is pointed at it; any other change an administrator made
    to a demo account (a real base URL, credentials) is left alone."""
    accounts = []
    for tenant in tenants:
        for kind, defaults in ACCOUNTS.items():
            account, created = ChannelAccount.objects.get_or_create(
                tenant=tenant,
                kind=kind,
                key=demo_key(tenant, kind),
                defaults={
                    **defaults(tenant),
                    "base_url": provider_url(kind),
                    "default_queue": demo_queue(tenant),
                },
            )
            if not created and account.base_url.rstrip("/") == LEGACY_SEND_API:
                account.base_url = provider_url(kind)
                if account.default_queue == kind:  # the old demo's unrouted queue
                    account.default_queue = demo_queue(tenant)
                account.save(update_fields=["base_url", "default_queue"])
            accounts.append(account)
    return accounts


def demo_account(tenant: Tenant, kind: str) -> ChannelAccount | None:
    return ChannelAccount.objects.filter(
        tenant=tenant, kind=kind, key=demo_key(tenant, kind), active=True
    ).first()
