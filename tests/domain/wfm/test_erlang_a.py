"""Erlang A (M/M/N+M) against published reference values, limits and invariants.

Reference values: the issue's example (10 Erlang, AHT 180 s, mean patience 5 min, N = 14) and
shared/data/contactcenters/SOURCE.md (steady-state P(abandon); the simulated finite day is an
orientation only). Independent limits: Erlang C as patience grows, Erlang B (a loss system) as
patience shrinks, and the Garnett–Mandelbaum–Reiman (2002) many-server approximation of P(wait).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symfonie.domain.wfm.erlang import erlang_b, erlang_c_metrics
from symfonie.domain.wfm.erlang_a import ServiceLevelVariant, erlang_a_metrics


def test_reference_example_at_fourteen_agents() -> None:
    metrics = erlang_a_metrics(
        14, load_erlangs=10.0, aht_seconds=180, patience_mean_seconds=300, threshold_seconds=20
    )
    assert metrics.p_wait == pytest.approx(0.14526, abs=5e-6)
    assert metrics.p_abandon == pytest.approx(0.013984, abs=5e-7)
    assert metrics.occupancy == pytest.approx(0.704297, abs=5e-7)
    assert metrics.asa_all_arrivals_seconds / 60 == pytest.approx(0.069919, abs=5e-7)
    assert metrics.service_level_all_arrivals == pytest.approx(0.916792, abs=5e-7)
    assert metrics.service_level(ServiceLevelVariant.ALL_ARRIVALS) == (
        metrics.service_level_all_arrivals
    )


def test_contactcenters_abandonment() -> None:
    # λ = 4.2 / min, AHT 2 min, c = 12, patience mean 1 min, s = 20 s (SOURCE.md).
    metrics = erlang_a_metrics(
        12, load_erlangs=8.4, aht_seconds=120, patience_mean_seconds=60, threshold_seconds=20
    )
    assert metrics.p_abandon == pytest.approx(0.029679, abs=5e-7)


def test_contactcenters_simulation_orientation() -> None:
    # The 1000-day simulation (a finite day starting empty, "slightly better" than steady state):
    # service level over served 0.975, over served + abandoned-after-s 0.968, speed of answer
    # 0.024 min. Steady state must be close, not inside the confidence intervals.
    metrics = erlang_a_metrics(
        12, load_erlangs=8.4, aht_seconds=120, patience_mean_seconds=60, threshold_seconds=20
    )
    assert metrics.service_level_served == pytest.approx(0.975, abs=0.005)
    assert metrics.service_level_excluding_early_abandons == pytest.approx(0.968, abs=0.005)
    assert metrics.asa_served_seconds / 60 == pytest.approx(0.024, abs=0.002)


@settings(max_examples=40, deadline=None)
@given(
    agents=st.integers(min_value=1, max_value=200),
    utilisation=st.floats(min_value=0.05, max_value=0.95),
    aht_seconds=st.floats(min_value=10.0, max_value=1_200.0),
    threshold_seconds=st.floats(min_value=0.0, max_value=300.0),
)
def test_converges_to_erlang_c_as_patience_grows(
    agents: int, utilisation: float, aht_seconds: float, threshold_seconds: float
) -> None:
    load = agents * utilisation
    erlang_c = erlang_c_metrics(
        agents, load_erlangs=load, aht_seconds=aht_seconds, threshold_seconds=threshold_seconds
    )
    gaps = []
    # The gap shrinks like 1/patience with a coefficient that grows with the waiting time
    # (N = 1 at 95 % waits ~19 AHT), hence patience up to 1e9 AHT.
    for patience_factor in (1e3, 1e6, 1e9):
        erlang_a = erlang_a_metrics(
            agents,
            load_erlangs=load,
            aht_seconds=aht_seconds,
            patience_mean_seconds=aht_seconds * patience_factor,
            threshold_seconds=threshold_seconds,
        )
        gaps.append(
            max(
                abs(erlang_a.p_wait - erlang_c.p_wait),
                abs(erlang_a.service_level_all_arrivals - erlang_c.service_level),
                abs(erlang_a.service_level_served - erlang_c.service_level),
                abs(erlang_a.service_level_excluding_early_abandons - erlang_c.service_level),
                abs(erlang_a.occupancy - erlang_c.occupancy),
                abs(erlang_a.asa_served_seconds - erlang_c.asa_seconds) / aht_seconds,
                abs(erlang_a.asa_all_arrivals_seconds - erlang_c.asa_seconds) / aht_seconds,
                erlang_a.p_abandon,
            )
        )
    assert gaps[-1] < 1e-4
    assert gaps[-1] <= gaps[0] + 1e-12


@settings(max_examples=40, deadline=None)
@given(
    agents=st.integers(min_value=1, max_value=200),
    load=st.floats(min_value=0.05, max_value=300.0),
    threshold_seconds=st.floats(min_value=1.0, max_value=300.0),
)
def test_converges_to_erlang_b_as_patience_shrinks(
    agents: int, load: float, threshold_seconds: float
) -> None:
    # Callers who hang up at once make a loss system: P(wait) = P(abandon) = B(N, A).
    metrics = erlang_a_metrics(
        agents,
        load_erlangs=load,
        aht_seconds=180,
        patience_mean_seconds=1e-6,
        threshold_seconds=threshold_seconds,
    )
    blocking = erlang_b(agents, load)
    assert metrics.p_wait == pytest.approx(blocking, abs=1e-4)
    assert metrics.p_abandon == pytest.approx(blocking, abs=1e-4)
    assert metrics.service_level_all_arrivals == pytest.approx(1 - blocking, abs=1e-4)
    assert metrics.service_level_served == pytest.approx(1.0, abs=1e-4)


@settings(max_examples=60, deadline=None)
@given(
    agents=st.integers(min_value=1, max_value=300),
    load=st.floats(min_value=0.05, max_value=600.0),
    aht_seconds=st.floats(min_value=10.0, max_value=1_200.0),
    patience_seconds=st.floats(min_value=1.0, max_value=3_600.0),
    threshold_seconds=st.floats(min_value=0.0, max_value=300.0),
)
def test_probabilities_and_variant_order(
    agents: int,
    load: float,
    aht_seconds: float,
    patience_seconds: float,
    threshold_seconds: float,
) -> None:
    metrics = erlang_a_metrics(
        agents,
        load_erlangs=load,
        aht_seconds=aht_seconds,
        patience_mean_seconds=patience_seconds,
        threshold_seconds=threshold_seconds,
    )
    for value in (
        metrics.p_wait,
        metrics.p_abandon,
        metrics.p_abandon_within_threshold,
        metrics.service_level_all_arrivals,
        metrics.service_level_served,
        metrics.service_level_excluding_early_abandons,
        metrics.occupancy,
    ):
        assert 0.0 <= value <= 1.0
    assert metrics.p_abandon <= metrics.p_wait + 1e-12
    assert metrics.p_abandon_within_threshold <= metrics.p_abandon + 1e-12
    # Denominators shrink from all arrivals to arrivals minus early abandons to served only.
    assert metrics.service_level_all_arrivals <= (
        metrics.service_level_excluding_early_abandons + 1e-12
    )
    assert metrics.service_level_excluding_early_abandons <= (metrics.service_level_served + 1e-12)
    assert metrics.asa_all_arrivals_seconds >= 0.0
    assert metrics.asa_served_seconds >= 0.0
    # Little's law on the agents: carried load = load × (1 − P(abandon)).
    assert metrics.occupancy * agents == pytest.approx(load * (1 - metrics.p_abandon), rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    load=st.floats(min_value=0.5, max_value=200.0),
    patience_seconds=st.floats(min_value=5.0, max_value=1_800.0),
    threshold_seconds=st.floats(min_value=0.0, max_value=120.0),
)
def test_service_level_rises_with_agents(
    load: float, patience_seconds: float, threshold_seconds: float
) -> None:
    previous = None
    for agents in range(1, math.ceil(load) + 25):
        metrics = erlang_a_metrics(
            agents,
            load_erlangs=load,
            aht_seconds=180,
            patience_mean_seconds=patience_seconds,
            threshold_seconds=threshold_seconds,
        )
        if previous is not None:
            for variant in ServiceLevelVariant:
                assert metrics.service_level(variant) >= previous.service_level(variant) - 1e-9
            assert metrics.p_wait <= previous.p_wait + 1e-12
            assert metrics.p_abandon <= previous.p_abandon + 1e-12
        previous = metrics


def _hazard(x: float) -> float:
    density = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    return density / (0.5 * math.erfc(x / math.sqrt(2)))


@pytest.mark.parametrize(("load", "patience_seconds"), [(20_000.0, 300.0), (19_700.0, 60.0)])
def test_twenty_thousand_agents_matches_the_qed_approximation(
    load: float, patience_seconds: float
) -> None:
    # Garnett, Mandelbaum & Reiman (2002): with β = (N − A)/√A,
    # P(wait) ≈ [1 + √(θ/μ)·h(β·√(μ/θ)) / h(−β)]⁻¹, h the standard normal hazard rate.
    agents, aht_seconds = 20_000, 180.0
    metrics = erlang_a_metrics(
        agents,
        load_erlangs=load,
        aht_seconds=aht_seconds,
        patience_mean_seconds=patience_seconds,
        threshold_seconds=20,
    )
    beta = (agents - load) / math.sqrt(load)
    ratio = aht_seconds / patience_seconds  # θ/μ
    approximation = 1 / (1 + math.sqrt(ratio) * _hazard(beta / math.sqrt(ratio)) / _hazard(-beta))
    assert metrics.p_wait == pytest.approx(approximation, abs=0.01)
    assert 0.0 <= metrics.p_abandon <= metrics.p_wait
    assert math.isfinite(metrics.asa_served_seconds)


def test_heavy_overload_stays_finite() -> None:
    # Erlang A is stable at any load: abandonment empties the queue.
    metrics = erlang_a_metrics(
        10, load_erlangs=40.0, aht_seconds=180, patience_mean_seconds=120, threshold_seconds=20
    )
    assert metrics.p_wait == pytest.approx(1.0, abs=1e-4)
    assert metrics.p_abandon == pytest.approx(0.75, abs=0.01)  # 30 of 40 Erlang must leave
    assert metrics.occupancy <= 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"patience_mean_seconds": 0.0}, "patience_mean_seconds"),
        ({"patience_mean_seconds": -5.0}, "patience_mean_seconds"),
        ({"load_erlangs": 0.0}, "load_erlangs"),
        ({"aht_seconds": 0.0}, "aht_seconds"),
        ({"threshold_seconds": -1.0}, "threshold_seconds"),
    ],
)
def test_bad_input_raises_value_error(kwargs: dict[str, float], message: str) -> None:
    arguments = {
        "load_erlangs": 10.0,
        "aht_seconds": 180.0,
        "patience_mean_seconds": 300.0,
        "threshold_seconds": 20.0,
    } | kwargs
    with pytest.raises(ValueError, match=message):
        erlang_a_metrics(14, **arguments)


def test_zero_agents_is_refused() -> None:
    with pytest.raises(ValueError, match="agents"):
        erlang_a_metrics(
            0, load_erlangs=1.0, aht_seconds=180, patience_mean_seconds=60, threshold_seconds=20
        )
