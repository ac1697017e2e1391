"""The CP-SAT model of a shift schedule (OR-Tools): variables, hard constraints, objectives.

Decision variables, per agent and day (only for shifts that fit the agent's availability):

* ``x[s]`` — the agent works shift option ``s`` = (template, start); at most one per day;
* ``y[r, p]`` — break rule ``r`` starts at interval ``p``: exactly one per rule that applies to
  the chosen shift's length, only where that shift allows it (``y → OR(x allowing p)``); breaks
  of one shift never overlap (at most one ``y`` covers an interval);
* ``q[j]`` — the day's queue ``j`` among the agent's skills (one queue per agent-day, chosen by
  the solver), and ``w[j, k]`` — working queue ``j`` in interval ``k`` (``Σ_j w = working``,
  ``w → q[j]``); an agent with one matching skill needs neither;
* ``o`` — at the office (else at home), fixed by the agent's eligibility where only one is
  allowed; ``z[k] ≥ working[k] + o − 1`` — an office seat taken in interval ``k``.

``working[k]`` (on shift and not on a break) is a literal per interval, kept as a flow over the
day: ``working[k] = working[k−1] + starts at k − ends at k − breaks starting at k + breaks
ending at k`` (a handful of terms each; the same LP as "Σ x covering k − Σ y covering k").
Coverage of queue ``j`` in interval ``k`` is ``Σ_a w[j, k]``; ``under ≥ required − coverage``
and ``over ≥ coverage − required`` (both ≥ 0). Hard constraints: contract paid minutes per week
(min and max), the Working Hours Act (11 h rest between consecutive days' shifts: for each
possible end ``e`` on a day, at most one of "a shift ending at ``e`` or later" and "a shift
the next day starting before ``e`` + rest − 24 h"; at most 60 h of shift time in every 7
consecutive days; the 12 h per shift by the templates), office seats per day (``Σ o``) and per
interval (``Σ z``), eligibility.

The objective parts (:class:`Built`): total under-staffing, total over-staffing, and cost of the
paid hours plus the preference penalties in cents; :mod:`symfonie.domain.wfm.schedule_search`
minimises them lexicographically. With ``explain=True`` every hard-constraint group gets an
enforcement literal for the infeasibility explanation
(:mod:`symfonie.domain.wfm.schedule_explain`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from symfonie.domain.wfm.schedule_model import (
    MINUTES_PER_DAY,
    Agent,
    ScheduleProblem,
)


@dataclass(frozen=True, slots=True)
class Option:
    """A shift an agent may work on a day: intervals ``[start, end)`` of template ``template``."""

    template: int
    start: int
    end: int
    length_minutes: int
    paid_minutes: int
    cost_cents: int
    penalty_cents: int


@dataclass(slots=True)
class Terms:
    """A linear expression kept as parallel lists (fast to concatenate and to evaluate)."""

    variables: list[Any] = field(default_factory=list)
    coefficients: list[int] = field(default_factory=list)

    def add(self, variable: Any, coefficient: int = 1) -> None:
        self.variables.append(variable)
        self.coefficients.append(coefficient)

    def extend(self, other: Terms) -> None:
        self.variables.extend(other.variables)
        self.coefficients.extend(other.coefficients)

    def expr(self) -> Any:
        return cp_model.LinearExpr.weighted_sum(self.variables, self.coefficients)

    def value(self, solution: list[int]) -> int:
        return sum(
            c * solution[v.index] for v, c in zip(self.variables, self.coefficients, strict=True)
        )


@dataclass(slots=True)
class AgentDay:
    """The variables of one agent on one day (see the module docstring)."""

    agent: int
    day: int
    options: list[Option]
    x: list[Any]
    breaks: list[tuple[int, int, Any]]  # (rule index, start interval, y)
    queues: dict[str, Any]  # queue -> q (None for an agent with one matching skill)
    office: Any  # the office literal, WORKED (office only) or None (never at the office)
    work: dict[int, Any] = field(default_factory=dict)  # interval -> working, not on a break
    share: dict[tuple[str, int], Any] = field(default_factory=dict)  # (queue, k) -> w
    seats: dict[int, Any] = field(default_factory=dict)  # interval -> z (home-or-office agents)


WORKED = "worked"  # AgentDay.office of an office-only agent: at the office whenever working


@dataclass(slots=True)
class Built:
    """The CP-SAT model with its objective parts, and the groups for explanations."""

    model: cp_model.CpModel
    days: list[AgentDay]
    coverage: dict[tuple[str, int, int], Terms]
    slack: dict[tuple[str, int, int], tuple[Any, Any]]  # (queue, d, k) -> (under, over)
    under: Terms
    over: Terms
    cost: Terms
    groups: dict[int, str]  # enforcement literal index -> reason (explain=True only)
    literals: list[Any]


def shift_cents(
    problem: ScheduleProblem, agent: Agent, day: int, start_minute: int, length_minutes: int
) -> tuple[int, int]:
    """(cost, preference penalty) of a shift in cents: the objective's third stage."""
    paid = problem.paid_minutes(length_minutes)
    penalty = agent.day_off_weight if problem.date_of(day) in agent.days_off_wanted else 0.0
    if agent.preferred_start_minute is not None:
        hours_off = abs(start_minute - agent.preferred_start_minute) / 60
        penalty += agent.preferred_start_weight * hours_off
    return round(100 * agent.cost_per_hour * paid / 60), round(100 * penalty)


def shift_options(problem: ScheduleProblem, agent: Agent, day: int) -> list[Option]:
    """Every (template, start) that fits one of the agent's windows on day index ``day``."""
    step = problem.interval_minutes
    windows = agent.windows_on(problem.date_of(day))
    options = []
    for index, template in enumerate(problem.templates):
        length = template.length_minutes
        paid = problem.paid_minutes(length)
        for start in template.start_minutes:
            end = start + length
            if not any(w.start_minute <= start and end <= w.end_minute for w in windows):
                continue
            cost, penalty = shift_cents(problem, agent, day, start, length)
            options.append(
                Option(
                    template=index,
                    start=start // step,
                    end=end // step,
                    length_minutes=length,
                    paid_minutes=paid,
                    cost_cents=cost,
                    penalty_cents=penalty,
                )
            )
    return options


class _Builder:
    def __init__(self, problem: ScheduleProblem, explain: bool) -> None:
        self.problem = problem
        self.explain = explain
        self.model = cp_model.CpModel()
        self.groups: dict[int, str] = {}
        self.literals: list[Any] = []
        self.step = problem.interval_minutes

    def group(self, reason: str) -> list[Any]:
        """The enforcement literals for a hard-constraint group ([] when not explaining)."""
        if not self.explain:
            return []
        literal = self.model.new_bool_var(reason)
        self.groups[literal.index] = reason
        self.literals.append(literal)
        return [literal]

    def build(self) -> Built:
        problem, model = self.problem, self.model
        coverage: dict[tuple[str, int, int], Terms] = defaultdict(Terms)
        seats: dict[tuple[int, int], Terms] = defaultdict(Terms)
        day_seats: dict[int, Terms] = defaultdict(Terms)
        cost = Terms()
        days: list[AgentDay] = []
        for a, agent in enumerate(problem.agents):
            per_day: list[AgentDay | None] = []
            for d in range(problem.days):
                agent_day = self.agent_day(a, agent, d, cost)
                per_day.append(agent_day)
                if agent_day is not None:
                    days.append(agent_day)
                    self.contributions(agent_day, coverage, seats, day_seats)
            self.agent_week_rules(agent, per_day)
        self.seat_limits(seats, day_seats)
        under, over = Terms(), Terms()
        slack: dict[tuple[str, int, int], tuple[Any, Any]] = {}
        for requirement in problem.requirements:
            queue = requirement.queue
            for d, row in enumerate(requirement.required_agents):
                for k, required in enumerate(row):
                    terms = coverage.get((queue, d, k))
                    if terms is None:
                        continue  # nobody can work it: under = required, a constant
                    short = model.new_int_var(0, required, f"under_{queue}_{d}_{k}")
                    extra = model.new_int_var(0, len(terms.variables), f"over_{queue}_{d}_{k}")
                    model.add(terms.expr() + short >= required)
                    model.add(terms.expr() - extra <= required)
                    under.add(short)
                    over.add(extra)
                    slack[(queue, d, k)] = (short, extra)
        return Built(
            model, days, dict(coverage), slack, under, over, cost, self.groups, self.literals
        )

    def agent_day(self, a: int, agent: Agent, d: int, cost: Terms) -> AgentDay | None:
        problem, model, step = self.problem, self.model, self.step
        skills = [queue for queue in problem.queues if queue in agent.skills]
        options = shift_options(problem, agent, d)
        if not options or not skills:
            return None
        name = f"{agent.id}_{d}"
        x = [model.new_bool_var(f"x_{name}_{i}") for i in range(len(options))]
        model.add_at_most_one(x)
        worked = sum(x)
        starts: dict[int, list[Any]] = defaultdict(list)
        ends: dict[int, list[Any]] = defaultdict(list)
        for option, literal in zip(options, x, strict=True):
            cost.add(literal, option.cost_cents + option.penalty_cents)
            starts[option.start].append(literal)
            ends[option.end].append(literal)
        breaks: list[tuple[int, int, Any]] = []
        on_break: dict[int, list[Any]] = defaultdict(list)
        for r, rule in enumerate(problem.break_rules):
            allowed: dict[int, list[Any]] = defaultdict(list)
            applies = []
            for option, literal in zip(options, x, strict=True):
                offsets = rule.offsets(option.length_minutes, step)
                if offsets:
                    applies.append(literal)
                for offset in offsets:
                    allowed[option.start + offset // step].append(literal)
            if not applies:
                continue
            placed = []
            for p, literals in sorted(allowed.items()):
                y = model.new_bool_var(f"y_{name}_{r}_{p}")
                model.add_bool_or(literals).only_enforce_if(y)
                placed.append(y)
                breaks.append((r, p, y))
                for k in range(p, p + rule.minutes // step):
                    on_break[k].append(y)
            model.add(sum(placed) == sum(applies))
        for literals in on_break.values():
            if len(literals) > 1:
                model.add_at_most_one(literals)
        # work[k] = on shift and not on a break, as a flow over the day: it changes only where
        # a shift starts or ends or a break starts or ends. Each constraint has a handful of
        # terms, where "sum of the shifts covering k" would have dozens (same LP bound).
        work: dict[int, Any] = {}
        first = min(option.start for option in options)
        last = max(option.end for option in options)
        previous: Any = 0
        for k in range(first, last):
            literal = model.new_bool_var(f"k_{name}_{k}")
            change = (
                sum(starts.get(k, []))
                - sum(ends.get(k, []))
                - sum(on_break.get(k, []))
                + sum(on_break.get(k - 1, []))
            )
            model.add(literal == previous + change)
            work[k] = literal
            previous = literal
        agent_day = AgentDay(a, d, options, x, breaks, {}, None, work)
        if len(skills) == 1:
            agent_day.queues[skills[0]] = None
        else:
            for queue in skills:
                agent_day.queues[queue] = model.new_bool_var(f"q_{name}_{queue}")
            model.add(sum(agent_day.queues.values()) == worked)
            for k, literal in work.items():
                share = [model.new_bool_var(f"w_{name}_{queue}_{k}") for queue in skills]
                model.add(sum(share) == literal)
                for queue, part in zip(skills, share, strict=True):
                    model.add_implication(part, agent_day.queues[queue])
                    agent_day.share[(queue, k)] = part
        if not agent.home_allowed and not agent.office_allowed:
            reason = f"eligibility: agent {agent.id} may work neither at home nor at the office"
            model.add(worked == 0).only_enforce_if(self.group(reason))
        elif agent.office_allowed and not agent.home_allowed:
            agent_day.office = WORKED
        elif agent.office_allowed:
            office = model.new_bool_var(f"o_{name}")
            model.add(office <= worked)
            agent_day.office = office
            for k, literal in work.items():
                if problem.seats_in_interval(d, k) is not None:
                    seat = model.new_bool_var(f"z_{name}_{k}")
                    model.add(seat >= literal + office - 1)
                    agent_day.seats[k] = seat
        return agent_day

    def contributions(
        self,
        day: AgentDay,
        coverage: dict[tuple[str, int, int], Terms],
        seats: dict[tuple[int, int], Terms],
        day_seats: dict[int, Terms],
    ) -> None:
        """Add one agent-day to the queues' coverage and to the office seats."""
        d = day.day
        for k, literal in day.work.items():
            if day.share:
                for queue in day.queues:
                    coverage[(queue, d, k)].add(day.share[(queue, k)])
            else:
                coverage[(next(iter(day.queues)), d, k)].add(literal)
        if day.office is None:
            return
        if self.problem.seats_on_day(d) is not None:
            if day.office is WORKED:
                for literal in day.x:
                    day_seats[d].add(literal)
            else:
                day_seats[d].add(day.office)
        for k, literal in day.work.items():
            if self.problem.seats_in_interval(d, k) is not None:
                seats[(d, k)].add(literal if day.office is WORKED else day.seats[k])

    def seat_limits(self, seats: dict[tuple[int, int], Terms], day_seats: dict[int, Terms]) -> None:
        problem, model = self.problem, self.model
        for d, terms in sorted(day_seats.items()):
            capacity = problem.seats_on_day(d)
            if capacity is not None and len(terms.variables) > capacity:
                reason = f"office seat capacity per day: {capacity} on {problem.date_of(d)}"
                model.add(terms.expr() <= capacity).only_enforce_if(self.group(reason))
        by_day: dict[int, list[tuple[int, Terms]]] = defaultdict(list)
        for (d, k), terms in seats.items():
            by_day[d].append((k, terms))
        for d, rows in sorted(by_day.items()):
            enforce: list[Any] | None = None
            for k, terms in sorted(rows, key=lambda row: row[0]):
                capacity = self.problem.seats_in_interval(d, k)
                positive = sum(1 for c in terms.coefficients if c > 0)
                if capacity is None or positive <= capacity:
                    continue
                if enforce is None:
                    reason = f"office seat capacity per interval on {problem.date_of(d)}"
                    enforce = self.group(reason)
                model.add(terms.expr() <= capacity).only_enforce_if(enforce)

    def agent_week_rules(self, agent: Agent, per_day: list[AgentDay | None]) -> None:
        problem, model, step = self.problem, self.model, self.step
        law = problem.working_hours

        def weighted(day: AgentDay | None, attribute: str) -> Terms:
            terms = Terms()
            if day is not None:
                for option, literal in zip(day.options, day.x, strict=True):
                    terms.add(literal, getattr(option, attribute))
            return terms

        for week in problem.weeks():
            low, high = problem.contract_minutes(agent, week)
            paid = Terms()
            for d in week:
                paid.extend(weighted(per_day[d], "paid_minutes"))
            monday = problem.date_of(week.start)
            if low > 0:
                reason = (
                    f"contract minimum: agent {agent.id} ({agent.name}) must work at least "
                    f"{low / 60:g} h in the week from {monday} (given their availability "
                    "and the shift templates)"
                )
                model.add(paid.expr() >= low).only_enforce_if(self.group(reason))
            reason = (
                f"contract maximum: agent {agent.id} ({agent.name}) works at most "
                f"{high / 60:g} h in the week from {monday}"
            )
            model.add(paid.expr() <= high).only_enforce_if(self.group(reason))
        for first in range(max(1, problem.days - 6)):
            span = Terms()
            for d in range(first, min(first + 7, problem.days)):
                span.extend(weighted(per_day[d], "length_minutes"))
            if span.variables and max(span.coefficients) * 7 > law.max_week_minutes:
                reason = (
                    f"Working Hours Act (Arbeidstijdenwet art. 5:7): agent {agent.id} works at "
                    f"most {law.max_week_minutes / 60:g} h in the 7 days from "
                    f"{problem.date_of(first)}"
                )
                model.add(span.expr() <= law.max_week_minutes).only_enforce_if(self.group(reason))
        for d in range(problem.days - 1):
            today, tomorrow = per_day[d], per_day[d + 1]
            if today is None or tomorrow is None:
                continue
            enforce: list[Any] | None = None
            ends = sorted({option.end * step for option in today.options})
            for end in ends:
                earliest = end + law.min_rest_minutes - MINUTES_PER_DAY  # next day's minute
                late = [
                    lit
                    for option, lit in zip(today.options, today.x, strict=True)
                    if option.end * step >= end
                ]
                early = [
                    lit
                    for option, lit in zip(tomorrow.options, tomorrow.x, strict=True)
                    if option.start * step < earliest
                ]
                if not early:
                    continue
                if enforce is None:
                    reason = (
                        f"Working Hours Act rest (Arbeidstijdenwet art. 5:3): agent {agent.id} "
                        f"needs {law.min_rest_minutes / 60:g} h between the shifts of "
                        f"{problem.date_of(d)} and {problem.date_of(d + 1)}"
                    )
                    enforce = self.group(reason)
                model.add_at_most_one(late + early).only_enforce_if(enforce)


def build_model(problem: ScheduleProblem, *, explain: bool = False) -> Built:
    """Build the CP-SAT model of ``problem`` (see the module docstring)."""
    return _Builder(problem, explain).build()


__all__ = [
    "WORKED",
    "AgentDay",
    "Built",
    "Option",
    "Terms",
    "build_model",
    "shift_cents",
    "shift_options",
]
