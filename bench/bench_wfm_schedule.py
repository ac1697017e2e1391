"""Benchmark: a one-week shift schedule for 100 agents with CP-SAT, against a greedy heuristic.

The week (Monday 2026-11-30, 15-min intervals): three queues (service, sales, billing) whose
required agents come from Erlang C staffing (``staff_intervals``, 80 % answered within 20 s,
occupancy at most 85 %) of a two-peak arrival curve; open 08:00–22:00 on weekdays, 09:00–18:00
on Saturday and 10:00–16:00 on Sunday. 100 agents: single- and multi-skilled, full-time (32–38 h),
part-time (20–28 h) and small contracts (12–20 h), some days unavailable or only in the evening,
home/office eligibility mixed (50 % both, 30 % home only, 20 % office only), an office seat cap
of 40 agents per interval, preferences, cost per hour. Templates of 4, 6, 8 and 9 h starting
every 30 min; the default break rules; the Working Hours Act (the 11 h rest binds after a
22:00 close).

Measured in the same run, on the same problem:

* ``cpsat`` — :func:`symfonie.domain.wfm.schedule.solve_schedule` with ``--max-seconds`` (60)
  and ``--workers`` (2), method ``auto`` (here the neighbourhood search): time to the first
  schedule that keeps every rule and to the final answer (wall clock, model building
  included), under- and over-staffing, the coverage gap (under / required agent-intervals),
  cost; ``cpsat.start`` is its own greedy start (``first_schedule``) on its own;
* ``greedy`` — the simple peer written here: agents one by one (fewest options first), each
  adding the shift (day, template, start, queue) that covers the most still-uncovered
  agent-intervals while keeping every hard rule, breaks placed where the least is needed, until
  the contract maximum or no gain, then topped up to the contract minimum.

Both schedules must pass ``check_schedule``. Writes ``bench/results/wfm_schedule.json``.

    PYTHONPATH=src python bench/bench_wfm_schedule.py [--max-seconds 60] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from symfonie.domain.wfm.schedule import (
    Agent,
    Break,
    DayAvailability,
    Location,
    QueueCoverage,
    QueueRequirement,
    Schedule,
    ScheduleProblem,
    Shift,
    ShiftTemplate,
    SolveStatus,
    TimeWindow,
    check_schedule,
    solve_schedule,
)
from symfonie.domain.wfm.schedule_model import place_breaks
from symfonie.domain.wfm.schedule_start import first_schedule
from symfonie.domain.wfm.staffing import StaffingTarget, staff_intervals

RESULTS = Path(__file__).resolve().parent / "results" / "wfm_schedule.json"
SEED = 20261130
START = date(2026, 11, 30)  # a Monday
DAYS = 7
INTERVAL_MINUTES = 15
PER_DAY = 24 * 60 // INTERVAL_MINUTES
AGENTS = 100
OFFICE_SEATS = 40
TARGET = StaffingTarget(service_level=0.8, threshold_seconds=20, max_occupancy=0.85)
# queue: (calls per 15 min at the weekday peak, AHT seconds)
QUEUES = {"service": (85.0, 300.0), "sales": (25.0, 420.0), "billing": (22.0, 360.0)}
OPEN_HOURS = [(8, 22)] * 5 + [(9, 18), (10, 16)]
DAY_VOLUME = [1.0, 0.95, 0.9, 0.9, 0.85, 0.45, 0.25]


def requirements() -> tuple[QueueRequirement, ...]:
    """Erlang C staffing of a two-peak arrival curve (10:00 and 14:30), per queue and day."""
    hour = (np.arange(PER_DAY) * INTERVAL_MINUTES + INTERVAL_MINUTES / 2) / 60.0
    curve = np.exp(-(((hour - 10.0) / 2.0) ** 2)) + 0.8 * np.exp(-(((hour - 14.5) / 2.5) ** 2))
    curve += 0.25 * np.exp(-(((hour - 19.5) / 1.5) ** 2))  # the evening after work
    result = []
    for queue, (peak, aht) in QUEUES.items():
        rows = []
        for day, (opens, closes) in enumerate(OPEN_HOURS):
            is_open = (hour >= opens) & (hour < closes)
            calls = np.where(is_open, peak * DAY_VOLUME[day] * curve / curve.max(), 0.0)
            staffing = staff_intervals(
                calls, interval_minutes=INTERVAL_MINUTES, aht_seconds=aht, target=TARGET
            )
            rows.append(staffing.agents)
        result.append(QueueRequirement.from_rows(queue, rows))
    return tuple(result)


def agents(rng: np.random.Generator) -> tuple[Agent, ...]:
    skills_mix = [
        (("service",), 0.45),
        (("sales",), 0.12),
        (("billing",), 0.10),
        (("service", "sales"), 0.18),
        (("service", "billing"), 0.10),
        (("service", "sales", "billing"), 0.05),
    ]
    result = []
    for n in range(AGENTS):
        skills = skills_mix[rng.choice(len(skills_mix), p=[p for _, p in skills_mix])][0]
        kind = rng.random()
        if kind < 0.45:
            low, high = 32.0, 38.0
        elif kind < 0.85:
            low, high = 20.0, 28.0
        else:
            low, high = 12.0, 20.0
        availability = []
        days = list(range(DAYS))
        rng.shuffle(days)
        for day in days[: int(rng.integers(0, 3))]:  # up to 2 days off
            availability.append(DayAvailability(START + timedelta(days=int(day)), ()))
        if high <= 20.0 and rng.random() < 0.5:  # students: evenings on weekdays
            taken = {a.day for a in availability}
            for day in range(5):
                when = START + timedelta(days=day)
                if when not in taken:
                    availability.append(DayAvailability(when, (TimeWindow(16 * 60, 22 * 60),)))
        where = rng.random()
        home, office = (
            (True, True)
            if where < 0.5
            else (True, False)
            if where < 0.8
            else (
                False,
                True,
            )
        )
        preferred = int(rng.choice([8, 9, 10, 12, 14])) * 60 if rng.random() < 0.4 else None
        wanted = (START + timedelta(days=int(rng.integers(0, DAYS))),) if rng.random() < 0.3 else ()
        result.append(
            Agent(
                id=f"A{n + 1:03d}",
                name=f"Agent {n + 1}",
                skills=skills,
                min_week_hours=low,
                max_week_hours=high,
                availability=tuple(sorted(availability, key=lambda a: a.day)),
                home_allowed=home,
                office_allowed=office,
                cost_per_hour=float(rng.choice([24.0, 27.5, 31.0, 35.0])),
                preferred_start_minute=preferred,
                preferred_start_weight=2.0 if preferred is not None else 0.0,
                days_off_wanted=wanted,
                day_off_weight=15.0 if wanted else 0.0,
            )
        )
    return tuple(result)


def week_problem(seed: int = SEED) -> ScheduleProblem:
    rng = np.random.default_rng(seed)
    templates = tuple(
        ShiftTemplate.every(f"{hours}h", hours * 60, 8 * 60, 22 * 60 - hours * 60, 30)
        for hours in (4, 6, 8, 9)
    )
    return ScheduleProblem(
        start_date=START,
        days=DAYS,
        interval_minutes=INTERVAL_MINUTES,
        requirements=requirements(),
        templates=templates,
        agents=agents(rng),
        office_seats_per_interval=OFFICE_SEATS,
    )


@dataclass
class _Plan:
    day: int
    template: ShiftTemplate
    start: int
    queue: str
    location: Location
    breaks: tuple[Break, ...]


def greedy(problem: ScheduleProblem) -> list[Shift]:
    """The greedy peer (see the module docstring); keeps every hard rule by construction."""
    step, law = problem.interval_minutes, problem.working_hours
    remaining = {r.queue: np.array(r.required_agents, dtype=np.int64) for r in problem.requirements}
    seats = np.zeros((problem.days, PER_DAY), dtype=np.int64)
    seat_cap = np.array(
        [
            [
                cap if (cap := problem.seats_in_interval(d, k)) is not None else 10**9
                for k in range(PER_DAY)
            ]
            for d in range(problem.days)
        ]
    )
    day_seats = np.zeros(problem.days, dtype=np.int64)
    shifts: list[Shift] = []

    def candidates(agent: Agent, plans: dict[int, _Plan], paid: int, high: int) -> list[Any]:
        found = []
        for d in range(problem.days):
            if d in plans:
                continue
            windows = agent.windows_on(problem.date_of(d))
            for template in problem.templates:
                length = template.length_minutes
                if paid + problem.paid_minutes(length) > high:
                    continue
                span = sum(p.template.length_minutes for p in plans.values()) + length
                if span > law.max_week_minutes:  # 7-day horizon: one window
                    continue
                for start in template.start_minutes:
                    end = start + length
                    if not any(w.start_minute <= start and end <= w.end_minute for w in windows):
                        continue
                    if not _rested(plans, d, start, end, law.min_rest_minutes):
                        continue
                    for queue in agent.skills:
                        if queue in remaining:
                            found.append((d, template, start, queue))
        return found

    def plan_of(agent: Agent, d: int, template: ShiftTemplate, start: int, queue: str) -> Any:
        need = remaining[queue][d]
        first, last = start // step, (start + template.length_minutes) // step
        prefer = tuple(int(v) for v in need[first:last])
        placed = place_breaks(problem, template.length_minutes, prefer)
        assert placed is not None
        breaks = tuple(
            sorted(
                (Break(r.kind, start + off, r.minutes, r.paid) for r, off in placed),
                key=lambda b: b.start_minute,
            )
        )
        working = np.zeros(PER_DAY, dtype=bool)
        working[first:last] = True
        for b in breaks:
            working[b.start_minute // step : b.end_minute // step] = False
        gain = int(np.count_nonzero(working & (need > 0)))
        location = Location.HOME if agent.home_allowed else Location.OFFICE
        if location is Location.OFFICE:
            day_cap = problem.seats_on_day(d)
            if (day_cap is not None and day_seats[d] >= day_cap) or (
                seats[d][working] >= seat_cap[d][working]
            ).any():
                return None
        return gain, working, _Plan(d, template, start, queue, location, breaks)

    order = sorted(problem.agents, key=lambda a: (len(candidates(a, {}, 0, 10**9)), a.id))
    for agent in order:
        if not agent.home_allowed and not agent.office_allowed:
            continue
        low, high = problem.contract_minutes(agent, range(problem.days))
        plans: dict[int, _Plan] = {}
        paid = 0
        while True:
            best = None
            for d, template, start, queue in candidates(agent, plans, paid, high):
                found = plan_of(agent, d, template, start, queue)
                if found is None:
                    continue
                gain, working, plan = found
                # most gain; then, below the minimum, longer shifts; else less surplus
                key = (gain, template.length_minutes if paid < low else -template.length_minutes)
                if best is None or key > best[0]:
                    best = (key, working, plan)
            if best is None or (best[0][0] == 0 and paid >= low):
                break
            _, working, plan = best
            plans[plan.day] = plan
            paid += problem.paid_minutes(plan.template.length_minutes)
            remaining[plan.queue][plan.day][working] -= 1
            if plan.location is Location.OFFICE:
                seats[plan.day][working] += 1
                day_seats[plan.day] += 1
        for plan in plans.values():
            shifts.append(
                Shift(
                    agent_id=agent.id,
                    day=problem.date_of(plan.day),
                    template=plan.template.name,
                    start_minute=plan.start,
                    end_minute=plan.start + plan.template.length_minutes,
                    breaks=plan.breaks,
                    location=plan.location,
                    queue=plan.queue,
                )
            )
    return shifts


def _rested(plans: dict[int, _Plan], d: int, start: int, end: int, rest: int) -> bool:
    before, after = plans.get(d - 1), plans.get(d + 1)
    if (
        before is not None
        and start + 24 * 60 - before.start - before.template.length_minutes < rest
    ):
        return False
    return after is None or after.start + 24 * 60 - end >= rest


def as_schedule(problem: ScheduleProblem, shifts: list[Shift], seconds: float) -> Schedule:
    """Wrap the greedy's shifts in a :class:`Schedule` (coverage counted from the shifts)."""
    step = problem.interval_minutes
    covered = {q: np.zeros((problem.days, PER_DAY), dtype=np.int64) for q in problem.queues}
    seats = np.zeros((problem.days, PER_DAY), dtype=np.int64)
    for shift in shifts:
        d = problem.day_index(shift.day)
        working = np.zeros(PER_DAY, dtype=bool)
        working[shift.start_minute // step : shift.end_minute // step] = True
        for b in shift.breaks:
            working[b.start_minute // step : b.end_minute // step] = False
        covered[shift.queue][d][working] += 1
        if shift.location is Location.OFFICE:
            seats[d][working] += 1
    coverage = tuple(
        QueueCoverage(r.queue, r.required_agents, tuple(map(tuple, covered[r.queue].tolist())))
        for r in problem.requirements
    )
    rates = {a.id: a.cost_per_hour for a in problem.agents}
    return Schedule(
        shifts=tuple(shifts),
        coverage=coverage,
        office_seats_used=tuple(map(tuple, seats.tolist())),
        status=SolveStatus.FEASIBLE,
        under=sum(sum(map(sum, c.under)) for c in coverage),
        over=sum(sum(map(sum, c.over)) for c in coverage),
        required=sum(sum(map(sum, c.required)) for c in coverage),
        cost=round(sum(rates[s.agent_id] * s.paid_minutes / 60 for s in shifts), 2),
        preference_penalty=0.0,
        wall_seconds=seconds,
        first_solution_seconds=seconds,
    )


def summary(schedule: Schedule) -> dict[str, Any]:
    return {
        "under_agent_intervals": schedule.under,
        "over_agent_intervals": schedule.over,
        "coverage_gap": round(schedule.coverage_gap, 5),
        "over_fraction": round(schedule.over / schedule.required, 5),
        "cost": schedule.cost,
        "shifts": len(schedule.shifts),
        "office_seats_peak": max(max(row) for row in schedule.office_seats_used),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    problem = week_problem()

    began = time.perf_counter()
    peer_shifts = greedy(problem)
    greedy_seconds = time.perf_counter() - began
    peer = as_schedule(problem, peer_shifts, greedy_seconds)
    peer_errors = check_schedule(problem, peer)

    began = time.perf_counter()
    start = first_schedule(problem)
    start_seconds = time.perf_counter() - began
    start_schedule = as_schedule(problem, start, start_seconds)

    began = time.perf_counter()
    ours = solve_schedule(problem, max_seconds=args.max_seconds, num_workers=args.workers)
    total_seconds = time.perf_counter() - began
    our_errors = check_schedule(problem, ours)

    required_hours = ours.required * INTERVAL_MINUTES / 60
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "ortools": version("ortools"),
        "workload": {
            "agents": AGENTS,
            "days": DAYS,
            "interval_minutes": INTERVAL_MINUTES,
            "queues": list(QUEUES),
            "required_agent_intervals": ours.required,
            "required_agent_hours": required_hours,
            "contract_hours_min_max": [
                sum(a.min_week_hours for a in problem.agents),
                sum(a.max_week_hours for a in problem.agents),
            ],
            "office_seats_per_interval": OFFICE_SEATS,
            "office_only_agents": sum(not a.home_allowed for a in problem.agents),
            "home_only_agents": sum(not a.office_allowed for a in problem.agents),
            "templates": [t.name for t in problem.templates],
            "seed": SEED,
            "max_seconds": args.max_seconds,
            "workers": args.workers,
        },
        "cpsat": {
            **summary(ours),
            "status": ours.status.value,
            "first_solution_seconds": ours.first_solution_seconds,
            "solver_seconds": ours.wall_seconds,
            "total_seconds_with_model_building": round(total_seconds, 3),
            "preference_penalty": ours.preference_penalty,
            "rule_violations": len(our_errors),
            "start": {
                **summary(start_schedule),
                "seconds": round(start_seconds, 3),
                "rule_violations": len(check_schedule(problem, start_schedule)),
            },
        },
        "greedy": {
            **summary(peer),
            "seconds": round(greedy_seconds, 3),
            "rule_violations": len(peer_errors),
        },
        "ratios": {
            "coverage_gap_cpsat_over_greedy": (
                round(ours.coverage_gap / peer.coverage_gap, 4) if peer.coverage_gap else None
            ),
            "over_cpsat_over_greedy": round(ours.over / peer.over, 4) if peer.over else None,
            "cost_cpsat_over_greedy": round(ours.cost / peer.cost, 4) if peer.cost else None,
        },
    }
    if peer_errors or our_errors:
        report["violations_sample"] = (our_errors + peer_errors)[:5]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
