"""Staffing: the fewest agents per interval that meet a target, vectorised over intervals.

A target (:class:`StaffingTarget`) combines any of: a service level (fraction answered within
``threshold_seconds``), a maximum ASA, a maximum P(wait), a maximum P(abandon) (Erlang A only),
always with a maximum occupancy. The smallest agent count meeting all of them is "agents"; the
number to schedule adds shrinkage (breaks, training, absence):
``scheduled_agents = ceil(agents / (1 − shrinkage))`` (the usual workforce-management rule, as in
the common Erlang calculators).

Models: without a patience, Erlang C (:mod:`symfonie.domain.wfm.erlang`); with
``patience_mean_seconds``, Erlang A (:mod:`symfonie.domain.wfm.erlang_a`), whose service-level
variant comes from the target.

Chat with concurrency k: an agent holds up to k conversations at once. We model the N agents as
N·k identical servers ("slots") in one M/M/(N·k) (+M) queue, with ``aht_seconds`` the mean
elapsed time of a conversation *at that concurrency*; only multiples of k are candidates, and
occupancy is the busy fraction of slots. The model assumes a conversation's duration does not
depend on how many other conversations its agent has; the slowdown is folded into the handle
time once, e.g. with :func:`conversation_seconds_at_concurrency` (a linear slowdown per extra
conversation). This is a first-order model, not an exact one: measure the conversation time at
the concurrency you staff for.

The searches themselves are in :mod:`symfonie.domain.wfm.search` (Erlang C: all intervals at
once in numpy, exactly the count-by-count answers; Erlang A: all intervals in lockstep on a
numpy screen from the Erlang C answer, each answer confirmed with the exact formulas).
Comparisons with a target allow 1e-12 of rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from symfonie.domain.wfm._checks import (
    check_agents,
    check_fraction,
    check_non_negative,
    check_positive,
)
from symfonie.domain.wfm.erlang import ErlangCMetrics, erlang_c_metrics
from symfonie.domain.wfm.erlang_a import ErlangAMetrics, ServiceLevelVariant, erlang_a_metrics
from symfonie.domain.wfm.search import erlang_a_staffing, erlang_c_staffing
from symfonie.domain.wfm.targets import StaffingTarget

__all__ = [
    "IntervalStaffing",
    "StaffingResult",
    "StaffingTarget",
    "conversation_seconds_at_concurrency",
    "required_agents",
    "scheduled_agents",
    "staff_intervals",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ArrayLike = npt.ArrayLike


@dataclass(frozen=True, slots=True)
class StaffingResult:
    """Staffing of one interval: ``metrics`` at ``agents × concurrency`` servers.

    ``metrics`` is ``None`` when no contacts arrive (then 0 agents are needed).
    """

    agents: int
    scheduled_agents: int
    concurrency: int
    metrics: ErlangCMetrics | ErlangAMetrics | None


@dataclass(frozen=True, slots=True)
class IntervalStaffing:
    """Staffing of many intervals at once; every array has the shape of the inputs.

    ``model`` is ``"erlang_c"`` or ``"erlang_a"``. ``service_level`` is of
    ``service_level_variant`` at ``threshold_seconds``; ``asa_seconds`` is over answered contacts,
    ``asa_all_arrivals_seconds`` over all arrivals (equal under Erlang C). An interval without
    contacts has 0 agents, P(wait) 0, service level 1, ASA 0 and occupancy 0.
    """

    model: str
    concurrency: int
    threshold_seconds: float
    service_level_variant: ServiceLevelVariant
    load_erlangs: FloatArray
    agents: IntArray
    scheduled_agents: IntArray
    p_wait: FloatArray
    p_abandon: FloatArray
    service_level: FloatArray
    asa_seconds: FloatArray
    asa_all_arrivals_seconds: FloatArray
    occupancy: FloatArray


def scheduled_agents(agents: int, shrinkage: float) -> int:
    """Agents to schedule so that ``agents`` are available: ``ceil(agents / (1 − shrinkage))``.

    ``shrinkage`` is the fraction of paid time not available for contacts, in [0, 1). A
    quotient within 1e-9 of an integer counts as that integer (14 / 0.7 is 20, not 21).
    """
    agents = check_agents("agents", agents, minimum=0)
    shrinkage = check_fraction("shrinkage", shrinkage, allow_zero=True, allow_one=False)
    return math.ceil(agents / (1.0 - shrinkage) - 1e-9)


def conversation_seconds_at_concurrency(
    aht_seconds: float, concurrency: int, slowdown_per_extra_conversation: float
) -> float:
    """Mean conversation duration in seconds when an agent runs ``concurrency`` at once.

    Linear slowdown model: ``aht_seconds × (1 + slowdown × (concurrency − 1))``, where
    ``aht_seconds`` is the duration of a conversation handled alone and the slowdown (>= 0) is
    the fractional increase per extra simultaneous conversation. A modelling assumption, not a
    published law: prefer a measured duration at the concurrency when you have one.
    """
    aht_seconds = check_positive("aht_seconds", aht_seconds)
    concurrency = check_agents("concurrency", concurrency, minimum=1)
    slowdown = check_non_negative(
        "slowdown_per_extra_conversation", slowdown_per_extra_conversation
    )
    return aht_seconds * (1.0 + slowdown * (concurrency - 1))


def _as_float_array(name: str, values: ArrayLike) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(array.ravel()))
    if bad.size:
        raise ValueError(f"{name} must be finite numbers, got {array.ravel()[bad[0]]!r}")
    return array


def staff_intervals(
    calls: ArrayLike,
    *,
    interval_minutes: float,
    aht_seconds: ArrayLike,
    target: StaffingTarget,
    shrinkage: float = 0.0,
    patience_mean_seconds: float | None = None,
    concurrency: int = 1,
) -> IntervalStaffing:
    """Staff many intervals at once: fewest agents per interval that meet ``target``.

    ``calls``: contacts arriving per interval (>= 0; 0 gives 0 agents), any array shape;
    ``aht_seconds``: mean handle time per contact, broadcast against ``calls``;
    ``interval_minutes`` > 0; ``shrinkage`` in [0, 1); ``patience_mean_seconds`` selects Erlang A
    (exponential patience, mean in seconds) instead of Erlang C; ``concurrency`` >= 1
    conversations per agent (chat, see the module docstring). Load per interval:
    ``A = calls × aht_seconds / (interval_minutes × 60)`` Erlang.
    """
    interval_minutes = check_positive("interval_minutes", interval_minutes)
    shrinkage = check_fraction("shrinkage", shrinkage, allow_zero=True, allow_one=False)
    concurrency = check_agents("concurrency", concurrency, minimum=1)
    if patience_mean_seconds is not None:
        patience_mean_seconds = check_positive("patience_mean_seconds", patience_mean_seconds)
    elif target.max_p_abandon is not None:
        raise ValueError("max_p_abandon needs patience_mean_seconds (Erlang A)")
    calls_array, aht_array = np.broadcast_arrays(
        _as_float_array("calls", calls), _as_float_array("aht_seconds", aht_seconds)
    )
    if (calls_array < 0.0).any():
        raise ValueError(f"calls must be >= 0, got {calls_array[calls_array < 0.0].flat[0]!r}")
    if (aht_array <= 0.0).any():
        raise ValueError(f"aht_seconds must be > 0, got {aht_array[aht_array <= 0.0].flat[0]!r}")
    shape = calls_array.shape
    loads = (calls_array * aht_array / (interval_minutes * 60.0)).ravel()
    aht = aht_array.ravel().astype(np.float64)

    if patience_mean_seconds is None:
        servers, p_wait, service_level, asa, occupancy = erlang_c_staffing(
            loads, aht, target, concurrency
        )
        p_abandon = np.zeros(loads.size)
        asa_all = asa
        model = "erlang_c"
    else:
        # Erlang C (without the abandonment target) gives the starting guess of the search.
        guess_target = target
        if target.max_p_abandon is not None:
            queue_targets = (target.service_level, target.max_asa_seconds, target.max_p_wait)
            if any(value is not None for value in queue_targets):
                guess_target = replace(target, max_p_abandon=None)
            else:
                guess_target = replace(target, max_p_abandon=None, max_p_wait=1.0)
        guesses = erlang_c_staffing(loads, aht, guess_target, concurrency)[0] // concurrency
        servers = np.zeros(loads.size, dtype=np.int64)
        p_wait, p_abandon = np.zeros(loads.size), np.zeros(loads.size)
        service_level, occupancy = np.ones(loads.size), np.zeros(loads.size)
        asa, asa_all = np.zeros(loads.size), np.zeros(loads.size)
        rows = np.flatnonzero(loads > 0.0)
        found = erlang_a_staffing(
            loads[rows], aht[rows], patience_mean_seconds, target, concurrency, guesses[rows]
        )
        for i, m in zip(rows.tolist(), found, strict=True):
            servers[i], p_wait[i], p_abandon[i] = m.agents, m.p_wait, m.p_abandon
            service_level[i] = m.service_level(target.service_level_variant)
            asa[i], asa_all[i] = m.asa_served_seconds, m.asa_all_arrivals_seconds
            occupancy[i] = m.occupancy
        model = "erlang_a"

    agents = servers // concurrency
    # scheduled_agents() for every interval at once: the same float operations, so the same
    # rounding (a quotient within 1e-9 above an integer counts as that integer).
    scheduled = np.ceil(agents / (1.0 - shrinkage) - 1e-9).astype(np.int64)
    return IntervalStaffing(
        model=model,
        concurrency=concurrency,
        threshold_seconds=float(target.threshold_seconds),
        service_level_variant=target.service_level_variant,
        load_erlangs=loads.reshape(shape),
        agents=agents.reshape(shape),
        scheduled_agents=scheduled.reshape(shape),
        p_wait=p_wait.reshape(shape),
        p_abandon=p_abandon.reshape(shape),
        service_level=service_level.reshape(shape),
        asa_seconds=asa.reshape(shape),
        asa_all_arrivals_seconds=asa_all.reshape(shape),
        occupancy=occupancy.reshape(shape),
    )


def required_agents(
    calls: float,
    *,
    interval_minutes: float,
    aht_seconds: float,
    target: StaffingTarget,
    shrinkage: float = 0.0,
    patience_mean_seconds: float | None = None,
    concurrency: int = 1,
) -> StaffingResult:
    """Staff one interval; arguments and units as in :func:`staff_intervals`.

    Returns the agents, the scheduled agents after shrinkage and the full Erlang C or Erlang A
    metrics at ``agents × concurrency`` servers.
    """
    staffing = staff_intervals(
        [calls],
        interval_minutes=interval_minutes,
        aht_seconds=aht_seconds,
        target=target,
        shrinkage=shrinkage,
        patience_mean_seconds=patience_mean_seconds,
        concurrency=concurrency,
    )
    agents = int(staffing.agents[0])
    scheduled = int(staffing.scheduled_agents[0])
    metrics: ErlangCMetrics | ErlangAMetrics | None = None
    if agents > 0:
        load = float(staffing.load_erlangs[0])
        servers = agents * staffing.concurrency
        if patience_mean_seconds is None:
            metrics = erlang_c_metrics(
                servers,
                load_erlangs=load,
                aht_seconds=aht_seconds,
                threshold_seconds=target.threshold_seconds,
            )
        else:
            metrics = erlang_a_metrics(
                servers,
                load_erlangs=load,
                aht_seconds=aht_seconds,
                patience_mean_seconds=patience_mean_seconds,
                threshold_seconds=target.threshold_seconds,
            )
    return StaffingResult(
        agents=agents, scheduled_agents=scheduled, concurrency=concurrency, metrics=metrics
    )
