"""Shift scheduling, the data: the problem to solve and the schedule found (frozen dataclasses).

Pure Python, no I/O. Times of day are minutes from the local midnight of their date (wall-clock,
Europe/Amsterdam in Symfonie); every time and duration is a multiple of ``interval_minutes``
(15 or 30) and a shift lies within its calendar day (night shifts across midnight are out of
scope). The solver is in :mod:`symfonie.domain.wfm.schedule_solver`, the checks and the entry
point :func:`~symfonie.domain.wfm.schedule.solve_schedule` in :mod:`symfonie.domain.wfm.schedule`.
Every invalid input raises :class:`ScheduleInputError` naming the field by its path
(``agents[3].max_week_hours``), before any solving.

Working Hours Act (Arbeidstijdenwet, ATW), the limits for adults that the schedule keeps:

* art. 5:3 lid 1 — at least 11 h uninterrupted rest after a shift (between two shifts);
* art. 5:7 lid 1 — at most 12 h per shift and at most 60 h per week.

Counted conservatively on the whole shift, breaks included (the law counts work without
breaks), and the 60 h in every 7 consecutive days of the horizon (so in any week, whatever day
the employer's week starts). Out of scope, and not checked: the averages of art. 5:7 lid 2
(55 h a week over 4 weeks, 48 h over 16 weeks), the once-a-week shortening of the rest to 8 h
(never used: stricter), the weekly rest of art. 5:5, night shifts (art. 5:8), the rules for
young workers, and the shifts before the horizon (the first day assumes a rested agent).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

MINUTES_PER_DAY = 24 * 60
INTERVAL_CHOICES = (15, 30)
ATW_MIN_REST_MINUTES = 11 * 60  # Arbeidstijdenwet art. 5:3 lid 1
ATW_MAX_SHIFT_MINUTES = 12 * 60  # Arbeidstijdenwet art. 5:7 lid 1
ATW_MAX_WEEK_MINUTES = 60 * 60  # Arbeidstijdenwet art. 5:7 lid 1
WEEK_DAYS = 7


class ScheduleInputError(ValueError):
    """An input field is missing or invalid; ``field`` is its path (``agents[2].skills``)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class ScheduleInfeasible(ValueError):
    """No schedule keeps every hard rule; ``reasons`` name the constraints (and agents, days)."""

    def __init__(self, reasons: tuple[str, ...] | list[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("no schedule keeps every hard rule: " + "; ".join(self.reasons))


class ScheduleNotFound(RuntimeError):
    """The time limit passed before the solver found a first schedule (nothing is proven)."""


class Location(StrEnum):
    """Where an agent works a shift."""

    HOME = "home"
    OFFICE = "office"


class BreakKind(StrEnum):
    """A label for the planner: a short ``break`` or a ``lunch``."""

    BREAK = "break"
    LUNCH = "lunch"


class BreakWindow(StrEnum):
    """Where in the shift a break may lie (see :meth:`BreakRule.window`)."""

    FIRST_HALF = "first_half"
    SECOND_HALF = "second_half"
    FROM_START = "from_start"


def clock(minute: int) -> str:
    """``"HH:MM"`` of a minute of the day (1440 is ``"24:00"``)."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Minutes ``[start_minute, end_minute)`` of a day, 0 <= start < end <= 1440."""

    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY:
            raise ScheduleInputError(
                "window",
                f"needs 0 <= start < end <= 24:00, got {clock(self.start_minute)}"
                f"-{clock(self.end_minute)}",
            )


@dataclass(frozen=True, slots=True)
class BreakRule:
    """A break every shift of at least ``min_shift_minutes`` gets, placed by the solver.

    The break (``minutes`` long) must lie inside :meth:`window`, offsets from the shift start:

    * ``first_half``: ``[margin, length // 2]``; ``second_half``: ``[length // 2, length -
      margin]`` ("a 15-min break in each half");
    * ``from_start``: ``[earliest_start_minutes, latest_end_minutes]`` from the shift start,
      within the margins ("lunch between 2 h 30 and 5 h 30 after the start").

    ``margin_minutes`` keeps breaks away from the first and last minutes of a shift. Breaks of
    one shift never overlap. ``paid`` breaks count as paid (contract) time and cost; unpaid ones
    do not. Every shift is present at the office or at home from start to end, breaks included,
    but it covers queues and takes an office seat only outside its breaks.
    """

    kind: BreakKind
    minutes: int
    min_shift_minutes: int
    window_kind: BreakWindow
    margin_minutes: int = 60
    earliest_start_minutes: int = 0
    latest_end_minutes: int = MINUTES_PER_DAY
    paid: bool = True

    def window(self, length_minutes: int) -> tuple[int, int]:
        """Offsets ``(lo, hi)`` from the shift start within which the break must lie."""
        half = length_minutes // 2
        lo, hi = self.margin_minutes, length_minutes - self.margin_minutes
        if self.window_kind is BreakWindow.FIRST_HALF:
            hi = min(hi, half)
        elif self.window_kind is BreakWindow.SECOND_HALF:
            lo = max(lo, half)
        else:
            lo = max(lo, self.earliest_start_minutes)
            hi = min(hi, self.latest_end_minutes)
        return lo, hi

    def offsets(self, length_minutes: int, interval_minutes: int) -> tuple[int, ...]:
        """Allowed start offsets (minutes from the shift start) on the interval grid."""
        if length_minutes < self.min_shift_minutes:
            return ()
        lo, hi = self.window(length_minutes)
        first = math.ceil(lo / interval_minutes) * interval_minutes
        return tuple(range(first, hi - self.minutes + 1, interval_minutes))


# Short breaks in each half from 4 h 30 and a lunch from 5 h 30: Arbeidstijdenwet art. 5:4 lid 1
# requires 30 min of pause (which may be split into 2 × 15 min) for more than 5 h 30 of work;
# the short breaks are the usual contact-center practice on top of it (paid, as in most CAOs).
DEFAULT_BREAK_RULES = (
    BreakRule(BreakKind.BREAK, 15, 270, BreakWindow.FIRST_HALF, margin_minutes=60),
    BreakRule(BreakKind.BREAK, 15, 270, BreakWindow.SECOND_HALF, margin_minutes=60),
    BreakRule(
        BreakKind.LUNCH,
        30,
        330,
        BreakWindow.FROM_START,
        margin_minutes=60,
        earliest_start_minutes=150,
        latest_end_minutes=330,
        paid=False,
    ),
)


# On a 30-min grid a 15-min break cannot be placed: there the default is the lunch alone.
DEFAULT_BREAK_RULES_30 = (DEFAULT_BREAK_RULES[2],)


@dataclass(frozen=True, slots=True)
class ShiftTemplate:
    """A shift of ``length_minutes`` that may start at any of ``start_minutes``."""

    name: str
    length_minutes: int
    start_minutes: tuple[int, ...]

    @classmethod
    def every(
        cls, name: str, length_minutes: int, first_start: int, last_start: int, step: int
    ) -> ShiftTemplate:
        """Starts from ``first_start`` to ``last_start`` (minutes of the day) every ``step``."""
        return cls(name, length_minutes, tuple(range(first_start, last_start + 1, step)))


@dataclass(frozen=True, slots=True)
class DayAvailability:
    """On ``day`` the agent can work only inside ``windows`` (empty: not at all)."""

    day: date
    windows: tuple[TimeWindow, ...]


@dataclass(frozen=True, slots=True)
class Agent:
    """One agent. Days without a :class:`DayAvailability` are available all day.

    ``skills``: queues the agent can work (each shift works one of them). Contract paid hours per
    week: ``min_week_hours`` to ``max_week_hours``. ``cost_per_hour`` (money per paid hour).
    Preferences (soft, in the same money as the cost): ``preferred_start_minute`` with
    ``preferred_start_weight`` per hour of difference, ``days_off_wanted`` with
    ``day_off_weight`` per such day worked.
    """

    id: str
    name: str
    skills: tuple[str, ...]
    min_week_hours: float = 0.0
    max_week_hours: float = 40.0
    availability: tuple[DayAvailability, ...] = ()
    home_allowed: bool = True
    office_allowed: bool = True
    cost_per_hour: float = 0.0
    preferred_start_minute: int | None = None
    preferred_start_weight: float = 0.0
    days_off_wanted: tuple[date, ...] = ()
    day_off_weight: float = 0.0

    def windows_on(self, day: date) -> tuple[TimeWindow, ...]:
        """The windows in which the agent can work on ``day``."""
        for entry in self.availability:
            if entry.day == day:
                return entry.windows
        return (TimeWindow(0, MINUTES_PER_DAY),)


@dataclass(frozen=True, slots=True)
class QueueRequirement:
    """Required agents on ``queue``: ``required_agents[day][interval]`` (days × intervals)."""

    queue: str
    required_agents: tuple[tuple[int, ...], ...]

    @classmethod
    def from_rows(cls, queue: str, rows: Iterable[Iterable[int]]) -> QueueRequirement:
        """From any nested iterable, e.g. ``staff_intervals(...).scheduled_agents`` (days × I)."""
        return cls(queue, tuple(tuple(int(value) for value in row) for row in rows))


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """The hard limits; the defaults are the law's, a stricter (CAO) value may replace them."""

    min_rest_minutes: int = ATW_MIN_REST_MINUTES
    max_shift_minutes: int = ATW_MAX_SHIFT_MINUTES
    max_week_minutes: int = ATW_MAX_WEEK_MINUTES


@dataclass(frozen=True, slots=True)
class ScheduleProblem:
    """Everything the solver needs; validated on construction (:class:`ScheduleInputError`).

    The horizon is ``days`` days from ``start_date``, each day ``1440 / interval_minutes``
    intervals. Contract hours apply per 7-day block from ``start_date`` (a shorter last block
    pro rata). ``break_rules`` default to :data:`DEFAULT_BREAK_RULES` (on a 30-min grid
    :data:`DEFAULT_BREAK_RULES_30`, the lunch alone). Office seats: ``office_seats_per_day``
    limits the agents at the office per day, ``office_seats_per_interval`` those at the office
    and not on a break per interval; each is ``None`` (unlimited), one number for every
    day/interval, or one per day (a number or ``None``, or for intervals a tuple per day).
    """

    start_date: date
    days: int
    interval_minutes: int
    requirements: tuple[QueueRequirement, ...]
    templates: tuple[ShiftTemplate, ...]
    agents: tuple[Agent, ...]
    break_rules: tuple[BreakRule, ...] = DEFAULT_BREAK_RULES
    office_seats_per_day: int | tuple[int | None, ...] | None = None
    office_seats_per_interval: int | tuple[int | tuple[int | None, ...] | None, ...] | None = None
    working_hours: WorkingHours = WorkingHours()

    def __post_init__(self) -> None:
        if self.break_rules is DEFAULT_BREAK_RULES and self.interval_minutes == 30:
            object.__setattr__(self, "break_rules", DEFAULT_BREAK_RULES_30)
        _validate(self)

    @property
    def intervals_per_day(self) -> int:
        return MINUTES_PER_DAY // self.interval_minutes

    @property
    def queues(self) -> tuple[str, ...]:
        return tuple(requirement.queue for requirement in self.requirements)

    def date_of(self, day: int) -> date:
        return self.start_date + timedelta(days=day)

    def day_index(self, day: date) -> int:
        return (day - self.start_date).days

    def seats_on_day(self, day: int) -> int | None:
        """Office seat capacity for agents on day index ``day`` (``None``: unlimited)."""
        seats = self.office_seats_per_day
        return seats[day] if isinstance(seats, tuple) else seats

    def seats_in_interval(self, day: int, interval: int) -> int | None:
        """Office seats in ``interval`` of day index ``day`` (``None``: unlimited)."""
        seats = self.office_seats_per_interval
        if isinstance(seats, tuple):
            per_day = seats[day]
            return per_day[interval] if isinstance(per_day, tuple) else per_day
        return seats

    def weeks(self) -> tuple[range, ...]:
        """The contract weeks: day indices in blocks of 7 from the start (last one shorter)."""
        return tuple(
            range(first, min(first + WEEK_DAYS, self.days))
            for first in range(0, self.days, WEEK_DAYS)
        )

    def contract_minutes(self, agent: Agent, week: range) -> tuple[int, int]:
        """Paid minutes (min, max) for ``agent`` in ``week``, pro rata for a short week.

        On the interval grid: the minimum rounded up, the maximum rounded down, since paid time
        comes in whole intervals.
        """
        share = len(week) / WEEK_DAYS
        step = self.interval_minutes
        low = math.ceil(round(agent.min_week_hours * 60 * share, 6) / step) * step
        high = math.floor(round(agent.max_week_hours * 60 * share, 6) / step) * step
        return low, high

    def paid_minutes(self, length_minutes: int) -> int:
        """A shift's paid minutes: its length less the unpaid breaks that apply to it."""
        unpaid = sum(
            rule.minutes
            for rule in self.break_rules
            if not rule.paid and length_minutes >= rule.min_shift_minutes
        )
        return length_minutes - unpaid


@dataclass(frozen=True, slots=True)
class Break:
    """A break in a shift: from ``start_minute`` (minutes from the day's midnight)."""

    kind: BreakKind
    start_minute: int
    minutes: int
    paid: bool

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.minutes


@dataclass(frozen=True, slots=True)
class Shift:
    """One agent's shift on one day: times are minutes from the local midnight of ``day``."""

    agent_id: str
    day: date
    template: str
    start_minute: int
    end_minute: int
    breaks: tuple[Break, ...]
    location: Location
    queue: str

    @property
    def length_minutes(self) -> int:
        return self.end_minute - self.start_minute

    @property
    def paid_minutes(self) -> int:
        return self.length_minutes - sum(b.minutes for b in self.breaks if not b.paid)

    def start_at(self, tz: tzinfo) -> datetime:
        """The start as an aware datetime in ``tz`` (the wall clock of ``day``)."""
        return at_minute(self.day, self.start_minute, tz)

    def end_at(self, tz: tzinfo) -> datetime:
        """The end as an aware datetime in ``tz`` (24:00 is the next day's midnight)."""
        return at_minute(self.day, self.end_minute, tz)


def at_minute(day: date, minute: int, tz: tzinfo) -> datetime:
    """The aware datetime of wall-clock ``minute`` (0–1440) of ``day`` in ``tz``."""
    extra, minute = divmod(minute, MINUTES_PER_DAY)
    wall = datetime.combine(day + timedelta(days=extra), time(minute // 60, minute % 60))
    return wall.replace(tzinfo=tz)


@dataclass(frozen=True, slots=True)
class QueueCoverage:
    """Per day and interval of one queue: required, scheduled (working, not on a break), and
    ``under = max(0, required − scheduled)``, ``over = max(0, scheduled − required)``."""

    queue: str
    required: tuple[tuple[int, ...], ...]
    scheduled: tuple[tuple[int, ...], ...]

    @property
    def under(self) -> tuple[tuple[int, ...], ...]:
        return tuple(
            tuple(max(0, r - s) for r, s in zip(req, got, strict=True))
            for req, got in zip(self.required, self.scheduled, strict=True)
        )

    @property
    def over(self) -> tuple[tuple[int, ...], ...]:
        return tuple(
            tuple(max(0, s - r) for r, s in zip(req, got, strict=True))
            for req, got in zip(self.required, self.scheduled, strict=True)
        )


class SolveStatus(StrEnum):
    """``optimal``: every objective stage proven optimal; ``feasible``: the best found in time."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"


@dataclass(frozen=True, slots=True)
class Schedule:
    """A schedule that keeps every hard rule, with its coverage and objective parts.

    ``under``/``over``/``required`` are agent-intervals summed over queues, days and intervals;
    ``cost`` is money for the paid hours, ``preference_penalty`` the weighted preferences not
    met (same money). ``office_seats_used[day][interval]``: agents at the office, not on a
    break. ``wall_seconds``: elapsed seconds of the search (model building included);
    ``first_solution_seconds``: elapsed seconds to the first schedule that kept every rule.
    """

    shifts: tuple[Shift, ...]
    coverage: tuple[QueueCoverage, ...]
    office_seats_used: tuple[tuple[int, ...], ...]
    status: SolveStatus
    under: int
    over: int
    required: int
    cost: float
    preference_penalty: float
    wall_seconds: float
    first_solution_seconds: float | None

    @property
    def coverage_gap(self) -> float:
        """Total under-staffing / total required agent-intervals (0 when nothing is required)."""
        return self.under / self.required if self.required else 0.0


def _validate(problem: ScheduleProblem) -> None:
    fail = ScheduleInputError
    if problem.interval_minutes not in INTERVAL_CHOICES:
        raise fail("interval_minutes", f"must be 15 or 30, got {problem.interval_minutes!r}")
    if isinstance(problem.days, bool) or not isinstance(problem.days, int) or problem.days < 1:
        raise fail("days", f"must be an integer >= 1, got {problem.days!r}")
    step, per_day = problem.interval_minutes, problem.intervals_per_day
    law = problem.working_hours
    for name, value, limit in (
        ("min_rest_minutes", law.min_rest_minutes, ATW_MIN_REST_MINUTES),
        ("max_shift_minutes", law.max_shift_minutes, ATW_MAX_SHIFT_MINUTES),
        ("max_week_minutes", law.max_week_minutes, ATW_MAX_WEEK_MINUTES),
    ):
        laxer = value < limit if name == "min_rest_minutes" else value > limit
        if value <= 0 or laxer:
            raise fail(f"working_hours.{name}", f"{value} is laxer than the law's {limit}")
    if not problem.requirements:
        raise fail("requirements", "needs at least one queue")
    queues: set[str] = set()
    for index, requirement in enumerate(problem.requirements):
        path = f"requirements[{index}]"
        if not requirement.queue or requirement.queue in queues:
            raise fail(f"{path}.queue", f"must be a unique name, got {requirement.queue!r}")
        queues.add(requirement.queue)
        _check_grid(f"{path}.required_agents", requirement.required_agents, problem, 0)
    _validate_rules(problem)
    if not problem.templates:
        raise fail("templates", "needs at least one shift template")
    names: set[str] = set()
    for index, template in enumerate(problem.templates):
        path = f"templates[{index}]"
        if not template.name or template.name in names:
            raise fail(f"{path}.name", f"must be a unique name, got {template.name!r}")
        names.add(template.name)
        length = template.length_minutes
        if length <= 0 or length % step:
            raise fail(f"{path}.length_minutes", f"must be a positive multiple of {step}")
        if length > law.max_shift_minutes:
            raise fail(
                f"{path}.length_minutes",
                f"{length} min exceeds the maximum shift of {law.max_shift_minutes} min "
                "(Arbeidstijdenwet art. 5:7)",
            )
        if not template.start_minutes:
            raise fail(f"{path}.start_minutes", "needs at least one start time")
        for start in template.start_minutes:
            if start < 0 or start % step or start + length > MINUTES_PER_DAY:
                raise fail(
                    f"{path}.start_minutes",
                    f"start {clock(start)} must be on the {step}-min grid and the shift must "
                    "end by 24:00 (no shifts across midnight)",
                )
        if place_breaks(problem, length) is None:
            raise fail(
                f"{path}.length_minutes",
                f"the break rules leave no room for their breaks in a {length}-min shift",
            )
    ids: set[str] = set()
    for index, agent in enumerate(problem.agents):
        _validate_agent(problem, agent, f"agents[{index}]", ids)
    _validate_seats(problem, per_day)


def _check_grid(path: str, rows: object, problem: ScheduleProblem, minimum: int) -> None:
    if not isinstance(rows, tuple) or len(rows) != problem.days:
        raise ScheduleInputError(path, f"needs one row per day ({problem.days})")
    for day, row in enumerate(rows):
        if not isinstance(row, tuple) or len(row) != problem.intervals_per_day:
            raise ScheduleInputError(
                f"{path}[{day}]", f"needs {problem.intervals_per_day} intervals"
            )
        for value in row:
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ScheduleInputError(
                    f"{path}[{day}]", f"values must be integers >= {minimum}, got {value!r}"
                )


def _validate_rules(problem: ScheduleProblem) -> None:
    for index, rule in enumerate(problem.break_rules):
        path = f"break_rules[{index}]"
        BreakKind(rule.kind)
        BreakWindow(rule.window_kind)
        for name in ("minutes", "min_shift_minutes", "margin_minutes"):
            value = getattr(rule, name)
            if value < 0 or value % problem.interval_minutes or (name == "minutes" and not value):
                raise ScheduleInputError(
                    f"{path}.{name}",
                    f"must be a multiple of interval_minutes ({problem.interval_minutes})"
                    f"{' > 0' if name == 'minutes' else ''}, got {value}",
                )


def _validate_agent(problem: ScheduleProblem, agent: Agent, path: str, ids: set[str]) -> None:
    fail = ScheduleInputError
    if not agent.id or agent.id in ids:
        raise fail(f"{path}.id", f"must be a unique id, got {agent.id!r}")
    ids.add(agent.id)
    for name in ("min_week_hours", "max_week_hours", "cost_per_hour"):
        value = getattr(agent, name)
        if not math.isfinite(value) or value < 0:
            raise fail(f"{path}.{name}", f"must be a finite number >= 0, got {value!r}")
    if agent.min_week_hours > agent.max_week_hours:
        raise fail(
            f"{path}.min_week_hours",
            f"{agent.min_week_hours:g} h is more than max_week_hours {agent.max_week_hours:g} h",
        )
    for name in ("preferred_start_weight", "day_off_weight"):
        value = getattr(agent, name)
        if not math.isfinite(value) or value < 0:
            raise fail(f"{path}.{name}", f"must be a finite number >= 0, got {value!r}")
    if agent.preferred_start_minute is not None and not (
        0 <= agent.preferred_start_minute < MINUTES_PER_DAY
    ):
        raise fail(f"{path}.preferred_start_minute", "must lie in the day")
    last = problem.date_of(problem.days - 1)
    for entry in agent.availability:
        if not problem.start_date <= entry.day <= last:
            raise fail(f"{path}.availability", f"{entry.day} is outside the horizon")
    days = [entry.day for entry in agent.availability]
    if len(set(days)) != len(days):
        raise fail(f"{path}.availability", "one entry per day (list several windows in it)")
    for day in agent.days_off_wanted:
        if not problem.start_date <= day <= last:
            raise fail(f"{path}.days_off_wanted", f"{day} is outside the horizon")


def _validate_seats(problem: ScheduleProblem, per_day: int) -> None:
    def check(path: str, value: object) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ScheduleInputError(path, f"must be an integer >= 0 or unlimited, got {value!r}")
        if isinstance(value, int) and value < 0:
            raise ScheduleInputError(path, f"must be >= 0, got {value}")

    seats = problem.office_seats_per_day
    if isinstance(seats, tuple):
        if len(seats) != problem.days:
            raise ScheduleInputError("office_seats_per_day", f"needs {problem.days} days")
        for day, value in enumerate(seats):
            check(f"office_seats_per_day[{day}]", value)
    else:
        check("office_seats_per_day", seats)
    intervals = problem.office_seats_per_interval
    if isinstance(intervals, tuple):
        if len(intervals) != problem.days:
            raise ScheduleInputError("office_seats_per_interval", f"needs {problem.days} days")
        for day, row in enumerate(intervals):
            if isinstance(row, tuple):
                if len(row) != per_day:
                    raise ScheduleInputError(
                        f"office_seats_per_interval[{day}]", f"needs {per_day} intervals"
                    )
                for value in row:
                    check(f"office_seats_per_interval[{day}]", value)
            else:
                check(f"office_seats_per_interval[{day}]", row)
    else:
        check("office_seats_per_interval", intervals)


def place_breaks(
    problem: ScheduleProblem, length_minutes: int, prefer: tuple[int, ...] | None = None
) -> tuple[tuple[BreakRule, int], ...] | None:
    """One placement of the breaks a ``length_minutes`` shift gets: ``(rule, offset)`` pairs.

    Depth-first over the rules' allowed offsets (no overlaps). ``prefer`` optionally ranks the
    offsets (lower is better, indexed by offset // interval); ``None`` if no placement exists.
    """
    step = problem.interval_minutes
    rules = [r for r in problem.break_rules if length_minutes >= r.min_shift_minutes]
    choices = []
    for rule in rules:
        offsets = list(rule.offsets(length_minutes, step))
        if prefer is not None:
            ranked = sorted(
                (sum(prefer[o // step : (o + rule.minutes) // step]), o) for o in offsets
            )
            offsets = [o for _, o in ranked]
        choices.append(offsets)

    def search(index: int, taken: list[tuple[int, int]]) -> list[int] | None:
        if index == len(rules):
            return []
        for offset in choices[index]:
            end = offset + rules[index].minutes
            if all(end <= lo or offset >= hi for lo, hi in taken):
                rest = search(index + 1, [*taken, (offset, end)])
                if rest is not None:
                    return [offset, *rest]
        return None

    found = search(0, [])
    return None if found is None else tuple(zip(rules, found, strict=True))
