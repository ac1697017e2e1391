"""Simulator inputs and statistics: distributions, model checks, Student t and the intervals.

Reference values: Student t quantiles from standard tables (e.g. Abramowitz & Stegun, table
26.10; NIST/SEMATECH e-Handbook 1.3.6.7.2), the normal limit 1.959964, and the moments that
define each distribution.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from symfonie.domain.wfm.distributions import (
    Constant,
    Distribution,
    DistributionError,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
    Pool,
)
from symfonie.domain.wfm.sim_model import (
    AgentGroup,
    ContactType,
    ModelError,
    Retrial,
    SimulationModel,
)
from symfonie.domain.wfm.sim_stats import (
    mean_estimate,
    ratio_estimate,
    student_t_cdf,
    student_t_quantile,
)


@pytest.mark.parametrize(
    ("distribution", "mean", "sd"),
    [
        (Exponential(120), 120, 120),
        (LogNormal(240, 180), 240, 180),
        (Gamma(200, 100), 200, 100),
        (Empirical((10.0, 20.0, 60.0)), 30, math.sqrt(1400 / 3)),
        (Constant(45), 45, 0),
    ],
)
def test_distributions_have_their_mean_and_sd(
    distribution: Distribution, mean: float, sd: float
) -> None:
    sample = distribution.sample(np.random.default_rng(1), 400_000)
    assert (sample >= 0).all()
    assert sample.mean() == pytest.approx(mean, rel=0.01)
    assert sample.std() == pytest.approx(sd, rel=0.02, abs=1e-9)
    assert distribution.mean_seconds == pytest.approx(mean)


def test_empirical_draws_only_observed_values_equally_often() -> None:
    values = (5.0, 7.0, 7.0, 30.0)
    sample = Empirical(values).sample(np.random.default_rng(2), 100_000)
    assert set(np.unique(sample)) == {5.0, 7.0, 30.0}
    assert (sample == 7.0).mean() == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Exponential(0), "mean_seconds"),
        (lambda: Exponential(-3), "mean_seconds"),
        (lambda: LogNormal(100, 0), "sd_seconds"),
        (lambda: Gamma(math.inf, 10), "mean_seconds"),
        (lambda: Empirical(()), "values_seconds"),
        (lambda: Empirical((3.0, -1.0)), "values_seconds[1]"),
        (lambda: Constant(-1), "mean_seconds"),
    ],
)
def test_bad_distribution_parameters_name_the_field(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(DistributionError) as error:
        build()
    assert error.value.field == field


def test_pool_hands_out_the_arrays_values_in_order() -> None:
    rng, again = np.random.default_rng(3), np.random.default_rng(3)
    pool = Pool(lambda size: Exponential(10).sample(rng, size), block=4)
    drawn = [pool.next() for _ in range(10)]
    expected = np.concatenate([Exponential(10).sample(again, 4) for _ in range(3)])[:10]
    np.testing.assert_array_equal(drawn, expected)


def base(**changes: object) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": "m",
        "open_minutes": 480,
        "period_minutes": 240,
        "threshold_seconds": 20,
        "contact_types": (ContactType("calls", (4.2, 4.2), Exponential(120)),),
        "agent_groups": (AgentGroup("agents", (12, 12), (("calls",),)),),
    }
    fields.update(changes)
    return fields


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"open_minutes": 0}, "open_minutes"),
        ({"period_minutes": 100}, "period_minutes"),
        ({"threshold_seconds": -1}, "threshold_seconds"),
        ({"queue_capacity": -1}, "queue_capacity"),
        ({"busyness_gamma_shape": 0}, "busyness_gamma_shape"),
        ({"contact_types": ()}, "contact_types"),
        (
            {"contact_types": (ContactType("calls", (0.0, 0.0), Exponential(120)),)},
            "contact_types[0].arrival_rate_per_minute",
        ),
        (
            {"contact_types": (ContactType("calls", (4.2, -1.0), Exponential(120)),)},
            "contact_types[0].arrival_rate_per_minute",
        ),
        (
            {"contact_types": (ContactType("calls", (4.2,), Exponential(120)),)},
            "contact_types[0].arrival_rate_per_minute",
        ),
        (
            {"contact_types": (ContactType("calls", (1.0, 1.0), Exponential(1), None, 1.5),)},
            "contact_types[0].balk_probability",
        ),
        (
            {
                "contact_types": (
                    ContactType(
                        "calls", (1.0, 1.0), Exponential(1), retrial=Retrial(0.5, Constant(1), "x")
                    ),
                )
            },
            "contact_types[0].retrial.as_type",
        ),
        (
            {"agent_groups": (AgentGroup("agents", (12, -1), (("calls",),)),)},
            "agent_groups[0].agents",
        ),
        (
            {"agent_groups": (AgentGroup("agents", (12, 12), (("sales",),)),)},
            "agent_groups[0].skills",
        ),
        (
            {
                "contact_types": (
                    ContactType("calls", (1.0, 1.0), Exponential(1)),
                    ContactType("mail", (1.0, 1.0), Exponential(1)),
                )
            },
            "contact_types[1].name",
        ),
    ],
)
def test_bad_models_name_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ModelError) as error:
        SimulationModel(**base(**changes))
    assert error.value.field == field


@pytest.mark.parametrize(
    ("probability", "degrees_of_freedom", "quantile"),
    [
        (0.975, 1, 12.7062047),
        (0.975, 2, 4.3026527),
        (0.975, 10, 2.2281389),
        (0.995, 5, 4.0321430),
        (0.95, 30, 1.6972609),
        (0.975, 999, 1.9623415),
        (0.975, 1e9, 1.9599640),
    ],
)
def test_student_t_quantiles(
    probability: float, degrees_of_freedom: float, quantile: float
) -> None:
    assert student_t_quantile(probability, degrees_of_freedom) == pytest.approx(quantile, abs=2e-7)
    assert student_t_quantile(1 - probability, degrees_of_freedom) == pytest.approx(
        -quantile, abs=2e-7
    )


@given(st.floats(-50, 50), st.integers(1, 500))
def test_student_t_cdf_is_symmetric_and_inverted_by_the_quantile(t: float, nu: int) -> None:
    assert student_t_cdf(t, nu) + student_t_cdf(-t, nu) == pytest.approx(1.0, abs=1e-12)
    p = student_t_cdf(t, nu)
    if 1e-9 < p < 1 - 1e-9:
        assert student_t_quantile(p, nu) == pytest.approx(t, abs=1e-6, rel=1e-6)


def test_mean_interval_is_the_student_t_interval() -> None:
    values = np.array([3.0, 5.0, 4.0, 6.0, 2.0])
    estimate = mean_estimate(values)
    half = 2.7764451 * values.std(ddof=1) / math.sqrt(5)
    assert estimate.mean == 4.0
    assert estimate.half_width == pytest.approx(half, rel=1e-7)
    assert mean_estimate(np.array([1.0])).low is None


def test_ratio_interval_is_the_delta_method() -> None:
    # A ratio of means, not a mean of ratios; a constant ratio has no uncertainty.
    numerators, denominators = np.array([1.0, 9.0]), np.array([2.0, 10.0])
    assert ratio_estimate(numerators, denominators).mean == pytest.approx(10 / 12)
    exact = ratio_estimate(np.array([2.0, 4.0, 8.0]), np.array([4.0, 8.0, 16.0]))
    assert exact.mean == 0.5 and exact.half_width == pytest.approx(0.0, abs=1e-12)
    assert math.isnan(ratio_estimate(np.zeros(3), np.zeros(3)).mean)


def test_ratio_interval_covers_the_true_ratio_about_95_percent_of_the_time() -> None:
    # x = Poisson(50), y = x + Poisson(50): E[x]/E[y] = 0.5; 20 days per interval.
    rng = np.random.default_rng(10)
    covered = 0
    for _ in range(2000):
        x = rng.poisson(50, 20).astype(float)
        y = x + rng.poisson(50, 20).astype(float)
        estimate = ratio_estimate(x, y)
        assert estimate.low is not None and estimate.high is not None
        covered += estimate.low <= 0.5 <= estimate.high
    assert 0.93 <= covered / 2000 <= 0.97
