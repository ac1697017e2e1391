"""Every routing decision, as a documented frozen dataclass with a ``type`` string.

The router changes its state only by applying these events (``state.apply_event``), so the
event log is complete: a snapshot plus the events after it rebuilds the router exactly, which
is what makes a restart lose nothing and lets a reconnecting client catch up.

``event_to_dict``/``event_from_dict`` give the JSON form: ``{"type": ..., "at": ISO-8601 UTC,
...fields}``; ids are strings, durations are seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from symfonie.domain.routing.codec import from_json, to_json
from symfonie.domain.routing.model import AfterHoursAction, Agent, Presence, Queue


@dataclass(frozen=True, kw_only=True)
class RoutingEvent:
    """Base class: ``at`` is when the decision took effect (UTC)."""

    type: ClassVar[str] = ""
    at: datetime


@dataclass(frozen=True, kw_only=True)
class QueueConfigured(RoutingEvent):
    """A queue was created or its settings changed (waiting contacts stay where they are)."""

    type: ClassVar[str] = "queue.configured"
    queue: Queue


@dataclass(frozen=True, kw_only=True)
class AgentConfigured(RoutingEvent):
    """An agent was created or their skills, languages, tenants or capacity changed.

    A new agent starts OFFLINE; a changed agent keeps presence, contacts and offer.
    """

    type: ClassVar[str] = "agent.configured"
    agent: Agent


@dataclass(frozen=True, kw_only=True)
class AgentPresenceChanged(RoutingEvent):
    """An agent's presence changed; ``reason`` is the break reason code, ``offer_timeout``
    for NOT_RESPONDING, or None when the router derived it from the load (busy, wrap-up)."""

    type: ClassVar[str] = "agent.presence_changed"
    agent_id: str
    presence: Presence
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class ContactQueued(RoutingEvent):
    """A contact joined a queue and waits; ``sequence`` breaks ties first-in, first-out.

    ``reserved_agent_id`` is the sticky agent the contact waits for until ``reserved_until``.
    """

    type: ClassVar[str] = "contact.queued"
    contact_id: str
    queue_id: str
    sequence: int
    priority_credit_seconds: float = 0.0
    callback: bool = False
    reserved_agent_id: str | None = None
    reserved_until: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ContactOutsideHours(RoutingEvent):
    """A contact arrived while its queue was closed; ``action`` says what to do with it.

    Only with ``action = wait`` is it also queued (a ``contact.queued`` follows).
    """

    type: ClassVar[str] = "contact.outside_hours"
    contact_id: str
    queue_id: str
    action: AfterHoursAction
    next_opening_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class ContactOffered(RoutingEvent):
    """A waiting contact is offered to an agent until ``expires_at``; it keeps its place in the
    queue until the agent accepts. ``callback``: the agent calls the customer back."""

    type: ClassVar[str] = "contact.offered"
    offer_id: str
    contact_id: str
    agent_id: str
    queue_id: str
    expires_at: datetime
    callback: bool = False


@dataclass(frozen=True, kw_only=True)
class ContactAssigned(RoutingEvent):
    """The agent accepted the offer: the contact left the queue and occupies one of the agent's
    slots until it is released."""

    type: ClassVar[str] = "contact.assigned"
    offer_id: str
    contact_id: str
    agent_id: str
    queue_id: str


@dataclass(frozen=True, kw_only=True)
class OfferDeclined(RoutingEvent):
    """The agent declined; the contact waits in its place again and is not offered to this
    agent before ``cooldown_until``."""

    type: ClassVar[str] = "offer.declined"
    offer_id: str
    contact_id: str
    agent_id: str
    reason: str
    cooldown_until: datetime


@dataclass(frozen=True, kw_only=True)
class OfferTimedOut(RoutingEvent):
    """Nobody answered the offer in time; the contact waits in its place again (the agent's
    move to NOT_RESPONDING is a separate ``agent.presence_changed``)."""

    type: ClassVar[str] = "offer.timed_out"
    offer_id: str
    contact_id: str
    agent_id: str


@dataclass(frozen=True, kw_only=True)
class OfferWithdrawn(RoutingEvent):
    """The router took an offer back: ``agent_unavailable`` (break/offline), ``contact_ended``,
    ``transferred`` or ``recovery`` (after a restart). A waiting contact keeps its place."""

    type: ClassVar[str] = "offer.withdrawn"
    offer_id: str
    contact_id: str
    agent_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ContactCallbackRequested(RoutingEvent):
    """The customer asked to be called back and hung up (virtual hold): the contact keeps its
    place and is offered as a callback."""

    type: ClassVar[str] = "contact.callback_requested"
    contact_id: str
    queue_id: str


@dataclass(frozen=True, kw_only=True)
class ContactOverflowed(RoutingEvent):
    """A waiting contact moved to another queue, keeping its place in the waiting order;
    ``reason`` is ``wait`` (waited too long) or ``queue_length`` (the queue was full)."""

    type: ClassVar[str] = "contact.overflowed"
    contact_id: str
    from_queue_id: str
    to_queue_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ContactTransferred(RoutingEvent):
    """A contact was moved to ``to_queue_id``, optionally for one agent (``to_agent_id``, who
    is waited for until ``reserved_until``), with a note for the next agent.

    A waiting contact keeps ``arrived_at`` and ``sequence`` (its place); a contact taken from an
    agent (``from_agent_id``) starts a new wait. The agent's slot was freed by the
    ``contact.released`` before it.
    """

    type: ClassVar[str] = "contact.transferred"
    contact_id: str
    from_queue_id: str
    to_queue_id: str
    from_agent_id: str | None
    to_agent_id: str | None
    note: str
    sequence: int
    arrived_at: datetime
    priority_credit_seconds: float = 0.0
    callback: bool = False
    reserved_until: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ContactEscalated(ContactTransferred):
    """A transfer to the queue's supervisor (escalation) queue; fields as ``contact.transferred``."""

    type: ClassVar[str] = "contact.escalated"


@dataclass(frozen=True, kw_only=True)
class ContactAbandoned(RoutingEvent):
    """The contact ended while waiting (the customer hung up or left) after ``wait_seconds``."""

    type: ClassVar[str] = "contact.abandoned"
    contact_id: str
    queue_id: str
    wait_seconds: float


@dataclass(frozen=True, kw_only=True)
class WrapUpStarted(RoutingEvent):
    """The conversation ended; the agent does the nawerk, the slot stays occupied."""

    type: ClassVar[str] = "contact.wrap_up_started"
    contact_id: str
    agent_id: str
    queue_id: str


@dataclass(frozen=True, kw_only=True)
class ContactReleased(RoutingEvent):
    """The agent's slot is free again: ``reason`` is ``ended`` (no wrap-up required),
    ``wrap_up_done``, ``wrap_up_limit`` or ``transferred``. ``handle_seconds`` runs from the
    accept to now and feeds the waiting-time estimate."""

    type: ClassVar[str] = "contact.released"
    contact_id: str
    agent_id: str
    queue_id: str
    reason: str
    handle_seconds: float


EVENT_TYPES: dict[str, type[RoutingEvent]] = {
    cls.type: cls
    for cls in (
        QueueConfigured,
        AgentConfigured,
        AgentPresenceChanged,
        ContactQueued,
        ContactOutsideHours,
        ContactOffered,
        ContactAssigned,
        OfferDeclined,
        OfferTimedOut,
        OfferWithdrawn,
        ContactCallbackRequested,
        ContactOverflowed,
        ContactTransferred,
        ContactEscalated,
        ContactAbandoned,
        WrapUpStarted,
        ContactReleased,
    )
}


def event_to_dict(event: RoutingEvent) -> dict[str, Any]:
    """The JSON-ready form of ``event``, with its ``type``."""
    data: dict[str, Any] = to_json(event)
    return {"type": event.type, **data}


def event_from_dict(data: dict[str, Any]) -> RoutingEvent:
    """Rebuild an event from ``event_to_dict`` output; raises ``KeyError`` for unknown types."""
    fields = {key: value for key, value in data.items() if key != "type"}
    event: RoutingEvent = from_json(EVENT_TYPES[data["type"]], fields)
    return event
