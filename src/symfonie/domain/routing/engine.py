"""The Router: holds the routing state, takes commands, returns the events it decided.

Every command takes ``now`` (timezone-aware; the caller's clock: the server's wall clock, or a
simulator's virtual time), checks its input and raises a ``RoutingError`` before anything
changes, then emits events. Each event is applied to the state as it is emitted (see
``state.py``) and returned in order, ending with a routing pass that offers waiting contacts to
available agents (``dispatcher.py``). Nothing here reads the system clock, so the router is
deterministic. Transfers and escalation live in ``transfers.py``, queries in ``queries.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from symfonie.domain.routing import errors
from symfonie.domain.routing.codec import from_json, to_json
from symfonie.domain.routing.dispatcher import utc
from symfonie.domain.routing.events import (
    AgentConfigured,
    AgentPresenceChanged,
    ContactAbandoned,
    ContactAssigned,
    ContactCallbackRequested,
    ContactOutsideHours,
    ContactOverflowed,
    ContactQueued,
    OfferDeclined,
    OfferTimedOut,
    QueueConfigured,
    RoutingEvent,
    WrapUpStarted,
)
from symfonie.domain.routing.model import (
    CHOOSABLE,
    AfterHoursAction,
    Agent,
    Arrival,
    Presence,
    Queue,
)
from symfonie.domain.routing.selection import working_presence
from symfonie.domain.routing.state import RouterState, apply_event
from symfonie.domain.routing.transfers import TransferCommands


class Router(TransferCommands):
    """The ACD of one or more tenants. Not thread-safe: one router per tenant, one caller."""

    @property
    def state(self) -> RouterState:
        """The live state, for reading (wallboards, tests); change it only through commands."""
        return self._state

    # -- persistence ---------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The whole state as JSON-ready data."""
        data: dict[str, Any] = to_json(self._state)
        return data

    @classmethod
    def restore(cls, snapshot: dict[str, Any]) -> Router:
        """A router with the state of ``snapshot``; replay the later events, then ``recover``."""
        return cls(from_json(RouterState, snapshot))

    def replay(self, events: Iterable[RoutingEvent]) -> None:
        """Apply logged events in order, without deciding anything new."""
        for event in events:
            apply_event(self._state, event)
        self._rebuild_indexes()

    def recover(self, now: datetime) -> list[RoutingEvent]:
        """After a restart: withdraw the offers in flight (the agents' screens lost them) and
        route again, so those contacts are offered anew from their old place."""
        now = utc(now)
        out: list[RoutingEvent] = []
        for offer in sorted(self._state.offers.values(), key=lambda o: o.offer_id):
            self._withdraw(offer, "recovery", now, out)
        self._route(now, out)
        return out

    # -- configuration -------------------------------------------------------------------

    def configure_queue(self, queue: Queue, now: datetime) -> list[RoutingEvent]:
        """Create or change a queue. Overflow and escalation targets are checked when used."""
        now = utc(now)
        out: list[RoutingEvent] = []
        self._emit(QueueConfigured(at=now, queue=queue), out)
        self._route(now, out)
        return out

    def configure_agent(self, agent: Agent, now: datetime) -> list[RoutingEvent]:
        """Create (OFFLINE) or change an agent. A lower capacity takes no contact away; the
        agent just gets no new ones until below it."""
        now = utc(now)
        out: list[RoutingEvent] = []
        self._emit(AgentConfigured(at=now, agent=agent), out)
        self._settle_presence(self._state.agents[agent.agent_id], now, out)
        self._route(now, out)
        return out

    # -- agents --------------------------------------------------------------------------

    def agent_presence_changed(
        self, agent_id: str, presence: Presence, now: datetime, reason: str | None = None
    ) -> list[RoutingEvent]:
        """The agent (or a supervisor) chose AVAILABLE, BREAK (``reason`` code required) or
        OFFLINE. Going on break or offline withdraws an offer in flight; contacts the agent
        holds stay with the agent."""
        now = utc(now)
        agent_state = self._agent(agent_id)
        if presence not in CHOOSABLE:
            choices = ", ".join(sorted(CHOOSABLE))
            raise errors.Invalid(f"an agent cannot choose '{presence}'; choose one of {choices}")
        if presence is Presence.BREAK and not reason:
            raise errors.Invalid("a break needs a reason code")
        out: list[RoutingEvent] = []
        if presence is not Presence.AVAILABLE and agent_state.offer_id is not None:
            offer = self._state.offers[agent_state.offer_id]
            self._withdraw(offer, "agent_unavailable", now, out)
        target = working_presence(agent_state) if presence is Presence.AVAILABLE else presence
        new_reason = None if presence is Presence.AVAILABLE else reason
        if (target, new_reason) != (agent_state.presence, agent_state.presence_reason):
            self._emit(
                AgentPresenceChanged(at=now, agent_id=agent_id, presence=target, reason=new_reason),
                out,
            )
        self._route(now, out)
        return out

    # -- contacts ------------------------------------------------------------------------

    def contact_arrived(self, arrival: Arrival, now: datetime) -> list[RoutingEvent]:
        """A contact enters a queue: outside hours the queue's after-hours action decides;
        sticky routing reserves the last agent; a full queue overflows; then routing."""
        now = utc(now)
        queue = self._queue(arrival.queue_id)
        contact_id = arrival.contact_id
        if contact_id in self._state.waiting or contact_id in self._state.assigned_agent:
            raise errors.DuplicateContact(f"contact {contact_id} already waits or is assigned")
        out: list[RoutingEvent] = []
        if queue.calendar is not None and not queue.calendar.is_open(now):
            self._emit(
                ContactOutsideHours(
                    at=now,
                    contact_id=contact_id,
                    queue_id=queue.queue_id,
                    action=queue.after_hours,
                    next_opening_at=queue.calendar.next_opening(now),
                ),
                out,
            )
            if queue.after_hours is not AfterHoursAction.WAIT:
                return out
        reserved_agent_id: str | None = None
        reserved_until: datetime | None = None
        if (
            arrival.last_agent_id is not None
            and arrival.last_served_at is not None
            and queue.sticky_window_seconds > 0
            and (now - utc(arrival.last_served_at)).total_seconds() <= queue.sticky_window_seconds
        ):
            reserved_agent_id = arrival.last_agent_id
            reserved_until = now + timedelta(seconds=queue.sticky_wait_seconds)
        self._emit(
            ContactQueued(
                at=now,
                contact_id=contact_id,
                queue_id=queue.queue_id,
                sequence=self._state.next_sequence,
                priority_credit_seconds=arrival.priority_credit_seconds,
                callback=arrival.callback,
                reserved_agent_id=reserved_agent_id,
                reserved_until=reserved_until,
            ),
            out,
        )
        self._overflow_when_full(contact_id, now, out)
        self._route(now, out)
        return out

    def callback_requested(self, contact_id: str, now: datetime) -> list[RoutingEvent]:
        """Virtual hold: the waiting customer asked for a callback; the place is kept."""
        now = utc(now)
        contact = self._waiting(contact_id)
        out: list[RoutingEvent] = []
        self._emit(
            ContactCallbackRequested(at=now, contact_id=contact_id, queue_id=contact.queue_id), out
        )
        return out

    def offer_accepted(self, offer_id: str, agent_id: str, now: datetime) -> list[RoutingEvent]:
        """The agent accepted: the contact is theirs (refused if expired or someone else's)."""
        now = utc(now)
        offer = self._live_offer(offer_id, agent_id, now)
        out: list[RoutingEvent] = []
        self._emit(
            ContactAssigned(
                at=now,
                offer_id=offer_id,
                contact_id=offer.contact_id,
                agent_id=agent_id,
                queue_id=offer.queue_id,
            ),
            out,
        )
        self._settle_presence(self._state.agents[agent_id], now, out)
        self._route(now, out)
        return out

    def offer_declined(
        self, offer_id: str, agent_id: str, now: datetime, reason: str = ""
    ) -> list[RoutingEvent]:
        """The agent declined: the contact keeps its place and goes to the next agent; this
        agent is skipped for it during the queue's ``decline_cooldown_seconds``."""
        now = utc(now)
        offer = self._live_offer(offer_id, agent_id, now)
        queue = self._state.queues[offer.queue_id]
        out: list[RoutingEvent] = []
        self._emit(
            OfferDeclined(
                at=now,
                offer_id=offer_id,
                contact_id=offer.contact_id,
                agent_id=agent_id,
                reason=reason,
                cooldown_until=now + timedelta(seconds=queue.decline_cooldown_seconds),
            ),
            out,
        )
        self._route(now, out)
        return out

    def contact_ended(self, contact_id: str, now: datetime) -> list[RoutingEvent]:
        """The conversation ended. Waiting: abandoned. With an agent: wrap-up if the queue
        requires it, else the slot is released."""
        now = utc(now)
        out: list[RoutingEvent] = []
        waiting = self._state.waiting.get(contact_id)
        if waiting is not None:
            if waiting.offer_id is not None:
                self._withdraw(self._state.offers[waiting.offer_id], "contact_ended", now, out)
            self._emit(
                ContactAbandoned(
                    at=now,
                    contact_id=contact_id,
                    queue_id=waiting.queue_id,
                    wait_seconds=max(0.0, (now - waiting.arrived_at).total_seconds()),
                ),
                out,
            )
            self._route(now, out)
            return out
        agent_state, assignment = self._assignment(contact_id)
        if assignment.wrap_up_since is not None:
            raise errors.WrongContactState(f"contact {contact_id} is already in wrap-up")
        if self._state.queues[assignment.queue_id].wrap_up_required:
            self._emit(
                WrapUpStarted(
                    at=now,
                    contact_id=contact_id,
                    agent_id=assignment.agent_id,
                    queue_id=assignment.queue_id,
                ),
                out,
            )
        else:
            self._release(agent_state, contact_id, "ended", now, out)
        self._settle_presence(agent_state, now, out)
        self._route(now, out)
        return out

    def wrap_up_completed(self, contact_id: str, now: datetime) -> list[RoutingEvent]:
        """The agent finished the nawerk: the slot is free."""
        now = utc(now)
        agent_state, assignment = self._assignment(contact_id)
        if assignment.wrap_up_since is None:
            raise errors.WrongContactState(f"contact {contact_id} is not in wrap-up")
        out: list[RoutingEvent] = []
        self._release(agent_state, contact_id, "wrap_up_done", now, out)
        self._settle_presence(agent_state, now, out)
        self._route(now, out)
        return out

    def tick(self, now: datetime) -> list[RoutingEvent]:
        """Apply what time decides: offer timeouts (agent → NOT_RESPONDING, contact keeps its
        place), wrap-up limits, overflow after waiting, then a routing pass (which also picks
        up relaxed skills and ended sticky waits). Call it every second, or at
        ``next_deadline``. The due moments come from heaps (``deadlines.py``), each in the order
        a full scan would take them: offers by (expiry, id), wrap-ups by (agent id, sequence),
        overflows by sequence."""
        now = utc(now)
        state = self._state
        deadlines = self._index.deadlines
        out: list[RoutingEvent] = []
        for offer in deadlines.due_offers(now):
            self._emit(
                OfferTimedOut(
                    at=now,
                    offer_id=offer.offer_id,
                    contact_id=offer.contact_id,
                    agent_id=offer.agent_id,
                ),
                out,
            )
            self._emit(
                AgentPresenceChanged(
                    at=now,
                    agent_id=offer.agent_id,
                    presence=Presence.NOT_RESPONDING,
                    reason="offer_timeout",
                ),
                out,
            )
        for agent_state, contact_id in deadlines.due_wrap_ups(now):
            self._release(agent_state, contact_id, "wrap_up_limit", now, out)
            self._settle_presence(agent_state, now, out)
        for contact in deadlines.due_overflows(now):
            queue = state.queues[contact.queue_id]
            rule = queue.overflow
            if rule is None or rule.after_wait_seconds is None:
                continue
            if contact.offer_id is not None:
                deadlines.waiting_in_queue(contact)  # look again once the offer is answered
                continue
            if self._overflow_allowed(contact.visited_queue_ids, queue, rule.to_queue_id):
                self._emit(
                    ContactOverflowed(
                        at=now,
                        contact_id=contact.contact_id,
                        from_queue_id=queue.queue_id,
                        to_queue_id=rule.to_queue_id,
                        reason="wait",
                    ),
                    out,
                )
        self._route(now, out)
        return out

    # -- internals -----------------------------------------------------------------------
