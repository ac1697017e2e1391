"""The staffing searches behind :mod:`symfonie.domain.wfm.staffing` (smallest passing N).

Erlang C: one pass of Jagerman's Erlang B recursion ``B(n) = A·B(n−1) / (n + A·B(n−1))`` over
n = 1, 2, … for all intervals at once (numpy), checking an interval from its first stable count
(n > A) and retiring it at its first passing n; Erlang C metrics from B as in
:mod:`symfonie.domain.wfm.erlang`. Erlang A: per interval, start from the Erlang C answer, gallop
(steps 1, 2, 4, …) to bracket the answer, then bisect; one Erlang B recursion is reused.

Both rely on the metrics being monotone in the number of agents (property-tested: the service
level rises, P(wait), P(abandon) and the ASA fall, occupancy falls).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from symfonie.domain.wfm.erlang_a import ErlangAMetrics, erlang_a_metrics
from symfonie.domain.wfm.targets import StaffingTarget, meets_target

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Far beyond any real contact center; guards against a loop that rounding could keep going.
MAX_SERVERS = 2_000_000


def erlang_c_staffing(
    loads: FloatArray, aht: FloatArray, target: StaffingTarget, concurrency: int
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Fewest servers per interval meeting ``target`` under Erlang C, all intervals at once.

    ``loads``: offered load per interval in Erlang (0 gives 0 servers); ``aht``: handle time in
    seconds per interval; only multiples of ``concurrency`` are candidates. Returns servers,
    P(wait), service level (at ``target.threshold_seconds``), ASA in seconds and occupancy at
    that count. Formulas: Jagerman's Erlang B recursion, ``C = N·B / (N − A·(1 − B))``,
    ``SL = 1 − C·e^{−(N−A)·t/AHT}``, ``ASA = C·AHT / (N − A)``, occupancy ``A/N``.
    """
    size = loads.size
    servers = np.zeros(size, dtype=np.int64)
    p_wait = np.zeros(size)
    service_level = np.ones(size)
    asa = np.zeros(size)
    occupancy = np.zeros(size)
    active = loads > 0.0
    blocking = np.ones(size)
    smallest_load = float(loads[active].min()) if active.any() else 0.0
    n = 0
    while active.any():
        n += 1
        if n > MAX_SERVERS:
            raise ValueError(f"no staffing up to {MAX_SERVERS} servers meets the target")
        # Jagerman's Erlang B recursion, one step for every interval at once.
        blocking = loads * blocking / (n + loads * blocking)
        if n % concurrency or n <= smallest_load:
            continue
        idx = np.flatnonzero(active & (loads < n))
        if idx.size == 0:
            continue
        load, b, handle = loads[idx], blocking[idx], aht[idx]
        excess = n - load
        pw = n * b / (n - load * (1.0 - b))
        sl = 1.0 - pw * np.exp(-excess * target.threshold_seconds / handle)
        wait = pw * handle / excess
        occ = load / n
        ok = meets_target(
            target,
            p_wait=pw,
            p_abandon=np.zeros(idx.size),
            service_level=sl,
            asa_seconds=wait,
            occupancy=occ,
        )
        hit = idx[ok]
        servers[hit] = n
        p_wait[hit], service_level[hit], asa[hit], occupancy[hit] = (
            pw[ok],
            sl[ok],
            wait[ok],
            occ[ok],
        )
        active[hit] = False
    return servers, p_wait, service_level, asa, occupancy


class _ErlangBTable:
    """B(n, A) for n = 0, 1, ... by Jagerman's recursion, extended on demand."""

    def __init__(self, load: float) -> None:
        self._load = load
        self._values = [1.0]

    def __getitem__(self, servers: int) -> float:
        values, load = self._values, self._load
        while len(values) <= servers:
            previous = values[-1]
            values.append(load * previous / (len(values) + load * previous))
        return values[servers]


def erlang_a_staffing_one(
    load: float,
    aht_seconds: float,
    patience_mean_seconds: float,
    target: StaffingTarget,
    concurrency: int,
    guess_agents: int,
) -> ErlangAMetrics:
    """Erlang A metrics at the fewest servers (a multiple of ``concurrency``) meeting ``target``.

    ``load`` in Erlang (> 0), ``aht_seconds`` and ``patience_mean_seconds`` in seconds;
    ``guess_agents`` is where the search starts (the Erlang C answer is usually within a few
    agents). Gallops in steps 1, 2, 4, ... until the answer is bracketed, then bisects; the
    metrics are :func:`symfonie.domain.wfm.erlang_a.erlang_a_metrics` (Garnett, Mandelbaum &
    Reiman 2002).
    """
    table = _ErlangBTable(load)

    def evaluate(agent_count: int) -> tuple[ErlangAMetrics, bool]:
        servers = agent_count * concurrency
        if servers > MAX_SERVERS:
            raise ValueError(f"no staffing up to {MAX_SERVERS} servers meets the target")
        metrics = erlang_a_metrics(
            servers,
            load_erlangs=load,
            aht_seconds=aht_seconds,
            patience_mean_seconds=patience_mean_seconds,
            threshold_seconds=target.threshold_seconds,
            erlang_b_value=table[servers],
        )
        ok = meets_target(
            target,
            p_wait=np.array([metrics.p_wait]),
            p_abandon=np.array([metrics.p_abandon]),
            service_level=np.array([metrics.service_level(target.service_level_variant)]),
            asa_seconds=np.array([metrics.asa_served_seconds]),
            occupancy=np.array([metrics.occupancy]),
        )
        return metrics, bool(ok[0])

    guess = max(1, guess_agents)
    best, ok = evaluate(guess)
    step = 1
    if ok:  # gallop down; 0 agents never meets a target
        passing, failing = guess, 0
        while passing - step > 0:
            metrics, ok = evaluate(passing - step)
            if not ok:
                failing = passing - step
                break
            passing, best = passing - step, metrics
            step *= 2
    else:  # gallop up
        failing = guess
        while True:
            metrics, ok = evaluate(failing + step)
            if ok:
                passing, best = failing + step, metrics
                break
            failing += step
            step *= 2
    while passing - failing > 1:
        middle = (failing + passing) // 2
        metrics, ok = evaluate(middle)
        if ok:
            passing, best = middle, metrics
        else:
            failing = middle
    return best
