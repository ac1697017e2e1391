"""What the customer's side of a web chat reads: the queue, the chat link and its state.

A chat is reached through a signed token of its contact id (``django.core.signing``, salted per
tenant) instead of a session, so the future embeddable widget can use the same endpoints from
any page. Nothing here writes; the writes are in ``actions.py``.
"""

from __future__ import annotations

import math
from typing import Any

from django.core import signing
from django.db.models import Q
from django.utils.translation import gettext as _

from symfonie.contacts.models import Channel, Contact, Message
from symfonie.domain.contacts.lifecycle import ContactState
from symfonie.routing.models import RoutingQueue, WaitingEstimate
from symfonie.tenants.models import Tenant

#: A chat link works this long; the transcript is personal data, so it must not work forever.
TOKEN_MAX_AGE_SECONDS = 7 * 24 * 3600
#: At most this many messages per poll; the client asks again from the last id it got.
POLL_LIMIT = 200
WAITING_STATES = frozenset({ContactState.QUEUED, ContactState.OFFERED})
#: The customer can no longer write: the agent finished the conversation or nobody took it.
ENDED_STATES = frozenset({ContactState.WRAP_UP, ContactState.CLOSED, ContactState.ABANDONED})


def tenant_for(slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug).first()


def chat_queue(tenant: Tenant, slug: str = "") -> RoutingQueue | None:
    """The chat queue ``slug`` of the tenant, or (no slug) its chat queue of highest priority
    that is no other queue's escalation queue (those are for supervisors, not for customers)."""
    queues = RoutingQueue.objects.filter(tenant=tenant, channel="chat")
    if slug:
        return queues.filter(slug=slug).first()
    escalation = RoutingQueue.objects.filter(tenant=tenant, escalation_queue__isnull=False).values(
        "escalation_queue_id"
    )
    return queues.exclude(pk__in=escalation).order_by("-priority", "slug").first()


def _salt(tenant_id: int) -> str:
    return f"symfonie.webchat.contact:{tenant_id}"


def token_for(contact: Contact) -> str:
    return signing.dumps(contact.pk, salt=_salt(contact.tenant_id))


def contact_for(tenant: Tenant, token: str) -> Contact | None:
    """The web chat of ``tenant`` the token names; None for a bad, foreign or expired token."""
    try:
        contact_id = signing.loads(token, salt=_salt(tenant.pk), max_age=TOKEN_MAX_AGE_SECONDS)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(contact_id, int):
        return None
    return (
        Contact.objects.filter(tenant=tenant, pk=contact_id, channel=Channel.WEBCHAT)
        .select_related("agent")
        .first()
    )


def router_estimate(contact: Contact) -> WaitingEstimate | None:
    """The router's own place and expected wait (refreshed every few seconds), if any."""
    if contact.state not in WAITING_STATES:
        return None
    return WaitingEstimate.objects.filter(contact=contact).first()


def position(contact: Contact) -> int | None:
    """The router's place for the contact; before the router wrote one, 1 + the contacts
    ahead in the same queue (queued or offered, queued earlier); None when not waiting."""
    if contact.state not in WAITING_STATES or contact.queued_at is None:
        return None
    estimate = router_estimate(contact)
    if estimate is not None:
        return estimate.position
    # the id breaks ties between contacts queued in the same instant, so positions differ
    ahead = (
        Contact.objects.filter(
            tenant_id=contact.tenant_id, queue=contact.queue, state__in=WAITING_STATES
        )
        .filter(
            Q(queued_at__lt=contact.queued_at) | Q(queued_at=contact.queued_at, pk__lt=contact.pk)
        )
        .count()
    )
    return ahead + 1


def agent_name(contact: Contact) -> str | None:
    """How the customer sees the agent: the first name only, never the e-mail address."""
    if contact.agent is None:
        return None
    return contact.agent.first_name.strip() or _("An employee")


def message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "author": message.author,
        "body": message.body,
        "created_at": message.created_at.isoformat(),
    }


def messages_after(contact: Contact, after_id: int = 0) -> list[Message]:
    return list(contact.messages.filter(pk__gt=after_id).order_by("id")[:POLL_LIMIT])


def snapshot(contact: Contact, after_id: int = 0) -> dict[str, Any]:
    """The poll answer: the messages after ``after_id``, the state, the place in the queue."""
    return {
        "messages": [message_json(m) for m in messages_after(contact, after_id)],
        "state": contact.state,
        "position": position(contact),
        "estimated_wait_minutes": estimated_wait_minutes(contact),
        "agent": agent_name(contact),
    }


def estimated_wait_minutes(contact: Contact) -> int | None:
    """The router's expected wait, rounded up to whole minutes (None: no estimate)."""
    estimate = router_estimate(contact)
    if estimate is None or estimate.estimated_wait_seconds is None:
        return None
    return max(1, math.ceil(estimate.estimated_wait_seconds / 60))


def texts() -> dict[str, str]:
    """The interface texts the page's script needs, in the request's language."""
    return {
        "waiting": _("Waiting for an employee…"),
        "position": _("Waiting, position %(n)s"),
        "estimate": _("about %(minutes)s min."),
        "chatting": _("%(agent)s is chatting with you"),
        "ended": _("Chat ended"),
        "you": _("You"),
        "employee": _("Employee"),
        "bot": _("Assistant"),
        "system": _("Notice"),
        "send_failed": _("Your message could not be sent. Try again."),
        "offline": _("No connection; trying again…"),
    }


def status_text(state: str, pos: int | None, agent: str | None) -> str:
    """The status line (the script builds the same one from the poll answer)."""
    words = texts()
    if state in ENDED_STATES:
        return words["ended"]
    if state == ContactState.ACTIVE:
        return words["chatting"] % {"agent": agent or words["employee"]}
    if pos is not None:
        return words["position"] % {"n": pos}
    return words["waiting"]
