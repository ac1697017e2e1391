"""Simulator features one by one: skills and priorities, staffing per period, closing, balking,
retrials and callbacks, day-level busyness, time-varying arrival rates.

Each check is a consequence of the model's definition (docs/wfm.md, "Simulator") that holds on
every simulated day, or a large effect checked with a fixed seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from symfonie.domain.wfm.distributions import Constant, Exponential
from symfonie.domain.wfm.sim_day import (
    ABANDONED,
    ARRIVALS,
    BALKED,
    BLOCKED,
    CLEARED,
    IN_TARGET,
    RETRIALS,
    SERVED,
    WAIT,
    draw_day,
)
from symfonie.domain.wfm.sim_model import (
    AgentGroup,
    Closing,
    ContactType,
    Retrial,
    SimulationModel,
)
from symfonie.domain.wfm.simulate import simulate, simulate_days


def model(
    types: tuple[ContactType, ...],
    groups: tuple[AgentGroup, ...],
    *,
    open_minutes: float = 120,
    period_minutes: float | None = None,
    **options: Any,
) -> SimulationModel:
    return SimulationModel(
        name="test",
        open_minutes=open_minutes,
        period_minutes=period_minutes or open_minutes,
        threshold_seconds=20,
        contact_types=types,
        agent_groups=groups,
        **options,
    )


def calls(name: str, rate: float | tuple[float, ...], **options: Any) -> ContactType:
    rates = rate if isinstance(rate, tuple) else (rate,)
    return ContactType(name, rates, options.pop("service", Exponential(120)), **options)


def test_a_higher_priority_level_is_answered_first() -> None:
    # One overloaded group serving "vip" before "normal": vip callers wait far less.
    strict = model(
        (calls("vip", 1.0), calls("normal", 3.0)),
        (AgentGroup("agents", (8,), (("vip",), ("normal",))),),
    )
    kpis = simulate(strict, 40, seed=1).by_contact_type
    assert kpis["vip"]["asa_seconds"].mean * 5 < kpis["normal"]["asa_seconds"].mean
    # The same types at one level are served longest-waiting first: equal waits.
    equal = model(
        (calls("vip", 2.0), calls("normal", 2.0)),
        (AgentGroup("agents", (8,), (("vip", "normal"),)),),
    )
    kpis = simulate(equal, 40, seed=1).by_contact_type
    vip, normal = kpis["vip"]["asa_seconds"], kpis["normal"]["asa_seconds"]
    assert vip.low is not None and vip.high is not None
    assert normal.low is not None and normal.high is not None
    assert vip.low <= normal.high and normal.low <= vip.high


def test_contacts_go_to_the_first_group_in_file_order_with_an_idle_agent() -> None:
    # "first" has so many agents it is never full: "second" never gets a call.
    two = model(
        (calls("calls", 2.0),),
        (
            AgentGroup("first", (200,), (("calls",),)),
            AgentGroup("second", (5,), (("calls",),)),
        ),
    )
    days = simulate_days(two, 10, seed=2)
    assert (days.groups[:, 1, 0] == 0.0).all()
    assert (days.groups[:, 0, 0] > 0.0).all()


def test_nobody_is_served_without_an_agent_with_the_skill() -> None:
    nobody = model(
        (calls("sales", 1.0), calls("repairs", 1.0)),
        (
            AgentGroup("sales", (5,), (("sales",),)),
            AgentGroup("repairs", (0,), (("repairs",),)),
        ),
    )
    repairs = simulate_days(nobody, 10, seed=3).types[:, 1]
    assert (repairs[:, SERVED] == 0).all()
    np.testing.assert_array_equal(repairs[:, CLEARED], repairs[:, ARRIVALS])


def test_staffing_per_period_and_present_agent_time() -> None:
    # Staffing only rises: present agent-time is exactly Σ agents × period length.
    rising = model(
        (calls("calls", (2.0, 4.0, 6.0)),),
        (AgentGroup("agents", (3, 8, 14), (("calls",),)),),
        open_minutes=90,
        period_minutes=30,
    )
    days = simulate_days(rising, 10, seed=4)
    np.testing.assert_allclose(days.groups[:, 0, 1], (3 + 8 + 14) * 30 * 60.0)
    # Staffing drops to 0 in the last period: busy agents finish their call first, so present
    # time is at least the scheduled time, and nobody is answered after the last drop unless
    # they were already being served — callers then wait until they are cleared at closing.
    falling = model(
        (calls("calls", (4.0, 4.0, 4.0)),),
        (AgentGroup("agents", (12, 12, 0), (("calls",),)),),
        open_minutes=90,
        period_minutes=30,
        closing=Closing.CLEAR,
    )
    days = simulate_days(falling, 10, seed=4)
    assert (days.groups[:, 0, 1] >= 24 * 30 * 60.0).all()
    assert (days.groups[:, 0, 1] <= 24 * 30 * 60.0 + 12 * 30 * 60.0).all()
    assert (days.types[:, 0, CLEARED] > 0).all()


def test_closing_serves_or_clears_the_queue() -> None:
    overloaded = {"open_minutes": 60}
    types = (calls("calls", 6.0),)  # 12 Erlang on 10 agents: a queue builds up
    groups = (AgentGroup("agents", (10,), (("calls",),)),)
    served = simulate_days(model(types, groups, **overloaded), 10, seed=5).types[:, 0]
    np.testing.assert_array_equal(served[:, SERVED], served[:, ARRIVALS])
    cleared = simulate_days(
        model(types, groups, closing=Closing.CLEAR, **overloaded), 10, seed=5
    ).types[:, 0]
    assert (cleared[:, CLEARED] > 0).all()
    np.testing.assert_array_equal(cleared[:, SERVED] + cleared[:, CLEARED], cleared[:, ARRIVALS])


def test_balking_with_certainty_means_nobody_waits() -> None:
    balky = model(
        (calls("calls", 6.0, balk_probability=1.0),),
        (AgentGroup("agents", (10,), (("calls",),)),),
    )
    days = simulate_days(balky, 10, seed=6).types[:, 0]
    assert (days[:, BALKED] > 0).all()
    assert (days[:, WAIT] == 0).all()
    np.testing.assert_array_equal(days[:, IN_TARGET], days[:, SERVED])
    np.testing.assert_array_equal(days[:, SERVED] + days[:, BALKED], days[:, ARRIVALS])


def test_retrials_add_attempts_but_not_callers() -> None:
    def blocked_calls(retrial: Retrial | None, *extra: ContactType) -> SimulationModel:
        return model(
            (calls("calls", 6.0, patience=Exponential(60), retrial=retrial), *extra),
            (AgentGroup("agents", (10,), (("calls",), *((t.name,) for t in extra))),),
            queue_capacity=3,
        )

    without = simulate_days(blocked_calls(None), 10, seed=7).types[:, 0]
    assert (without[:, RETRIALS] == 0).all()
    again = simulate_days(blocked_calls(Retrial(0.7, Exponential(120))), 10, seed=7).types[:, 0]
    assert (again[:, RETRIALS] > 0).all()
    # The fresh callers are the same (drawn first); the retrials come on top of them.
    np.testing.assert_array_equal(again[:, ARRIVALS] - again[:, RETRIALS], without[:, ARRIVALS])
    # A callback: failed calls come back as contacts of another type that never abandon.
    callback = calls("callbacks", 0.01, service=Constant(60))
    days = simulate_days(
        blocked_calls(Retrial(1.0, Constant(0.0), "callbacks"), callback), 10, seed=7
    ).types
    assert (days[:, 0, RETRIALS] == 0).all()
    assert (days[:, 1, RETRIALS] > 0).all()
    assert (days[:, 1, ABANDONED] == 0).all()
    failed = days[:, 0, ABANDONED] + days[:, 0, BLOCKED]
    # Every failure before closing comes back as a callback (probability 1, no delay).
    assert (days[:, 1, RETRIALS] <= failed).all()
    assert (days[:, 1, RETRIALS] >= failed - 5).all()


def test_day_level_busyness_is_a_gamma_multiplier() -> None:
    # With B ~ Gamma(α, 1/α): E[arrivals] = m, Var[arrivals] = m + m²/α (Poisson–gamma mixture).
    shape, rate, minutes = 25.0, 2.0, 120.0
    busy = model(
        (calls("calls", rate),),
        (AgentGroup("agents", (10,), (("calls",),)),),
        open_minutes=minutes,
        busyness_gamma_shape=shape,
    )
    days = simulate_days(busy, 2000, seed=8)
    arrivals = days.types[:, 0, ARRIVALS]
    mean = rate * minutes
    assert days.busyness.mean() == pytest.approx(1.0, abs=0.01)
    assert days.busyness.var(ddof=1) == pytest.approx(1 / shape, rel=0.1)
    assert arrivals.mean() == pytest.approx(mean, rel=0.01)
    assert arrivals.var(ddof=1) == pytest.approx(mean + mean**2 / shape, rel=0.1)


def test_arrival_rates_follow_the_periods() -> None:
    rates = (0.5, 3.0, 0.0, 1.5)
    profile = model(
        (calls("calls", rates),),
        (AgentGroup("agents", (10, 10, 10, 10), (("calls",),)),),
        open_minutes=120,
        period_minutes=30,
    )
    days = 1000
    counts = np.zeros(len(rates))
    rng = np.random.default_rng(9)
    for _ in range(days):
        times = np.array(draw_day(profile, rng).times)
        counts += np.histogram(times, bins=len(rates), range=(0, 120 * 60))[0]
    expected = np.array(rates) * 30
    # Poisson counts: the mean of 1000 days is within 4 standard errors, sqrt(expected / days).
    assert (np.abs(counts / days - expected) <= 4 * np.sqrt(expected / days)).all()
