"""The machinery under the router's commands: emit an event, run the routing pass, follow
an agent's presence with the load, release a slot, withdraw an offer.

The routing pass: waiting contacts without an offer, in waiting order (``scoring.py``); each
gets the best agent that can take it (``selection.py``) among the AVAILABLE agents without an
offer in flight; an agent receives at most one offer at a time. The indexes that make it
cheap are in ``index.py``, ``lines.py`` and ``pools.py``.
"""

from __future__ import annotations

import heapq
import math
from datetime import UTC, datetime, timedelta

from symfonie.domain.routing import errors
from symfonie.domain.routing.events import (
    AgentPresenceChanged,
    ContactOffered,
    ContactOverflowed,
    ContactReleased,
    OfferWithdrawn,
    RoutingEvent,
)
from symfonie.domain.routing.index import Plan, RoutingIndex
from symfonie.domain.routing.lines import WaitingLine
from symfonie.domain.routing.model import WORKING, Queue
from symfonie.domain.routing.pools import QueuePool
from symfonie.domain.routing.queries import QueriesMixin
from symfonie.domain.routing.scoring import OrderKey, order_key
from symfonie.domain.routing.selection import (
    can_take,
    is_held_for_reserved_agent,
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

    ``_index`` (``index.RoutingIndex``) follows every event and is derived from the state
    only: it is rebuilt after a restore or replay, never stored. It keeps the routing pass
    proportional to what changed: the pass looks only at the queues where a match may have
    become possible, reads their contacts best first from heaps instead of sorting them all,
    and picks agents from per-queue pools of ready agents instead of scanning them all. The
    result is the same as ``choose_agent`` over every waiting contact in ``order_key`` order
    (``tests/domain/routing/test_fast_path.py`` checks it against that brute force).
    """

    def __init__(self, state: RouterState | None = None) -> None:
        self._state = state if state is not None else RouterState()
        self._index = RoutingIndex(self._state)

    def _rebuild_indexes(self) -> None:
        self._index.rebuild()

    def _emit(self, event: RoutingEvent, out: list[RoutingEvent]) -> None:
        apply_event(self._state, event)
        out.append(event)
        self._index.observe(event)

    def _route(self, now: datetime, out: list[RoutingEvent]) -> None:
        """Offer waiting contacts, best first, to the best free agent for each.

        Only what may have become offerable is looked at (``RoutingIndex.plan``), in
        ``order_key`` order: a merge of the lines to walk and the single contacts. A line is
        left once no agent it is walked for is ready any more.
        """
        index = self._index
        plan = index.plan(now)
        if plan is None:
            return
        try:
            if len(plan.touched) == 1 and not plan.dirty and not plan.fresh:
                self._offer_one(plan.touched[0], now, out)  # nothing to order it against
            else:
                self._offer_in_order(plan, now, out)
        finally:
            for contact in (*plan.touched, *plan.walked):
                if contact.offer_id is None:
                    index.settle(contact, now)

    def _offer_one(self, contact: WaitingContact, now: datetime, out: list[RoutingEvent]) -> bool:
        """Offer ``contact`` to the best agent who can take it, if any; True if offered."""
        state = self._state
        queue = state.queues[contact.queue_id]
        agent_id = self._choose(contact, queue, self._index.pools[queue.queue_id], now)
        if agent_id is None:
            return False
        self._emit(
            ContactOffered(
                at=now,
                offer_id=f"o{state.next_offer_number}",
                contact_id=contact.contact_id,
                agent_id=agent_id,
                queue_id=queue.queue_id,
                expires_at=now + timedelta(seconds=queue.offer_timeout_seconds),
                callback=contact.callback,
            ),
            out,
        )
        return True

    def _offer_in_order(self, plan: Plan, now: datetime, out: list[RoutingEvent]) -> None:
        index = self._index
        queues = self._state.queues
        # (order key, tie-break, queue id when walking its line, contact or None). A line
        # starts as a placeholder keyed before any contact of its priority tier and is opened
        # only when the merge reaches it: often the agents are taken before a lower tier is.
        heads: list[tuple[OrderKey, int, str | None, WaitingContact | None]] = []
        lines: list[WaitingLine] = []
        seen: set[str] = set()
        for queue_id in (*plan.dirty, *plan.fresh):
            heads.append(((-queues[queue_id].priority, -math.inf, -1), len(heads), queue_id, None))
        for single in plan.touched:
            key = order_key(single, queues[single.queue_id], now)
            heads.append((key, len(heads), None, single))
        heapq.heapify(heads)
        tie_break = len(heads)
        try:
            while heads:
                _, _, walked, contact = heapq.heappop(heads)
                if contact is None:
                    assert walked is not None
                    if self._walkable(plan, walked, index.pools[walked]):
                        line = index.lines[walked]
                        line.begin(now)
                        lines.append(line)
                        head = line.head()
                        if head is not None:
                            tie_break += 1
                            heapq.heappush(heads, (head[0], tie_break, walked, head[1]))
                    continue
                pool = index.pools[contact.queue_id]
                if walked is not None:
                    if not self._walkable(plan, walked, pool):
                        continue  # the rest of the line waits for agents who are busy now
                    index.lines[walked].take()
                elif contact.offer_id is not None or not pool.ready_count:
                    continue
                if contact.contact_id not in seen:
                    seen.add(contact.contact_id)
                    if self._offer_one(contact, now, out) and not index.ready:
                        return
                if walked is not None and self._walkable(plan, walked, pool):
                    head = index.lines[walked].head()
                    if head is not None:
                        tie_break += 1
                        heapq.heappush(heads, (head[0], tie_break, walked, head[1]))
        finally:
            for line in lines:
                line.end()

    def _walkable(self, plan: Plan, queue_id: str, pool: QueuePool) -> bool:
        # A dirty queue is walked while anybody is ready for it; a queue with fresh agents
        # while one of those is (only they can take its contacts that were not touched).
        walkers = plan.fresh.get(queue_id)
        if walkers is None:
            return pool.ready_count > 0
        return any(self._index.ready_for(agent_id, pool) for agent_id in walkers)

    def _choose(
        self, contact: WaitingContact, queue: Queue, pool: QueuePool, now: datetime
    ) -> str | None:
        """``choose_agent`` with the queue's pool in place of the ranked list of agents."""
        agents = self._state.agents
        reserved_id = contact.reserved_agent_id
        reserved = agents.get(reserved_id) if reserved_id else None
        if reserved is not None and can_take(reserved, contact, queue, now):
            return reserved.agent.agent_id
        if is_held_for_reserved_agent(contact, queue, agents, now):
            return None
        wait_in_queue_seconds = (now - contact.entered_queue_at).total_seconds()
        return pool.best(contact, wait_in_queue_seconds, now)

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
            others = self._index.waiting_count[queue.queue_id] - 1  # all but this contact
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
    if now.tzinfo is UTC:
        return now  # what astimezone(UTC) would return, without the call
    if now.tzinfo is None:
        raise errors.Invalid("the router needs timezone-aware datetimes")
    return now.astimezone(UTC)
