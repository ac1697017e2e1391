"""The machinery under the router's commands: emit an event, run the routing pass, follow
an agent's presence with the load, release a slot, withdraw an offer.

The routing pass: waiting contacts without an offer, in waiting order (``scoring.py``); each
gets the best agent that can take it (``selection.py``) among the AVAILABLE agents without an
offer in flight; an agent receives at most one offer at a time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from symfonie.domain.routing import errors
from symfonie.domain.routing.events import (
    AgentConfigured,
    AgentPresenceChanged,
    ContactOffered,
    ContactOverflowed,
    ContactReleased,
    OfferWithdrawn,
    QueueConfigured,
    RoutingEvent,
)
from symfonie.domain.routing.model import WORKING, Presence, Queue, SlotKind
from symfonie.domain.routing.queries import QueriesMixin
from symfonie.domain.routing.scoring import order_key
from symfonie.domain.routing.selection import (
    choose_agent,
    has_free_slot,
    qualified_proficiencies,
    working_presence,
)
from symfonie.domain.routing.state import (
    AgentState,
    Offer,
    RouterState,
    WaitingContact,
    apply_event,
)


class Dispatcher(QueriesMixin):
    """Base of ``Router``: holds the state; every change goes through ``_emit``.

    Two indexes keep the routing pass proportional to free agents × queues with waiting
    contacts (not agents × waiting contacts); both are derived from the state and rebuilt
    after a restore or replay, never stored: ``_free`` (per slot kind, the agents who could
    receive an offer of that kind now) and ``_qualified`` (per queue, agent id → proficiency
    sum of the agents who may ever serve it).
    """

    def __init__(self, state: RouterState | None = None) -> None:
        self._state = state if state is not None else RouterState()
        self._free: dict[SlotKind, set[str]] = {kind: set() for kind in SlotKind}
        self._qualified: dict[str, dict[str, int]] = {}
        self._rebuild_indexes()

    def _rebuild_indexes(self) -> None:
        self._qualified.clear()
        for agent_state in self._state.agents.values():
            self._refresh_free(agent_state)

    def _emit(self, event: RoutingEvent, out: list[RoutingEvent]) -> None:
        apply_event(self._state, event)
        out.append(event)
        if isinstance(event, QueueConfigured | AgentConfigured):
            self._qualified.clear()  # rare: configuration changes
        agent_id = getattr(event, "agent_id", None)
        if isinstance(event, AgentConfigured):
            agent_id = event.agent.agent_id
        if isinstance(agent_id, str):
            self._refresh_free(self._state.agents[agent_id])

    def _refresh_free(self, agent_state: AgentState) -> None:
        agent_id = agent_state.agent.agent_id
        ready = agent_state.presence is Presence.AVAILABLE and agent_state.offer_id is None
        for kind, members in self._free.items():
            if ready and has_free_slot(agent_state, kind, None):
                members.add(agent_id)
            else:
                members.discard(agent_id)

    def _anyone_free(self) -> bool:
        return any(self._free.values())

    def _qualified_for(self, queue: Queue) -> dict[str, int]:
        qualified = self._qualified.get(queue.queue_id)
        if qualified is None:
            qualified = qualified_proficiencies(queue, self._state.agents.values())
            self._qualified[queue.queue_id] = qualified
        return qualified

    def _route(self, now: datetime, out: list[RoutingEvent]) -> None:
        """Offer waiting contacts, best first, to the best free agent for each."""
        if not self._anyone_free():
            return
        state = self._state
        by_queue: dict[str, list[WaitingContact]] = {}
        for contact in state.waiting.values():
            if contact.offer_id is None:
                by_queue.setdefault(contact.queue_id, []).append(contact)
        pools: dict[str, list[tuple[int, AgentState]]] = {}
        for queue_id in by_queue:
            queue = state.queues[queue_id]
            qualified = self._qualified_for(queue)
            free = self._free[queue.slot]
            # Walk the smaller side of the intersection.
            ids = (
                [i for i in free if i in qualified]
                if len(free) < len(qualified)
                else [i for i in qualified if i in free]
            )
            pool = [(qualified[agent_id], state.agents[agent_id]) for agent_id in ids]
            if pool:
                pool.sort(key=lambda pair: (-pair[0], pair[1].agent.agent_id))
                pools[queue_id] = pool
        # Only contacts some free agent may serve are scored and sorted: a large e-mail backlog
        # costs nothing while only chat agents are free.
        contacts = [c for queue_id in pools for c in by_queue[queue_id]]
        contacts.sort(key=lambda c: order_key(c, state.queues[c.queue_id], now))
        for contact in contacts:
            queue = state.queues[contact.queue_id]
            chosen = choose_agent(contact, queue, pools[queue.queue_id], state.agents, now)
            if chosen is None:
                continue
            self._emit(
                ContactOffered(
                    at=now,
                    offer_id=f"o{state.next_offer_number}",
                    contact_id=contact.contact_id,
                    agent_id=chosen.agent.agent_id,
                    queue_id=queue.queue_id,
                    expires_at=now + timedelta(seconds=queue.offer_timeout_seconds),
                    callback=contact.callback,
                ),
                out,
            )
            if not self._anyone_free():
                return

    def _settle_presence(
        self, agent_state: AgentState, now: datetime, out: list[RoutingEvent]
    ) -> None:
        """Follow the load between AVAILABLE, BUSY and WRAP_UP while the agent is at work."""
        if agent_state.presence not in WORKING:
            return
        target = working_presence(agent_state)
        if target is not agent_state.presence:
            self._emit(
                AgentPresenceChanged(at=now, agent_id=agent_state.agent.agent_id, presence=target),
                out,
            )

    def _withdraw(self, offer: Offer, reason: str, now: datetime, out: list[RoutingEvent]) -> None:
        self._emit(
            OfferWithdrawn(
                at=now,
                offer_id=offer.offer_id,
                contact_id=offer.contact_id,
                agent_id=offer.agent_id,
                reason=reason,
            ),
            out,
        )

    def _release(
        self,
        agent_state: AgentState,
        contact_id: str,
        reason: str,
        now: datetime,
        out: list[RoutingEvent],
    ) -> None:
        assignment = agent_state.assignments[contact_id]
        self._emit(
            ContactReleased(
                at=now,
                contact_id=contact_id,
                agent_id=assignment.agent_id,
                queue_id=assignment.queue_id,
                reason=reason,
                handle_seconds=max(0.0, (now - assignment.accepted_at).total_seconds()),
            ),
            out,
        )

    def _overflow_allowed(self, visited: list[str], queue: Queue, to_queue_id: str) -> bool:
        # Never back to a queue the contact was in (no loops), never to another tenant.
        target = self._state.queues.get(to_queue_id)
        return (
            target is not None
            and target.tenant_id == queue.tenant_id
            and to_queue_id not in visited
        )

    def _overflow_when_full(self, contact_id: str, now: datetime, out: list[RoutingEvent]) -> None:
        state = self._state
        contact = state.waiting[contact_id]
        while True:
            queue = state.queues[contact.queue_id]
            rule = queue.overflow
            if rule is None or rule.max_waiting is None:
                return
            others = sum(
                1
                for c in state.waiting.values()
                if c.queue_id == queue.queue_id and c.contact_id != contact_id
            )
            if others < rule.max_waiting or not self._overflow_allowed(
                contact.visited_queue_ids, queue, rule.to_queue_id
            ):
                return
            self._emit(
                ContactOverflowed(
                    at=now,
                    contact_id=contact_id,
                    from_queue_id=queue.queue_id,
                    to_queue_id=rule.to_queue_id,
                    reason="queue_length",
                ),
                out,
            )

    def _live_offer(self, offer_id: str, agent_id: str, now: datetime) -> Offer:
        offer = self._state.offers.get(offer_id)
        if offer is None:
            raise errors.OfferNotInFlight(
                f"offer {offer_id} is not in flight (expired, withdrawn or already answered)"
            )
        if offer.agent_id != agent_id:
            raise errors.OfferNotYours(f"offer {offer_id} belongs to another agent")
        if now >= offer.expires_at:
            raise errors.OfferExpired(f"offer {offer_id} expired at {offer.expires_at}")
        return offer


def utc(now: datetime) -> datetime:
    """``now`` in UTC; refuses naive datetimes (the router compares instants only)."""
    if now.tzinfo is None:
        raise errors.Invalid("the router needs timezone-aware datetimes")
    return now.astimezone(UTC)
