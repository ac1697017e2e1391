"""Erlang B and Erlang C (M/M/N) formulas for one interval, and Erlang B over many intervals.

Model (Erlang C, M/M/N): Poisson arrivals, exponential handle times with mean ``aht_seconds``,
``agents`` identical agents, one FIFO queue, nobody abandons. The offered load in Erlang is
``A = arrival rate × AHT``; the queue is stable only when ``A < agents``.

Numerics: no factorials. Erlang B comes from the recursion
``B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1))`` (Jagerman, "Some properties of the Erlang loss
function", Bell System Technical Journal 53, 1974), which stays in [0, 1] at every step, so
20,000 agents cost 20,000 multiplications and never overflow. Erlang C follows from B
(e.g. Cooper, *Introduction to Queueing Theory*, 2nd ed., 1981, the M/M/s model; Koole,
*Call Center Optimization*, 2013).

:func:`erlang_b_before` and :func:`erlang_b_steps` run the same recursion for many intervals at
once (numpy), with the same IEEE operations in the same order, so they give the very same
values as the one-interval loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from symfonie.domain.wfm._checks import check_agents, check_non_negative, check_positive

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Once this few intervals remain, the recursion runs on Python floats: numpy's per-call
# overhead would dominate (one 20,000-Erlang interval costs 20,000 steps).
_SCALAR_INTERVALS = 4


class UnstableQueueError(ValueError):
    """The offered load is at or above the number of agents: an Erlang C queue never empties.

    Raised by the Erlang C formulas for a fixed number of agents; the staffing functions never
    raise it, they search past it to a stable number of agents.
    """

    def __init__(self, agents: int, load_erlangs: float) -> None:
        super().__init__(
            f"offered load {load_erlangs:.6g} Erlang is at or above {agents} agents: an Erlang C "
            "queue is unstable (the wait grows without bound); add agents, or model abandonment "
            "with Erlang A"
        )
        self.agents = agents
        self.load_erlangs = load_erlangs


def offered_load_erlangs(calls: float, interval_minutes: float, aht_seconds: float) -> float:
    """Offered load in Erlang: ``calls × aht_seconds / (interval_minutes × 60)``.

    ``calls`` is the number of contacts arriving in one interval of ``interval_minutes``;
    the result is the mean number of agents the work would keep busy (Little's law).
    """
    calls = check_positive("calls", calls)
    interval_minutes = check_positive("interval_minutes", interval_minutes)
    aht_seconds = check_positive("aht_seconds", aht_seconds)
    return calls * aht_seconds / (interval_minutes * 60.0)


def erlang_b(agents: int, load_erlangs: float) -> float:
    """Erlang B blocking probability of an M/M/N/N loss system (dimensionless, in [0, 1]).

    ``agents`` >= 0, ``load_erlangs`` > 0. Computed with Jagerman's recursion
    ``B(n) = A·B(n-1) / (n + A·B(n-1))``, ``B(0) = 1``, which is stable for any number of agents.
    """
    agents = check_agents("agents", agents, minimum=0)
    load = check_positive("load_erlangs", load_erlangs)
    blocking = 1.0
    for servers in range(1, agents + 1):
        blocking = load * blocking / (servers + load * blocking)
    return blocking


def _erlang_c_from_b(agents: int, load: float, blocking: float) -> float:
    # C = N·B / (N − A·(1 − B)); the denominator is > 0 whenever A < N.
    return agents * blocking / (agents - load * (1.0 - blocking))


def _check_stable(agents: int, load_erlangs: float) -> tuple[int, float]:
    agents = check_agents("agents", agents, minimum=1)
    load = check_positive("load_erlangs", load_erlangs)
    if load >= agents:
        raise UnstableQueueError(agents, load)
    return agents, load


def erlang_c(agents: int, load_erlangs: float) -> float:
    """Erlang C probability that an arriving contact waits, P(wait) (dimensionless, in [0, 1]).

    ``C(N, A) = N·B(N, A) / (N − A·(1 − B(N, A)))`` with ``B`` from :func:`erlang_b`
    (Cooper 1981). Raises :class:`UnstableQueueError` when ``load_erlangs >= agents``.
    """
    agents, load = _check_stable(agents, load_erlangs)
    return _erlang_c_from_b(agents, load, erlang_b(agents, load))


def erlang_c_service_level(
    agents: int, load_erlangs: float, aht_seconds: float, threshold_seconds: float
) -> float:
    """Fraction of contacts answered within ``threshold_seconds`` (Erlang C, in [0, 1]).

    ``SL = 1 − C(N, A)·exp(−(N − A)·t / AHT)``: the wait of a delayed contact is exponential
    with rate ``(N − A)/AHT`` (Cooper 1981; Koole 2013). Without abandonment the
    fraction over all arrivals equals the fraction over answered contacts.
    """
    agents, load = _check_stable(agents, load_erlangs)
    aht_seconds = check_positive("aht_seconds", aht_seconds)
    threshold_seconds = check_non_negative("threshold_seconds", threshold_seconds)
    p_wait = _erlang_c_from_b(agents, load, erlang_b(agents, load))
    return 1.0 - p_wait * math.exp(-(agents - load) * threshold_seconds / aht_seconds)


def erlang_c_asa_seconds(agents: int, load_erlangs: float, aht_seconds: float) -> float:
    """Average speed of answer in seconds over all contacts (Erlang C).

    ``ASA = C(N, A)·AHT / (N − A)`` (Cooper 1981): the mean queue time, with the contacts
    answered at once counted as zero.
    """
    agents, load = _check_stable(agents, load_erlangs)
    aht_seconds = check_positive("aht_seconds", aht_seconds)
    p_wait = _erlang_c_from_b(agents, load, erlang_b(agents, load))
    return p_wait * aht_seconds / (agents - load)


def erlang_c_occupancy(agents: int, load_erlangs: float) -> float:
    """Agent occupancy ``A / N`` (busy fraction of agent time, Erlang C, in [0, 1)).

    Everyone is served in Erlang C, so the carried load equals the offered load.
    """
    agents, load = _check_stable(agents, load_erlangs)
    return load / agents


@dataclass(frozen=True, slots=True)
class ErlangCMetrics:
    """Erlang C results for one interval at a fixed number of agents (see the functions above)."""

    agents: int
    load_erlangs: float
    p_wait: float
    service_level: float
    threshold_seconds: float
    asa_seconds: float
    occupancy: float


def erlang_c_metrics(
    agents: int, *, load_erlangs: float, aht_seconds: float, threshold_seconds: float
) -> ErlangCMetrics:
    """All Erlang C results at once, with one Erlang B recursion.

    Units: ``aht_seconds`` and ``threshold_seconds`` in seconds, ``asa_seconds`` in seconds,
    probabilities and occupancy as fractions. Formulas as in :func:`erlang_c`,
    :func:`erlang_c_service_level`, :func:`erlang_c_asa_seconds` and
    :func:`erlang_c_occupancy`. Raises :class:`UnstableQueueError` when ``load_erlangs >= agents``.
    """
    agents, load = _check_stable(agents, load_erlangs)
    aht_seconds = check_positive("aht_seconds", aht_seconds)
    threshold_seconds = check_non_negative("threshold_seconds", threshold_seconds)
    p_wait = _erlang_c_from_b(agents, load, erlang_b(agents, load))
    excess = agents - load
    return ErlangCMetrics(
        agents=agents,
        load_erlangs=load,
        p_wait=p_wait,
        service_level=1.0 - p_wait * math.exp(-excess * threshold_seconds / aht_seconds),
        threshold_seconds=threshold_seconds,
        asa_seconds=p_wait * aht_seconds / excess,
        occupancy=load / agents,
    )


def erlang_b_before(loads_erlangs: FloatArray, agents: IntArray) -> FloatArray:
    """B(agents − 1, A) per interval (dimensionless), for loads > 0 and agents >= 1.

    Jagerman's recursion for all intervals at once: step n updates only the intervals with
    more than n agents, so each stops at its own count and the work is the sum of the counts.
    """
    order = np.argsort(agents, kind="stable")
    counts, loads = agents[order], loads_erlangs[order]
    blocking, product, denominator = np.ones(loads.size), np.empty(loads.size), np.empty(loads.size)
    top = int(counts[-1]) if counts.size else 0
    starts = np.searchsorted(counts, np.arange(1, top), side="right")
    for servers in range(1, top):
        start = int(starts[servers - 1])  # the intervals from here on have more agents
        if loads.size - start <= _SCALAR_INTERVALS:
            for row in range(start, loads.size):
                load, value = float(loads[row]), float(blocking[row])
                for n in range(servers, int(counts[row])):
                    value = load * value / (n + load * value)
                blocking[row] = value
            break
        rest, scratch, sums = blocking[start:], product[start:], denominator[start:]
        np.multiply(loads[start:], rest, out=scratch)
        np.add(scratch, float(servers), out=sums)
        np.divide(scratch, sums, out=rest)
    result = np.empty(loads.size)
    result[order] = blocking
    return result


def erlang_b_steps(
    loads_erlangs: FloatArray, blocking: FloatArray, agents: IntArray, count: int, stride: int
) -> tuple[FloatArray, FloatArray]:
    """Rows k < ``count`` of B(agents + k·stride, A), given ``blocking`` = B(agents − 1, A).

    Also returns B(agents + count·stride − 1, A), where a next call continues. Jagerman's
    recursion, one numpy step for all intervals.
    """
    table = np.empty((count, loads_erlangs.size))
    value = blocking.copy()
    servers = agents.astype(np.float64)
    product, denominator = np.empty(value.size), np.empty(value.size)
    for step in range(count * stride):
        np.multiply(loads_erlangs, value, out=product)
        np.add(product, servers, out=denominator)
        np.divide(product, denominator, out=value)
        servers += 1.0
        if step % stride == 0:
            table[step // stride] = value
    return table, value
