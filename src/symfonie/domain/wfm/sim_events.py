"""General discrete-event engine: several contact types and agent groups, skills, priorities.

A classic event-list simulation (e.g. Law, *Simulation Modeling and Analysis*, 5th ed., 2015,
ch. 1): the day's fresh arrivals come pre-drawn and sorted (:mod:`~symfonie.domain.wfm.sim_day`)
and are merged with a heap of timed events — end of service, abandonment, retrial attempt,
staffing change at a period boundary, closing. Events at the same instant run in that order
(so ties go to service: an agent freeing as a contact runs out of patience answers it), then in
the order they were scheduled; a heap event runs before an arrival at the same instant.

Routing follows :mod:`~symfonie.domain.wfm.sim_model`. Abandoned contacts stay in their queue
marked gone and are skipped when they reach its head (lazy deletion), so an abandonment costs
O(1). Staffing changes: extra agents start at once and take waiting contacts; when staffing
drops, idle agents leave at once and busy ones finish their contact first (they count as
present, for occupancy, until then). After closing the last period's staffing stays.
Occupancy integrates busy and present agents over [0, closing] only.
"""

from __future__ import annotations

import math
from collections import deque
from heapq import heappop, heappush
from typing import Any

from symfonie.domain.wfm.sim_day import (
    ABANDONED,
    ABANDONED_AFTER_S,
    ARRIVALS,
    BALKED,
    BLOCKED,
    CLEARED,
    COUNTERS,
    IN_TARGET,
    RETRIALS,
    SERVED,
    WAIT,
    DayArrivals,
    RetrialDraws,
)
from symfonie.domain.wfm.sim_model import Closing, SimulationModel

_END, _ABANDON, _RETRIAL, _STAFF, _CLOSE = range(5)
# A waiting contact: [queued_at_seconds, type, service_seconds, still_waiting, patience_seconds]
_QUEUED_AT, _TYPE, _SERVICE, _WAITING, _PATIENCE = range(5)


def run_event_day(
    model: SimulationModel,
    day: DayArrivals,
    retrials: RetrialDraws,
    waits: list[float] | None = None,
) -> tuple[list[list[float]], list[list[float]]]:
    """Simulate one day of any model.

    Returns the per-type tallies (rows in contact-type order, columns
    :data:`~symfonie.domain.wfm.sim_day.COUNTERS`) and the per-group tallies (rows in group
    order: busy and present agent-seconds over [0, closing]). ``waits``, if given, receives the
    queue time (seconds) of every served contact in the order they are answered.
    """
    n_types, n_groups = len(model.contact_types), len(model.agent_groups)
    close = model.open_seconds
    threshold = model.threshold_seconds
    capacity = -1 if model.queue_capacity is None else model.queue_capacity
    type_groups = [model.groups_for_type(k) for k in range(n_types)]
    levels = [model.skill_levels(g) for g in range(n_groups)]
    staffing = [group.agents for group in model.agent_groups]
    scheduled = [agents[0] for agents in staffing]
    idle, present = scheduled[:], scheduled[:]
    busy, owed = [0] * n_groups, [0] * n_groups
    present_area, busy_area, last_change = [0.0] * n_groups, [0.0] * n_groups, [0.0] * n_groups
    queues: list[deque[list[Any]]] = [deque() for _ in range(n_types)]
    counts = [[0.0] * len(COUNTERS) for _ in range(n_types)]
    heap: list[tuple[float, int, int, Any]] = []
    state = {"waiting": 0, "sequence": 0, "open": True}

    def schedule(time: float, kind: int, data: Any) -> None:
        state["sequence"] += 1
        heappush(heap, (time, kind, state["sequence"], data))

    def start(group: int, now: float, service: float) -> None:
        busy[group] += 1
        end = now + service
        if now < close:
            busy_area[group] += (end if end < close else close) - now
        schedule(end, _END, group)

    def take(group: int, now: float) -> bool:
        """An agent of ``group`` is free at ``now``: start the next contact it should serve."""
        for level in levels[group]:
            best: list[Any] | None = None
            best_queue: deque[list[Any]] | None = None
            for k in level:
                queue = queues[k]
                while queue and not queue[0][_WAITING]:
                    queue.popleft()
                if queue and (best is None or queue[0][_QUEUED_AT] < best[_QUEUED_AT]):
                    best, best_queue = queue[0], queue
            if best is not None and best_queue is not None:
                best_queue.popleft()
                best[_WAITING] = False
                state["waiting"] -= 1
                wait = now - best[_QUEUED_AT]
                tally = counts[best[_TYPE]]
                tally[SERVED] += 1
                if wait < threshold:
                    tally[IN_TARGET] += 1
                tally[WAIT] += wait
                if waits is not None:
                    waits.append(wait)
                start(group, now, best[_SERVICE])
                return True
        return False

    def retry(k: int, now: float) -> None:
        attempt = retrials.attempt(k)
        if attempt is not None and now + attempt[0] < close:
            schedule(now + attempt[0], _RETRIAL, attempt[1:])

    def arrive(now: float, k: int, service: float, patience: float, balks: bool) -> None:
        tally = counts[k]
        tally[ARRIVALS] += 1
        for group in type_groups[k]:
            if idle[group] > 0:
                idle[group] -= 1
                tally[SERVED] += 1
                tally[IN_TARGET] += 1  # wait 0 < threshold_seconds (> 0)
                if waits is not None:
                    waits.append(0.0)
                start(group, now, service)
                return
        if 0 <= capacity <= state["waiting"]:
            tally[BLOCKED] += 1
        elif balks:
            tally[BALKED] += 1
        else:
            contact = [now, k, service, True, patience]
            queues[k].append(contact)
            state["waiting"] += 1
            if patience < math.inf:
                schedule(now + patience, _ABANDON, contact)
            return
        if retrials.enabled(k):
            retry(k, now)

    def set_present(group: int, now: float, change: int) -> None:
        if state["open"]:
            present_area[group] += present[group] * (now - last_change[group])
            last_change[group] = now
        present[group] += change

    def restaff(period: int, now: float) -> None:
        for group in range(n_groups):
            delta = staffing[group][period] - scheduled[group]
            scheduled[group] += delta
            if delta > 0:
                cancelled = min(owed[group], delta)
                owed[group] -= cancelled
                set_present(group, now, delta - cancelled)
                idle[group] += delta - cancelled
                while idle[group] > 0 and take(group, now):
                    idle[group] -= 1
            elif delta < 0:
                leaving_now = min(idle[group], -delta)
                idle[group] -= leaving_now
                set_present(group, now, -leaving_now)
                owed[group] += -delta - leaving_now

    def closing(now: float) -> None:
        for group in range(n_groups):
            set_present(group, now, 0)
        state["open"] = False
        if model.closing is Closing.CLEAR:
            _clear(queues, counts)
            state["waiting"] = 0

    period_seconds = model.period_seconds
    for period in range(1, model.periods):
        if any(agents[period] != agents[period - 1] for agents in staffing):
            schedule(period * period_seconds, _STAFF, period)
    schedule(close, _CLOSE, None)

    times, types, services, patiences, balks = (
        day.times,
        day.types,
        day.services,
        day.patiences,
        day.balks,
    )
    index, count = 0, len(times)
    while True:
        if index < count and (not heap or times[index] < heap[0][0]):
            arrive(times[index], types[index], services[index], patiences[index], balks[index])
            index += 1
            continue
        if not heap:
            break
        now, kind, _, data = heappop(heap)
        if kind == _END:
            busy[data] -= 1
            if owed[data] > 0:
                owed[data] -= 1
                set_present(data, now, -1)
            elif not take(data, now):
                idle[data] += 1
        elif kind == _ABANDON:
            if data[_WAITING]:
                data[_WAITING] = False
                state["waiting"] -= 1
                k = data[_TYPE]
                tally = counts[k]
                tally[ABANDONED] += 1
                if data[_PATIENCE] >= threshold:
                    tally[ABANDONED_AFTER_S] += 1
                if retrials.enabled(k):
                    retry(k, now)
        elif kind == _RETRIAL:
            k = data[0]
            counts[k][RETRIALS] += 1
            arrive(now, k, data[1], data[2], data[3])
        elif kind == _STAFF:
            restaff(data, now)
        else:
            closing(now)
    _clear(queues, counts)  # nobody left who could serve them (e.g. no agents after closing)
    return counts, [[busy_area[g], present_area[g]] for g in range(n_groups)]


def _clear(queues: list[deque[list[Any]]], counts: list[list[float]]) -> None:
    for queue in queues:
        for contact in queue:
            if contact[_WAITING]:
                contact[_WAITING] = False
                counts[contact[_TYPE]][CLEARED] += 1
        queue.clear()
