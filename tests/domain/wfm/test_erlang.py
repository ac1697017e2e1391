"""Erlang B / Erlang C against published reference values and invariants.

Reference values: the issue's worked example (100 calls per 30 minutes, AHT 180 s, 80 % in 20 s)
and the steady-state orientation values in shared/data/contactcenters/SOURCE.md. The asymptotic
check at 20,000 agents uses the Halfin–Whitt formula (Halfin & Whitt, "Heavy-traffic limits for
queues with many exponential servers", Operations Research 29, 1981), an independent result.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symfonie.domain.wfm.erlang import (
    UnstableQueueError,
    erlang_b,
    erlang_c,
    erlang_c_asa_seconds,
    erlang_c_metrics,
    erlang_c_occupancy,
    erlang_c_service_level,
    offered_load_erlangs,
)

# 100 calls per 30 minutes with AHT 180 s is 10 Erlang.
REFERENCE_LOAD = offered_load_erlangs(100, interval_minutes=30, aht_seconds=180)
REFERENCE = {
    # agents: (P(wait), service level within 20 s)
    11: (0.6821182, 0.3896138),
    12: (0.4493882, 0.640158),
    13: (0.2852705, 0.7955948),
    14: (0.1741319, 0.88835),
}


def test_offered_load_of_the_reference_example_is_ten_erlang() -> None:
    assert math.isclose(REFERENCE_LOAD, 10.0)


@pytest.mark.parametrize("agents", sorted(REFERENCE))
def test_erlang_c_reproduces_the_reference_table(agents: int) -> None:
    p_wait, service_level = REFERENCE[agents]
    assert erlang_c(agents, REFERENCE_LOAD) == pytest.approx(p_wait, abs=5e-7)
    assert erlang_c_service_level(agents, REFERENCE_LOAD, 180, 20) == pytest.approx(
        service_level, abs=5e-7
    )


def test_reference_asa_and_occupancy_at_fourteen_agents() -> None:
    assert erlang_c_asa_seconds(14, REFERENCE_LOAD, 180) == pytest.approx(7.836, abs=5e-4)
    assert erlang_c_occupancy(14, REFERENCE_LOAD) == pytest.approx(10 / 14)


def test_metrics_agree_with_the_single_formulas() -> None:
    metrics = erlang_c_metrics(14, load_erlangs=10.0, aht_seconds=180, threshold_seconds=20)
    assert metrics.p_wait == pytest.approx(0.1741319, abs=5e-7)
    assert metrics.service_level == pytest.approx(0.88835, abs=5e-7)
    assert metrics.asa_seconds == pytest.approx(7.836, abs=5e-4)
    assert metrics.occupancy == pytest.approx(10 / 14)


def test_contactcenters_orientation_values() -> None:
    # λ = 4.2 / min, μ = 0.5 / min (AHT 120 s), c = 12, s = 20 s (SOURCE.md, steady state).
    load = 4.2 / 0.5
    metrics = erlang_c_metrics(12, load_erlangs=load, aht_seconds=120, threshold_seconds=20)
    assert metrics.p_wait == pytest.approx(0.18389, abs=5e-6)
    assert metrics.service_level == pytest.approx(0.89908, abs=5e-6)
    assert metrics.asa_seconds / 60 == pytest.approx(0.10216, abs=5e-6)


def test_erlang_b_small_cases_match_the_closed_form() -> None:
    # B(1, A) = A / (1 + A); B(2, A) = (A²/2) / (1 + A + A²/2)  (Erlang's loss formula).
    assert erlang_b(1, 3.0) == pytest.approx(3 / 4)
    assert erlang_b(2, 3.0) == pytest.approx(4.5 / 8.5)
    assert erlang_b(0, 3.0) == 1.0


@pytest.mark.parametrize("agents", [10, 9])
def test_load_at_or_above_the_agents_is_a_clear_error(agents: int) -> None:
    with pytest.raises(UnstableQueueError, match="unstable") as caught:
        erlang_c(agents, 10.0)
    assert isinstance(caught.value, ValueError)
    assert caught.value.agents == agents


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_c(5, 0.0), "load_erlangs"),
        (lambda: erlang_c(5, -1.0), "load_erlangs"),
        (lambda: erlang_c(0, 1.0), "agents"),
        (lambda: erlang_c(2.5, 1.0), "agents"),  # type: ignore[arg-type]
        (lambda: erlang_c_service_level(5, 1.0, 0.0, 20), "aht_seconds"),
        (lambda: erlang_c_service_level(5, 1.0, 180, -1), "threshold_seconds"),
        (lambda: erlang_c_asa_seconds(5, 1.0, -180), "aht_seconds"),
        (lambda: offered_load_erlangs(0, 30, 180), "calls"),
        (lambda: offered_load_erlangs(10, 0, 180), "interval_minutes"),
        (lambda: erlang_b(3, float("nan")), "load_erlangs"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


def _halfin_whitt_p_wait(agents: int, load: float) -> float:
    beta = (agents - load) / math.sqrt(load)
    density = math.exp(-beta * beta / 2) / math.sqrt(2 * math.pi)
    cumulative = 0.5 * (1 + math.erf(beta / math.sqrt(2)))
    return 1 / (1 + beta * cumulative / density)


@pytest.mark.parametrize("load", [19_800.0, 19_900.0, 19_500.0])
def test_twenty_thousand_agents_is_finite_and_close_to_halfin_whitt(load: float) -> None:
    metrics = erlang_c_metrics(20_000, load_erlangs=load, aht_seconds=180, threshold_seconds=20)
    for value in (metrics.p_wait, metrics.service_level, metrics.occupancy):
        assert math.isfinite(value)
        assert 0.0 <= value <= 1.0
    assert metrics.asa_seconds >= 0.0
    # The Halfin–Whitt limit is exact as N grows at fixed (N − A)/√A; the gap is O(1/√N).
    assert metrics.p_wait == pytest.approx(_halfin_whitt_p_wait(20_000, load), abs=0.01)


@settings(max_examples=60, deadline=None)
@given(
    agents=st.integers(min_value=1, max_value=20_000),
    utilisation=st.floats(min_value=0.01, max_value=0.999),
)
def test_p_wait_is_a_probability(agents: int, utilisation: float) -> None:
    load = agents * utilisation
    p_wait = erlang_c(agents, load)
    assert 0.0 <= p_wait <= 1.0
    assert erlang_b(agents, load) <= p_wait  # Erlang C >= Erlang B (same N, A)


@settings(max_examples=60, deadline=None)
@given(
    load=st.floats(min_value=0.05, max_value=500.0),
    aht_seconds=st.floats(min_value=5.0, max_value=3_600.0),
    threshold_seconds=st.floats(min_value=0.0, max_value=600.0),
)
def test_service_level_rises_and_wait_falls_with_agents(
    load: float, aht_seconds: float, threshold_seconds: float
) -> None:
    first = math.floor(load) + 1
    previous = erlang_c_metrics(
        first, load_erlangs=load, aht_seconds=aht_seconds, threshold_seconds=threshold_seconds
    )
    for agents in range(first + 1, first + 30):
        current = erlang_c_metrics(
            agents, load_erlangs=load, aht_seconds=aht_seconds, threshold_seconds=threshold_seconds
        )
        assert current.service_level >= previous.service_level - 1e-12
        assert current.p_wait <= previous.p_wait + 1e-12
        assert current.asa_seconds <= previous.asa_seconds + 1e-9
        assert 0.0 <= current.service_level <= 1.0
        previous = current
