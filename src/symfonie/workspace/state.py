"""What the workspace shows of the agent right now: presence, the offer, the contacts in hand.

The page embeds this snapshot at render time together with the newest event id; the script
then applies live events after that id and asks for a fresh snapshot (``GET /werkplek/state/``)
whenever an event concerns this agent. Snapshot + later events = the current state, so a
reconnecting browser shows the truth even if it missed events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from symfonie.contacts.models import Contact, Customer
from symfonie.events.models import Event
from symfonie.routing.models import AgentProfile, Offer, RoutingQueue
from symfonie.tenants.models import Tenant
from symfonie.tenants.scoping import Tenancy

IN_HAND = ("active", "wrap_up")


def zone_of(tenant: Tenant) -> ZoneInfo:
    try:
        return ZoneInfo(tenant.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def customer_label(customer: Customer | None) -> str:
    if customer is None:
        return _("unknown customer")
    return customer.name or f"#{customer.pk}"


def newest_event_id(tenant: Tenant) -> int:
    """The live stream's position at render time: the page resumes after it."""
    newest = (
        Event.objects.filter(tenant=tenant).order_by("-id").values_list("id", flat=True).first()
    )
    return newest or 0


def contacts_in_hand(tenancy: Tenancy) -> QuerySet[Contact]:
    return (
        Contact.objects.filter(tenant=tenancy.tenant, agent=tenancy.user, state__in=IN_HAND)
        .select_related("customer")
        .order_by("answered_at", "id")
    )


def _queue_names(tenancy: Tenancy) -> dict[str, str]:
    return dict(RoutingQueue.objects.filter(tenant=tenancy.tenant).values_list("slug", "name"))


def contact_summary(contact: Contact, queue_names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "channel": contact.channel,
        "channel_label": str(contact.get_channel_display()),
        "state": contact.state,
        "queue": contact.queue,
        "queue_name": queue_names.get(contact.queue, contact.queue),
        "customer_id": contact.customer_id,
        "customer_name": customer_label(contact.customer),
    }


def snapshot(tenancy: Tenancy, now: datetime) -> dict[str, Any]:
    """JSON-ready: the agent's presence, the open offer (or None) and the contacts in hand."""
    profile = AgentProfile.objects.filter(user=tenancy.user).first()
    queue_names = _queue_names(tenancy)
    offer = None
    if profile is not None:
        offer = (
            Offer.objects.filter(agent=profile, contact__tenant=tenancy.tenant)
            .select_related("contact__customer")
            .order_by("expires_at")
            .first()
        )
    return {
        "now": now.isoformat(),
        "user_id": tenancy.user.pk,
        "presence": profile.presence if profile else "offline",
        "reason": profile.presence_reason if profile else "",
        "since": profile.presence_since.isoformat() if profile and profile.presence_since else None,
        "offer": (
            {
                **contact_summary(offer.contact, queue_names),
                "offer_id": offer.offer_id,
                "contact_id": offer.contact_id,
                "expires_at": offer.expires_at.isoformat(),
            }
            if offer is not None
            else None
        ),
        "contacts": [contact_summary(c, queue_names) for c in contacts_in_hand(tenancy)],
    }
