"""Contact reasons: counts, week-over-week change, the Poisson tail and the unusual-rise rule."""

from __future__ import annotations

import decimal
import math
from datetime import datetime

import pytest

from symfonie.domain.kpi.records import ContactRecord
from symfonie.domain.kpi.topics import (
    TopicRiseRule,
    poisson_upper_tail,
    topic_counts,
    topic_trends,
)
from tests.domain.kpi.builders import AMSTERDAM, answered, self_service

WEEK = 7 * 86_400


def _decimal_upper_tail(count: int, mean: int) -> float:
    """P(X ≥ count) by the textbook sum in 60-digit decimals (an independent reference)."""
    with decimal.localcontext() as context:
        context.prec = 60
        term = decimal.Decimal(-mean).exp()
        lower = decimal.Decimal(0)
        for k in range(count):
            lower += term
            term = term * mean / (k + 1)
        return float(1 - lower)


@pytest.mark.parametrize("mean", [0.1, 1.0, 3.7, 25.0])
def test_poisson_tail_of_one_is_one_minus_exp(mean: float) -> None:
    assert poisson_upper_tail(1, mean) == pytest.approx(1 - math.exp(-mean), rel=1e-12)


@pytest.mark.parametrize(("count", "mean"), [(2, 1), (8, 4), (3, 9), (1000, 1000), (1100, 1000)])
def test_poisson_tail_matches_the_exact_sum(count: int, mean: int) -> None:
    assert poisson_upper_tail(count, mean) == pytest.approx(
        _decimal_upper_tail(count, mean), rel=1e-9, abs=1e-300
    )


def test_poisson_tail_edges() -> None:
    assert poisson_upper_tail(0, 5.0) == 1.0
    assert poisson_upper_tail(3, 0.0) == 0.0
    assert poisson_upper_tail(2, 1.0) == pytest.approx(1 - 2 / math.e)
    with pytest.raises(ValueError, match="mean"):
        poisson_upper_tail(1, -1.0)


def test_topic_counts_count_a_contact_once_per_topic() -> None:
    contacts = [
        answered("a", wait=0, topic_keys=("refund", "refund", "address")),
        answered("b", wait=0, topic_keys=("refund",)),
        answered("c", wait=0),
    ]
    assert topic_counts(contacts) == {"address": 1, "refund": 2}


def _weekly(topic: str, counts: list[int]) -> list[ContactRecord]:
    return [
        self_service(f"{topic}-{week}-{i}", arrive=week * WEEK + i * 60, topic_keys=(topic,))
        for week, count in enumerate(counts)
        for i in range(count)
    ]


SERIES = {
    "refund": [5, 6, 5, 6, 20],  # a clear rise: flagged
    "billing": [100, 100, 100, 100, 120],  # +20 %: below the 1.25 ratio
    "calls": [100, 100, 100, 100, 130],  # +30 %, but P(X ≥ 130 | 100) ≈ 0.002 > 0.001
    "surge": [100, 100, 100, 100, 140],  # +40 % and P ≈ 1e-4: flagged
    "pause": [0, 0, 0, 0, 12],  # new topic, 12 contacts: flagged against the 0.5 floor
    "few": [0, 0, 0, 0, 9],  # under the minimum count of 10
    "early": [15, 0, 0, 0, 0],  # the first week has no baseline
}


def test_trends_by_hand() -> None:
    contacts = [record for topic, counts in SERIES.items() for record in _weekly(topic, counts)]
    rows = topic_trends(contacts)
    assert len(rows) == 5 * len(SERIES)
    assert {row.week_start for row in rows} == {
        datetime(2025, 3, day, tzinfo=AMSTERDAM) for day in (3, 10, 17, 24, 31)
    }
    last = {row.topic: row for row in rows if row.week_start.day == 31}
    assert {topic for topic, row in last.items() if row.rising} == {"refund", "surge", "pause"}
    refund = last["refund"]
    assert (refund.count, refund.previous_count, refund.change) == (20, 6, 14)
    assert refund.change_ratio == pytest.approx(14 / 6)
    assert refund.baseline_mean == pytest.approx(5.5)
    assert last["pause"].change_ratio is None  # no contacts the week before
    first_week = [row for row in rows if row.week_start.day == 3]
    assert all(row.baseline_mean is None and not row.rising for row in first_week)


def test_baseline_uses_the_configured_number_of_weeks() -> None:
    rows = topic_trends(_weekly("refund", [40, 5, 5, 20]), rule=TopicRiseRule(baseline_weeks=2))
    last = rows[-1]
    assert last.baseline_mean == pytest.approx(5.0)  # weeks 2 and 3 only
    assert last.rising


def test_rule_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="baseline_weeks"):
        TopicRiseRule(baseline_weeks=0)
    with pytest.raises(ValueError, match="max_p_value"):
        TopicRiseRule(max_p_value=1.5)
    assert topic_trends([]) == []
