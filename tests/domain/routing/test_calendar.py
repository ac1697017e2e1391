"""Business hours and holidays: open/closed, next opening, working seconds (also across DST)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from symfonie.domain.routing import BusinessCalendar, OpeningHours, weekday_hours

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
EASTER_MONDAY_2025 = date(2025, 4, 21)
OFFICE = BusinessCalendar(
    hours=weekday_hours(time(8, 0), time(17, 0)), holidays=frozenset({EASTER_MONDAY_2025})
)


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2025, 3, 3, 8, 0), True),  # Monday at opening
        (local(2025, 3, 3, 16, 59), True),
        (local(2025, 3, 3, 17, 0), False),  # closing time itself is closed
        (local(2025, 3, 3, 7, 59), False),
        (local(2025, 3, 8, 12, 0), False),  # Saturday
        (local(2025, 4, 21, 12, 0), False),  # Easter Monday (holiday)
        (local(2025, 4, 22, 12, 0), True),
    ],
)
def test_is_open(moment: datetime, expected: bool) -> None:
    assert OFFICE.is_open(moment) is expected


def test_is_open_compares_instants_not_wall_clocks() -> None:
    # 07:30 UTC is 08:30 in Amsterdam in winter: open.
    assert OFFICE.is_open(datetime(2025, 3, 3, 7, 30, tzinfo=UTC))


def test_next_opening_skips_the_weekend_and_holidays() -> None:
    friday_evening = local(2025, 4, 18, 17, 30)
    # Easter Monday is closed, so the next opening is Tuesday 08:00 (summer time: 06:00 UTC).
    assert OFFICE.next_opening(friday_evening) == datetime(2025, 4, 22, 6, 0, tzinfo=UTC)


def test_next_opening_when_open_is_now() -> None:
    moment = local(2025, 3, 4, 10, 0)
    assert OFFICE.next_opening(moment) == moment


def test_next_opening_follows_daylight_saving_time() -> None:
    # Clocks go forward on Sunday 30 March 2025; Monday opens at 08:00 CEST = 06:00 UTC.
    assert OFFICE.next_opening(local(2025, 3, 28, 18, 0)) == datetime(2025, 3, 31, 6, 0, tzinfo=UTC)


def test_working_seconds_count_only_opening_hours() -> None:
    friday_16 = local(2025, 3, 28, 16, 0)
    monday_9 = local(2025, 3, 31, 9, 0)
    assert OFFICE.working_seconds_between(friday_16, monday_9) == 2 * 3600
    assert OFFICE.working_seconds_between(monday_9, friday_16) == 0.0


def test_a_full_day_across_the_dst_change_has_23_hours() -> None:
    always = BusinessCalendar(hours=weekday_hours(time(0, 0), time(0, 0), range(7)))
    start, end = local(2025, 3, 30, 0, 0), local(2025, 3, 31, 0, 0)
    assert always.working_seconds_between(start, end) == 23 * 3600
    assert always.is_open(local(2025, 3, 30, 23, 59))


def test_add_working_seconds_gives_the_email_due_time() -> None:
    # Received Friday 15:00: 2 working hours on Friday, 6 on Monday → due Monday 14:00.
    due = OFFICE.add_working_seconds(local(2025, 3, 7, 15, 0), 8 * 3600)
    assert due == local(2025, 3, 10, 14, 0)
    assert OFFICE.working_seconds_between(local(2025, 3, 7, 15, 0), due) == 8 * 3600


def test_a_calendar_without_hours_never_opens() -> None:
    closed = BusinessCalendar()
    assert not closed.is_open(local(2025, 3, 3, 12, 0))
    assert closed.next_opening(local(2025, 3, 3, 12, 0)) is None
    assert closed.add_working_seconds(local(2025, 3, 3, 12, 0), 60) is None


def test_bad_hours_and_zones_are_refused() -> None:
    with pytest.raises(ValueError, match="closes"):
        OpeningHours(weekday=0, opens=time(17, 0), closes=time(8, 0))
    with pytest.raises(ValueError, match="weekday"):
        OpeningHours(weekday=7, opens=time(8, 0), closes=time(17, 0))
    with pytest.raises(Exception, match="Nowhere"):
        BusinessCalendar(timezone="Europe/Nowhere")
