"""The workforce planner: history → forecast → staffing → schedule problem → schedule.

The pages (:mod:`symfonie.wfm.views`) call :func:`staffed_forecast` and :func:`plan_schedule`;
everything here is plain Python on the domain core, except :func:`read_history` (the tenant's
stored contacts, :func:`symfonie.wfm.history.contact_history`). The results are frozen
dataclasses the templates, charts and CSV exports read.

Choices made for a page that must answer within seconds (docs/wfm.md, "Pages"):

* the forecast compares seasonal naive and exponential smoothing only, over 7 backtest origins
  (the command line compares three methods over 14);
* staffing is Erlang C per 30-minute interval; the schedule must cover the *scheduled* agents
  (``ceil(agents / (1 − shrinkage))``), so shrinkage stands for absence, training and meetings —
  breaks and lunches are placed by the schedule itself (:mod:`symfonie.wfm.roster`, which also
  says how shifts, home/office and office seats are set up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from symfonie.domain.wfm.forecast import DayCalendar, SeriesForecast, SeriesHistory, forecast_series
from symfonie.domain.wfm.staffing import StaffingTarget, staff_intervals
from symfonie.wfm.roster import (
    SCHEDULE_INTERVAL_MINUTES,
    AgentInfo,
    RosterRules,
    ScheduleOutcome,
    solve_roster,
)

if TYPE_CHECKING:
    from symfonie.tenants.models import Tenant

INTERVAL_MINUTES = 30
SLOTS_PER_DAY = 24 * 60 // INTERVAL_MINUTES
QUARTERS = INTERVAL_MINUTES // SCHEDULE_INTERVAL_MINUTES  # the schedule's grid
FORECAST_METHODS = ("seasonal_naive", "exponential_smoothing")
BACKTEST_ORIGINS = 7


@dataclass(frozen=True)
class PlanSettings:
    """What the planner form asks; fractions for rates, hours per week for contracts.

    The history covers ``history_weeks`` whole weeks up to ``history_end`` (inclusive); the
    horizon is the ``horizon_days`` days after it. ``office_seats``: agents at the office and
    not on a break per interval (``None``: unlimited). ``max_agents``: schedule only the first
    that many agents by name (``None``: all). ``aht_seconds`` is used where the history has no
    handle time.
    """

    queue: str
    history_end: date
    channel: str | None = None
    history_weeks: int = 6
    horizon_days: int = 7
    service_level: float = 0.8
    threshold_seconds: float = 20.0
    shrinkage: float = 0.2
    max_occupancy: float = 0.85
    aht_seconds: float = 300.0
    office_seats: int | None = None
    min_week_hours: float = 16.0
    max_week_hours: float = 36.0
    home_share: float = 0.5
    max_agents: int | None = None
    max_seconds: float = 10.0
    countries: tuple[str, ...] = ("NL",)

    @property
    def history_start(self) -> date:
        return self.history_end - timedelta(days=7 * self.history_weeks - 1)

    @property
    def horizon_start(self) -> date:
        return self.history_end + timedelta(days=1)

    @property
    def horizon_end(self) -> date:
        return self.history_end + timedelta(days=self.horizon_days)

    def forecast_key(self) -> tuple[object, ...]:
        """The settings the forecast and the staffing depend on (for a cache key)."""
        return (
            self.queue,
            self.channel,
            self.history_end,
            self.history_weeks,
            self.horizon_days,
            self.service_level,
            self.threshold_seconds,
            self.shrinkage,
            self.max_occupancy,
            self.aht_seconds,
            self.countries,
        )


@dataclass(frozen=True)
class IntervalRow:
    """One interval of the horizon: forecast, Erlang C staffing at ``agents``, the schedule's
    agents on the queue (not on a break) once a schedule exists."""

    start: datetime
    day: int
    slot: int
    contacts: float
    aht_seconds: float
    load_erlangs: float
    agents: int
    scheduled_agents: int
    service_level: float
    occupancy: float


@dataclass(frozen=True)
class DayRow:
    """One horizon day: contacts forecast, AHT, kind (regular/holiday/special), peak agents."""

    day: date
    contacts: float
    aht_seconds: float | None
    kind: str
    name: str
    peak_agents: int
    peak_scheduled_agents: int
    scheduled_agent_hours: float


@dataclass(frozen=True)
class StaffedForecast:
    """The forecast of one queue (and channel) with its staffing per interval."""

    settings: PlanSettings
    history: SeriesHistory
    forecast: SeriesForecast
    intervals: tuple[IntervalRow, ...]
    days: tuple[DayRow, ...]
    aht_from_history: bool

    @property
    def peak_agents(self) -> int:
        return max((row.agents for row in self.intervals), default=0)

    @property
    def peak_scheduled_agents(self) -> int:
        return max((row.scheduled_agents for row in self.intervals), default=0)

    def requirement(self) -> tuple[tuple[int, ...], ...]:
        """Scheduled agents per horizon day and wall-clock quarter-hour (days × 96), the
        schedule's input: each 30-minute interval's need in both its quarters. On the autumn
        day the repeated hour needs the larger of its two intervals; on the spring day the
        skipped hour needs nobody."""
        grid = np.zeros((self.settings.horizon_days, SLOTS_PER_DAY), dtype=np.int64)
        for row in self.intervals:
            grid[row.day, row.slot] = max(grid[row.day, row.slot], row.scheduled_agents)
        quarters = np.repeat(grid, QUARTERS, axis=1)
        return tuple(tuple(int(value) for value in day) for day in quarters)

    def day_intervals(self, day: int) -> list[IntervalRow]:
        return [row for row in self.intervals if row.day == day]


def read_history(tenant: Tenant, settings: PlanSettings) -> SeriesHistory:
    """The tenant's contacts of the queue (and channel) over the settings' history weeks."""
    from symfonie.wfm.history import contact_history

    return contact_history(
        tenant,
        start=settings.history_start,
        end=settings.history_end,
        queue=settings.queue,
        channel=settings.channel,
        interval_minutes=INTERVAL_MINUTES,
    )


def staffed_forecast(history: SeriesHistory, settings: PlanSettings) -> StaffedForecast:
    """Forecast the horizon from ``history`` and staff every interval (Erlang C).

    ``ValueError`` (from the forecast or the staffing) for a history that is too short or a
    target that cannot be met.
    """
    calendar = DayCalendar(countries=settings.countries)
    forecast = forecast_series(
        history,
        horizon_days=settings.horizon_days,
        horizon_start=settings.horizon_start,
        calendar=calendar,
        methods=FORECAST_METHODS,
        backtest_origins=BACKTEST_ORIGINS,
    )
    contacts = np.asarray(forecast.contacts, dtype=np.float64)
    if forecast.aht_seconds is None:
        aht = np.full(contacts.size, settings.aht_seconds)
    else:
        aht = np.asarray(forecast.aht_seconds, dtype=np.float64)
        aht = np.where(np.isfinite(aht) & (aht > 0), aht, settings.aht_seconds)
    target = StaffingTarget(
        service_level=settings.service_level,
        threshold_seconds=settings.threshold_seconds,
        max_occupancy=settings.max_occupancy,
    )
    staffing = staff_intervals(
        contacts,
        interval_minutes=INTERVAL_MINUTES,
        aht_seconds=aht,
        target=target,
        shrinkage=settings.shrinkage,
    )
    rows = []
    for index, start in enumerate(forecast.interval_starts):
        rows.append(
            IntervalRow(
                start=start,
                day=(start.date() - settings.horizon_start).days,
                slot=(start.hour * 60 + start.minute) // INTERVAL_MINUTES,
                contacts=float(contacts[index]),
                aht_seconds=float(aht[index]),
                load_erlangs=float(staffing.load_erlangs[index]),
                agents=int(staffing.agents[index]),
                scheduled_agents=int(staffing.scheduled_agents[index]),
                service_level=float(staffing.service_level[index]),
                occupancy=float(staffing.occupancy[index]),
            )
        )
    days = []
    for number, day in enumerate(forecast.days):
        mine = [row for row in rows if row.day == number]
        days.append(
            DayRow(
                day=day.day,
                contacts=day.contacts,
                aht_seconds=day.aht_seconds,
                kind=day.kind.value,
                name=day.name,
                peak_agents=max((row.agents for row in mine), default=0),
                peak_scheduled_agents=max((row.scheduled_agents for row in mine), default=0),
                scheduled_agent_hours=sum(row.scheduled_agents for row in mine)
                * INTERVAL_MINUTES
                / 60,
            )
        )
    return StaffedForecast(
        settings=settings,
        history=history,
        forecast=forecast,
        intervals=tuple(rows),
        days=tuple(days),
        aht_from_history=forecast.aht_seconds is not None,
    )


def plan_schedule(staffed: StaffedForecast, agents: Sequence[AgentInfo]) -> ScheduleOutcome:
    """Roster the first ``max_agents`` of ``agents`` (all by default) to cover the scheduled
    agents of ``staffed`` (:func:`symfonie.wfm.roster.solve_roster`; never raises for an
    impossible plan)."""
    settings = staffed.settings
    chosen = tuple(agents)[: settings.max_agents] if settings.max_agents else tuple(agents)
    rules = RosterRules(
        min_week_hours=settings.min_week_hours,
        max_week_hours=settings.max_week_hours,
        home_share=settings.home_share,
        office_seats=settings.office_seats,
    )
    return solve_roster(
        settings.queue,
        settings.horizon_start,
        staffed.requirement(),
        chosen,
        rules,
        max_seconds=settings.max_seconds,
    )


@dataclass(frozen=True)
class Plan:
    """Everything the planner page shows."""

    staffed: StaffedForecast
    outcome: ScheduleOutcome
    scheduled_by_interval: tuple[int | None, ...] = field(default=())

    @property
    def settings(self) -> PlanSettings:
        return self.staffed.settings


def make_plan(staffed: StaffedForecast, outcome: ScheduleOutcome) -> Plan:
    """Join the forecast and the schedule: the schedule's agents on the queue per interval
    (the fewer of its two quarter-hours: who is there the whole interval)."""
    scheduled: list[int | None] = []
    for row in staffed.intervals:
        if outcome.ok and 0 <= row.day < len(outcome.days):
            quarters = outcome.days[row.day].scheduled
            first = row.slot * QUARTERS
            scheduled.append(min(quarters[first : first + QUARTERS]))
        else:
            scheduled.append(None)
    return Plan(staffed=staffed, outcome=outcome, scheduled_by_interval=tuple(scheduled))
