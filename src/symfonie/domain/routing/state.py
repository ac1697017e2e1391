"""The router's state, and how each event changes it (the only place that changes it).

Commands in ``engine.py`` decide and emit events; ``apply_event`` folds an event into the state.
Because nothing else writes the state, "snapshot + replayed events = fresh snapshot" holds by
construction, and the test suite checks it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from symfonie.domain.routing.events import (
    AgentConfigured,
    AgentPresenceChanged,
    ContactAbandoned,
    ContactAssigned,
    ContactCallbackRequested,
    ContactOffered,
    ContactOutsideHours,
    ContactOverflowed,
    ContactQueued,
    ContactReleased,
    ContactTransferred,
    OfferDeclined,
    OfferTimedOut,
    OfferWithdrawn,
    QueueConfigured,
    RoutingEvent,
    WrapUpStarted,
)
from symfonie.domain.routing.model import WORKING, Agent, Channel, Presence, Queue

# Weight of the newest observation in the moving average of handle times: about the last
# ten contacts count, so the estimate follows a change within a quarter of an hour of traffic.
HANDLE_TIME_SMOOTHING = 0.1


@dataclass(kw_only=True)
class WaitingContact:
    """A contact in a queue. ``arrived_at`` and ``sequence`` fix its place in the waiting order
    (kept through offers, overflow and callback); ``entered_queue_at`` starts the clock for
    this queue's relaxation and overflow."""

    contact_id: str
    queue_id: str
    arrived_at: datetime
    entered_queue_at: datetime
    sequence: int
    priority_credit_seconds: float = 0.0
    callback: bool = False
    reserved_agent_id: str | None = None
    reserved_until: datetime | None = None
    declined_until: dict[str, datetime] = field(default_factory=dict)
    visited_queue_ids: list[str] = field(default_factory=list)
    offer_id: str | None = None


@dataclass(kw_only=True)
class Offer:
    """An offer in flight: ``contact_id`` offered to ``agent_id`` until ``expires_at``."""

    offer_id: str
    contact_id: str
    agent_id: str
    queue_id: str
    offered_at: datetime
    expires_at: datetime


@dataclass(kw_only=True)
class Assignment:
    """A contact an agent handles; ``wrap_up_since`` is set during nawerk."""

    contact_id: str
    agent_id: str
    queue_id: str
    channel: Channel
    accepted_at: datetime
    sequence: int
    priority_credit_seconds: float = 0.0
    wrap_up_since: datetime | None = None


@dataclass(kw_only=True)
class AgentState:
    """An agent's configuration plus what the router knows of them now.

    ``idle_since`` is the last time the agent became available, received a contact or went
    back to no contacts: the "longest idle" tie-break.
    """

    agent: Agent
    presence: Presence = Presence.OFFLINE
    presence_reason: str | None = None
    presence_since: datetime | None = None
    idle_since: datetime | None = None
    offer_id: str | None = None
    assignments: dict[str, Assignment] = field(default_factory=dict)


@dataclass(kw_only=True)
class RouterState:
    """Everything the router holds; ``codec.to_json`` of it is the snapshot."""

    queues: dict[str, Queue] = field(default_factory=dict)
    agents: dict[str, AgentState] = field(default_factory=dict)
    waiting: dict[str, WaitingContact] = field(default_factory=dict)
    offers: dict[str, Offer] = field(default_factory=dict)
    assigned_agent: dict[str, str] = field(default_factory=dict)
    handle_seconds_average: dict[str, float] = field(default_factory=dict)
    next_sequence: int = 1
    next_offer_number: int = 1


def apply_event(state: RouterState, event: RoutingEvent) -> None:
    """Fold ``event`` into ``state``. Events come from the engine, so they are trusted.

    One function per event type below, looked up by the event's class (or the nearest
    registered base class): this runs for every event, so no chain of ``isinstance`` tests.
    """
    apply = _APPLY.get(type(event))
    if apply is None:
        apply = next((_APPLY[base] for base in type(event).__mro__ if base in _APPLY), None)
        if apply is None:
            raise TypeError(f"unknown routing event {event!r}")
    apply(state, event)


def _queue_configured(state: RouterState, event: QueueConfigured) -> None:
    state.queues[event.queue.queue_id] = event.queue


def _agent_configured(state: RouterState, event: AgentConfigured) -> None:
    agent = event.agent
    existing = state.agents.get(agent.agent_id)
    if existing is None:
        state.agents[agent.agent_id] = AgentState(agent=agent, presence_since=event.at)
    else:
        existing.agent = agent


def _presence_changed(state: RouterState, event: AgentPresenceChanged) -> None:
    agent_state = state.agents[event.agent_id]
    if event.presence is Presence.AVAILABLE and agent_state.presence not in WORKING:
        agent_state.idle_since = event.at
    agent_state.presence = event.presence
    agent_state.presence_reason = event.reason
    agent_state.presence_since = event.at


def _contact_queued(state: RouterState, event: ContactQueued) -> None:
    state.waiting[event.contact_id] = WaitingContact(
        contact_id=event.contact_id,
        queue_id=event.queue_id,
        arrived_at=event.at,
        entered_queue_at=event.at,
        sequence=event.sequence,
        priority_credit_seconds=event.priority_credit_seconds,
        callback=event.callback,
        reserved_agent_id=event.reserved_agent_id,
        reserved_until=event.reserved_until,
        visited_queue_ids=[event.queue_id],
    )
    state.next_sequence = max(state.next_sequence, event.sequence + 1)


def _outside_hours(state: RouterState, event: ContactOutsideHours) -> None:
    pass  # a decision for the Django side; the state does not change


def _contact_offered(state: RouterState, event: ContactOffered) -> None:
    state.offers[event.offer_id] = Offer(
        offer_id=event.offer_id,
        contact_id=event.contact_id,
        agent_id=event.agent_id,
        queue_id=event.queue_id,
        offered_at=event.at,
        expires_at=event.expires_at,
    )
    state.waiting[event.contact_id].offer_id = event.offer_id
    state.agents[event.agent_id].offer_id = event.offer_id
    number = int(event.offer_id.removeprefix("o"))
    state.next_offer_number = max(state.next_offer_number, number + 1)


def _contact_assigned(state: RouterState, event: ContactAssigned) -> None:
    _drop_offer(state, event.offer_id)
    waiting = state.waiting.pop(event.contact_id)
    agent_state = state.agents[event.agent_id]
    agent_state.assignments[event.contact_id] = Assignment(
        contact_id=event.contact_id,
        agent_id=event.agent_id,
        queue_id=event.queue_id,
        channel=state.queues[event.queue_id].channel,
        accepted_at=event.at,
        sequence=waiting.sequence,
        priority_credit_seconds=waiting.priority_credit_seconds,
    )
    agent_state.idle_since = event.at
    state.assigned_agent[event.contact_id] = event.agent_id


def _offer_declined(state: RouterState, event: OfferDeclined) -> None:
    _drop_offer(state, event.offer_id)
    waiting = state.waiting[event.contact_id]
    waiting.declined_until[event.agent_id] = event.cooldown_until
    _end_reservation_of(waiting, event.agent_id)


def _offer_timed_out(state: RouterState, event: OfferTimedOut) -> None:
    _drop_offer(state, event.offer_id)
    _end_reservation_of(state.waiting[event.contact_id], event.agent_id)


def _offer_withdrawn(state: RouterState, event: OfferWithdrawn) -> None:
    _drop_offer(state, event.offer_id)


def _callback_requested(state: RouterState, event: ContactCallbackRequested) -> None:
    state.waiting[event.contact_id].callback = True


def _contact_overflowed(state: RouterState, event: ContactOverflowed) -> None:
    waiting = state.waiting[event.contact_id]
    waiting.queue_id = event.to_queue_id
    waiting.entered_queue_at = event.at
    waiting.visited_queue_ids.append(event.to_queue_id)


def _contact_transferred(state: RouterState, event: ContactTransferred) -> None:
    # Also ContactEscalated, a subclass.
    previous = state.waiting.get(event.contact_id)
    visited_before = previous.visited_queue_ids if previous else []
    state.waiting[event.contact_id] = WaitingContact(
        contact_id=event.contact_id,
        queue_id=event.to_queue_id,
        arrived_at=event.arrived_at,
        entered_queue_at=event.at,
        sequence=event.sequence,
        priority_credit_seconds=event.priority_credit_seconds,
        callback=event.callback,
        reserved_agent_id=event.to_agent_id,
        reserved_until=event.reserved_until,
        declined_until=previous.declined_until if previous else {},
        visited_queue_ids=[*visited_before, event.to_queue_id],
    )
    state.next_sequence = max(state.next_sequence, event.sequence + 1)


def _contact_abandoned(state: RouterState, event: ContactAbandoned) -> None:
    state.waiting.pop(event.contact_id)


def _wrap_up_started(state: RouterState, event: WrapUpStarted) -> None:
    state.agents[event.agent_id].assignments[event.contact_id].wrap_up_since = event.at


def _contact_released(state: RouterState, event: ContactReleased) -> None:
    agent_state = state.agents[event.agent_id]
    del agent_state.assignments[event.contact_id]
    del state.assigned_agent[event.contact_id]
    if not agent_state.assignments:
        agent_state.idle_since = event.at
    queue = state.queues[event.queue_id]
    average = state.handle_seconds_average.get(queue.queue_id, queue.expected_handle_seconds)
    state.handle_seconds_average[queue.queue_id] = average + HANDLE_TIME_SMOOTHING * (
        event.handle_seconds - average
    )


_APPLY: dict[type[RoutingEvent], Callable[[RouterState, Any], None]] = {
    QueueConfigured: _queue_configured,
    AgentConfigured: _agent_configured,
    AgentPresenceChanged: _presence_changed,
    ContactQueued: _contact_queued,
    ContactOutsideHours: _outside_hours,
    ContactOffered: _contact_offered,
    ContactAssigned: _contact_assigned,
    OfferDeclined: _offer_declined,
    OfferTimedOut: _offer_timed_out,
    OfferWithdrawn: _offer_withdrawn,
    ContactCallbackRequested: _callback_requested,
    ContactOverflowed: _contact_overflowed,
    ContactTransferred: _contact_transferred,
    ContactAbandoned: _contact_abandoned,
    WrapUpStarted: _wrap_up_started,
    ContactReleased: _contact_released,
}


def _drop_offer(state: RouterState, offer_id: str) -> None:
    offer = state.offers.pop(offer_id)
    state.agents[offer.agent_id].offer_id = None
    waiting = state.waiting.get(offer.contact_id)
    if waiting is not None:
        waiting.offer_id = None


def _end_reservation_of(waiting: WaitingContact, agent_id: str) -> None:
    # A reserved (sticky or transfer-target) agent who declines or does not answer gives up
    # the reservation, so the contact is not held for them any longer.
    if waiting.reserved_agent_id == agent_id:
        waiting.reserved_agent_id = None
        waiting.reserved_until = None
