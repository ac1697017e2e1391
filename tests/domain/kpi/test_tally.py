"""Tallies add up, and their figures equal compute_kpis over the same contacts."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from symfonie.domain.kpi.kpiset import KpiSettings, compute_kpis
from symfonie.domain.kpi.service_level import ServiceLevelThreshold
from symfonie.domain.kpi.tally import KpiTally, summarise, tally_records
from tests.domain.kpi.builders import abandoned, answered, self_service
from tests.domain.kpi.test_properties import contact_lists, kpi_settings

SHARED = (
    "contacts",
    "self_service",
    "offered",
    "answered",
    "abandoned",
    "short_abandons",
    "abandonment_rate",
    "abandonment_rate_excluding_short_abandons",
    "asa_seconds",
    "avg_wait_abandoned_seconds",
    "longest_wait_seconds",
    "handled_with_known_time",
    "aht_seconds",
    "avg_talk_seconds",
    "avg_hold_seconds",
    "avg_wrap_up_seconds",
    "transfers",
    "transfer_rate",
    "escalations",
    "escalation_rate",
    "csat_responses",
    "csat",
    "nps_responses",
    "nps",
)


def _same(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-9)
    return left == right


@settings(max_examples=300, deadline=None)
@given(records=contact_lists, kpi=kpi_settings, split=st.integers(0, 40))
def test_summarised_tally_equals_compute_kpis(records, kpi: KpiSettings, split: int) -> None:
    expected = compute_kpis(records, settings=kpi)
    # tallied in two parts and added, as the stored intervals are
    tally = tally_records(records[:split], kpi) + tally_records(records[split:], kpi)
    assert tally == tally_records(records, kpi)
    summary = summarise(tally, kpi, thresholds_seconds=expected.service_level.thresholds_seconds)
    for name in SHARED:
        assert _same(getattr(summary, name), getattr(expected, name)), name
    assert summary.service_level == expected.service_level


def test_example_of_the_definitions_page() -> None:
    # docs/kpis.md: s1, s2 in the menu; a1–a4 answered after 0, 10, 20, 21 s; x1, x2 abandoned
    # after 3 and 40 s. T = 20 s, short abandons ≤ 5 s.
    records = [
        self_service("s1"),
        self_service("s2"),
        answered("a1", wait=0),
        answered("a2", wait=10),
        answered("a3", wait=20),
        answered("a4", wait=21),
        abandoned("x1", wait=3),
        abandoned("x2", wait=40),
    ]
    summary = summarise(tally_records(records, KpiSettings()))
    assert (summary.offered, summary.answered, summary.abandoned, summary.short_abandons) == (
        6,
        4,
        2,
        1,
    )
    assert summary.service_level.answered == 3 / 4
    assert summary.service_level.offered == 3 / 6
    assert summary.service_level.excluding_short_abandons == 3 / 5
    assert summary.asa_seconds == (0 + 10 + 20 + 21) / 4
    assert summary.avg_wait_abandoned_seconds == (3 + 40) / 2
    assert summary.longest_wait_seconds == 40


def test_per_queue_threshold_and_empty_tally() -> None:
    kpi = KpiSettings(threshold=ServiceLevelThreshold(seconds=20, per_queue={"vip": 10}))
    records = [answered("v1", wait=15, queue="vip"), answered("n1", wait=15)]
    assert tally_records(records, kpi).answered_within_threshold == 1
    empty = summarise(KpiTally())
    assert empty.asa_seconds is None and empty.longest_wait_seconds is None
    assert empty.service_level.answered is None
