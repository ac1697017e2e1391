"""Fast engine for one FIFO queue: one contact type, one agent group with constant staffing.

For a first-come-first-served queue with identical agents, a contact's fate depends only on the
contacts that arrived before it, so contacts can be processed in arrival order without an event
list. Keep the agents' next free times in a min-heap (the Kiefer–Wolfowitz workload vector of
the FIFO G/G/c queue, Kiefer & Wolfowitz, "On the theory of queues with many servers", *Trans.
AMS* 78, 1955). For an arrival at t with patience p, let f be the earliest free time:

* f <= t: answered at once (wait 0);
* otherwise it would wait f − t: it is answered at f if f <= t + p, and abandons at t + p
  otherwise — an abandoning contact uses no agent, so later contacts see the same heap.

Waiting contacts are tracked by their queue-exit times (only with a queue capacity), which gives
the queue length an arrival sees; balking, blocking, retrials (pushed into a second heap and
merged with the fresh arrivals in time order), busyness and time-varying arrival rates need
nothing more. With ``closing = "clear"``, a contact whose turn (or abandonment) comes after
closing is cleared at closing. Ties go to service, as in the event engine (an agent freeing at
the instant a contact arrives or runs out of patience answers it).

It computes exactly what :mod:`~symfonie.domain.wfm.sim_events` computes for such models from
the same day (a test checks this), several times faster.
"""

from __future__ import annotations

from heapq import heappop, heappush, heapreplace

from symfonie.domain.wfm.sim_day import DayArrivals, RetrialDraws
from symfonie.domain.wfm.sim_model import Closing, SimulationModel


def fifo_ineligible(model: SimulationModel) -> str | None:
    """Why ``model`` needs the event engine, or ``None`` if the FIFO engine can run it."""
    if len(model.contact_types) != 1:
        return "several contact types"
    if len(model.agent_groups) != 1:
        return "several agent groups"
    agents = model.agent_groups[0].agents
    if any(count != agents[0] for count in agents):
        return "staffing changes during the day"
    if agents[0] < 1:
        return "no agents"
    return None


def run_fifo_day(
    model: SimulationModel,
    day: DayArrivals,
    retrials: RetrialDraws,
    waits: list[float] | None = None,
) -> tuple[list[list[float]], list[list[float]]]:
    """Simulate one day of a :func:`fifo_ineligible`-free model.

    Returns the per-type tallies (one row, columns :data:`~symfonie.domain.wfm.sim_day.COUNTERS`)
    and the per-group tallies (one row: busy and present agent-seconds over [0, closing]).
    ``waits``, if given, receives the queue time (seconds) of every served contact in the
    order they are answered.
    """
    agents = model.agent_groups[0].agents[0]
    close = model.open_seconds
    threshold = model.threshold_seconds
    clear = model.closing is Closing.CLEAR
    capacity = -1 if model.queue_capacity is None else model.queue_capacity
    retry_on = retrials.enabled(0)
    times, services, patiences, balks = day.times, day.services, day.patiences, day.balks
    count = len(times)
    free = [0.0] * agents  # heap of the agents' next free times (seconds)
    exits: list[float] = []  # heap of queue-exit times of waiting contacts (with a capacity)
    pending: list[tuple[float, int, float, float, bool]] = []  # retrial attempts, by time
    index = sequence = 0
    served = in_target = abandoned = after_s = balked = blocked = cleared = retried = 0
    wait_total = busy = 0.0
    while True:
        if index < count and (not pending or times[index] <= pending[0][0]):
            t = times[index]
            service = services[index]
            patience = patiences[index]
            balks_now = balks[index]
            index += 1
        elif pending:
            t, _, service, patience, balks_now = heappop(pending)
            retried += 1
        else:
            break
        first_free = free[0]
        if first_free <= t:  # an idle agent answers at once
            served += 1
            in_target += 1  # wait 0 < threshold_seconds (> 0)
            if waits is not None:
                waits.append(0.0)
            end = t + service
            heapreplace(free, end)
            busy += (end if end < close else close) - t
            continue
        failed_at = -1.0
        if capacity >= 0:
            while exits and exits[0] <= t:
                heappop(exits)
            if len(exits) >= capacity:
                blocked += 1
                failed_at = t
        if failed_at < 0.0 and balks_now:
            balked += 1
            failed_at = t
        if failed_at < 0.0:
            leave = t + patience
            if first_free <= leave:
                if clear and first_free > close:
                    cleared += 1
                    exit_at = close
                else:
                    wait = first_free - t
                    served += 1
                    if wait < threshold:
                        in_target += 1
                    wait_total += wait
                    if waits is not None:
                        waits.append(wait)
                    end = first_free + service
                    heapreplace(free, end)
                    if first_free < close:
                        busy += (end if end < close else close) - first_free
                    exit_at = first_free
            elif clear and leave > close:
                cleared += 1
                exit_at = close
            else:
                abandoned += 1
                if patience >= threshold:
                    after_s += 1
                exit_at = failed_at = leave
            if capacity >= 0:
                heappush(exits, exit_at)
        if retry_on and failed_at >= 0.0:
            attempt = retrials.attempt(0)
            if attempt is not None:
                delay, _, new_service, new_patience, new_balks = attempt
                if failed_at + delay < close:
                    sequence += 1
                    heappush(
                        pending,
                        (failed_at + delay, sequence, new_service, new_patience, new_balks),
                    )
    arrivals = count + retried
    row = [
        float(arrivals),
        float(retried),
        float(served),
        float(in_target),
        wait_total,
        float(abandoned),
        float(after_s),
        float(balked),
        float(blocked),
        float(cleared),
    ]
    return [row], [[busy, agents * close]]
