"""Business hours and holidays of a queue, in the queue's own time zone.

The holidays arrive as a plain set of dates: the Django side fills it from the ``holidays``
package (Dutch and Belgian public holidays); the domain core never imports that package.

Opening hours are given per weekday in local wall-clock time, so a queue that opens at 08:00
opens at 08:00 in summer and in winter. Durations are always measured in UTC: subtracting two
aware datetimes that share a ``ZoneInfo`` compares wall clocks, which is wrong across a DST
change, so every boundary is converted to UTC before any arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MIDNIGHT = time(0, 0)
# How far ahead next_opening() looks: a year plus slack covers a calendar with holidays
# on every open day of a whole week; beyond that the queue counts as never opening.
SEARCH_DAYS = 400


@dataclass(frozen=True, kw_only=True)
class OpeningHours:
    """One open interval on one weekday: ``weekday`` 0 = Monday … 6 = Sunday.

    ``closes`` = 00:00 means the end of that day (24:00). Overnight opening is written as two
    intervals: ``opens=22:00, closes=00:00`` on one day and ``opens=00:00, closes=06:00`` on
    the next.
    """

    weekday: int
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) … 6 (Sunday), got {self.weekday}")
        if self.closes != MIDNIGHT and self.closes <= self.opens:
            raise ValueError(f"closes ({self.closes}) must be after opens ({self.opens})")


@dataclass(frozen=True, kw_only=True)
class BusinessCalendar:
    """When a queue is open: weekly ``hours`` in ``timezone``, closed all day on ``holidays``.

    ``holidays`` are local dates in ``timezone``. An empty ``hours`` means never open.
    """

    timezone: str = "Europe/Amsterdam"
    hours: tuple[OpeningHours, ...] = ()
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # raises for an unknown zone name, before anything else

    def is_open(self, at: datetime) -> bool:
        """True if ``at`` (timezone-aware) falls inside an open interval on a non-holiday."""
        instant = at.astimezone(UTC)
        local_day = instant.astimezone(ZoneInfo(self.timezone)).date()
        for day in (local_day - timedelta(days=1), local_day):
            for start, end in self._intervals_on(day):
                if start <= instant < end:
                    return True
        return False

    def next_opening(self, at: datetime) -> datetime | None:
        """The first moment at or after ``at`` when the queue is open (UTC), or None.

        None means no open interval within ``SEARCH_DAYS`` days (a calendar without hours).
        """
        instant = at.astimezone(UTC)
        if self.is_open(instant):
            return instant
        first_day = instant.astimezone(ZoneInfo(self.timezone)).date()
        for offset in range(SEARCH_DAYS):
            for start, _end in self._intervals_on(first_day + timedelta(days=offset)):
                if start >= instant:
                    return start
        return None

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Seconds of opening hours between ``start`` and ``end`` (0 if ``end`` <= ``start``).

        This is the clock of a service level "within N working hours" (e-mail: 90 % within
        8 working hours): only time during open intervals on non-holidays counts.
        """
        begin = start.astimezone(UTC)
        finish = end.astimezone(UTC)
        if finish <= begin:
            return 0.0
        zone = ZoneInfo(self.timezone)
        day = begin.astimezone(zone).date() - timedelta(days=1)
        last_day = finish.astimezone(zone).date()
        total = 0.0
        while day <= last_day:
            for open_at, close_at in self._intervals_on(day):
                overlap_start = max(open_at, begin)
                overlap_end = min(close_at, finish)
                if overlap_end > overlap_start:
                    total += (overlap_end - overlap_start).total_seconds()
            day += timedelta(days=1)
        return total

    def add_working_seconds(self, start: datetime, working_seconds: float) -> datetime | None:
        """The moment (UTC) when ``working_seconds`` of opening hours have passed since ``start``.

        The due time of "within 8 working hours" is ``add_working_seconds(received, 8 * 3600)``.
        None if the calendar does not open often enough within ``SEARCH_DAYS`` days.
        """
        remaining = float(working_seconds)
        begin = start.astimezone(UTC)
        if remaining <= 0:
            return begin
        first_day = begin.astimezone(ZoneInfo(self.timezone)).date() - timedelta(days=1)
        for offset in range(SEARCH_DAYS):
            for open_at, close_at in self._intervals_on(first_day + timedelta(days=offset)):
                usable_start = max(open_at, begin)
                if close_at <= usable_start:
                    continue
                usable_seconds = (close_at - usable_start).total_seconds()
                if usable_seconds >= remaining:
                    return usable_start + timedelta(seconds=remaining)
                remaining -= usable_seconds
        return None

    def _intervals_on(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The open intervals of local date ``day`` as UTC (start, end) pairs."""
        if day in self.holidays:
            return
        zone = ZoneInfo(self.timezone)
        weekday = day.weekday()
        for hours in self.hours:
            if hours.weekday != weekday:
                continue
            start = datetime.combine(day, hours.opens, tzinfo=zone).astimezone(UTC)
            if hours.closes == MIDNIGHT:
                next_day = day + timedelta(days=1)
                end = datetime.combine(next_day, MIDNIGHT, tzinfo=zone).astimezone(UTC)
            else:
                end = datetime.combine(day, hours.closes, tzinfo=zone).astimezone(UTC)
            yield start, end


def weekday_hours(
    opens: time, closes: time, weekdays: range = range(5)
) -> tuple[OpeningHours, ...]:
    """The same interval on each of ``weekdays`` (default Monday–Friday), for short configs."""
    return tuple(OpeningHours(weekday=day, opens=opens, closes=closes) for day in weekdays)
