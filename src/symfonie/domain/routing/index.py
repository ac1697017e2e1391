"""Indexes over the routing state, so a command costs what it changes, not the whole state.

Derived from ``RouterState`` and rebuilt from it after a restore or replay, never stored.
``observe`` keeps them in step with every event the router applies:

- per queue, the ready agents by class (``pools.QueuePool``) and the un-offered waiting
  contacts in waiting order (``lines.WaitingLine``);
- what may have become offerable since the last routing pass. After a pass no un-offered
  contact can be offered to any ready agent: the pass offers every contact that can be, in
  waiting order. Only these make a match possible again, so only these are looked at:

  * *fresh* agents: ready for a queue (AVAILABLE, no offer, a free slot within its
    ``max_per_agent``) since the last pass. Only they can take the queue's other contacts, so
    the pass walks that queue's line only while one of them is still ready, and only the
    contacts that waited long enough for the relaxation steps to admit one of them;
  * *touched* contacts: (re-)entering a line (arrival, overflow, transfer, an offer declined,
    timed out or withdrawn), a reservation ended or its agent leaving work, and time: a
    relaxation step reached, a sticky wait or a decline cooldown over (``_triggers``, a heap
    of those moments, armed once the contact has been looked at and stays). Each is looked
    at on its own;
  * *dirty* queues, looked at in full: after a configuration change, a rebuild, or a clock
    that went backwards (until it has passed its old maximum again).

- the moments ``tick`` acts on (``deadlines.Deadlines``) and the number of contacts waiting
  per queue (overflow when the queue is full).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from typing import Any

from symfonie.domain.routing.deadlines import Deadlines
from symfonie.domain.routing.events import (
    AgentConfigured,
    AgentPresenceChanged,
    ContactAbandoned,
    ContactAssigned,
    ContactCallbackRequested,
    ContactEscalated,
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
from symfonie.domain.routing.lines import WaitingLine
from symfonie.domain.routing.model import Presence
from symfonie.domain.routing.pools import NO_COMBOS, Combo, IdleKey, QueuePool, free_combos
from symfonie.domain.routing.selection import idle_key
from symfonie.domain.routing.state import RouterState, WaitingContact

_UNREADY: tuple[IdleKey | None, frozenset[Combo]] = (None, NO_COMBOS)
_AVAILABLE = Presence.AVAILABLE  # a module constant: enum attribute access is slow
_Slot = tuple[str, QueuePool, Combo, list[tuple[datetime, str, int]]]


def first_moment(start: datetime, seconds: float) -> datetime | None:
    """The first microsecond ``t`` with ``(t - start).total_seconds() >= seconds``: when a
    comparison such as ``wait_in_queue_seconds >= step.after_seconds`` turns true."""
    if not math.isfinite(seconds) or abs(seconds) > 1e12:
        return None
    micro = math.ceil(seconds * 1_000_000)
    while (micro - 1) / 1_000_000 >= seconds:
        micro -= 1
    while micro / 1_000_000 < seconds:
        micro += 1
    try:
        return start + timedelta(microseconds=micro)
    except OverflowError:
        return None


@dataclass(slots=True)
class Plan:
    """What a routing pass looks at: queues to walk in full (``dirty``), queues to walk while
    one of their fresh agents is still ready (``fresh``), and single contacts (``touched``).
    The pass settles (``RoutingIndex.settle``) the touched contacts and those of ``dirty``
    queues that were touched (``walked``) once it is done."""

    dirty: list[str] = field(default_factory=list)
    fresh: dict[str, set[str]] = field(default_factory=dict)
    touched: list[WaitingContact] = field(default_factory=list)
    walked: list[WaitingContact] = field(default_factory=list)


@dataclass(slots=True)
class _Tracked:
    """What the index last saw of a waiting contact."""

    queue_id: str
    contact: WaitingContact
    in_line: bool = False
    reserved_agent_id: str | None = None
    armed: bool = False  # its time triggers are in the heap


class RoutingIndex:
    """See the module docstring. ``RoutingIndex(state).observe(event)`` after each event."""

    def __init__(self, state: RouterState) -> None:
        self.state = state
        self.deadlines = Deadlines(state)
        handlers: dict[type[RoutingEvent], Callable[[Any], None]] = {
            QueueConfigured: self._on_queue_configured,
            AgentConfigured: self._on_agent_configured,
            AgentPresenceChanged: self._on_presence_changed,
            ContactQueued: self._on_contact,
            ContactOutsideHours: self._on_nothing,
            ContactOffered: self._on_offered,
            ContactAssigned: self._on_contact_and_agent,
            OfferDeclined: self._on_declined,
            OfferTimedOut: self._on_contact_and_agent,
            OfferWithdrawn: self._on_contact_and_agent,
            ContactCallbackRequested: self._on_nothing,  # the place is kept: nothing moves
            ContactOverflowed: self._on_contact,
            ContactTransferred: self._on_contact,
            ContactEscalated: self._on_contact,
            ContactAbandoned: self._on_contact,
            WrapUpStarted: self._on_wrap_up_started,
            ContactReleased: self._on_agent,
        }
        self._handlers = handlers
        self.rebuild()

    def rebuild(self) -> None:
        """Derive everything from the state again (after a restore or replay)."""
        state = self.state
        self._counter = count(1)
        self.stamps: dict[str, int] = {}
        self.pools: dict[str, QueuePool] = {}
        self.lines: dict[str, WaitingLine] = {}
        # Per agent: (queue id, pool, combo, class heap) of each queue they may ever serve.
        self.agent_slots: dict[str, list[_Slot]] = {}
        self.agent_combos: dict[str, frozenset[Combo]] = {}
        self.idle_free: dict[str, frozenset[Combo]] = {}  # combos free without any contact
        self.pushed: dict[str, tuple[IdleKey | None, frozenset[Combo]]] = {}
        self.ready: set[str] = set()
        self.dirty: set[str] = set(state.queues)
        self.fresh: dict[str, set[str]] = {}
        self.touched: set[str] = set()
        self._triggers: list[tuple[datetime, int, str]] = []
        self.tracked: dict[str, _Tracked] = {}
        self.waiting_count: Counter[str] = Counter()
        self.reserved_by: dict[str, set[str]] = {}
        self.max_now: datetime | None = None
        self.rewound = False
        self._plan = Plan()
        for queue in state.queues.values():
            self.pools[queue.queue_id] = QueuePool(queue, self.stamps)
            self.lines[queue.queue_id] = WaitingLine(queue)
        for agent_id in state.agents:
            self._qualify(agent_id)
        for contact_id in state.waiting:
            self._sync_contact(contact_id)
        self.deadlines.rebuild()

    # -- following the events ---------------------------------------------------------------

    def observe(self, event: RoutingEvent) -> None:
        """Bring the indexes in step with ``event``, already applied to the state."""
        self._handlers.get(type(event), self._on_any)(event)

    def _on_nothing(self, event: RoutingEvent) -> None:
        pass

    def _on_any(self, event: RoutingEvent) -> None:
        # An event type without a handler of its own (a subclass): follow what it names.
        contact_id = getattr(event, "contact_id", None)
        if isinstance(contact_id, str):
            self._sync_contact(contact_id)
        agent_id = getattr(event, "agent_id", None)
        if isinstance(agent_id, str):
            self.refresh_agent(agent_id)

    def _on_queue_configured(self, event: QueueConfigured) -> None:
        self._queue_changed(event.queue.queue_id)

    def _on_agent_configured(self, event: AgentConfigured) -> None:
        self._qualify(event.agent.agent_id)
        self._reservations_changed(event.agent.agent_id)

    def _on_presence_changed(self, event: AgentPresenceChanged) -> None:
        self.refresh_agent(event.agent_id)
        self._reservations_changed(event.agent_id)

    def _on_contact(self, event: ContactQueued) -> None:
        self._sync_contact(event.contact_id)

    def _on_contact_and_agent(self, event: ContactAssigned) -> None:
        self._sync_contact(event.contact_id)
        self.refresh_agent(event.agent_id)

    def _on_offered(self, event: ContactOffered) -> None:
        self._sync_contact(event.contact_id)
        self.refresh_agent(event.agent_id)
        self.deadlines.offered(event.offer_id, event.expires_at)

    def _on_declined(self, event: OfferDeclined) -> None:
        self._sync_contact(event.contact_id)
        self.refresh_agent(event.agent_id)
        self._trigger(event.cooldown_until, event.contact_id)

    def _on_wrap_up_started(self, event: WrapUpStarted) -> None:
        # The slot stays occupied: readiness does not change (presence follows separately).
        self.deadlines.wrap_up_started(event.agent_id, event.contact_id)

    def _on_agent(self, event: ContactReleased) -> None:
        self.refresh_agent(event.agent_id)

    # -- agents -------------------------------------------------------------------------------

    def refresh_agent(self, agent_id: str) -> None:
        """Re-read the agent's readiness, idle key and free slots; push them to the pools of
        their queues if anything changed (a new stamp makes the old entries stale)."""
        agent_state = self.state.agents.get(agent_id)
        if agent_state is None:
            return
        before_key, before_free = self.pushed.get(agent_id, _UNREADY)
        if agent_state.presence is not _AVAILABLE or agent_state.offer_id is not None:
            if before_key is None:
                return  # was not ready, is not ready
            key, free = None, NO_COMBOS
        else:
            if agent_state.assignments:
                free = free_combos(agent_state, self.agent_combos.get(agent_id, NO_COMBOS))
            else:
                free = self.idle_free.get(agent_id, NO_COMBOS)
            key = idle_key(agent_state) if free else None
            if before_key == key and before_free == free:
                return
        stamp = next(self._counter)
        self.stamps[agent_id] = stamp
        self.pushed[agent_id] = (key, free)
        if key is None:
            self.ready.discard(agent_id)
            for _, pool, combo, _ in self.agent_slots[agent_id]:
                if combo in before_free:
                    pool.ready_count -= 1
            return
        self.ready.add(agent_id)
        fresh = self.fresh
        entry = (key[0], agent_id, stamp)
        for queue_id, pool, combo, heap in self.agent_slots[agent_id]:
            if combo in free:
                heapq.heappush(heap, entry)
                if len(heap) > pool.limit:
                    pool.compact(heap)
                if combo not in before_free:
                    pool.ready_count += 1
                    agents = fresh.get(queue_id)
                    if agents is None:
                        fresh[queue_id] = {agent_id}
                    else:
                        agents.add(agent_id)
            elif combo in before_free:
                pool.ready_count -= 1

    def ready_for(self, agent_id: str, pool: QueuePool) -> bool:
        """True if the agent is ready for the pool's queue (as last refreshed)."""
        key, free = self.pushed.get(agent_id, _UNREADY)
        return key is not None and pool.combo in free

    def _unready(self, agent_id: str) -> None:
        # Take the agent out of every pool (before their queues change).
        before_key, before_free = self.pushed.pop(agent_id, _UNREADY)
        if before_key is not None:
            for _, pool, combo, _ in self.agent_slots.get(agent_id, ()):
                if combo in before_free:
                    pool.ready_count -= 1
        self.stamps[agent_id] = next(self._counter)  # old entries, possibly in old classes
        self.ready.discard(agent_id)

    def _set_slots(self, agent_id: str, slots: list[_Slot]) -> None:
        self.agent_slots[agent_id] = slots
        combos = frozenset(slot[2] for slot in slots)
        self.agent_combos[agent_id] = combos
        capacity = self.state.agents[agent_id].agent.capacity
        self.idle_free[agent_id] = frozenset(c for c in combos if capacity.slots(c[0]) > 0)

    def _qualify(self, agent_id: str) -> None:
        """(Re)compute the queues an agent may ever serve, and push them there if ready.
        Leaving a queue makes no match possible there, so only the new state matters."""
        agent = self.state.agents[agent_id].agent
        self._unready(agent_id)
        slots = []
        for queue_id, pool in self.pools.items():
            heap = pool.admit(agent)
            if heap is not None:
                slots.append((queue_id, pool, pool.combo, heap))
        self._set_slots(agent_id, slots)
        self.refresh_agent(agent_id)  # fresh for the queues it is ready for

    def _queue_changed(self, queue_id: str) -> None:
        """A queue was created or changed: rebuild its pool and line, re-arm its contacts."""
        state = self.state
        queue = state.queues[queue_id]
        pool = QueuePool(queue, self.stamps)
        again = []
        for agent_id, agent_state in state.agents.items():
            slots = [slot for slot in self.agent_slots.get(agent_id, ()) if slot[0] != queue_id]
            heap = pool.admit(agent_state.agent)
            if heap is not None:
                slots.append((queue_id, pool, pool.combo, heap))
            if frozenset(slot[2] for slot in slots) != self.agent_combos.get(agent_id):
                self._unready(agent_id)  # from the old pools, the old one of this queue too
                again.append(agent_id)
            elif heap is not None:
                key, free = self.pushed.get(agent_id, _UNREADY)
                if key is not None and pool.combo in free:
                    heapq.heappush(heap, (key[0], agent_id, self.stamps[agent_id]))
                    pool.ready_count += 1
            self._set_slots(agent_id, slots)
        self.pools[queue_id] = pool
        for agent_id in again:
            self.refresh_agent(agent_id)
        line = WaitingLine(queue)
        self.lines[queue_id] = line
        for tracked in self.tracked.values():
            if tracked.queue_id == queue_id:
                tracked.armed = True
                self._arm(tracked.contact)  # the steps may have changed
                if tracked.in_line:
                    line.add(tracked.contact)
        self.deadlines.rebuild()  # limits and overflow rules may have changed
        self.dirty.add(queue_id)

    # -- contacts -----------------------------------------------------------------------------

    def _sync_contact(self, contact_id: str) -> None:
        """Follow a waiting contact into, between and out of queues and lines."""
        contact = self.state.waiting.get(contact_id)
        tracked = self.tracked.get(contact_id)
        if tracked is not None and (
            contact is None
            or tracked.contact is not contact
            or tracked.queue_id != contact.queue_id
        ):
            self.waiting_count[tracked.queue_id] -= 1
            self.lines[tracked.queue_id].remove(contact_id)
            self._reserve(contact_id, tracked.reserved_agent_id, None)
            del self.tracked[contact_id]
            tracked = None
        if contact is None:
            return
        queue_id = contact.queue_id
        if tracked is None:
            tracked = self.tracked[contact_id] = _Tracked(queue_id=queue_id, contact=contact)
            self.waiting_count[queue_id] += 1
            self.deadlines.waiting_in_queue(contact)
        if tracked.reserved_agent_id != contact.reserved_agent_id:
            self._reserve(contact_id, tracked.reserved_agent_id, contact.reserved_agent_id)
            tracked.reserved_agent_id = contact.reserved_agent_id
            self.touched.add(contact_id)
        in_line = contact.offer_id is None
        if in_line != tracked.in_line:
            tracked.in_line = in_line
            if in_line:
                self.lines[queue_id].add(contact)
                self.touched.add(contact_id)
            else:
                self.lines[queue_id].remove(contact_id)

    def settle(self, contact: WaitingContact, now: datetime) -> None:
        """A touched contact was looked at (or could not be) and still waits: file it in its
        line and arm the moments at which time alone may make it offerable."""
        tracked = self.tracked.get(contact.contact_id)
        if tracked is None or tracked.contact is not contact or not tracked.in_line:
            return
        self.lines[tracked.queue_id].commit(contact.contact_id, now)
        if not tracked.armed:
            tracked.armed = True
            self._arm(contact)

    def _arm(self, contact: WaitingContact) -> None:
        # Relaxation steps reached, the end of a sticky (or transfer) wait, cooldowns over.
        queue = self.state.queues[contact.queue_id]
        for step in queue.relaxation:
            moment = first_moment(contact.entered_queue_at, step.after_seconds)
            if moment is not None:
                self._trigger(moment, contact.contact_id)
        if contact.reserved_until is not None:
            self._trigger(contact.reserved_until, contact.contact_id)
        for until in contact.declined_until.values():
            self._trigger(until, contact.contact_id)

    def _trigger(self, moment: datetime, contact_id: str) -> None:
        heapq.heappush(self._triggers, (moment, next(self._counter), contact_id))

    def _reserve(self, contact_id: str, old: str | None, new: str | None) -> None:
        if old is not None:
            holders = self.reserved_by.get(old)
            if holders is not None:
                holders.discard(contact_id)
                if not holders:
                    del self.reserved_by[old]
        if new is not None:
            self.reserved_by.setdefault(new, set()).add(contact_id)

    def _reservations_changed(self, agent_id: str) -> None:
        # A reserved agent leaving (or joining) work ends (or resumes) the holds on them.
        self.touched.update(self.reserved_by.get(agent_id, ()))

    # -- the routing pass -------------------------------------------------------------------

    def plan(self, now: datetime) -> Plan | None:
        """What a routing pass at ``now`` must look at (see ``Plan``), or None; starts afresh
        after. The order of the lists does not matter: the pass merges them by ``order_key``.
        Touched contacts left out (nobody ready for their queue) are settled here."""
        triggers = self._triggers
        while triggers and triggers[0][0] <= now:
            self.touched.add(heapq.heappop(triggers)[2])
        max_now = self.max_now
        if max_now is not None and now < max_now:
            self.rewound = True
            self.dirty.update(self.state.queues)
        else:
            if self.rewound:
                self.rewound = False
                self.dirty.update(self.state.queues)
            self.max_now = now
        dirty, fresh, touched = self.dirty, self.fresh, self.touched
        if not (dirty or fresh or touched):
            return None
        lines, pools, pushed = self.lines, self.pools, self.pushed
        walk: list[str] = []
        walk_fresh: dict[str, set[str]] = {}
        single: list[WaitingContact] = []
        walked: list[WaitingContact] = []
        if self.ready:
            if dirty:
                walk = [q for q in dirty if len(lines[q]) and pools[q].ready_count]
            for queue_id, agent_ids in fresh.items():
                line = lines[queue_id]
                if not (line.members or line.staged) or queue_id in dirty:
                    continue  # nothing waits there (the usual case), or walked in full
                pool = pools[queue_id]
                combo, members = pool.combo, pool.members
                live = set()
                needed = math.inf
                for agent_id in agent_ids:
                    key, free = pushed.get(agent_id, _UNREADY)
                    if key is not None and combo in free:
                        live.add(agent_id)
                        needed = min(needed, members[agent_id][1])
                if not live:
                    continue
                if needed == -math.inf:
                    walk_fresh[queue_id] = live
                else:  # only contacts that waited long enough for one of them
                    touched.update(c.contact_id for c in line.waited_at_least(now, needed))
        waiting = self.state.waiting
        for contact_id in touched:
            contact = waiting.get(contact_id)
            if contact is None or contact.offer_id is not None:
                continue
            if not (self.ready and pools[contact.queue_id].ready_count):
                self.settle(contact, now)
            elif contact.queue_id in dirty:
                walked.append(contact)
            else:
                single.append(contact)
        dirty.clear()
        fresh.clear()
        touched.clear()
        if not (walk or walk_fresh or single):
            return None
        plan = self._plan  # one per router: a pass never starts inside another
        plan.dirty, plan.fresh, plan.touched, plan.walked = walk, walk_fresh, single, walked
        return plan
