"""An independent check of a schedule against every hard rule (:func:`check_schedule`).

It reads only the problem and the schedule's dataclasses, never the solver's model: the solver
runs it on its own answer, and the tests on hand-made schedules.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from symfonie.domain.wfm.schedule_model import (
    MINUTES_PER_DAY,
    Agent,
    Location,
    Schedule,
    ScheduleProblem,
    Shift,
    clock,
)

__all__ = ["agent_violations", "check_schedule"]


def _breaks_match(problem: ScheduleProblem, shift: Shift) -> bool:
    """Do the shift's breaks correspond one to one to the rules that apply to its length?"""
    step, length = problem.interval_minutes, shift.length_minutes
    rules = [r for r in problem.break_rules if length >= r.min_shift_minutes]
    if len(rules) != len(shift.breaks):
        return False
    for order in itertools.permutations(shift.breaks):
        if all(
            b.kind == r.kind
            and b.minutes == r.minutes
            and b.paid == r.paid
            and b.start_minute - shift.start_minute in r.offsets(length, step)
            for b, r in zip(order, rules, strict=True)
        ):
            return True
    return False


def _working_intervals(shift: Shift, step: int) -> list[int]:
    """Intervals of the day (indices) in which the shift works, not on a break."""
    result = []
    for k in range(shift.start_minute // step, -(-shift.end_minute // step)):
        minute = k * step
        if not any(b.start_minute <= minute < b.end_minute for b in shift.breaks):
            result.append(k)
    return result


def _check_shift(problem: ScheduleProblem, agent: Agent, shift: Shift) -> list[str]:
    errors = []
    where = f"agent {shift.agent_id} on {shift.day}"
    step, law = problem.interval_minutes, problem.working_hours
    template = next((t for t in problem.templates if t.name == shift.template), None)
    if (
        template is None
        or shift.start_minute not in template.start_minutes
        or shift.length_minutes != template.length_minutes
    ):
        errors.append(
            f"{where}: {clock(shift.start_minute)}-{clock(shift.end_minute)} is not "
            f"a shift of template {shift.template!r}"
        )
    if not 0 <= shift.start_minute < shift.end_minute <= MINUTES_PER_DAY:
        errors.append(f"{where}: the shift must lie within its day")
    if shift.length_minutes > law.max_shift_minutes:
        errors.append(
            f"{where}: a {shift.length_minutes}-min shift exceeds {law.max_shift_minutes} min "
            "(Arbeidstijdenwet art. 5:7)"
        )
    if not any(
        w.start_minute <= shift.start_minute and shift.end_minute <= w.end_minute
        for w in agent.windows_on(shift.day)
    ):
        errors.append(f"{where}: outside the agent's availability")
    if shift.queue not in agent.skills or shift.queue not in problem.queues:
        errors.append(f"{where}: queue {shift.queue!r} is not one of the agent's skills")
    allowed = agent.office_allowed if shift.location is Location.OFFICE else agent.home_allowed
    if not allowed:
        errors.append(f"{where}: may not work at {shift.location.value} (eligibility)")
    spans = sorted((b.start_minute, b.end_minute) for b in shift.breaks)
    if any(b.start_minute % step for b in shift.breaks) or any(
        a[1] > b[0] for a, b in itertools.pairwise(spans)
    ):
        errors.append(f"{where}: breaks off the interval grid or overlapping")
    if not _breaks_match(problem, shift):
        errors.append(f"{where}: the breaks do not follow the break rules")
    return errors


def agent_violations(problem: ScheduleProblem, agent: Agent, shifts: list[Shift]) -> list[str]:
    """The hard rules one agent's shifts break (everything but the shared office seats)."""
    errors = []
    law = problem.working_hours
    days = [problem.day_index(s.day) for s in shifts]
    if len(set(days)) != len(days):
        errors.append(f"agent {agent.id}: more than one shift on a day")
    for shift in shifts:
        errors += _check_shift(problem, agent, shift)
    timeline = sorted(
        (
            problem.day_index(s.day) * MINUTES_PER_DAY + s.start_minute,
            problem.day_index(s.day) * MINUTES_PER_DAY + s.end_minute,
            s.day,
        )
        for s in shifts
    )
    for before, after in itertools.pairwise(timeline):
        if after[0] - before[1] < law.min_rest_minutes:
            errors.append(
                f"agent {agent.id}: {(after[0] - before[1]) / 60:g} h rest between {before[2]} "
                f"and {after[2]}, less than {law.min_rest_minutes / 60:g} h "
                "(Arbeidstijdenwet art. 5:3)"
            )
    for first in range(max(1, problem.days - 6)):
        window = range(first, first + 7)
        span = sum(s.length_minutes for s, d in zip(shifts, days, strict=True) if d in window)
        if span > law.max_week_minutes:
            errors.append(
                f"agent {agent.id}: {span / 60:g} h in the 7 days from {problem.date_of(first)}, "
                f"more than {law.max_week_minutes / 60:g} h (Arbeidstijdenwet art. 5:7)"
            )
    for week in problem.weeks():
        low, high = problem.contract_minutes(agent, week)
        paid = sum(s.paid_minutes for s, d in zip(shifts, days, strict=True) if d in week)
        if not low <= paid <= high:
            errors.append(
                f"agent {agent.id}: {paid / 60:g} paid h in the week from "
                f"{problem.date_of(week.start)}, outside the contract's {low / 60:g}-"
                f"{high / 60:g} h"
            )
    return errors


def check_schedule(problem: ScheduleProblem, schedule: Schedule) -> list[str]:
    """Every broken hard rule of ``schedule``, one message each (empty: the schedule is valid).

    Independent of the solver: recomputed from the dataclasses. Checks templates, availability,
    skills, eligibility, break rules (windows, no overlap), one shift a day, the Working Hours
    Act (rest, 12 h per shift, 60 h in any 7 days), contract hours per week, office seats per
    day and per interval, and that the reported coverage and totals match the shifts.
    """
    errors: list[str] = []
    step = problem.interval_minutes
    agents = {agent.id: agent for agent in problem.agents}
    by_agent: dict[str, list[Shift]] = defaultdict(list)
    for shift in schedule.shifts:
        if shift.agent_id not in agents:
            errors.append(f"unknown agent {shift.agent_id}")
        elif not 0 <= problem.day_index(shift.day) < problem.days:
            errors.append(f"agent {shift.agent_id}: {shift.day} is outside the horizon")
        else:
            by_agent[shift.agent_id].append(shift)
    for agent in problem.agents:
        errors += agent_violations(problem, agent, by_agent.get(agent.id, []))
    per_day = problem.intervals_per_day
    seats = [[0] * per_day for _ in range(problem.days)]
    covered = {q: [[0] * per_day for _ in range(problem.days)] for q in problem.queues}
    office_days = [0] * problem.days
    for shifts in by_agent.values():
        for shift in shifts:
            d = problem.day_index(shift.day)
            working = [k for k in _working_intervals(shift, step) if 0 <= k < per_day]
            if shift.location is Location.OFFICE:
                office_days[d] += 1
                for k in working:
                    seats[d][k] += 1
            if shift.queue in covered:
                for k in working:
                    covered[shift.queue][d][k] += 1
    for d in range(problem.days):
        cap = problem.seats_on_day(d)
        if cap is not None and office_days[d] > cap:
            errors.append(
                f"{office_days[d]} agents at the office on {problem.date_of(d)}, "
                f"more than its {cap} seats"
            )
        for k in range(per_day):
            cap = problem.seats_in_interval(d, k)
            if cap is not None and seats[d][k] > cap:
                errors.append(
                    f"{seats[d][k]} office seats used at {clock(k * step)} on "
                    f"{problem.date_of(d)}, more than {cap}"
                )
    reported = {c.queue: c for c in schedule.coverage}
    under = over = required = 0
    for requirement in problem.requirements:
        mine = tuple(tuple(row) for row in covered[requirement.queue])
        theirs = reported.get(requirement.queue)
        if (
            theirs is None
            or theirs.scheduled != mine
            or theirs.required != (requirement.required_agents)
        ):
            errors.append(
                f"queue {requirement.queue}: the reported coverage differs from the shifts"
            )
        for need_row, got_row in zip(requirement.required_agents, mine, strict=True):
            for need, got in zip(need_row, got_row, strict=True):
                under += max(0, need - got)
                over += max(0, got - need)
                required += need
    if (schedule.under, schedule.over, schedule.required) != (under, over, required):
        errors.append(
            f"totals under/over/required {schedule.under}/{schedule.over}/{schedule.required} "
            f"differ from the shifts' {under}/{over}/{required}"
        )
    return errors
