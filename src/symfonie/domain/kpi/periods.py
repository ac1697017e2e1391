"""Time buckets in local time: intervals of 15/30/60 minutes, days, ISO weeks and months.

Contact centers report in the local time of the operation, so buckets follow the wall clock of
``tz`` (``Europe/Amsterdam`` unless told otherwise), through daylight-saving changes:

* a day runs from local midnight to local midnight (23 or 25 hours on the change days), a week
  from Monday 00:00 (ISO 8601), a month from the 1st at 00:00;
* an interval starts on the local wall clock (09:00, 09:15, …) and lasts exactly
  ``interval_minutes``; in the autumn the repeated hour 02:00–03:00 gives two separate buckets
  (the first in summer time, the second in winter time), in the spring 02:00–03:00 does not exist.

Arithmetic is done in UTC and starts are compared as instants, because Python compares two
datetimes of the same zone by wall clock and would merge the two 02:00 buckets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

AMSTERDAM = "Europe/Amsterdam"


class Period(StrEnum):
    """A calendar period in local time."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


@dataclass(frozen=True, slots=True)
class Bucketing:
    """How to cut time into buckets: ``interval_minutes`` or a ``period``, in ``zone``."""

    zone: ZoneInfo
    interval_minutes: int | None = None
    period: Period | None = None

    def __post_init__(self) -> None:
        if (self.interval_minutes is None) == (self.period is None):
            raise ValueError("give exactly one of interval_minutes and period")
        minutes = self.interval_minutes
        if minutes is not None and (minutes <= 0 or 1440 % minutes != 0):
            raise ValueError(f"interval_minutes must divide a day (15, 30, 60…), got {minutes!r}")

    def start_of(self, instant: datetime) -> datetime:
        """Start of the bucket holding ``instant``, as an aware datetime in ``zone``."""
        local = instant.astimezone(self.zone)
        if self.interval_minutes is not None:
            minutes = local.hour * 60 + local.minute
            floored = minutes - minutes % self.interval_minutes
            # replace() keeps ``fold``, so the repeated autumn hour stays two buckets.
            return local.replace(hour=floored // 60, minute=floored % 60, second=0, microsecond=0)
        day = local.date()
        if self.period is Period.WEEK:
            day -= timedelta(days=day.weekday())
        elif self.period is Period.MONTH:
            day = day.replace(day=1)
        return _local_midnight(day, self.zone)

    def end_of(self, start: datetime) -> datetime:
        """End (exclusive) of the bucket that starts at ``start``, in ``zone``."""
        if self.interval_minutes is not None:
            end = start.astimezone(UTC) + timedelta(minutes=self.interval_minutes)
            return end.astimezone(self.zone)
        day = start.astimezone(self.zone).date()
        if self.period is Period.DAY:
            return _local_midnight(day + timedelta(days=1), self.zone)
        if self.period is Period.WEEK:
            return _local_midnight(day + timedelta(days=7), self.zone)
        next_month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return _local_midnight(next_month, self.zone)

    def starts_overlapping(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Starts of the buckets that overlap [start, end), in order."""
        current = self.start_of(start)
        limit = end.astimezone(UTC)
        while current.astimezone(UTC) < limit:
            yield current
            current = self.end_of(current)


def make_bucketing(
    *,
    interval_minutes: int | None = None,
    period: Period | str | None = None,
    tz: str = AMSTERDAM,
) -> Bucketing | None:
    """A :class:`Bucketing`, or ``None`` when neither an interval nor a period is asked for."""
    if interval_minutes is None and period is None:
        return None
    return Bucketing(
        zone=ZoneInfo(tz),
        interval_minutes=interval_minutes,
        period=None if period is None else Period(period),
    )


def week_start(instant: datetime, tz: str = AMSTERDAM) -> datetime:
    """Monday 00:00 local time (in ``tz``) of the ISO week holding ``instant``."""
    return Bucketing(zone=ZoneInfo(tz), period=Period.WEEK).start_of(instant)
