"""A first schedule for the solver to start from: greedy, agent by agent, within the hard rules.

CP-SAT alone needs minutes to find any schedule of a 100-agent week (the contract minimums
make "nobody works" infeasible, and the model has some 150,000 variables); started from a
complete schedule it spends its time improving one. :func:`first_schedule` builds that start:

* agents in order of fewest shift options first (office-only agents before the others on ties);
* each agent repeatedly takes the shift (day, template, start, queue) covering the most
  still-uncovered required agent-intervals (ties: less surplus), while it keeps the contract
  maximum, the 11 h rest, 60 h in any 7 days, availability and the office seats (an office
  seat for the whole shift, breaks included: stricter than the model);
* once nothing gains, an agent below a week's contract minimum takes the longest shift left
  on a free day of that week;
* breaks go where the least is still needed (:func:`~symfonie.domain.wfm.schedule_model.
  place_breaks`).

An agent whose minimum the greedy cannot reach keeps what it has; the solver is then left to
repair the start (the hint is not feasible) or to prove the problem infeasible.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from symfonie.domain.wfm.schedule_model import (
    MINUTES_PER_DAY,
    Agent,
    Break,
    Location,
    ScheduleProblem,
    Shift,
    place_breaks,
)
from symfonie.domain.wfm.schedule_solver import Option, shift_options

IntArray = npt.NDArray[np.int64]
UNLIMITED = 1 << 30


class _State:
    """What is left to cover and the office seats left, shared by all agents."""

    def __init__(self, problem: ScheduleProblem) -> None:
        self.problem = problem
        self.need = {
            r.queue: np.array(r.required_agents, dtype=np.int64).reshape(
                problem.days, problem.intervals_per_day
            )
            for r in problem.requirements
        }
        self.seats = np.array(
            [
                [
                    UNLIMITED if (cap := problem.seats_in_interval(d, k)) is None else cap
                    for k in range(problem.intervals_per_day)
                ]
                for d in range(problem.days)
            ],
            dtype=np.int64,
        )
        self.day_seats = [
            UNLIMITED if (cap := problem.seats_on_day(d)) is None else cap
            for d in range(problem.days)
        ]

    def gains(self, queue: str, d: int) -> IntArray:
        """Prefix sums of the intervals of day ``d`` that still need an agent on ``queue``."""
        positive = (self.need[queue][d] > 0).astype(np.int64)
        return np.concatenate(([0], np.cumsum(positive)))


def _rested(
    plans: dict[int, tuple[Option, str, Location]], d: int, option: Option, step: int, rest: int
) -> bool:
    before, after = plans.get(d - 1), plans.get(d + 1)
    if before is not None and (option.start - before[0].end) * step + MINUTES_PER_DAY < rest:
        return False
    return after is None or (after[0].start - option.end) * step + MINUTES_PER_DAY >= rest


def _agent_plans(
    problem: ScheduleProblem, agent: Agent, state: _State
) -> dict[int, tuple[Option, str, Location]]:
    step, law = problem.interval_minutes, problem.working_hours
    skills = [queue for queue in problem.queues if queue in agent.skills]
    if not skills or not (agent.home_allowed or agent.office_allowed):
        return {}
    options = {d: shift_options(problem, agent, d) for d in range(problem.days)}
    weeks = problem.weeks()
    bounds = [problem.contract_minutes(agent, week) for week in weeks]
    week_of = {d: w for w, week in enumerate(weeks) for d in week}
    paid = [0] * len(weeks)
    location = Location.HOME if agent.home_allowed else Location.OFFICE
    plans: dict[int, tuple[Option, str, Location]] = {}
    longest = {d: max((o.paid_minutes for o in day), default=0) for d, day in options.items()}
    while True:
        deficient = {w for w, (low, _) in enumerate(bounds) if paid[w] < low}
        best: tuple[tuple[int, int], int, Option, str] | None = None
        for d, day_options in options.items():
            if d in plans or not day_options:
                continue
            w = week_of[d]
            if location is Location.OFFICE and state.day_seats[d] < 1:
                continue
            # what the week's other free days could still add, to keep the minimum in reach
            reach = sum(longest[e] for e in weeks[w] if e != d and e not in plans)
            windows = [
                range(first, first + 7)
                for first in range(max(0, d - 6), d + 1)
                if first + 7 <= max(problem.days, 7)
            ]
            spans = [
                sum(plans[e][0].length_minutes for e in window if e in plans) for window in windows
            ]
            cums = {queue: state.gains(queue, d) for queue in skills}
            for option in day_options:
                if paid[w] + option.paid_minutes > bounds[w][1]:
                    continue
                if paid[w] + option.paid_minutes + reach < bounds[w][0]:
                    continue
                if any(span + option.length_minutes > law.max_week_minutes for span in spans):
                    continue
                if not _rested(plans, d, option, step, law.min_rest_minutes):
                    continue
                if (
                    location is Location.OFFICE
                    and (state.seats[d][option.start : option.end] < 1).any()
                ):
                    continue
                length = option.end - option.start
                for queue in skills:
                    gain = int(cums[queue][option.end] - cums[queue][option.start])
                    if gain > 0:
                        key = (gain, gain - length)
                    elif w in deficient:
                        key = (0, option.paid_minutes - UNLIMITED)
                    else:
                        continue
                    if best is None or key > best[0]:
                        best = (key, d, option, queue)
        if best is None:
            return plans
        _, d, option, queue = best
        plans[d] = (option, queue, location)
        paid[week_of[d]] += option.paid_minutes
        state.need[queue][d][option.start : option.end] -= 1
        if location is Location.OFFICE:
            state.seats[d][option.start : option.end] -= 1
            state.day_seats[d] -= 1


def first_schedule(problem: ScheduleProblem) -> list[Shift]:
    """Greedy shifts that keep the hard rules where the greedy manages (module docstring)."""
    step = problem.interval_minutes
    state = _State(problem)
    counts = {
        agent.id: sum(len(shift_options(problem, agent, d)) for d in range(problem.days))
        for agent in problem.agents
    }
    order = sorted(problem.agents, key=lambda a: (counts[a.id], a.home_allowed, a.id))
    shifts = []
    for agent in order:
        for d, (option, queue, location) in sorted(_agent_plans(problem, agent, state).items()):
            length = option.length_minutes
            remaining = state.need[queue][d][option.start : option.end]
            placed = place_breaks(problem, length, tuple(int(v) for v in remaining))
            if placed is None:  # cannot happen for a validated problem
                continue
            start = option.start * step
            breaks = tuple(
                sorted(
                    (
                        Break(rule.kind, start + offset, rule.minutes, rule.paid)
                        for rule, offset in placed
                    ),
                    key=lambda b: b.start_minute,
                )
            )
            for b in breaks:  # the agent is not there during the break after all
                state.need[queue][d][b.start_minute // step : b.end_minute // step] += 1
            shifts.append(
                Shift(
                    agent_id=agent.id,
                    day=problem.date_of(d),
                    template=problem.templates[option.template].name,
                    start_minute=start,
                    end_minute=start + length,
                    breaks=breaks,
                    location=location,
                    queue=queue,
                )
            )
    return shifts
