"""The agents ready for one queue, in the order ``selection.choose_agent`` would pick them.

An agent is in a queue's pool when qualified for it once every relaxation step applies, and
*ready* for it: AVAILABLE, no offer in flight, and a free slot of the queue's kind within the
queue's ``max_per_agent``. The pool groups its agents in classes by (proficiency sum, wait
needed): the wait in this queue from which the relaxation steps admit the agent (−inf when the
unrelaxed requirement already does, since qualification only grows with the wait). Each class
is a heap on the longest-idle key (idle since, agent id).

So the best agent for a contact that has waited ``w`` in the queue is: going down the
proficiency sums, the first sum with a class of wait needed ≤ ``w`` holding an agent who did not
decline the contact within the cooldown; there, the smallest idle key. That is
``choose_agent``'s "highest summed proficiency, then longest idle, then agent id" among the
agents ``can_take`` accepts.

Entries carry the agent's stamp at the time of the push; any change of readiness, idle key or
free slots gives the agent a new stamp (``RoutingIndex.refresh_agent``) and pushes it again, so
stale entries are dropped when they reach the top of a heap.
"""

from __future__ import annotations

import heapq
import math
from datetime import datetime

from symfonie.domain.routing.model import SLOT_OF_CHANNEL, Agent, Queue, SlotKind
from symfonie.domain.routing.selection import is_qualified, proficiency_sum
from symfonie.domain.routing.state import AgentState, WaitingContact

IdleKey = tuple[datetime, str]
_Entry = tuple[datetime, str, int]  # idle since, agent id, stamp
Combo = tuple[SlotKind, int | None]  # the slot kind and max_per_agent of a queue
NO_COMBOS: frozenset[Combo] = frozenset()


def free_combos(agent_state: AgentState, combos: frozenset[Combo]) -> frozenset[Combo]:
    """The (slot kind, max_per_agent) pairs among ``combos`` in which the agent can take one
    more contact: ``selection.has_free_slot`` for each, counting the agent's load once."""
    capacity = agent_state.agent.capacity
    assignments = agent_state.assignments
    if not assignments:
        return frozenset(combo for combo in combos if capacity.slots(combo[0]) > 0)
    chat = message = 0
    for assignment in assignments.values():
        kind = SLOT_OF_CHANNEL[assignment.channel]
        if kind is SlotKind.VOICE:
            return NO_COMBOS  # voice is exclusive
        if kind is SlotKind.CHAT:
            chat += 1
        else:
            message += 1
    free = []
    for combo in combos:
        kind, cap = combo
        if kind is SlotKind.VOICE:
            continue
        held, limit = (
            (chat, capacity.chats) if kind is SlotKind.CHAT else (message, capacity.messages)
        )
        if cap is not None and cap < limit:
            limit = cap
        if held < limit:
            free.append(combo)
    return frozenset(free)


def wait_needed(agent: Agent, queue: Queue) -> float | None:
    """The wait in ``queue`` (seconds) from which ``agent`` qualifies: −inf if at once, the
    ``after_seconds`` of the first relaxation step that admits them, None if never."""
    if is_qualified(agent, queue, -math.inf):
        return -math.inf
    for after_seconds in sorted({step.after_seconds for step in queue.relaxation}):
        if is_qualified(agent, queue, after_seconds):
            return after_seconds
    return None


class QueuePool:
    """The ready agents of one queue by (proficiency sum, wait needed) classes."""

    def __init__(self, queue: Queue, stamps: dict[str, int]) -> None:
        self.queue = queue
        self.combo: Combo = (queue.slot, queue.max_per_agent)
        self.stamps = stamps  # agent id → current stamp, shared with the index
        self.ready_count = 0  # members ready for this queue, kept by the index
        self.members: dict[str, tuple[int, float]] = {}  # qualified agents → their class
        self.classes: dict[tuple[int, float], list[_Entry]] = {}
        # Proficiency sums high to low, each with its classes by wait needed, low to high.
        self.levels: list[tuple[int, list[tuple[float, list[_Entry]]]]] = []
        self.limit = 32  # a class heap longer than this holds mostly stale entries

    def admit(self, agent: Agent) -> list[_Entry] | None:
        """Record ``agent`` as a member if qualified at all; the heap of their class, or None."""
        needed = wait_needed(agent, self.queue)
        if needed is None:
            self.members.pop(agent.agent_id, None)
            return None
        key = (proficiency_sum(agent, self.queue), needed)
        self.members[agent.agent_id] = key
        self.limit = 2 * len(self.members) + 32
        heap = self.classes.get(key)
        if heap is None:
            heap = self.classes[key] = []
            self._sort_levels()
        return heap

    def _sort_levels(self) -> None:
        by_level: dict[int, list[tuple[float, list[_Entry]]]] = {}
        for (level, needed), heap in self.classes.items():
            by_level.setdefault(level, []).append((needed, heap))
        self.levels = [
            (level, sorted(by_level[level], key=lambda pair: pair[0]))
            for level in sorted(by_level, reverse=True)
        ]

    def compact(self, heap: list[_Entry]) -> None:
        """Drop the stale entries of a class heap (at most one live entry per member)."""
        stamps = self.stamps
        heap[:] = [entry for entry in heap if stamps.get(entry[1]) == entry[2]]
        heapq.heapify(heap)

    def best(
        self, contact: WaitingContact, wait_in_queue_seconds: float, now: datetime
    ) -> str | None:
        """The agent ``choose_agent`` would pick for ``contact`` among the ready members (the
        reserved agent aside), or None."""
        stamps = self.stamps
        declined = contact.declined_until
        set_aside: list[tuple[list[_Entry], _Entry]] = []
        chosen: str | None = None
        for _level, classes in self.levels:
            best_entry: _Entry | None = None
            for needed, heap in classes:
                if needed > wait_in_queue_seconds:
                    break  # sorted: the steps have not admitted this class, nor the next
                while heap:
                    entry = heap[0]
                    if stamps.get(entry[1]) != entry[2]:
                        heapq.heappop(heap)  # stale
                        continue
                    until = declined.get(entry[1]) if declined else None
                    if until is None or not now < until:
                        if best_entry is None or entry < best_entry:
                            best_entry = entry
                        break
                    set_aside.append((heap, heapq.heappop(heap)))  # declined it recently
            if best_entry is not None:
                chosen = best_entry[1]
                break
        for heap, entry in set_aside:
            heapq.heappush(heap, entry)
        return chosen
