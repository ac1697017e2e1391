"""What one conversation tab shows: messages, the reply route, the choices of its forms, and
the customer panel beside it (timeline across channels and the open cases)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from symfonie.connectors.registry import CONNECTORS
from symfonie.contacts.models import BackOfficeTask, Case, Contact, Message, Topic
from symfonie.contacts.models.interactions import Outcome
from symfonie.contacts.timeline import page
from symfonie.routing.config import ROUTABLE_ROLES
from symfonie.routing.models import AgentProfile, BreakReason, RoutingQueue, RoutingSettings
from symfonie.tenants.models import Membership
from symfonie.tenants.scoping import Tenancy
from symfonie.workspace.models import CannedResponse
from symfonie.workspace.state import customer_label

MESSAGES_SHOWN = 200
TIMELINE_SHOWN = 30
OPEN_CASE_STATES = (Case.Status.OPEN, Case.Status.PENDING)


@dataclass(frozen=True)
class Choices:
    """The tenant's options offered in every tab (and the break reasons of the status switch)."""

    break_reasons: list[BreakReason]
    topics: list[Topic]
    topic_required: bool
    outcomes: list[tuple[str, str]]
    queues: list[RoutingQueue]
    agents: list[tuple[int, str]]
    canned: list[CannedResponse]
    teams: list[str]


def choices_for(tenancy: Tenancy) -> Choices:
    tenant = tenancy.tenant
    rules = RoutingSettings.objects.filter(tenant=tenant).first()
    memberships = (
        Membership.objects.filter(tenant=tenant, role__in=ROUTABLE_ROLES)
        .exclude(user=tenancy.user)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )
    presence = dict(
        AgentProfile.objects.filter(user__in=[m.user_id for m in memberships]).values_list(
            "user_id", "presence"
        )
    )
    teams = (
        BackOfficeTask.objects.filter(tenant=tenant)
        .order_by("team")
        .values_list("team", flat=True)
        .distinct()
    )
    return Choices(
        break_reasons=list(BreakReason.objects.filter(tenant=tenant).order_by("name")),
        topics=list(Topic.objects.filter(tenant=tenant, active=True).select_related("parent")),
        topic_required=rules is None or rules.wrap_up_topic_required,
        outcomes=[(value, str(label)) for value, label in Outcome.choices if value],
        queues=list(RoutingQueue.objects.filter(tenant=tenant).order_by("name")),
        agents=[
            (
                m.user_id,
                f"{m.user.get_full_name() or m.user.email} ({presence.get(m.user_id, 'offline')})",
            )
            for m in memberships
        ],
        canned=list(CannedResponse.objects.filter(tenant=tenant, active=True)),
        teams=list(teams[:50]),
    )


def reply_route(channel: str) -> str:
    """``replies`` for provider channels (24-hour window), ``none`` for calls, else ``messages``."""
    if channel in CONNECTORS:
        return "replies"
    if channel == "voice":
        return "none"
    return "messages"


def messages_of(contact: Contact, after: int = 0) -> list[Message]:
    """The newest ``MESSAGES_SHOWN`` messages after message id ``after``, oldest first."""
    rows = contact.messages.filter(pk__gt=after).select_related("author_user")
    newest = list(rows.order_by("-created_at", "-id")[:MESSAGES_SHOWN])
    return newest[::-1]


def pane(contact: Contact) -> dict[str, Any]:
    """One tab's content (the template ``workspace/_conversation.html``)."""
    return {
        "contact": contact,
        "customer_name": customer_label(contact.customer),
        "messages": messages_of(contact),
        "reply_route": reply_route(contact.channel),
        "cases": open_cases(contact),
    }


def open_cases(contact: Contact) -> QuerySet[Case] | list[Case]:
    """The customer's open cases, the contact's own case first."""
    if contact.customer_id is None:
        return []
    cases = list(
        Case.objects.filter(
            tenant_id=contact.tenant_id,
            customer_id=contact.customer_id,
            status__in=OPEN_CASE_STATES,
        ).order_by("-opened_at", "-id")[:20]
    )
    cases.sort(key=lambda c: c.pk != contact.case_id)  # stable: the contact's case first
    return cases


def panel(contact: Contact) -> dict[str, Any]:
    """Beside the conversation: who the customer is, their open cases, the timeline."""
    customer = contact.customer
    timeline = page(customer, limit=TIMELINE_SHOWN) if customer is not None else None
    return {
        "contact": contact,
        "customer": customer,
        "customer_name": customer_label(customer),
        "identities": customer.identities.order_by("kind", "value") if customer else [],
        "cases": open_cases(contact),
        "timeline": timeline.items if timeline else [],
        "more": bool(timeline and timeline.next_cursor),
    }
