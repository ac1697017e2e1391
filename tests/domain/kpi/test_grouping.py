"""Buckets in local time (intervals, days, weeks, months, DST) and KPIs per group."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from symfonie.domain.kpi.grouping import group_by
from symfonie.domain.kpi.kpiset import KpiSettings, compute_kpis
from symfonie.domain.kpi.periods import Bucketing, Period, make_bucketing, week_start
from symfonie.domain.kpi.records import (
    BackOfficeTask,
    ContactRecord,
    PresenceInterval,
    PresenceState,
)
from symfonie.domain.kpi.service_level import ServiceLevelThreshold, ServiceLevelVariant
from tests.domain.kpi.builders import AMSTERDAM, abandoned, answered, at, self_service


def _arriving(contact_id: str, arrived_at: datetime) -> ContactRecord:
    return ContactRecord(contact_id, "acme", "sales", "voice", arrived_at=arrived_at)


def _buckets(bucketing: Bucketing | None, instant: datetime) -> tuple[datetime, datetime]:
    assert bucketing is not None
    start = bucketing.start_of(instant)
    return start, bucketing.end_of(start)


def test_intervals_follow_the_local_wall_clock() -> None:
    quarter = make_bucketing(interval_minutes=15)
    start, end = _buckets(quarter, datetime(2025, 3, 3, 8, 14, 59, tzinfo=UTC))
    assert start == datetime(2025, 3, 3, 9, 0, tzinfo=AMSTERDAM)
    assert end == datetime(2025, 3, 3, 9, 15, tzinfo=AMSTERDAM)
    start, _ = _buckets(quarter, datetime(2025, 3, 3, 8, 15, tzinfo=UTC))
    assert start == datetime(2025, 3, 3, 9, 15, tzinfo=AMSTERDAM)


def test_days_weeks_and_months_start_at_local_midnight() -> None:
    late_monday_utc = datetime(2025, 3, 3, 23, 30, tzinfo=UTC)  # Tuesday 00:30 in Amsterdam
    assert _buckets(make_bucketing(period="day"), late_monday_utc)[0] == datetime(
        2025, 3, 4, tzinfo=AMSTERDAM
    )
    assert week_start(late_monday_utc) == datetime(2025, 3, 3, tzinfo=AMSTERDAM)
    start, end = _buckets(
        make_bucketing(period=Period.MONTH), datetime(2025, 12, 31, 23, tzinfo=UTC)
    )
    assert (start, end) == (
        datetime(2026, 1, 1, tzinfo=AMSTERDAM),
        datetime(2026, 2, 1, tzinfo=AMSTERDAM),
    )


def test_days_around_daylight_saving_changes_last_23_and_25_hours() -> None:
    day = make_bucketing(period="day")
    start, end = _buckets(day, datetime(2025, 3, 30, 12, tzinfo=UTC))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)
    start, end = _buckets(day, datetime(2025, 10, 26, 12, tzinfo=UTC))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=25)


def test_the_repeated_autumn_hour_gives_two_buckets() -> None:
    summer = _arriving("summer", datetime(2025, 10, 26, 0, 30, tzinfo=UTC))  # 02:30 CEST
    winter = _arriving("winter", datetime(2025, 10, 26, 1, 30, tzinfo=UTC))  # 02:30 CET
    buckets = group_by([summer, winter], interval_minutes=60)
    assert [bucket.kpis.contacts for bucket in buckets] == [1, 1]
    assert [bucket.start.utcoffset() for bucket in buckets if bucket.start] == [
        timedelta(hours=2),
        timedelta(hours=1),
    ]
    assert all(bucket.start and bucket.start.hour == 2 for bucket in buckets)


def test_bucketing_arguments_are_checked() -> None:
    assert make_bucketing() is None
    with pytest.raises(ValueError, match="divide a day"):
        make_bucketing(interval_minutes=7)
    with pytest.raises(ValueError, match="exactly one"):
        Bucketing(zone=AMSTERDAM, interval_minutes=15, period=Period.DAY)


CONTACTS = [
    answered("a1", wait=5, arrive=0, agent_id="anna", team="blue", topic_keys=("refund",)),
    answered("a2", wait=30, arrive=600, agent_id="bram", team="red", queue="vip"),
    answered("a3", wait=10, arrive=1200, agent_id="anna", team="blue", channel="chat",
             topic_keys=("refund", "address")),
    abandoned("x1", wait=4, arrive=1300),
    abandoned("x2", wait=60, arrive=2000, queue="vip"),
    self_service("s1", arrive=2400, channel="chat"),
]  # fmt: skip


def test_per_interval_by_hand() -> None:
    buckets = group_by(CONTACTS, interval_minutes=30)
    assert [(bucket.start, bucket.kpis.offered) for bucket in buckets] == [
        (datetime(2025, 3, 3, 9, 0, tzinfo=AMSTERDAM), 4),
        (datetime(2025, 3, 3, 9, 30, tzinfo=AMSTERDAM), 1),
    ]
    first = buckets[0].kpis
    assert (first.answered, first.abandoned, first.short_abandons) == (3, 1, 1)
    assert first.asa_seconds == pytest.approx(15.0)  # (5 + 30 + 10) / 3
    assert first.service_level.answered == pytest.approx(2 / 3)  # 5 s and 10 s within 20 s
    assert buckets[1].kpis.contacts == 2 and buckets[1].kpis.self_service == 1


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("queue", {"sales": 3, "vip": 2}),
        ("agent", {"": 2, "anna": 2, "bram": 1}),
        ("team", {"": 2, "blue": 2, "red": 1}),
        ("channel", {"chat": 1, "voice": 4}),
        ("tenant", {"acme": 5}),
        ("topic", {"": 3, "address": 1, "refund": 2}),
    ],
)
def test_offered_per_group(key: str, expected: dict[str, int]) -> None:
    buckets = group_by(CONTACTS, key=key)  # type: ignore[arg-type]
    assert {bucket.group: bucket.kpis.offered for bucket in buckets} == expected
    assert all(bucket.start is None and bucket.end is None for bucket in buckets)


def test_group_by_a_function() -> None:
    buckets = group_by(CONTACTS, key=lambda record: "long" if record.queue == "vip" else "short")
    assert {bucket.group: bucket.kpis.contacts for bucket in buckets} == {"long": 2, "short": 4}


def test_presence_is_split_over_intervals_and_attributed_to_agents() -> None:
    presence = [
        PresenceInterval("anna", PresenceState.BUSY, at(0), at(45 * 60), team="blue"),
        PresenceInterval("anna", PresenceState.AVAILABLE, at(45 * 60), at(60 * 60), team="blue"),
    ]
    by_interval = group_by(CONTACTS, interval_minutes=30, presence=presence)
    assert [bucket.kpis.occupancy for bucket in by_interval] == [1.0, pytest.approx(0.5)]
    by_agent = {
        bucket.group: bucket.kpis for bucket in group_by(CONTACTS, key="agent", presence=presence)
    }
    assert by_agent["anna"].occupancy == pytest.approx(0.75)
    assert by_agent["bram"].occupancy is None
    by_queue = group_by(CONTACTS, key="queue", presence=presence)
    assert all(bucket.kpis.occupancy is None for bucket in by_queue)


def test_tasks_go_to_the_bucket_of_their_due_time() -> None:
    tasks = [
        BackOfficeTask("t1", "acme", created_at=at(0), due_at=at(100), completed_at=at(50)),
        BackOfficeTask("t2", "acme", created_at=at(0), due_at=at(86_400)),
    ]
    days = group_by(CONTACTS, period="day", tasks=tasks, as_of=at(2 * 86_400))
    assert [(bucket.kpis.back_office_met, bucket.kpis.back_office_breached) for bucket in days] == [
        (1, 0),
        (0, 1),
    ]
    assert days[1].kpis.contacts == 0  # a bucket with only a task
    with pytest.raises(ValueError, match="as_of"):
        group_by(CONTACTS, tasks=tasks)


def test_fcr_looks_for_repeats_in_other_buckets() -> None:
    first = answered("b1", wait=0, customer_key="bob", topic_keys=("refund",))
    again = answered("b2", wait=0, arrive=2 * 86_400, customer_key="bob", topic_keys=("refund",))
    days = group_by([first, again], period="day")
    assert [bucket.kpis.first_contact_resolution for bucket in days] == [0.0, 1.0]
    assert [bucket.kpis.repeat_contacts for bucket in days] == [0, 1]


def test_settings_choose_threshold_short_abandons_and_headline_variant() -> None:
    settings = KpiSettings(
        threshold=ServiceLevelThreshold(seconds=20, per_queue={"vip": 40}),
        short_abandon_seconds=3,
        service_level_variant=ServiceLevelVariant.OFFERED,
    )
    kpis = compute_kpis(CONTACTS, settings=settings)
    assert kpis.short_abandons == 0  # the 4 s abandon is not short under a 3 s limit
    assert kpis.service_level.within_threshold_count == 3  # a2 waited 30 s in vip (T = 40 s)
    assert kpis.headline_service_level == pytest.approx(3 / 5)
    assert kpis.headline_service_level_label == "answered within T (per queue) / offered"
    with pytest.raises(ValueError, match="repeat_window"):
        KpiSettings(repeat_window=timedelta(0))
