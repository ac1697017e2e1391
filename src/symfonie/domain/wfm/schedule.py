"""Shift schedules with OR-Tools CP-SAT: the entry point, the independent rule check, the report.

:func:`solve_schedule` turns a :class:`ScheduleProblem` (required agents per queue, day and
interval; shift templates and break rules; agents with skills, contract hours, availability,
home/office eligibility, preferences and cost; office seats) into a :class:`Schedule`: per agent
and day one shift with its breaks, location and queue; per queue and interval the coverage.

1. :func:`~symfonie.domain.wfm.schedule_explain.precheck` names impossible inputs at once;
2. :func:`~symfonie.domain.wfm.schedule_start.first_schedule` builds a greedy start;
3. CP-SAT (:mod:`~symfonie.domain.wfm.schedule_solver` the model,
   :mod:`~symfonie.domain.wfm.schedule_search` the search) minimises under-staffing, then
   over-staffing, then cost and preferences: the whole model in three stages for small
   problems, a large neighbourhood search over CP-SAT sub-problems for large ones;
4. a proven infeasibility is explained with assumptions
   (:func:`~symfonie.domain.wfm.schedule_explain.explain_infeasibility`);
5. :func:`~symfonie.domain.wfm.schedule_check.check_schedule` re-verifies every hard rule on
   the result, from the dataclasses alone.

A planner page builds the problem from staffing with ``QueueRequirement.from_rows(queue,
staff_intervals(...).scheduled_agents)`` (days × intervals) and draws the Gantt chart from
``Schedule.shifts`` (start, end, breaks, location, queue per agent and day) or from
:func:`schedule_report`.

Either a schedule that keeps every hard rule comes back, or :class:`ScheduleInfeasible` with the
named reasons, or :class:`ScheduleNotFound` (time limit before a first schedule): never a plan
that silently breaks a rule. Model, rules and sources: ``docs/wfm-schedules.md``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

from symfonie.domain.wfm.schedule_check import check_schedule
from symfonie.domain.wfm.schedule_explain import explain_infeasibility, precheck
from symfonie.domain.wfm.schedule_model import (
    ATW_MAX_SHIFT_MINUTES,
    ATW_MAX_WEEK_MINUTES,
    ATW_MIN_REST_MINUTES,
    DEFAULT_BREAK_RULES,
    Agent,
    Break,
    BreakKind,
    BreakRule,
    BreakWindow,
    DayAvailability,
    Location,
    QueueCoverage,
    QueueRequirement,
    Schedule,
    ScheduleInfeasible,
    ScheduleInputError,
    ScheduleNotFound,
    ScheduleProblem,
    Shift,
    ShiftTemplate,
    SolveStatus,
    TimeWindow,
    WorkingHours,
    clock,
)
from symfonie.domain.wfm.schedule_search import NeedFullModel, solve_full, solve_lns
from symfonie.domain.wfm.schedule_start import first_schedule

__all__ = [
    "ATW_MAX_SHIFT_MINUTES",
    "ATW_MAX_WEEK_MINUTES",
    "ATW_MIN_REST_MINUTES",
    "DEFAULT_BREAK_RULES",
    "Agent",
    "Break",
    "BreakKind",
    "BreakRule",
    "BreakWindow",
    "DayAvailability",
    "Location",
    "QueueCoverage",
    "QueueRequirement",
    "Schedule",
    "ScheduleInfeasible",
    "ScheduleInputError",
    "ScheduleNotFound",
    "ScheduleProblem",
    "Shift",
    "ShiftTemplate",
    "SolveMethod",
    "SolveStatus",
    "TimeWindow",
    "WorkingHours",
    "check_schedule",
    "schedule_report",
    "solve_schedule",
]


class SolveMethod(StrEnum):
    """``full``: the whole CP-SAT model in lexicographic stages (can prove optimality);
    ``lns``: large neighbourhood search over sub-problems (large problems); ``auto``: ``full``
    up to :data:`FULL_MODEL_AGENT_DAYS` agent-days, else ``lns``."""

    AUTO = "auto"
    FULL = "full"
    LNS = "lns"


# Five agents for a week. Beyond it the neighbourhood search did better within the same time
# (the example week: 2.5 % gap against 4 % in 30 s; CP-SAT presolves the 20,000-variable model
# alone for seconds).
FULL_MODEL_AGENT_DAYS = 35


def solve_schedule(
    problem: ScheduleProblem,
    *,
    max_seconds: float = 30.0,
    num_workers: int = 2,
    random_seed: int = 0,
    start: Sequence[Shift] | None = None,
    method: SolveMethod = SolveMethod.AUTO,
    clock: Callable[[], float] = time.monotonic,
) -> Schedule:
    """The best schedule found within ``max_seconds`` (CP-SAT with ``num_workers`` threads).

    Lexicographic objective: least under-staffing (agent-intervals), then least over-staffing,
    then least cost plus preference penalties; ``status`` is ``optimal`` when the ``full``
    method proved all three. ``start``: shifts to start from (say last week's plan, adjusted);
    by default the greedy :func:`~symfonie.domain.wfm.schedule_start.first_schedule`.
    ``clock`` measures elapsed seconds for the time limit (never a date). Raises
    :class:`ScheduleInfeasible` with named reasons, :class:`ScheduleNotFound` when no schedule
    was found in time, and ``RuntimeError`` should the result ever fail
    :func:`check_schedule` (a bug: such a plan is never returned).
    """
    if not max_seconds > 0 or num_workers < 1:
        raise ValueError("max_seconds must be > 0 and num_workers >= 1")
    began = clock()
    reasons = precheck(problem)
    if reasons:
        raise ScheduleInfeasible(reasons)
    shifts = first_schedule(problem) if start is None else list(start)
    lns = method is SolveMethod.LNS or (
        method is SolveMethod.AUTO and len(problem.agents) * problem.days > FULL_MODEL_AGENT_DAYS
    )
    try:
        schedule = None
        if lns:
            try:
                schedule = solve_lns(
                    problem,
                    shifts,
                    max_seconds=max_seconds,
                    num_workers=num_workers,
                    random_seed=random_seed,
                    clock=clock,
                    began=began,
                )
            except NeedFullModel:
                began = clock()  # a fresh budget for the whole model
        if schedule is None:
            schedule = solve_full(
                problem,
                max_seconds=max_seconds,
                num_workers=num_workers,
                random_seed=random_seed,
                clock=clock,
                began=began,
                start=shifts,
            )
    except ScheduleInfeasible:
        reasons = explain_infeasibility(problem, max_seconds=max(max_seconds, 10.0))
        raise ScheduleInfeasible(reasons) from None
    problems = check_schedule(problem, schedule)
    if problems:
        raise RuntimeError("the solver's schedule breaks hard rules: " + "; ".join(problems))
    return schedule


def schedule_report(problem: ScheduleProblem, schedule: Schedule) -> dict[str, Any]:
    """The schedule as JSON-ready data: totals, per agent the shifts of each day, per queue the
    coverage of each day (lists over the intervals), and the office seats used."""
    names = {agent.id: agent.name for agent in problem.agents}
    by_agent: dict[str, list[Shift]] = defaultdict(list)
    for shift in schedule.shifts:
        by_agent[shift.agent_id].append(shift)
    agents = []
    for agent in problem.agents:
        shifts = sorted(by_agent.get(agent.id, []), key=lambda s: s.day)
        agents.append(
            {
                "id": agent.id,
                "name": names[agent.id],
                "paid_hours": sum(s.paid_minutes for s in shifts) / 60,
                "shifts": [
                    {
                        "day": shift.day.isoformat(),
                        "template": shift.template,
                        "start": clock(shift.start_minute),
                        "end": clock(shift.end_minute),
                        "paid_hours": shift.paid_minutes / 60,
                        "location": shift.location.value,
                        "queue": shift.queue,
                        "breaks": [
                            {
                                "kind": b.kind.value,
                                "start": clock(b.start_minute),
                                "end": clock(b.end_minute),
                                "paid": b.paid,
                            }
                            for b in shift.breaks
                        ],
                    }
                    for shift in shifts
                ],
            }
        )
    coverage = []
    for queue in schedule.coverage:
        coverage.append(
            {
                "queue": queue.queue,
                "days": [
                    {
                        "day": problem.date_of(d).isoformat(),
                        "required": list(queue.required[d]),
                        "scheduled": list(queue.scheduled[d]),
                        "under": list(queue.under[d]),
                        "over": list(queue.over[d]),
                    }
                    for d in range(problem.days)
                ],
            }
        )
    return {
        "status": schedule.status.value,
        "start_date": problem.start_date.isoformat(),
        "days": problem.days,
        "interval_minutes": problem.interval_minutes,
        "totals": {
            "required_agent_intervals": schedule.required,
            "under_agent_intervals": schedule.under,
            "over_agent_intervals": schedule.over,
            "coverage_gap": schedule.coverage_gap,
            "cost": schedule.cost,
            "preference_penalty": schedule.preference_penalty,
            "shifts": len(schedule.shifts),
            "wall_seconds": schedule.wall_seconds,
            "first_solution_seconds": schedule.first_solution_seconds,
        },
        "agents": agents,
        "coverage": coverage,
        "office_seats_used": [list(row) for row in schedule.office_seats_used],
    }
