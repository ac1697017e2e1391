"""Demo channel accounts: one WhatsApp number per demo tenant (called by the demo loader)."""

from __future__ import annotations

from collections.abc import Iterable

from symfonie.connectors.models import ChannelAccount
from symfonie.tenants.models import Tenant

DEMO_SEND_API = (
    "http://127.0.0.1:9"  # the discard port: connection refused, nothing leaves the machine
)

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


def add_demo_channel_accounts(tenants: Iterable[Tenant]) -> list[ChannelAccount]:
    """A WhatsApp account per tenant with fixed demo secrets (never use these outside the demo).
    Webhook: ``/hooks/whatsapp/demo-<slug>/``. The send API points at a closed local port, so
    the demo never reaches out to Meta: replies fail and show the agent the reason, until an
    administrator enters a real base URL and credentials."""
    accounts = []
    for n, tenant in enumerate(tenants, start=1):
        account, _created = ChannelAccount.objects.get_or_create(
            tenant=tenant,
            kind=ChannelAccount.Kind.WHATSAPP,
            key=f"demo-{tenant.slug}",
            defaults={
                "name": f"{tenant.name} WhatsApp",
                "provider_account_id": f"10654035224292{n}",
                "secrets": {
                    "app_secret": f"demo-app-secret-{tenant.slug}",
                    "verify_token": f"demo-verify-{tenant.slug}",
                    "access_token": "demo-access-token",
                },
                "base_url": DEMO_SEND_API,
                "default_queue": "whatsapp",
                "templates": DEMO_TEMPLATES,
            },
        )
        accounts.append(account)
    return accounts
