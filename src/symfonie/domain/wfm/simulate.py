"""Discrete-event contact-center simulation: independent days, KPIs with confidence intervals.

``simulate(model, replications, seed=...)`` simulates ``replications`` independent days of a
:class:`~symfonie.domain.wfm.sim_model.SimulationModel`. Day r draws from its own generator,
``numpy.random.Generator(PCG64(SeedSequence(seed).spawn(replications)[r]))``, so a seed
reproduces every number, the first k days of a longer run are the k days of a shorter one, and
two models that differ only in staffing see the same callers (common random numbers).

Engines: ``fifo`` (:mod:`~symfonie.domain.wfm.sim_fifo`, one type and one constant group, no
event list) and ``event`` (:mod:`~symfonie.domain.wfm.sim_events`, everything); ``auto`` picks
``fifo`` when it applies. Both give identical days for models both can run.

KPIs (all over the whole day, contacts served after closing included; per contact type and for
all types together). s = ``threshold_seconds``; "in target" = served with wait strictly < s:

====================================================  ==========================================
``service_level_served``                              in target / served
``service_level_served_plus_abandoned_after_s``       in target / (served + abandoned with wait
                                                      >= s)
``service_level_with_blocked_in_denominator``         in target / (served + blocked)
``service_level_all_arrivals``                        in target / arrivals (attempts)
``asa_seconds``                                       queue time of served / served
``abandoned_fraction``                                abandoned / arrivals
``occupancy``                                         ∫ busy agents dt / ∫ present agents dt over
                                                      [0, closing]
``<counter>_per_day``                                 mean per day of each tally in
                                                      :data:`~symfonie.domain.wfm.sim_day.COUNTERS`
====================================================  ==========================================

The first three are ContactCenters' "service level", "service level with abandonment" and
"service level with blocked contacts"; ``all_arrivals`` and ``served`` match the Erlang A variants
of :mod:`~symfonie.domain.wfm.erlang_a`. Ratios are ratios of daily means with delta-method
intervals (:mod:`~symfonie.domain.wfm.sim_stats`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from symfonie.domain.wfm.sim_day import (
    ABANDONED,
    ABANDONED_AFTER_S,
    ARRIVALS,
    BLOCKED,
    COUNTERS,
    IN_TARGET,
    SERVED,
    WAIT,
    DayArrivals,
    RetrialDraws,
    draw_day,
)
from symfonie.domain.wfm.sim_events import run_event_day
from symfonie.domain.wfm.sim_fifo import fifo_ineligible, run_fifo_day
from symfonie.domain.wfm.sim_model import SimulationModel
from symfonie.domain.wfm.sim_stats import Estimate, mean_estimate, ratio_estimate

FloatArray = npt.NDArray[np.float64]
DayEngine = Callable[
    [SimulationModel, DayArrivals, RetrialDraws], tuple[list[list[float]], list[list[float]]]
]


class Engine(StrEnum):
    """Which simulation engine runs the days (see the module docstring)."""

    AUTO = "auto"
    EVENT = "event"
    FIFO = "fifo"


# name: (numerator counters, denominator counters, definition)
RATIO_KPIS: dict[str, tuple[tuple[int, ...], tuple[int, ...], str]] = {
    "service_level_served": ((IN_TARGET,), (SERVED,), "in target / served"),
    "service_level_served_plus_abandoned_after_s": (
        (IN_TARGET,),
        (SERVED, ABANDONED_AFTER_S),
        "in target / (served + abandoned with wait >= s)",
    ),
    "service_level_with_blocked_in_denominator": (
        (IN_TARGET,),
        (SERVED, BLOCKED),
        "in target / (served + blocked)",
    ),
    "service_level_all_arrivals": ((IN_TARGET,), (ARRIVALS,), "in target / arrivals"),
    "asa_seconds": ((WAIT,), (SERVED,), "total queue time of served / served (seconds)"),
    "abandoned_fraction": ((ABANDONED,), (ARRIVALS,), "abandoned / arrivals"),
}
OCCUPANCY_DEFINITION = "∫ busy agents dt / ∫ present agents dt over [0, closing]"
IN_TARGET_DEFINITION = "served with wait strictly less than threshold_seconds"


@dataclass(frozen=True, slots=True)
class SimulatedDays:
    """The raw tallies of every simulated day.

    ``types``: shape (days, contact types, len(COUNTERS)); ``groups``: shape (days, agent
    groups, 2) with busy and present agent-seconds over [0, closing]. ``busyness``: the day
    factors B. ``seed_entropy`` reproduces the run with ``seed=seed_entropy``.
    """

    types: FloatArray
    groups: FloatArray
    busyness: FloatArray
    engine: Engine
    seed_entropy: int


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """KPI estimates of a simulation run, all types together and per type and group."""

    model_name: str
    replications: int
    seed: int
    engine: Engine
    confidence_level: float
    threshold_seconds: float
    overall: dict[str, Estimate]
    by_contact_type: dict[str, dict[str, Estimate]]
    by_agent_group: dict[str, dict[str, Estimate]]
    days: SimulatedDays

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: each KPI as ``{"mean", "ci_low", "ci_high"}`` (``null`` if
        undefined), plus the definitions of the service-level variants printed."""
        return {
            "model": self.model_name,
            "replications": self.replications,
            "seed": self.seed,
            "engine": self.engine.value,
            "confidence_level": self.confidence_level,
            "threshold_seconds": self.threshold_seconds,
            "definitions": {
                "in_target": IN_TARGET_DEFINITION,
                **{name: spec[2] for name, spec in RATIO_KPIS.items()},
                "occupancy": OCCUPANCY_DEFINITION,
            },
            "kpis": _as_json(self.overall),
            "by_contact_type": {
                name: _as_json(kpis) for name, kpis in self.by_contact_type.items()
            },
            "by_agent_group": {name: _as_json(kpis) for name, kpis in self.by_agent_group.items()},
        }


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def _as_json(kpis: dict[str, Estimate]) -> dict[str, dict[str, float | None]]:
    return {
        name: {
            "mean": _number(estimate.mean),
            "ci_low": _number(estimate.low),
            "ci_high": _number(estimate.high),
        }
        for name, estimate in kpis.items()
    }


def choose_engine(model: SimulationModel, engine: Engine = Engine.AUTO) -> Engine:
    """The engine that will run ``model``; ``ValueError`` if ``fifo`` is asked but cannot."""
    reason = fifo_ineligible(model)
    if engine is Engine.FIFO and reason is not None:
        raise ValueError(f"engine fifo cannot run this model: {reason}")
    if engine is Engine.AUTO:
        return Engine.FIFO if reason is None else Engine.EVENT
    return engine


def simulate_days(
    model: SimulationModel,
    replications: int,
    *,
    seed: int | None = None,
    engine: Engine = Engine.AUTO,
) -> SimulatedDays:
    """Simulate ``replications`` (>= 1) independent days; raw tallies (see the module doc).

    ``seed`` (an integer >= 0) fixes every random draw; ``None`` takes fresh OS entropy, which
    is returned as ``seed_entropy``.
    """
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ValueError(f"replications must be an integer >= 1, got {replications!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    used = choose_engine(model, engine)
    run_day: DayEngine = run_fifo_day if used is Engine.FIFO else run_event_day
    root = np.random.SeedSequence(seed)
    types = np.empty((replications, len(model.contact_types), len(COUNTERS)))
    groups = np.empty((replications, len(model.agent_groups), 2))
    busyness = np.empty(replications)
    for day_index, child in enumerate(root.spawn(replications)):
        rng = np.random.Generator(np.random.PCG64(child))
        day = draw_day(model, rng)
        type_rows, group_rows = run_day(model, day, RetrialDraws(model, rng))
        types[day_index] = type_rows
        groups[day_index] = group_rows
        busyness[day_index] = day.busyness
    entropy = root.entropy
    assert isinstance(entropy, int)  # SeedSequence(int | None) keeps a single integer
    return SimulatedDays(types, groups, busyness, used, entropy)


def kpis_from_tallies(
    tallies: FloatArray, groups: FloatArray | None, level: float = 0.95
) -> dict[str, Estimate]:
    """KPI estimates from per-day tallies of shape (days, len(COUNTERS)).

    ``groups`` (days, 2) adds ``occupancy``; ratio KPIs per :data:`RATIO_KPIS`.
    """
    kpis: dict[str, Estimate] = {}
    for name, (numerator, denominator, _) in RATIO_KPIS.items():
        kpis[name] = ratio_estimate(
            tallies[:, list(numerator)].sum(axis=1),
            tallies[:, list(denominator)].sum(axis=1),
            level,
        )
    if groups is not None:
        kpis["occupancy"] = ratio_estimate(groups[:, 0], groups[:, 1], level)
    for column, counter in enumerate(COUNTERS):
        if column != WAIT:
            kpis[f"{counter}_per_day"] = mean_estimate(tallies[:, column], level)
    return kpis


def simulate(
    model: SimulationModel,
    replications: int,
    *,
    seed: int | None = None,
    engine: Engine = Engine.AUTO,
    confidence_level: float = 0.95,
) -> SimulationResult:
    """Simulate ``replications`` days of ``model`` and estimate every KPI of the module doc.

    Confidence intervals at ``confidence_level`` (Student t, delta method for ratios) need at
    least 2 days; units: seconds for ``asa_seconds``, contacts per day for ``*_per_day``.
    """
    if not 0.0 < confidence_level < 1.0:
        raise ValueError(f"confidence_level must lie in (0, 1), got {confidence_level!r}")
    days = simulate_days(model, replications, seed=seed, engine=engine)
    overall = kpis_from_tallies(days.types.sum(axis=1), days.groups.sum(axis=1), confidence_level)
    by_type = {
        contact.name: kpis_from_tallies(days.types[:, index], None, confidence_level)
        for index, contact in enumerate(model.contact_types)
    }
    by_group = {
        group.name: {
            "occupancy": ratio_estimate(
                days.groups[:, index, 0], days.groups[:, index, 1], confidence_level
            )
        }
        for index, group in enumerate(model.agent_groups)
    }
    return SimulationResult(
        model_name=model.name,
        replications=replications,
        seed=days.seed_entropy,
        engine=days.engine,
        confidence_level=confidence_level,
        threshold_seconds=model.threshold_seconds,
        overall=overall,
        by_contact_type=by_type,
        by_agent_group=by_group,
        days=days,
    )
