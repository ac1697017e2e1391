"""Rostering for the planner: the schedule problem of one queue, solved, as page-ready rows.

:func:`solve_roster` builds a :class:`~symfonie.domain.wfm.schedule.ScheduleProblem` from the
agents needed per quarter-hour and solves it with CP-SAT
(:func:`~symfonie.domain.wfm.schedule.solve_schedule`); it never raises for an impossible
plan: the :class:`ScheduleOutcome` says why. The choices (docs/wfm.md, "Pages"):

* a quarter-hour grid, so the usual breaks fit: 2 × 15 min paid from 4 h 30 and a 30-min unpaid
  lunch from 5 h 30 (:data:`~symfonie.domain.wfm.schedule.DEFAULT_BREAK_RULES`);
* shift templates of 8 h 30 (8 h paid), 6 h and 4 h start every 30 minutes within the opening
  window (the first to the last quarter-hour that needs an agent on any day);
* the first ``round(home_share × agents)`` agents may work at home (and at the office), the
  others only at the office; office seats cap the agents at the office and not on a break;
* CP-SAT with 2 workers within ``max_seconds``: ``feasible`` is the best found in time.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from symfonie.domain.wfm.schedule import (
    Agent,
    Location,
    QueueRequirement,
    Schedule,
    ScheduleInfeasible,
    ScheduleInputError,
    ScheduleNotFound,
    ScheduleProblem,
    Shift,
    ShiftTemplate,
    solve_schedule,
)
from symfonie.domain.wfm.schedule_model import clock

SCHEDULE_INTERVAL_MINUTES = 15
START_STEP_MINUTES = 30
SOLVER_WORKERS = 2
# (name, length in minutes): 8 h 30 with an unpaid 30-min lunch is an 8-hour day
SHIFT_LENGTHS = (("8h", 510), ("6h", 360), ("4h", 240))


@dataclass(frozen=True)
class AgentInfo:
    """An agent to schedule: a unique id (the solver's reasons name agents by it) and the name
    shown."""

    id: str
    name: str


def opening_window(requirement: Sequence[Sequence[int]]) -> tuple[int, int] | None:
    """Minutes ``[open, close)`` from the first to the last quarter-hour that needs an agent on
    any day, or ``None`` when none does."""
    needed = [slot for day in requirement for slot, value in enumerate(day) if value > 0]
    if not needed:
        return None
    step = SCHEDULE_INTERVAL_MINUTES
    return min(needed) * step, (max(needed) + 1) * step


def shift_templates(window: tuple[int, int]) -> tuple[ShiftTemplate, ...]:
    """The templates of :data:`SHIFT_LENGTHS` that fit the window, starting every 30 minutes
    from opening; one shift of the window's whole length when the window is shorter than all."""
    open_minute, close_minute = window
    span = close_minute - open_minute
    templates = tuple(
        ShiftTemplate.every(name, length, open_minute, close_minute - length, START_STEP_MINUTES)
        for name, length in SHIFT_LENGTHS
        if length <= span
    )
    return templates or (ShiftTemplate(f"{span // 60}h{span % 60:02d}", span, (open_minute,)),)


def home_allowed_count(agents: int, home_share: float) -> int:
    """How many agents may work at home: ``home_share × agents`` rounded half up."""
    return min(agents, math.floor(home_share * agents + 0.5))


@dataclass(frozen=True)
class RosterRules:
    """The planner's rules for one queue: contract hours per week, the share of agents who
    may work at home, office seats per quarter-hour (``None``: unlimited)."""

    min_week_hours: float
    max_week_hours: float
    home_share: float
    office_seats: int | None


def build_problem(
    queue: str,
    start_date: date,
    requirement: tuple[tuple[int, ...], ...],
    agents: Sequence[AgentInfo],
    rules: RosterRules,
    window: tuple[int, int],
) -> ScheduleProblem:
    """The schedule problem (module doc): ``requirement`` is agents per day and quarter-hour,
    ``agents`` in name order (the first ones may work at home)."""
    at_home = home_allowed_count(len(agents), rules.home_share)
    return ScheduleProblem(
        start_date=start_date,
        days=len(requirement),
        interval_minutes=SCHEDULE_INTERVAL_MINUTES,
        requirements=(QueueRequirement(queue, requirement),),
        templates=shift_templates(window),
        agents=tuple(
            Agent(
                id=agent.id,
                name=agent.name,
                skills=(queue,),
                min_week_hours=rules.min_week_hours,
                max_week_hours=rules.max_week_hours,
                home_allowed=index < at_home,
                office_allowed=True,
                cost_per_hour=1.0,  # fewest paid hours once coverage is settled
            )
            for index, agent in enumerate(agents)
        ),
        office_seats_per_interval=rules.office_seats,
    )


@dataclass(frozen=True)
class ShiftRow:
    """A shift as the pages show it: times as minutes of the day and as ``HH:MM``."""

    agent_id: str
    agent: str
    day: date
    day_index: int
    template: str
    start_minute: int
    end_minute: int
    breaks: tuple[tuple[str, int, int, bool], ...]  # (kind, start minute, end minute, paid)
    location: str
    queue: str
    paid_hours: float

    @property
    def start(self) -> str:
        return clock(self.start_minute)

    @property
    def end(self) -> str:
        return clock(self.end_minute)

    @property
    def breaks_text(self) -> str:
        return "; ".join(f"{clock(a)}-{clock(b)} {kind}" for kind, a, b, _ in self.breaks)

    def working_segments(self) -> list[tuple[int, int]]:
        """The shift's minutes outside its breaks, as ``(start, end)`` pieces."""
        pieces, moment = [], self.start_minute
        for _kind, start, end, _paid in sorted(self.breaks, key=lambda b: b[1]):
            if start > moment:
                pieces.append((moment, start))
            moment = max(moment, end)
        if moment < self.end_minute:
            pieces.append((moment, self.end_minute))
        return pieces


@dataclass(frozen=True)
class ScheduleDay:
    """A horizon day of the schedule: coverage and office seats used per quarter-hour."""

    day: date
    required: tuple[int, ...]
    scheduled: tuple[int, ...]
    office_seats_used: tuple[int, ...]
    shifts: int
    at_home: int
    at_office: int

    @property
    def under(self) -> int:
        """Agent-quarter-hours short."""
        return sum(max(0, r - s) for r, s in zip(self.required, self.scheduled, strict=True))

    @property
    def over(self) -> int:
        """Agent-quarter-hours too many."""
        return sum(max(0, s - r) for r, s in zip(self.required, self.scheduled, strict=True))

    @property
    def max_office_seats_used(self) -> int:
        return max(self.office_seats_used, default=0)


@dataclass(frozen=True)
class ScheduleOutcome:
    """The schedule step: ``status`` is ``optimal``/``feasible`` (a schedule), ``infeasible``
    (``reasons`` name the rules), ``not_found`` (time limit), ``invalid`` (``message`` names
    the field) or ``empty`` (no agents, or nothing to cover)."""

    status: str
    message: str = ""
    reasons: tuple[str, ...] = ()
    problem: ScheduleProblem | None = None
    schedule: Schedule | None = None
    window: tuple[int, int] | None = None
    agents: tuple[AgentInfo, ...] = ()
    home_allowed: frozenset[str] = frozenset()
    shifts: tuple[ShiftRow, ...] = ()
    days: tuple[ScheduleDay, ...] = ()
    office_seats: int | None = None

    @property
    def ok(self) -> bool:
        return self.schedule is not None

    @property
    def coverage_gap(self) -> float:
        return self.schedule.coverage_gap if self.schedule else 0.0

    @property
    def under(self) -> int:
        return self.schedule.under if self.schedule else 0

    @property
    def over(self) -> int:
        return self.schedule.over if self.schedule else 0

    @property
    def required(self) -> int:
        return self.schedule.required if self.schedule else 0

    @property
    def paid_hours(self) -> float:
        return sum(shift.paid_hours for shift in self.shifts)

    def agent_rows(self) -> list[tuple[AgentInfo, list[ShiftRow]]]:
        """Every agent with their shifts in day order (agents without shifts too)."""
        by_agent: dict[str, list[ShiftRow]] = defaultdict(list)
        for shift in self.shifts:
            by_agent[shift.agent_id].append(shift)
        return [
            (agent, sorted(by_agent.get(agent.id, []), key=lambda s: s.day))
            for agent in self.agents
        ]

    def day_shifts(self, day_index: int) -> list[ShiftRow]:
        return sorted(
            (s for s in self.shifts if s.day_index == day_index),
            key=lambda s: (s.start_minute, s.agent),
        )


def _shift_row(problem: ScheduleProblem, names: dict[str, str], shift: Shift) -> ShiftRow:
    return ShiftRow(
        agent_id=shift.agent_id,
        agent=names[shift.agent_id],
        day=shift.day,
        day_index=problem.day_index(shift.day),
        template=shift.template,
        start_minute=shift.start_minute,
        end_minute=shift.end_minute,
        breaks=tuple(
            (b.kind.value, b.start_minute, b.end_minute, b.paid)
            for b in sorted(shift.breaks, key=lambda b: b.start_minute)
        ),
        location=shift.location.value,
        queue=shift.queue,
        paid_hours=shift.paid_minutes / 60,
    )


def _schedule_days(problem: ScheduleProblem, schedule: Schedule) -> tuple[ScheduleDay, ...]:
    coverage = schedule.coverage[0]
    days = []
    for d in range(problem.days):
        shifts = [s for s in schedule.shifts if problem.day_index(s.day) == d]
        days.append(
            ScheduleDay(
                day=problem.date_of(d),
                required=coverage.required[d],
                scheduled=coverage.scheduled[d],
                office_seats_used=schedule.office_seats_used[d],
                shifts=len(shifts),
                at_home=sum(s.location is Location.HOME for s in shifts),
                at_office=sum(s.location is Location.OFFICE for s in shifts),
            )
        )
    return tuple(days)


def solve_roster(
    queue: str,
    start_date: date,
    requirement: tuple[tuple[int, ...], ...],
    agents: Sequence[AgentInfo],
    rules: RosterRules,
    *,
    max_seconds: float,
) -> ScheduleOutcome:
    """Schedule ``agents`` on ``queue`` to cover ``requirement`` (days × quarter-hours)."""
    chosen = tuple(agents)
    outcome = ScheduleOutcome("empty", agents=chosen, office_seats=rules.office_seats)
    if not chosen:
        return replace(outcome, message="no agents to schedule")
    window = opening_window(requirement)
    if window is None:
        return replace(outcome, message="the forecast needs no agents")
    outcome = replace(outcome, window=window)
    try:
        problem = build_problem(queue, start_date, requirement, chosen, rules, window)
    except ScheduleInputError as exc:
        return replace(outcome, status="invalid", message=str(exc))
    home = frozenset(agent.id for agent in problem.agents if agent.home_allowed)
    outcome = replace(outcome, problem=problem, home_allowed=home)
    try:
        schedule = solve_schedule(problem, max_seconds=max_seconds, num_workers=SOLVER_WORKERS)
    except ScheduleInfeasible as exc:
        return replace(outcome, status="infeasible", reasons=exc.reasons)
    except ScheduleNotFound as exc:
        return replace(outcome, status="not_found", message=str(exc))
    names = {agent.id: agent.name for agent in problem.agents}
    return replace(
        outcome,
        status=schedule.status.value,
        schedule=schedule,
        shifts=tuple(
            _shift_row(problem, names, shift)
            for shift in sorted(schedule.shifts, key=lambda s: (s.day, s.start_minute))
        ),
        days=_schedule_days(problem, schedule),
    )
