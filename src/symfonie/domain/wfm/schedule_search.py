"""Solving the schedule model: lexicographic stages on the whole model, or a large neighbourhood
search with CP-SAT on sub-problems for large ones.

Objective, lexicographic: (1) total under-staffing, (2) total over-staffing (agent-intervals),
(3) cost of the paid hours plus preference penalties (cents). Two methods:

* ``full`` (:func:`solve_full`) — the whole model (:mod:`~symfonie.domain.wfm.schedule_solver`)
  in three stages: each stage minimises its part with the previous parts bounded by their best
  values and the previous schedule as a complete hint. A stage that hits its time limit passes
  its best value on; the status is ``optimal`` only if all three stages proved optimality.
* ``lns`` (:func:`solve_lns`) — for a 100-agent week the whole model has about 150,000
  variables: CP-SAT's own neighbourhoods then take seconds each and hardly move. Instead, from
  the greedy start (:mod:`~symfonie.domain.wfm.schedule_start`), repeat: choose a few agents
  (those with skills for a (queue, day) that is short, or over-staffed, or at random), fix
  everyone else, and re-solve those agents' whole weeks exactly with CP-SAT against what is
  left to cover (the requirement less the fixed agents' coverage, floored at 0) and the office
  seats left. A sub-problem is itself a :class:`ScheduleProblem`, so the same model and rules
  apply; a new schedule is kept when it is lexicographically no worse. The first 75 % of the
  time minimises ``(max over + 1) × under + over``, the rest the cost with the sub-problem's
  under- and over-staffing bounded by their current values. This is large neighbourhood search
  (Shaw 1998; Pisinger & Ropke, *Handbook of Metaheuristics*, 2010) with an exact
  neighbourhood solver; it proves nothing, so its status is ``feasible``. With ``num_workers``
  threads, as many disjoint neighbourhoods are solved at once (one CP-SAT worker each: CP-SAT
  releases the GIL) and merged one by one, each kept only if the merged schedule is no worse
  and within the office seats.

Time: ``max_seconds`` is measured with the injected ``clock`` (elapsed seconds, e.g.
``time.monotonic``), model building included.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from symfonie.domain.wfm.schedule_check import agent_violations
from symfonie.domain.wfm.schedule_model import (
    Break,
    Location,
    QueueCoverage,
    Schedule,
    ScheduleInfeasible,
    ScheduleNotFound,
    ScheduleProblem,
    Shift,
    SolveStatus,
)
from symfonie.domain.wfm.schedule_solver import WORKED, Built, build_model, shift_cents

Clock = Callable[[], float]
# Time shares of the three stages of the full method (unused time carries over).
STAGE_SHARES = (0.6, 0.5, 1.0)
# Above this many variables the presolve is cut short (see _solver).
LARGE_MODEL_VARIABLES = 5_000
# Neighbourhoods: agents re-solved at once (adapted between these), seconds per sub-problem,
# the share of the time spent on coverage before cost.
# Measured on the benchmark week: 2-3 agents for 2 s each beat 4-10 agents for 3 s (CP-SAT
# rarely proves even a 4-agent week optimal within seconds, but improves 2 agents readily).
NEIGHBOURHOOD_AGENTS = (2, 3, 12)
NEIGHBOURHOOD_SECONDS = 2.0
COVERAGE_SHARE = 0.75
# Infeasible repairs of a start that breaks rules before giving up on the neighbourhoods.
REPAIR_ATTEMPTS = 3


class NeedFullModel(Exception):
    """The neighbourhood search could not repair its start: solve the whole model instead."""


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    """Records the solver's wall time at its first solution."""

    def __init__(self) -> None:
        super().__init__()
        self.first_seconds: float | None = None

    def on_solution_callback(self) -> None:
        if self.first_seconds is None:
            self.first_seconds = float(self.wall_time)


def _solver(
    seconds: float, num_workers: int, random_seed: int, *, light_presolve: bool
) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.05)
    solver.parameters.num_workers = num_workers
    solver.parameters.random_seed = random_seed
    if light_presolve:
        # Full presolve of a 100-agent week takes about half a minute on two cores (probing
        # and symmetry, repeated), of a 4-agent neighbourhood a second: one pass leaves the
        # time to the search.
        solver.parameters.max_presolve_iterations = 1
        solver.parameters.symmetry_level = 0
        solver.parameters.cp_model_probing_level = 0
    return solver


def solve_full(
    problem: ScheduleProblem,
    *,
    max_seconds: float,
    num_workers: int,
    random_seed: int,
    clock: Clock,
    began: float,
    start: Sequence[Shift] = (),
) -> Schedule:
    """The whole model in three lexicographic stages (module docstring), until ``max_seconds``
    after ``began``.

    Raises :class:`ScheduleInfeasible` (without reasons: the caller explains) when CP-SAT
    proves that no schedule keeps the hard rules, :class:`ScheduleNotFound` when the time
    limit passes before a first schedule.
    """
    built = build_model(problem)
    model = built.model
    variables = len(model.proto.variables)
    objectives = [built.under.expr(), built.over.expr(), built.cost.expr()]
    if start:
        set_hint(model, hint_values(problem, built, start))
    solution: list[int] | None = None
    statuses = []
    first_seconds = None
    for stage, objective in enumerate(objectives):
        model.minimize(objective)
        seconds = (max_seconds - (clock() - began)) * STAGE_SHARES[stage]
        light = variables > LARGE_MODEL_VARIABLES
        solver = _solver(seconds, num_workers, random_seed, light_presolve=light)
        callback = _FirstSolution() if stage == 0 else None
        offset = clock() - began
        status = solver.solve(model, callback)
        if callback is not None and callback.first_seconds is not None:
            first_seconds = offset + callback.first_seconds
        if status == cp_model.INFEASIBLE and stage == 0:
            raise ScheduleInfeasible(())
        if status == cp_model.MODEL_INVALID:
            raise RuntimeError(f"invalid CP-SAT model: {model.validate()}")
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if solution is None:
                raise ScheduleNotFound(
                    f"no schedule found within {max_seconds:g} s (CP-SAT status "
                    f"{solver.status_name(status)}); allow more time"
                )
            statuses.append(cp_model.FEASIBLE)
            break
        statuses.append(status)
        solution = list(solver.response_proto.solution)
        if stage < len(objectives) - 1:
            model.add(objective <= round(solver.objective_value))
            set_hint(model, dict(enumerate(solution)))
    assert solution is not None
    optimal = len(statuses) == 3 and all(s == cp_model.OPTIMAL for s in statuses)
    return make_schedule(
        problem,
        extract_shifts(problem, built, solution),
        SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE,
        clock() - began,
        first_seconds,
    )


def set_hint(model: cp_model.CpModel, values: dict[int, int]) -> None:
    """Replace the model's solution hint by ``values`` (variable index -> value)."""
    model.clear_hints()  # type: ignore[no-untyped-call]
    hint = model.proto.solution_hint
    hint.vars.extend(values.keys())
    hint.values.extend(values.values())


def _rules_of(problem: ScheduleProblem, shift: Shift) -> list[tuple[int, Break]] | None:
    """Match each break of ``shift`` to a distinct break rule whose window holds it."""
    step, length = problem.interval_minutes, shift.length_minutes
    rules = [r for r, rule in enumerate(problem.break_rules) if length >= rule.min_shift_minutes]
    if len(rules) != len(shift.breaks):
        return None
    for order in itertools.permutations(shift.breaks):
        pairs = list(zip(rules, order, strict=True))
        if all(
            b.kind == problem.break_rules[r].kind
            and b.minutes == problem.break_rules[r].minutes
            and b.start_minute - shift.start_minute in problem.break_rules[r].offsets(length, step)
            for r, b in pairs
        ):
            return pairs
    return None


def hint_values(problem: ScheduleProblem, built: Built, shifts: Sequence[Shift]) -> dict[int, int]:
    """A value for every variable of ``built`` that corresponds to ``shifts``.

    A shift that is not among its agent-day's options (or whose breaks do not match the rules)
    is left out, as if the agent did not work that day.
    """
    step = problem.interval_minutes
    index = {agent.id: a for a, agent in enumerate(problem.agents)}
    by_day = {(index.get(s.agent_id), problem.day_index(s.day)): s for s in shifts}
    values: dict[int, int] = {}
    covered: dict[tuple[str, int, int], int] = defaultdict(int)
    for day in built.days:
        shift = by_day.get((day.agent, day.day))
        chosen, pairs = -1, None
        if shift is not None and shift.queue in day.queues:
            pairs = _rules_of(problem, shift)
            for i, option in enumerate(day.options):
                template = problem.templates[option.template].name
                if option.start * step == shift.start_minute and template == shift.template:
                    chosen = i
        if pairs is None or shift is None:
            chosen, pairs = -1, []
        for i, literal in enumerate(day.x):
            values[literal.index] = int(i == chosen)
        placed = {(r, b.start_minute // step) for r, b in pairs} if chosen >= 0 else set()
        for r, p, literal in day.breaks:
            values[literal.index] = int((r, p) in placed)
        working: set[int] = set()
        queue, office = None, False
        if chosen >= 0 and shift is not None:
            option = day.options[chosen]
            pauses = {
                k for _, b in pairs for k in range(b.start_minute // step, b.end_minute // step)
            }
            working = set(range(option.start, option.end)) - pauses
            queue, office = shift.queue, shift.location is Location.OFFICE
        for k, literal in day.work.items():
            values[literal.index] = int(k in working)
            if k in working and queue is not None:
                covered[(queue, day.day, k)] += 1
        for q, literal in day.queues.items():
            if literal is not None:
                values[literal.index] = int(q == queue)
        for (q, k), literal in day.share.items():
            values[literal.index] = int(q == queue and k in working)
        if day.office is not None and day.office is not WORKED:
            values[day.office.index] = int(office)
        for k, literal in day.seats.items():
            values[literal.index] = int(office and k in working)
    for requirement in problem.requirements:
        for d, row in enumerate(requirement.required_agents):
            for k, required in enumerate(row):
                slack = built.slack.get((requirement.queue, d, k))
                if slack is not None:
                    got = covered[(requirement.queue, d, k)]
                    values[slack[0].index] = max(0, required - got)
                    values[slack[1].index] = max(0, got - required)
    return values


def extract_shifts(problem: ScheduleProblem, built: Built, solution: list[int]) -> list[Shift]:
    """The shifts of a CP-SAT solution (values indexed by variable)."""
    step = problem.interval_minutes
    shifts = []
    for day in built.days:
        chosen = [o for o, x in zip(day.options, day.x, strict=True) if solution[x.index]]
        if not chosen:
            continue
        option = chosen[0]
        breaks = []
        for r, p, y in day.breaks:
            if solution[y.index]:
                rule = problem.break_rules[r]
                breaks.append(Break(rule.kind, p * step, rule.minutes, rule.paid))
        queue = next(q for q, lit in day.queues.items() if lit is None or solution[lit.index])
        office = day.office is WORKED or (
            day.office is not None and bool(solution[day.office.index])
        )
        shifts.append(
            Shift(
                agent_id=problem.agents[day.agent].id,
                day=problem.date_of(day.day),
                template=problem.templates[option.template].name,
                start_minute=option.start * step,
                end_minute=option.end * step,
                breaks=tuple(sorted(breaks, key=lambda b: b.start_minute)),
                location=Location.OFFICE if office else Location.HOME,
                queue=queue,
            )
        )
    return shifts


def _arrays(problem: ScheduleProblem, shifts: Sequence[Shift]) -> tuple[dict[str, Any], Any, Any]:
    """Agents working (not on a break) per queue, day and interval; office seats; office days."""
    step, shape = problem.interval_minutes, (problem.days, problem.intervals_per_day)
    covered = {queue: np.zeros(shape, dtype=np.int64) for queue in problem.queues}
    seats = np.zeros(shape, dtype=np.int64)
    office_days = np.zeros(problem.days, dtype=np.int64)
    for shift in shifts:
        d = problem.day_index(shift.day)
        working = np.zeros(shape[1], dtype=bool)
        working[shift.start_minute // step : shift.end_minute // step] = True
        for b in shift.breaks:
            working[b.start_minute // step : b.end_minute // step] = False
        if shift.queue in covered:
            covered[shift.queue][d] += working
        if shift.location is Location.OFFICE:
            seats[d] += working
            office_days[d] += 1
    return covered, seats, office_days


def make_schedule(
    problem: ScheduleProblem,
    shifts: Sequence[Shift],
    status: SolveStatus,
    wall_seconds: float,
    first_seconds: float | None,
) -> Schedule:
    """A :class:`Schedule` of ``shifts``: coverage, seats and the objective parts counted."""
    covered, seats, _ = _arrays(problem, shifts)
    coverage = tuple(
        QueueCoverage(
            r.queue, r.required_agents, tuple(tuple(row) for row in covered[r.queue].tolist())
        )
        for r in problem.requirements
    )
    agents = {agent.id: agent for agent in problem.agents}
    cost = sum(agents[s.agent_id].cost_per_hour * s.paid_minutes / 60 for s in shifts)
    penalty = sum(
        shift_cents(
            problem, agents[s.agent_id], problem.day_index(s.day), s.start_minute, s.length_minutes
        )[1]
        for s in shifts
    )
    order = {agent.id: a for a, agent in enumerate(problem.agents)}
    return Schedule(
        shifts=tuple(sorted(shifts, key=lambda s: (order[s.agent_id], s.day))),
        coverage=coverage,
        office_seats_used=tuple(tuple(row) for row in seats.tolist()),
        status=status,
        under=sum(sum(map(sum, c.under)) for c in coverage),
        over=sum(sum(map(sum, c.over)) for c in coverage),
        required=sum(sum(map(sum, c.required)) for c in coverage),
        cost=round(cost, 2),
        preference_penalty=round(penalty / 100, 2),
        wall_seconds=wall_seconds,
        first_solution_seconds=first_seconds,
    )


def _score(problem: ScheduleProblem, shifts: Sequence[Shift]) -> tuple[int, int, int]:
    """(under, over, cost + penalty cents): the lexicographic objective of ``shifts``."""
    covered, _, _ = _arrays(problem, shifts)
    under = over = 0
    for requirement in problem.requirements:
        difference = covered[requirement.queue] - np.array(requirement.required_agents)
        under += int(np.clip(-difference, 0, None).sum())
        over += int(np.clip(difference, 0, None).sum())
    agents = {agent.id: agent for agent in problem.agents}
    cents = sum(
        sum(
            shift_cents(
                problem,
                agents[s.agent_id],
                problem.day_index(s.day),
                s.start_minute,
                s.length_minutes,
            )
        )
        for s in shifts
    )
    return under, over, cents


def _subproblem(
    problem: ScheduleProblem, fixed: Sequence[Shift], chosen: Sequence[str]
) -> ScheduleProblem:
    """The chosen agents against what the fixed shifts leave: requirement, office seats."""
    covered, seats, office_days = _arrays(problem, fixed)
    requirements = tuple(
        dataclasses.replace(
            r,
            required_agents=tuple(
                tuple(row)
                for row in np.clip(np.array(r.required_agents) - covered[r.queue], 0, None).tolist()
            ),
        )
        for r in problem.requirements
    )
    per_day = tuple(
        None if (cap := problem.seats_on_day(d)) is None else max(0, cap - int(office_days[d]))
        for d in range(problem.days)
    )
    per_interval = tuple(
        tuple(
            None
            if (cap := problem.seats_in_interval(d, k)) is None
            else max(0, cap - int(seats[d][k]))
            for k in range(problem.intervals_per_day)
        )
        for d in range(problem.days)
    )
    wanted = set(chosen)
    return dataclasses.replace(
        problem,
        requirements=requirements,
        agents=tuple(a for a in problem.agents if a.id in wanted),
        office_seats_per_day=per_day,
        office_seats_per_interval=per_interval,
    )


def _neighbourhood(
    problem: ScheduleProblem,
    shifts: Sequence[Shift],
    size: int,
    rng: random.Random,
    broken: set[str],
    taken: set[str],
) -> list[str]:
    """Agents to re-solve (none of ``taken``): broken ones first, then around a short or
    surplus (queue, day), then at random."""
    ids = [agent.id for agent in problem.agents if agent.id not in taken]
    chosen = sorted(broken - taken)[: max(1, size // 3)]
    covered, _, _ = _arrays(problem, shifts)
    weights: dict[tuple[str, int], int] = {}
    mode = rng.random()
    for requirement in problem.requirements:
        difference = covered[requirement.queue] - np.array(requirement.required_agents)
        part = np.clip(-difference if mode < 0.5 else difference, 0, None).sum(axis=1)
        for d, value in enumerate(part.tolist()):
            if value > 0:
                weights[(requirement.queue, d)] = int(value)
    if weights and mode < 0.8:
        keys = list(weights)
        queue, d = rng.choices(keys, weights=[weights[k] for k in keys])[0]
        day = problem.date_of(d)
        near = [
            a.id
            for a in problem.agents
            if queue in a.skills and a.windows_on(day) and a.id not in chosen and a.id not in taken
        ]
        chosen += rng.sample(near, min(len(near), size - len(chosen)))
    others = [i for i in ids if i not in chosen]
    chosen += rng.sample(others, max(0, min(len(others), size - len(chosen))))
    return chosen


def _solve_neighbourhood(
    problem: ScheduleProblem,
    current: Sequence[Shift],
    chosen: Sequence[str],
    *,
    cost_phase: bool,
    seconds: float,
    random_seed: int,
) -> tuple[Any, list[Shift] | None]:
    """Re-solve the ``chosen`` agents' weeks against the rest of ``current`` (one CP-SAT
    worker); returns the CP-SAT status and their new shifts (``None`` without a solution)."""
    wanted = set(chosen)
    fixed = [s for s in current if s.agent_id not in wanted]
    sub = _subproblem(problem, fixed, chosen)
    built = build_model(sub)
    model = built.model
    hint = hint_values(sub, built, [s for s in current if s.agent_id in wanted])
    if cost_phase:
        model.add(built.under.expr() <= sum(hint[v.index] for v in built.under.variables))
        model.add(built.over.expr() <= sum(hint[v.index] for v in built.over.variables))
        model.minimize(built.cost.expr())
    else:
        weight = sum(len(built.coverage[key].variables) for key in built.slack) + 1
        model.minimize(weight * built.under.expr() + built.over.expr())
    set_hint(model, hint)
    solver = _solver(seconds, 1, random_seed, light_presolve=True)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, None
    return status, extract_shifts(sub, built, list(solver.response_proto.solution))


def solve_lns(
    problem: ScheduleProblem,
    start: Sequence[Shift],
    *,
    max_seconds: float,
    num_workers: int,
    random_seed: int,
    clock: Clock,
    began: float,
) -> Schedule:
    """Large neighbourhood search from ``start`` (module docstring) until ``max_seconds``
    after ``began``: ``num_workers`` disjoint neighbourhoods at a time, one CP-SAT worker
    each, merged one by one when the whole schedule stays within the seats and no worse.
    Raises :class:`NeedFullModel` if a start that breaks hard rules cannot be repaired."""
    rng = random.Random(random_seed)
    by_agent: dict[str, list[Shift]] = defaultdict(list)
    for shift in start:
        by_agent[shift.agent_id].append(shift)
    current = [s for agent in problem.agents for s in by_agent.get(agent.id, [])]
    broken = {
        agent.id
        for agent in problem.agents
        if agent_violations(problem, agent, by_agent.get(agent.id, []))
    }
    if _seat_violations(problem, current):
        raise NeedFullModel
    first_seconds = None if broken else clock() - began
    score = _score(problem, current)
    size, failures, iteration = NEIGHBOURHOOD_AGENTS[1], 0, 0
    with ThreadPoolExecutor(max_workers=num_workers) as pool:
        while clock() - began < max_seconds:
            cost_phase = not broken and clock() - began > COVERAGE_SHARE * max_seconds
            seconds = min(NEIGHBOURHOOD_SECONDS, max_seconds - (clock() - began))
            neighbourhoods: list[list[str]] = []
            for _ in range(1 if broken else num_workers):
                taken = {agent_id for chosen in neighbourhoods for agent_id in chosen}
                neighbourhoods.append(_neighbourhood(problem, current, size, rng, broken, taken))
            futures = [
                pool.submit(
                    _solve_neighbourhood,
                    problem,
                    current,
                    chosen,
                    cost_phase=cost_phase,
                    seconds=seconds,
                    random_seed=random_seed + iteration + n,
                )
                for n, chosen in enumerate(neighbourhoods)
            ]
            iteration += len(futures)
            statuses = []
            for chosen, future in zip(neighbourhoods, futures, strict=True):
                status, shifts = future.result()
                statuses.append(status)
                wanted = set(chosen)
                if shifts is None:
                    if status == cp_model.INFEASIBLE and broken & wanted:
                        failures += 1
                        if failures >= REPAIR_ATTEMPTS:
                            raise NeedFullModel
                    continue
                candidate = [s for s in current if s.agent_id not in wanted] + shifts
                if len(futures) > 1 and _seat_violations(problem, candidate):
                    continue  # two neighbourhoods took the same free seat
                new_score = _score(problem, candidate)
                if broken & wanted or new_score <= score:
                    current, score = candidate, new_score
                    if broken:
                        broken -= wanted
                        if not broken:
                            first_seconds = clock() - began
            # Proven optima mean the neighbourhoods are easy: grow them; time-outs: shrink.
            if all(status == cp_model.OPTIMAL for status in statuses):
                size = min(NEIGHBOURHOOD_AGENTS[2], size + 2)
            else:
                size = max(NEIGHBOURHOOD_AGENTS[0], size - 2)
    if broken:
        raise NeedFullModel
    return make_schedule(problem, current, SolveStatus.FEASIBLE, clock() - began, first_seconds)


def _seat_violations(problem: ScheduleProblem, shifts: Sequence[Shift]) -> bool:
    _, seats, office_days = _arrays(problem, shifts)
    for d in range(problem.days):
        cap = problem.seats_on_day(d)
        if cap is not None and office_days[d] > cap:
            return True
        for k in range(problem.intervals_per_day):
            cap = problem.seats_in_interval(d, k)
            if cap is not None and seats[d][k] > cap:
                return True
    return False


__all__ = [
    "NeedFullModel",
    "extract_shifts",
    "hint_values",
    "make_schedule",
    "set_hint",
    "solve_full",
    "solve_lns",
]
