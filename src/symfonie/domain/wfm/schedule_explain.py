"""Why no schedule exists: cheap checks before solving, CP-SAT assumptions after.

Every hard constraint but the contract minimum can be met by leaving agents at home, so an
infeasible problem always involves some agent's contract minimum and what stands in its way:
availability and the templates, the contract maximum, the Working Hours Act, eligibility or the
office seats. Two steps name them:

1. :func:`precheck`, before solving, per agent and contract week: no matching skill, neither
   home nor office allowed, a minimum above the law's 60 h, a minimum above the longest shifts
   that fit the available days, and office-only agents who must work on a day the office has
   no seats (or more of them than seats).
2. :func:`explain_infeasibility`, after CP-SAT proved infeasibility: the model is rebuilt with
   one enforcement literal per constraint group (an agent's contract minimum or maximum in a
   week, their rest between two days, their 60 h in 7 days, their eligibility, the office seats
   of a day), all assumed true; ``sufficient_assumptions_for_infeasibility()`` returns a subset
   that is infeasible on its own, shrunk further by dropping one group at a time while it stays
   infeasible (a deletion filter, within the time left).
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from symfonie.domain.wfm.schedule_model import Agent, ScheduleProblem
from symfonie.domain.wfm.schedule_solver import build_model, shift_options

# The deletion filter re-solves once per group; beyond this many it keeps the solver's subset.
MAX_GROUPS_TO_SHRINK = 40


def _office_closed(problem: ScheduleProblem, day: int) -> bool:
    if problem.seats_on_day(day) == 0:
        return True
    return all(problem.seats_in_interval(day, k) == 0 for k in range(problem.intervals_per_day))


def _longest_paid(problem: ScheduleProblem, agent: Agent, day: int) -> int:
    return max((o.paid_minutes for o in shift_options(problem, agent, day)), default=0)


def precheck(problem: ScheduleProblem) -> list[str]:
    """Reasons, each naming the constraint, agent and day, why no schedule can exist.

    Necessary conditions only: an empty list does not prove that a schedule exists.
    """
    reasons: list[str] = []
    law = problem.working_hours
    must_at_office: dict[int, list[str]] = defaultdict(list)  # office-only agents needed
    closed_needed: dict[int, list[str]] = defaultdict(list)
    for agent in problem.agents:
        skills = [queue for queue in problem.queues if queue in agent.skills]
        for week in problem.weeks():
            low, _ = problem.contract_minutes(agent, week)
            if low <= 0:
                continue
            need = (
                f"agent {agent.id} ({agent.name}) must work at least {low / 60:g} h in the "
                f"week from {problem.date_of(week.start)}"
            )
            if not skills:
                queues = ", ".join(problem.queues)
                reasons.append(f"skills: {need} but has none of the queues' skills ({queues})")
                continue
            if not agent.home_allowed and not agent.office_allowed:
                reasons.append(
                    f"eligibility: {need} but may work neither at home nor at the office"
                )
                continue
            if low > law.max_week_minutes:
                reasons.append(
                    f"Working Hours Act (Arbeidstijdenwet art. 5:7): {need} but at most "
                    f"{law.max_week_minutes / 60:g} h a week are allowed"
                )
                continue
            best = {d: _longest_paid(problem, agent, d) for d in week}
            total = sum(best.values())
            if total < low:
                reasons.append(
                    f"availability: {need} but is available for at most {total / 60:g} h "
                    "(the longest shift that fits each available day)"
                )
                continue
            if agent.home_allowed:
                continue
            closed = [d for d in week if best[d] and _office_closed(problem, d)]
            usable = total - sum(best[d] for d in closed)
            if usable < low:
                needed = [d for d in closed if total - best[d] < low]
                for d in needed:
                    closed_needed[d].append(agent.id)
                if not needed:
                    dates = ", ".join(str(problem.date_of(d)) for d in closed)
                    reasons.append(
                        f"office seat capacity: {need} but may only work at the office, "
                        f"which has no seats on {dates}"
                    )
                continue
            for d in week:
                if best[d] and usable - best[d] < low:
                    must_at_office[d].append(agent.id)
    for d, ids in sorted(closed_needed.items()):
        reasons.append(
            f"office seat capacity: 0 on {problem.date_of(d)} but agents {', '.join(ids)} may "
            "only work at the office and must work that day (contract minimum)"
        )
    for d, ids in sorted(must_at_office.items()):
        seats = problem.seats_on_day(d)
        if seats is not None and len(ids) > seats:
            reasons.append(
                f"office seat capacity: {seats} on {problem.date_of(d)} but {len(ids)} agents "
                f"({', '.join(ids)}) may only work at the office and must work that day "
                "(contract minimum)"
            )
    return reasons


def explain_infeasibility(problem: ScheduleProblem, *, max_seconds: float) -> list[str]:
    """Name the constraint groups that together leave no schedule (see the module docstring).

    Call it after the solver proved infeasibility; solves with one worker (assumption cores
    are reliable there) within ``max_seconds`` in total.
    """
    built = build_model(problem, explain=True)
    model = built.model
    by_index = {literal.index: literal for literal in built.literals}
    spent = 0.0

    def infeasible(indices: list[int], seconds: float) -> tuple[bool, list[int]]:
        nonlocal spent
        model.clear_assumptions()
        model.add_assumptions([by_index[i] for i in indices])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(seconds, 0.05)
        solver.parameters.num_workers = 1
        status = solver.solve(model)
        spent += solver.wall_time
        if status != cp_model.INFEASIBLE:
            return False, []
        return True, [i for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]

    proven, core = infeasible(list(by_index), max_seconds / 2)
    if not proven:
        return [
            "the solver proved that no schedule keeps the hard rules but could not name the "
            f"constraints within {max_seconds:g} s"
        ]
    if len(core) <= MAX_GROUPS_TO_SHRINK:
        position = 0
        while position < len(core) and spent < max_seconds:
            trial = core[:position] + core[position + 1 :]
            still, smaller = infeasible(trial, (max_seconds - spent) / 2)
            if still:
                core = [i for i in trial if i in smaller] if smaller else trial
            else:
                position += 1
    order = {literal.index: n for n, literal in enumerate(built.literals)}
    return [built.groups[i] for i in sorted(core, key=order.__getitem__)]
