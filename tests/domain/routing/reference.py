"""The routing pass and ``tick`` the slow way, as the router decided before its indexes.

``ReferenceRouter`` sorts every un-offered waiting contact by ``order_key`` and hands each, with
every free agent ranked, to ``selection.choose_agent``; ``tick`` scans every offer, assignment
and waiting contact; overflow-when-full counts the queue. It is the brute force the fast path
(``index.py``, ``lines.py``, ``pools.py``, ``deadlines.py``) is checked against.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from symfonie.domain.routing import (
    Presence,
    Router,
    RoutingEvent,
)
from symfonie.domain.routing.dispatcher import utc
from symfonie.domain.routing.events import (
    AgentPresenceChanged,
    ContactOffered,
    ContactOverflowed,
    OfferTimedOut,
)
from symfonie.domain.routing.scoring import order_key
from symfonie.domain.routing.selection import (
    choose_agent,
    has_free_slot,
    is_qualified,
    proficiency_sum,
)


class ReferenceRouter(Router):
    """The routing pass, ``tick`` and overflow-when-full as full scans (the brute force)."""

    def _route(self, now: datetime, out: list[RoutingEvent]) -> None:
        state = self._state
        free = [
            a
            for a in state.agents.values()
            if a.presence is Presence.AVAILABLE and a.offer_id is None
        ]
        waiting = [c for c in state.waiting.values() if c.offer_id is None]
        waiting.sort(key=lambda c: order_key(c, state.queues[c.queue_id], now))
        for contact in waiting:
            queue = state.queues[contact.queue_id]
            ranked = [
                (proficiency_sum(a.agent, queue), a)
                for a in free
                if is_qualified(a.agent, queue, math.inf) and has_free_slot(a, queue.slot, None)
            ]
            ranked.sort(key=lambda pair: (-pair[0], pair[1].agent.agent_id))
            chosen = choose_agent(contact, queue, ranked, state.agents, now)
            if chosen is not None:
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

    def tick(self, now: datetime) -> list[RoutingEvent]:
        now = utc(now)
        state = self._state
        out: list[RoutingEvent] = []
        due = [o for o in state.offers.values() if o.expires_at <= now]
        for offer in sorted(due, key=lambda o: (o.expires_at, o.offer_id)):
            ids = {"offer_id": offer.offer_id, "contact_id": offer.contact_id}
            self._emit(OfferTimedOut(at=now, agent_id=offer.agent_id, **ids), out)
            self._emit(
                AgentPresenceChanged(
                    at=now,
                    agent_id=offer.agent_id,
                    presence=Presence.NOT_RESPONDING,
                    reason="offer_timeout",
                ),
                out,
            )
        for agent_state in sorted(state.agents.values(), key=lambda a: a.agent.agent_id):
            for assignment in sorted(agent_state.assignments.values(), key=lambda a: a.sequence):
                limit = state.queues[assignment.queue_id].wrap_up_limit_seconds
                if (
                    assignment.wrap_up_since is not None
                    and limit is not None
                    and assignment.wrap_up_since + timedelta(seconds=limit) <= now
                ):
                    self._release(agent_state, assignment.contact_id, "wrap_up_limit", now, out)
                    self._settle_presence(agent_state, now, out)
        for contact in sorted(state.waiting.values(), key=lambda c: c.sequence):
            queue = state.queues[contact.queue_id]
            rule = queue.overflow
            if (
                contact.offer_id is None
                and rule is not None
                and rule.after_wait_seconds is not None
                and contact.entered_queue_at + timedelta(seconds=rule.after_wait_seconds) <= now
                and self._overflow_allowed(contact.visited_queue_ids, queue, rule.to_queue_id)
            ):
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
