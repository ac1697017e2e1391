"""The what-if calculator: Erlang C/A formulas beside a short simulation of the same queue.

One queue, one interval's traffic held constant: ``calls`` per ``interval_minutes``, handle time
exponential with mean ``aht_seconds``, optionally exponential patience with mean
``patience_seconds`` (then Erlang A, M/M/N+M; else Erlang C, M/M/N). The simulation
(:func:`symfonie.domain.wfm.simulate.simulate`) runs the same model over independent days of
:data:`SIMULATED_MINUTES` at a fixed seed, starting empty — so it is a little kinder than the
steady state the formulas describe, and its confidence intervals show the noise of a few days.
Few days keep the page quick: at most :data:`MAX_SIMULATED_ARRIVALS` arrivals over all days.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from symfonie.domain.wfm.distributions import Exponential
from symfonie.domain.wfm.erlang import ErlangCMetrics, UnstableQueueError, erlang_c_metrics
from symfonie.domain.wfm.erlang_a import ErlangAMetrics, erlang_a_metrics
from symfonie.domain.wfm.sim_model import AgentGroup, ContactType, SimulationModel
from symfonie.domain.wfm.sim_stats import Estimate
from symfonie.domain.wfm.simulate import simulate
from symfonie.domain.wfm.staffing import StaffingTarget, required_agents

SIMULATED_MINUTES = 480
MAX_REPLICATIONS = 30
MIN_REPLICATIONS = 3
MAX_SIMULATED_ARRIVALS = 150_000
SEED = 20_260_101

# what the simulation reports, in the order shown (names of simulate()'s KPIs)
SIMULATED_KPIS = (
    "service_level_all_arrivals",
    "service_level_served",
    "service_level_served_plus_abandoned_after_s",
    "asa_seconds",
    "abandoned_fraction",
    "occupancy",
    "arrivals_per_day",
)


@dataclass(frozen=True)
class WhatIfInput:
    calls: float
    interval_minutes: int
    aht_seconds: float
    service_level: float
    threshold_seconds: float
    agents: int
    patience_seconds: float | None = None

    @property
    def load_erlangs(self) -> float:
        return self.calls * self.aht_seconds / (self.interval_minutes * 60)


@dataclass(frozen=True)
class SensitivityRow:
    """The formula's service level and ASA at a nearby number of agents."""

    agents: int
    service_level: float | None
    asa_seconds: float | None
    p_abandon: float | None
    meets_target: bool


@dataclass(frozen=True)
class WhatIfResult:
    given: WhatIfInput
    erlang_c: ErlangCMetrics | None  # None when unstable (load >= agents)
    erlang_a: ErlangAMetrics | None  # with a patience only
    needed_agents: int | None
    sensitivity: tuple[SensitivityRow, ...]
    simulated: dict[str, Estimate]
    replications: int
    seed: int

    @property
    def model(self) -> str:
        return "erlang_a" if self.given.patience_seconds else "erlang_c"


def _metrics(
    given: WhatIfInput, agents: int
) -> tuple[ErlangCMetrics | None, ErlangAMetrics | None]:
    c_metrics = None
    with contextlib.suppress(UnstableQueueError):  # load >= agents: no steady state
        c_metrics = erlang_c_metrics(
            agents,
            load_erlangs=given.load_erlangs,
            aht_seconds=given.aht_seconds,
            threshold_seconds=given.threshold_seconds,
        )
    a_metrics = None
    if given.patience_seconds:
        a_metrics = erlang_a_metrics(
            agents,
            load_erlangs=given.load_erlangs,
            aht_seconds=given.aht_seconds,
            patience_mean_seconds=given.patience_seconds,
            threshold_seconds=given.threshold_seconds,
        )
    return c_metrics, a_metrics


def _sensitivity(given: WhatIfInput) -> tuple[SensitivityRow, ...]:
    rows = []
    for agents in range(max(1, given.agents - 2), given.agents + 4):
        c_metrics, a_metrics = _metrics(given, agents)
        if a_metrics is not None:
            level: float | None = a_metrics.service_level_all_arrivals
            asa: float | None = a_metrics.asa_served_seconds
            abandon: float | None = a_metrics.p_abandon
        elif c_metrics is not None:
            level, asa, abandon = c_metrics.service_level, c_metrics.asa_seconds, None
        else:
            level = asa = abandon = None
        rows.append(
            SensitivityRow(
                agents,
                level,
                asa,
                abandon,
                level is not None and level >= given.service_level - 1e-12,
            )
        )
    return tuple(rows)


def simulation_model(given: WhatIfInput) -> SimulationModel:
    """The what-if queue as a simulation model: one type, one group, a constant day."""
    patience = Exponential(given.patience_seconds) if given.patience_seconds else None
    return SimulationModel(
        name="what-if",
        open_minutes=SIMULATED_MINUTES,
        period_minutes=SIMULATED_MINUTES,
        threshold_seconds=max(given.threshold_seconds, 1e-9),
        contact_types=(
            ContactType(
                name="contacts",
                arrival_rate_per_minute=(given.calls / given.interval_minutes,),
                service=Exponential(given.aht_seconds),
                patience=patience,
            ),
        ),
        agent_groups=(AgentGroup("agents", (given.agents,), (("contacts",),)),),
    )


def what_if(given: WhatIfInput) -> WhatIfResult:
    """The formulas at ``given.agents``, the agents needed for the target, a few agents around
    it, and the simulation (module doc)."""
    c_metrics, a_metrics = _metrics(given, given.agents)
    target = StaffingTarget(
        service_level=given.service_level, threshold_seconds=given.threshold_seconds
    )
    needed = required_agents(
        given.calls,
        interval_minutes=given.interval_minutes,
        aht_seconds=given.aht_seconds,
        target=target,
        patience_mean_seconds=given.patience_seconds,
    ).agents
    per_day = given.calls / given.interval_minutes * SIMULATED_MINUTES
    replications = int(
        max(MIN_REPLICATIONS, min(MAX_REPLICATIONS, MAX_SIMULATED_ARRIVALS // max(per_day, 1)))
    )
    result = simulate(simulation_model(given), replications, seed=SEED)
    return WhatIfResult(
        given=given,
        erlang_c=c_metrics,
        erlang_a=a_metrics,
        needed_agents=needed,
        sensitivity=_sensitivity(given),
        simulated={name: result.overall[name] for name in SIMULATED_KPIS},
        replications=replications,
        seed=SEED,
    )
