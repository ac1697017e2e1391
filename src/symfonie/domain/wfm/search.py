"""The staffing searches behind :mod:`symfonie.domain.wfm.staffing` (smallest passing N).

Erlang C, all intervals at once (numpy). No count below an interval's first candidate can pass
(the smallest multiple of the concurrency above the load A and above A / max occupancy, less
one), so one sweep of Jagerman's recursion ``B(n) = A·B(n−1) / (n + A·B(n−1))``
(:func:`~symfonie.domain.wfm.erlang.erlang_b_before`) takes every interval to its own first
candidate. Then, per round, ``_WINDOW`` candidates of every open interval are evaluated as one
(candidates × intervals) matrix and the first passing one is taken; open intervals continue the
recursion where it stopped, so no upper bound is guessed and none can be wrong. B and the
metrics use the floating-point operations of :mod:`symfonie.domain.wfm.erlang` in the same
order: answers and metrics are bit for bit those of a count-by-count search.

Erlang A: from the Erlang C answer, gallop (steps 1, 2, 4, …) to bracket the answer, then
bisect, for all intervals in lockstep on a vectorised screen of the Erlang A formulas; each
answer is then confirmed with the exact formulas (:func:`erlang_a_staffing`).

Both rely on the metrics being monotone in the number of agents (property-tested: the service
level rises, P(wait), P(abandon) and the ASA fall, occupancy falls).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from symfonie.domain.wfm.erlang import erlang_b_before, erlang_b_steps
from symfonie.domain.wfm.erlang_a import ErlangAMetrics, ServiceLevelVariant, erlang_a_metrics
from symfonie.domain.wfm.targets import TOLERANCE, StaffingTarget, meets_target

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Far beyond any real contact center; guards against a loop that rounding could keep going.
MAX_SERVERS = 2_000_000


# Candidates checked per open interval and round, in one numpy pass: most intervals are settled
# at their first or second candidate.
_WINDOW = 4


def _first_candidates(loads: FloatArray, max_occupancy: float, concurrency: int) -> IntArray:
    """Smallest count per interval worth checking: a multiple of ``concurrency`` above the load
    (stability, n > A) and above ``A / max_occupancy``, less one for rounding (every smaller
    count fails the occupancy check by a relative margin >= 1/n, far above rounding)."""
    if loads.size and float(loads.max()) >= MAX_SERVERS:
        raise ValueError(f"no staffing up to {MAX_SERVERS} servers meets the target")
    stable = np.floor(loads / concurrency).astype(np.int64) * concurrency
    stable = np.where(stable <= loads, stable + concurrency, stable)
    too_busy = np.floor(loads / (max_occupancy + TOLERANCE)).astype(np.int64) - 1
    by_occupancy = (too_busy + concurrency) // concurrency * concurrency
    first: IntArray = np.maximum(stable, by_occupancy)
    if first.size and int(first.max()) > MAX_SERVERS:
        raise ValueError(f"no staffing up to {MAX_SERVERS} servers meets the target")
    return first


def _erlang_c_values(
    servers: FloatArray, load: FloatArray, blocking: FloatArray, aht: FloatArray, threshold: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """P(wait), service level, ASA (s) and occupancy at ``servers`` > ``load`` (broadcast)."""
    excess = servers - load
    p_wait = servers * blocking / (servers - load * (1.0 - blocking))
    service_level = 1.0 - p_wait * np.exp(-excess * threshold / aht)
    return p_wait, service_level, p_wait * aht / excess, load / servers


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
    p_wait, service_level = np.zeros(size), np.ones(size)
    asa, occupancy = np.zeros(size), np.zeros(size)
    rows = np.flatnonzero(loads > 0.0)
    first = _first_candidates(loads[rows], target.max_occupancy, concurrency)
    load, handle = loads[rows], aht[rows]
    blocking = erlang_b_before(load, first)
    offsets = np.arange(_WINDOW)[:, None] * concurrency
    while rows.size:
        table, blocking = erlang_b_steps(load, blocking, first, _WINDOW, concurrency)
        counts = first + offsets
        pw, sl, wait, occ = _erlang_c_values(
            counts.astype(np.float64), load, table, handle, target.threshold_seconds
        )
        ok = meets_target(
            target,
            p_wait=pw,
            p_abandon=np.zeros(pw.shape),
            service_level=sl,
            asa_seconds=wait,
            occupancy=occ,
        )
        ok &= counts <= MAX_SERVERS
        solved = np.flatnonzero(ok.any(axis=0))
        at = ok[:, solved].argmax(axis=0)
        hit = rows[solved]
        servers[hit] = counts[at, solved]
        p_wait[hit], service_level[hit] = pw[at, solved], sl[at, solved]
        asa[hit], occupancy[hit] = wait[at, solved], occ[at, solved]
        keep = np.ones(rows.size, dtype=bool)
        keep[solved] = False
        first = first[keep] + _WINDOW * concurrency
        rows, load, handle, blocking = rows[keep], load[keep], handle[keep], blocking[keep]
        if first.size and int(first.max()) > MAX_SERVERS:
            raise ValueError(f"no staffing up to {MAX_SERVERS} servers meets the target")
    return servers, p_wait, service_level, asa, occupancy


class _ErlangBTable:
    """B(n, A) for n = 0, 1, ... by Jagerman's recursion, extended on demand."""

    def __init__(self, load: float) -> None:
        self._load = load
        self._values = [1.0]

    def __getitem__(self, servers: int) -> float:
        values, load = self._values, self._load
        if servers >= len(values):
            b = values[-1]
            for n in range(len(values), servers + 1):
                b = load * b / (n + load * b)
                values.append(b)
        return values[servers]


# The Erlang A screen: erlang_a_metrics' formulas for many (servers, load) pairs in one numpy pass.
# It agrees with the exact function to ~1e-15; a "fails" is trusted only this far past the target.
_SCREEN_MARGIN = 1e-9
_LOG_NEGLIGIBLE = 46.0  # queue states below e^-46 of the likeliest are dropped, as in erlang_a
_SCREEN_MAX_STATES = 1 << 16  # pairs needing more queue states go to the exact search instead
_SCREEN_CELLS = 1 << 21  # pairs × queue states per numpy pass (16 MB per array)


def _erlang_a_screen(
    servers: FloatArray,
    loads: FloatArray,
    aht: FloatArray,
    blocking: FloatArray,
    patience_mean_seconds: float,
    target: StaffingTarget,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """P(wait), P(abandon), service level (target's variant), ASA of answered contacts (s) and
    occupancy under Erlang A for each pair, NaN where a pair needs too many queue states.

    Same birth–death chain and Beta/negative-binomial identities as
    :func:`symfonie.domain.wfm.erlang_a.erlang_a_metrics` (Garnett, Mandelbaum & Reiman 2002),
    the queue states of all pairs padded to one length: the padding holds states below e^-46 of
    the likeliest one, so the values differ from the exact function only by rounding.
    """
    service_rate = 1.0 / aht
    arrival_rate, capacity_rate = loads * service_rate, servers * service_rate
    abandon_rate = 1.0 / patience_mean_seconds
    peak = np.maximum(0.0, (arrival_rate - capacity_rate) / abandon_rate)
    states = 2 ** np.ceil(np.log2(np.maximum(64.0, 2.0 * peak + 64.0)))
    result = np.full((5, servers.size), np.nan)
    pending, size = np.arange(servers.size), 64
    while pending.size and size <= _SCREEN_MAX_STATES:
        now, pending = pending[states[pending] <= size], pending[states[pending] > size]
        for part in np.array_split(now, max(1, -(-now.size * (size + 1) // _SCREEN_CELLS))):
            j = np.arange(1, size + 1, dtype=np.float64)
            lam, cap = arrival_rate[part, None], capacity_rate[part, None]
            log_weights = np.zeros((part.size, size + 1))
            np.cumsum(np.log(lam) - np.log(cap + j * abandon_rate), axis=1, out=log_weights[:, 1:])
            top = log_weights.max(axis=1)
            last_ratio = np.minimum(lam[:, 0] / (cap[:, 0] + size * abandon_rate), 1.0)
            with np.errstate(divide="ignore"):
                tail = log_weights[:, -1] - np.log1p(-last_ratio)
            done = (last_ratio < 1.0) & (tail < top - _LOG_NEGLIGIBLE)
            pending = np.concatenate([pending, part[~done]])
            if done.any():
                result[:, part[done]] = _erlang_a_rows(
                    log_weights[done],
                    top[done],
                    blocking[part[done]],
                    servers[part[done]],
                    loads[part[done]],
                    capacity_rate[part[done]],
                    patience_mean_seconds,
                    target,
                )
        size *= 2
    return result[0], result[1], result[2], result[3], result[4]


def _erlang_a_rows(
    log_weights: FloatArray,
    top: FloatArray,
    blocking: FloatArray,
    servers: FloatArray,
    loads: FloatArray,
    capacity_rate: FloatArray,
    patience_mean_seconds: float,
    target: StaffingTarget,
) -> FloatArray:
    """The rows of :func:`_erlang_a_screen`: erlang_a_metrics line by line, one pair per row."""
    abandon_rate = 1.0 / patience_mean_seconds
    weights = np.exp(log_weights - top[:, None])
    weight_sum = weights.sum(axis=1)
    ahead = weights / weight_sum[:, None]
    p_wait = np.clip(blocking / (blocking + (1.0 - blocking) * (np.exp(-top) / weight_sum)), 0, 1)
    j = np.arange(log_weights.shape[1], dtype=np.float64)
    c = (capacity_rate / abandon_rate)[:, None]
    p_served = c / (c + j + 1.0)
    p_abandon = np.clip(p_wait * (ahead * ((j + 1.0) / (c + j + 1.0))).sum(axis=1), 0, 1)
    theta_t = abandon_rate * target.threshold_seconds
    if theta_t == 0.0:
        served_within = abandoned_within = np.zeros(log_weights.shape)
    else:
        log_x, log_one_minus_x, k = -theta_t, math.log(-math.expm1(-theta_t)), j[1:]

        def negative_binomial_cdf(successes: FloatArray) -> FloatArray:
            log_pmf = np.empty(log_weights.shape)
            log_pmf[:, :1] = successes * log_x
            log_pmf[:, 1:] = (
                successes * log_x
                + np.cumsum(np.log((successes + k - 1.0) / k), axis=1)
                + k * log_one_minus_x
            )
            cdf: FloatArray = np.minimum(np.cumsum(np.exp(log_pmf), axis=1), 1.0)
            return cdf

        served_within = p_served * (1.0 - negative_binomial_cdf(c + 1.0))
        abandoned_within = np.maximum(
            1.0 - math.exp(log_x) * negative_binomial_cdf(c) - served_within, 0.0
        )
    answered_within = np.clip(1.0 - p_wait + p_wait * (ahead * served_within).sum(axis=1), 0, 1)
    harmonic = np.cumsum(1.0 / (capacity_rate[:, None] + (j + 1.0) * abandon_rate), axis=1)
    served_wait = p_wait * (ahead * p_served * harmonic).sum(axis=1)
    answered = 1.0 - p_abandon
    # The variant is picked as ErlangAMetrics.service_level picks it.
    variant = target.service_level_variant
    if variant is ServiceLevelVariant.ALL_ARRIVALS:
        service_level = answered_within
    elif variant is ServiceLevelVariant.SERVED:
        service_level = np.clip(answered_within / np.where(answered > 0, answered, 1), 0, 1)
        service_level = np.where(answered > 0, service_level, 0.0)
    else:
        kept = 1.0 - np.clip(p_wait * (ahead * abandoned_within).sum(axis=1), 0, 1)
        service_level = np.clip(answered_within / np.where(kept > 0, kept, 1), 0, 1)
        service_level = np.where(kept > 0, service_level, 0.0)
    asa = np.where(answered > 0, served_wait / np.where(answered > 0, answered, 1), 0.0)
    occupancy = np.clip(loads * answered / servers, 0, 1)
    return np.stack([p_wait, p_abandon, service_level, asa, occupancy])


# judge(rows, agents) -> (meets the target, fails it surely, could be judged), per row.
Judge = Callable[[IntArray, IntArray], tuple[BoolArray, BoolArray, BoolArray]]


def _lockstep_search(guesses: IntArray, judge: Judge) -> tuple[IntArray, BoolArray, BoolArray]:
    """Fewest agents per row that ``judge`` passes, all rows in lockstep, one call per step.

    Per row the classic search: from the guess, gallop down (steps 1, 2, 4, …) while counts
    pass, or up while they fail, then bisect; 0 agents always fail. Returns the answer, whether
    the count below it surely failed (or is 0), and whether every probe of the row was judged.
    Relies on the metrics being monotone in the number of agents.
    """
    size = guesses.size
    low = np.zeros(size, dtype=np.int64)  # known to fail
    high = np.zeros(size, dtype=np.int64)  # known to pass (0: none yet)
    sure_low, judged = np.ones(size, dtype=bool), np.ones(size, dtype=bool)
    bisecting = np.zeros(size, dtype=bool)
    step = np.ones(size, dtype=np.int64)
    probe = np.maximum(guesses, 1).astype(np.int64)
    rows = np.arange(size)
    while rows.size:
        ok, sure_fail, judged[rows] = judge(rows, probe[rows])
        p, lo, hi = probe[rows], low[rows], high[rows]
        b = bisecting[rows] | np.where(ok, lo > 0, hi > 0)  # bracketed from both sides
        hi, lo = np.where(ok, p, hi), np.where(ok, lo, p)
        sure_low[rows] = np.where(ok, sure_low[rows], sure_fail)
        s = step[rows]
        following = np.where(hi == 0, lo + s, hi - s)  # gallop up, or down from a pass
        b |= (hi > 0) & (following <= lo)
        bisecting[rows], low[rows], high[rows] = b, lo, hi
        probe[rows] = np.where(b, (lo + hi) // 2, following)
        step[rows] = np.where(b, s, 2 * s)
        rows = rows[~((hi > 0) & (hi - lo <= 1)) & judged[rows]]
    return high, sure_low, judged


def erlang_a_staffing(
    loads: FloatArray,
    aht: FloatArray,
    patience_mean_seconds: float,
    target: StaffingTarget,
    concurrency: int,
    guesses: IntArray,
) -> list[ErlangAMetrics]:
    """Exact Erlang A metrics at the fewest agents meeting ``target``, per interval.

    ``loads`` in Erlang (> 0), ``aht`` and ``patience_mean_seconds`` in seconds, ``guesses``
    in agents (the Erlang C answers, usually within a few agents); servers are agents ×
    ``concurrency``. The search (:func:`_lockstep_search`) first runs on the screen
    (:func:`_erlang_a_screen`, all intervals per numpy pass). Its answer N is then checked
    exactly with :func:`~symfonie.domain.wfm.erlang_a.erlang_a_metrics` (Garnett, Mandelbaum &
    Reiman 2002): N must meet the target, and N − 1 must fail it, on the screen by more than
    the margin or else exactly. An interval that fails a check, or that the screen cannot take,
    is searched again on exact metrics alone, so every answer is the exact search's.
    """
    tables = [_ErlangBTable(float(load)) for load in loads]

    def servers_of(agents: IntArray) -> IntArray:
        servers: IntArray = agents * concurrency
        if servers.size and int(servers.max()) > MAX_SERVERS:
            raise ValueError(f"no staffing up to {MAX_SERVERS} servers meets the target")
        return servers

    def exact(row: int, agents: int) -> tuple[ErlangAMetrics, bool]:
        servers = agents * concurrency
        metrics = erlang_a_metrics(
            servers,
            load_erlangs=float(loads[row]),
            aht_seconds=float(aht[row]),
            patience_mean_seconds=patience_mean_seconds,
            threshold_seconds=target.threshold_seconds,
            erlang_b_value=tables[row][servers],
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

    def on_screen(rows: IntArray, agents: IntArray) -> tuple[BoolArray, BoolArray, BoolArray]:
        servers = servers_of(agents)
        blocking = [tables[r][n] for r, n in zip(rows.tolist(), servers.tolist(), strict=True)]
        pw, pa, sl, asa, occ = _erlang_a_screen(
            servers.astype(np.float64),
            loads[rows],
            aht[rows],
            np.array(blocking),
            patience_mean_seconds,
            target,
        )
        ok = meets_target(
            target, p_wait=pw, p_abandon=pa, service_level=sl, asa_seconds=asa, occupancy=occ
        )
        m = _SCREEN_MARGIN  # fails even with every metric moved this far towards the target
        sure_fail = ~meets_target(
            target,
            p_wait=pw - m,
            p_abandon=pa - m,
            service_level=sl + m,
            asa_seconds=asa * (1.0 - m) - m,
            occupancy=occ - m,
        )
        return ok, sure_fail, ~np.isnan(occ)

    answers, sure_below, judged = _lockstep_search(guesses, on_screen)
    results: list[ErlangAMetrics | None] = [None] * loads.size
    for row in np.flatnonzero(judged).tolist():
        metrics, ok = exact(row, int(answers[row]))
        if ok and (sure_below[row] or not exact(row, int(answers[row]) - 1)[1]):
            results[row] = metrics
    retry = np.array([row for row, found in enumerate(results) if found is None], dtype=np.int64)

    def exactly(rows: IntArray, agents: IntArray) -> tuple[BoolArray, BoolArray, BoolArray]:
        servers_of(agents)
        pairs = zip(retry[rows].tolist(), agents.tolist(), strict=True)
        ok = np.array([exact(row, count)[1] for row, count in pairs], dtype=bool)
        return ok, ~ok, np.ones(rows.size, dtype=bool)

    if retry.size:
        for row, agents in zip(
            retry.tolist(), _lockstep_search(guesses[retry], exactly)[0], strict=True
        ):
            results[row] = exact(row, int(agents))[0]
    return [metrics for metrics in results if metrics is not None]
