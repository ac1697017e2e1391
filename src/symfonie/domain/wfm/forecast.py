"""Demand forecast for one series (queue + channel): contacts and handle time per interval.

Input: :class:`SeriesHistory`, counts per interval of whole local days. Output:
:class:`SeriesForecast`, per interval of the horizon its start (aware, local), contacts and AHT,
ready for :func:`symfonie.domain.wfm.staffing.staff_intervals`::

    result = forecast_series(history, horizon_days=7, calendar=DayCalendar(countries=("NL",)))
    staffing = staff_intervals(result.contacts, interval_minutes=result.interval_minutes,
                               aht_seconds=result.aht_seconds, target=target)

Steps (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed. — FPP3):

1. daily volume = the sum of the day's intervals; irregular days (public holidays, special days;
   :mod:`~symfonie.domain.wfm.forecast_calendar`) replaced by a seasonal naive estimate;
2. with >= 2 years of history, a yearly index divides the series out and back in
   (:func:`~symfonie.domain.wfm.forecast_methods.yearly_index`);
3. the daily method (seasonal naive, exponential smoothing, damped Holt–Winters;
   :mod:`~symfonie.domain.wfm.forecast_methods`) with the lowest rolling-origin WAPE is chosen
   (:mod:`~symfonie.domain.wfm.forecast_backtest`) and forecasts the days up to the horizon;
4. holidays and special days in the horizon get their factor (calendar module doc);
5. interval contacts = day volume × the weekday's intraday profile (mean share per interval over
   the last ``recent_weeks`` regular same weekdays);
6. AHT per interval = Σ handle seconds / Σ handled contacts over those same days and interval,
   falling back to the weekday's AHT, then the whole history's, then ``None``.

Days are local days of ``time_zone`` cut into a fixed wall-clock grid of 1440 /
``interval_minutes`` slots: in the history, the hour repeated when summer time ends falls into
the same slots twice, and the skipped hour's slots stay empty. In the horizon the real
intervals are listed (23 or 25 hours on those days): a repeated slot's share is split over its
two intervals, and the shares are scaled so each day keeps its whole volume.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from symfonie.domain.wfm.forecast_backtest import (
    BacktestScore,
    choose_method,
    rolling_origin_backtest,
)
from symfonie.domain.wfm.forecast_calendar import DayCalendar, DayInfo, DayKind
from symfonie.domain.wfm.forecast_methods import (
    METHODS,
    MIN_TRAINING_DAYS,
    SEASON_DAYS,
    BoolArray,
    FloatArray,
    clean_irregular_days,
    day_of_year_position,
    yearly_index,
)
from symfonie.domain.wfm.forecast_profile import (
    handle_time_profiles,
    intraday_profiles,
    recent_weekday_levels,
)

__all__ = [
    "DayCalendar",
    "DayForecast",
    "SeriesForecast",
    "SeriesHistory",
    "day_intervals",
    "forecast_series",
]

MIN_HISTORY_DAYS = SEASON_DAYS + 1
"""A week to repeat and one day to test it on."""


@dataclass(frozen=True, eq=False)
class SeriesHistory:
    """History of one series per interval over whole local days, ``first_day`` onwards.

    ``contacts[d, i]``: contacts arriving on day ``first_day + d`` in wall-clock slot ``i``
    (``i × interval_minutes`` minutes after local midnight) of ``time_zone`` (IANA name).
    ``handle_seconds[d, i]``: total handle time in seconds of the contacts arriving in that
    slot that were handled, ``handled_contacts[d, i]`` how many those are (both ``None`` when
    no handle times are known). ``interval_minutes`` must divide 60.
    """

    series: str
    first_day: date
    interval_minutes: int
    time_zone: str
    contacts: FloatArray
    handle_seconds: FloatArray | None = None
    handled_contacts: FloatArray | None = None
    zone: ZoneInfo = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.interval_minutes not in [m for m in range(1, 61) if 60 % m == 0]:
            raise ValueError(f"interval_minutes must divide 60, got {self.interval_minutes}")
        try:
            object.__setattr__(self, "zone", ZoneInfo(self.time_zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.time_zone!r}") from None
        slots = 24 * 60 // self.interval_minutes
        for name in ("contacts", "handle_seconds", "handled_contacts"):
            value = getattr(self, name)
            if value is None:
                continue
            array = np.asarray(value, dtype=np.float64)
            if array.ndim != 2 or array.shape[1] != slots:
                raise ValueError(f"{name} must have shape (days, {slots}), got {array.shape}")
            if array.shape[0] != np.shape(self.contacts)[0]:
                raise ValueError(f"{name} must cover the same days as contacts")
            if not np.all(np.isfinite(array)) or np.any(array < 0):
                raise ValueError(f"{name} must be finite numbers >= 0")
            object.__setattr__(self, name, array)
        if (self.handle_seconds is None) != (self.handled_contacts is None):
            raise ValueError("give both handle_seconds and handled_contacts, or neither")

    @property
    def days(self) -> int:
        """Number of whole days in the history."""
        return int(self.contacts.shape[0])

    @property
    def last_day(self) -> date:
        """The last day of the history."""
        return self.first_day + timedelta(days=self.days - 1)

    @property
    def daily_contacts(self) -> FloatArray:
        """Contacts per day."""
        return np.asarray(self.contacts.sum(axis=1), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class DayForecast:
    """One day of the horizon: contacts forecast, the day's kind and name, the weekday whose
    profile it uses (0 Monday … 6 Sunday) and its contact-weighted AHT in seconds."""

    day: date
    contacts: float
    kind: DayKind
    name: str
    profile_weekday: int
    aht_seconds: float | None


@dataclass(frozen=True, eq=False)
class SeriesForecast:
    """The forecast of one series.

    ``interval_starts``: aware local start of every interval of the horizon (in order, each
    ``interval_minutes`` long); ``contacts`` and ``aht_seconds``: arrays of the same length
    (``aht_seconds`` is ``None`` without handle times in the history). ``backtest``: every
    compared method's score; ``skipped_methods``: method → why it was not compared.
    ``irregular_history_days``: the history's holidays and special days (left out of fitting).
    """

    series: str
    time_zone: str
    interval_minutes: int
    method: str
    yearly_seasonality: bool
    backtest: tuple[BacktestScore, ...]
    backtest_horizon_days: int
    skipped_methods: dict[str, str]
    days: tuple[DayForecast, ...]
    interval_starts: tuple[datetime, ...]
    contacts: FloatArray
    aht_seconds: FloatArray | None
    irregular_history_days: tuple[tuple[date, DayInfo], ...]


def day_intervals(day: date, interval_minutes: int, zone: ZoneInfo) -> list[tuple[datetime, int]]:
    """The real intervals of local ``day``: (aware local start, wall-clock slot), in order.

    Steps in UTC from local midnight to the next, so a day has 23 or 25 hours when summer
    time starts or ends; the slot is minutes after midnight on the wall clock //
    ``interval_minutes`` (the repeated hour's two intervals share a slot).
    """
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    step = timedelta(minutes=interval_minutes)
    intervals = []
    moment = start
    while moment < end:
        local = moment.astimezone(zone)
        intervals.append((local, (local.hour * 60 + local.minute) // interval_minutes))
        moment += step
    return intervals


def _plan(days: int, methods: Sequence[str], origins: int) -> tuple[int, list[str], dict[str, str]]:
    """Origins and methods of the backtest: every compared method fits at every origin."""
    if days < MIN_HISTORY_DAYS:
        raise ValueError(
            f"history too short: the forecast needs at least {MIN_HISTORY_DAYS} whole days "
            f"(a week to repeat and a day to test it on), got {days}"
        )
    if origins < 1:
        raise ValueError(f"backtest_origins must be >= 1, got {origins}")
    unknown = [name for name in methods if name not in METHODS]
    if unknown or not methods:
        raise ValueError(f"methods must be some of {', '.join(METHODS)}, got {list(methods)}")
    # the simplest method fits at every origin; from 15 days on, so does exponential smoothing
    floor = min(MIN_TRAINING_DAYS[name] for name in methods)
    if days > 2 * SEASON_DAYS and "exponential_smoothing" in methods:
        floor = max(floor, MIN_TRAINING_DAYS["exponential_smoothing"])
    used = max(1, min(origins, days - floor))
    compared = [name for name in methods if days - used >= MIN_TRAINING_DAYS[name]]
    skipped = {
        name: f"needs {MIN_TRAINING_DAYS[name]} days of training at every origin; the earliest "
        f"of {used} origins has {days - used} (more history or fewer origins would do)"
        for name in methods
        if name not in compared
    }
    if not compared:
        raise ValueError(f"history too short for {', '.join(methods)}: {skipped}")
    return used, compared, skipped


def _day_volume(
    base: float, day: date, info: DayInfo, calendar: DayCalendar, levels: FloatArray
) -> tuple[float, int]:
    """A horizon day's contacts and the weekday whose profile it uses (calendar module doc)."""
    if info.kind is DayKind.SPECIAL:
        assert info.factor is not None
        return base * info.factor, day.weekday()
    if info.kind is DayKind.HOLIDAY and calendar.holiday_factor is not None:
        return base * calendar.holiday_factor, day.weekday()
    if info.kind is DayKind.HOLIDAY:
        like = calendar.holiday_as_weekday
        own_level, like_level = float(levels[day.weekday()]), float(levels[like])
        return (base * like_level / own_level if own_level > 0 else like_level), like
    return base, day.weekday()


def _shares(profile: FloatArray, slots: list[int]) -> FloatArray:
    """Each real interval's share of the day: a repeated slot's share split over its two
    intervals, then all scaled to sum to 1 (a skipped hour's share goes to the rest)."""
    slot_array = np.array(slots)
    repeats = np.bincount(slot_array, minlength=profile.size)[slot_array]
    shares = profile[slot_array] / repeats
    total = float(shares.sum())
    return shares / total if total > 0 else np.full(slot_array.size, 1.0 / slot_array.size)


def forecast_series(
    history: SeriesHistory,
    *,
    horizon_days: int,
    horizon_start: date | None = None,
    calendar: DayCalendar | None = None,
    methods: Sequence[str] = tuple(METHODS),
    backtest_origins: int = 14,
    backtest_horizon_days: int = 7,
    recent_weeks: int = 4,
) -> SeriesForecast:
    """Forecast ``horizon_days`` days from ``horizon_start`` (default: the day after the history).

    The method is chosen among ``methods`` by a rolling-origin backtest on the daily volume:
    up to ``backtest_origins`` origins (the last days of the history, fewer when the history is
    short), ``backtest_horizon_days`` days ahead each, lowest WAPE wins (ties: the simpler). The
    steps are in the module doc. ``recent_weeks``: how many recent regular same weekdays the
    intraday profiles, handle times and holiday ratios use. Raises ``ValueError`` for a history
    under 8 days, a horizon before the history's end, or a bad argument.
    """
    calendar = calendar or DayCalendar()
    start = horizon_start or history.last_day + timedelta(days=1)
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be >= 1, got {horizon_days}")
    if start <= history.last_day:
        raise ValueError(f"the horizon must start after the history ({history.last_day}): {start}")
    if recent_weeks < 1 or backtest_horizon_days < 1:
        raise ValueError("recent_weeks and backtest_horizon_days must be >= 1")
    origins, compared, skipped = _plan(history.days, methods, backtest_origins)

    dates = [history.first_day + timedelta(days=d) for d in range(history.days)]
    infos = [calendar.day(day) for day in dates]
    irregular: BoolArray = np.array([info.kind is not DayKind.REGULAR for info in infos])
    weekdays = np.array([day.weekday() for day in dates])
    cleaned = clean_irregular_days(history.daily_contacts, irregular)

    index = yearly_index(cleaned, history.first_day)
    gap_days = (start - history.first_day).days - history.days
    steps = gap_days + horizon_days
    future = [history.last_day + timedelta(days=h) for h in range(1, steps + 1)]
    if index is None:
        past_factor, future_factor = np.ones(history.days), np.ones(steps)
    else:
        past_factor = index[[day_of_year_position(day) for day in dates]]
        future_factor = index[[day_of_year_position(day) for day in future]]

    scores = rolling_origin_backtest(
        cleaned,
        {name: METHODS[name] for name in compared},
        origins=origins,
        horizon_days=backtest_horizon_days,
        scored=~irregular,
        adjustment=past_factor,
    )
    method = choose_method(scores)
    base = METHODS[method](cleaned / past_factor, steps) * future_factor

    profiles = intraday_profiles(history.contacts, weekdays, ~irregular, recent_weeks)
    levels = recent_weekday_levels(cleaned, weekdays, ~irregular, recent_weeks)
    aht_profiles = None
    if history.handle_seconds is not None and history.handled_contacts is not None:
        aht_profiles = handle_time_profiles(
            history.handle_seconds, history.handled_contacts, weekdays, ~irregular, recent_weeks
        )

    day_forecasts, starts, contacts, aht = [], [], [], []
    for offset in range(gap_days, steps):
        day = future[offset]
        info = calendar.day(day)
        volume, profile_weekday = _day_volume(float(base[offset]), day, info, calendar, levels)
        intervals = day_intervals(day, history.interval_minutes, history.zone)
        shares = _shares(profiles[profile_weekday], [slot for _, slot in intervals])
        day_contacts = volume * shares
        starts += [moment for moment, _ in intervals]
        contacts.append(day_contacts)
        day_aht = None
        if aht_profiles is not None:
            aht.append(aht_profiles[profile_weekday, [slot for _, slot in intervals]])
            weights = day_contacts if volume > 0 else shares
            day_aht = float(np.dot(weights, aht[-1]) / weights.sum())
        day_forecasts.append(
            DayForecast(day, volume, info.kind, info.name, profile_weekday, day_aht)
        )

    return SeriesForecast(
        series=history.series,
        time_zone=history.time_zone,
        interval_minutes=history.interval_minutes,
        method=method,
        yearly_seasonality=index is not None,
        backtest=tuple(scores),
        backtest_horizon_days=backtest_horizon_days,
        skipped_methods=skipped,
        days=tuple(day_forecasts),
        interval_starts=tuple(starts),
        contacts=np.concatenate(contacts),
        aht_seconds=np.concatenate(aht) if aht_profiles is not None else None,
        irregular_history_days=tuple(
            (day, info)
            for day, info in zip(dates, infos, strict=True)
            if info.kind is not DayKind.REGULAR
        ),
    )
