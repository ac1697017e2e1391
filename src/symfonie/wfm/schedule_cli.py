"""``symfonie wfm schedule``: shift schedules with OR-Tools CP-SAT from a TOML problem file.

::

    symfonie wfm schedule src/symfonie/wfm/models/schedule_week.toml --max-seconds 30 --json

Prints, per agent and day, the shift with its breaks, location and queue, the coverage per queue
and interval, and the totals (under- and over-staffing, coverage gap, cost, solver status). The
solver is :func:`symfonie.domain.wfm.schedule.solve_schedule`; the file format is below and in
``docs/wfm-schedules.md``. A missing or invalid field, or a bad option, raises ``CommandError``
(exit code 2) naming it; so does a problem without any schedule that keeps the hard rules, with
the binding constraints named one per line.

The file::

    start_date = 2026-11-30          # TOML date (or "2026-11-30")
    days = 7
    interval_minutes = 15            # 15 or 30
    office_seats_per_day = 8         # optional: a number, "unlimited", or a list per day
    office_seats_per_interval = 6    # optional: a number, "unlimited", or per day (a number or
                                     # a list over the day's intervals)
    [working_hours]                  # optional, only stricter than the law
    min_rest_hours = 11
    max_shift_hours = 12
    max_week_hours = 60

    [[templates]]
    name = "day8"
    length_hours = 8
    starts = ["08:00", "08:30"]      # or first_start, last_start, start_step_minutes

    [[break_rules]]                  # optional: the default rules are documented
    kind = "break"                   # "break" or "lunch"
    minutes = 15
    min_shift_hours = 4.5
    window = "first_half"            # first_half, second_half, from_start
    margin_minutes = 60              # optional
    earliest_start_minutes = 150     # from_start only
    latest_end_minutes = 330         # from_start only
    paid = true                      # optional

    [[requirements]]
    queue = "sales"
    first_interval = "08:00"         # optional: the lists start at this time of day
    required = [1, 2, 2, 3]          # one day's list for every day, or one list per day

    [[requirements]]
    queue = "service"
    first_interval = "08:00"
    [requirements.load]              # or: staff a load with Erlang C/A (staff_intervals)
    calls = [10, 14, 20]             # per interval (one list for every day, or one per day)
    day_factors = [1, 1, 1, 1, 1, 0.5, 0]     # optional
    aht_seconds = 300
    service_level = 0.8              # and/or max_asa_seconds, max_p_wait
    threshold_seconds = 20
    max_occupancy = 0.85             # optional
    shrinkage = 0.0                  # optional (breaks are already in the schedule)
    patience_seconds = 120           # optional: Erlang A

    [[agents]]
    id = "A01"
    name = "Anna"
    skills = ["sales", "service"]
    min_week_hours = 24
    max_week_hours = 36
    home_allowed = true              # optional, default true
    office_allowed = true            # optional, default true
    cost_per_hour = 28.5             # optional
    preferred_start = "09:00"        # optional, with preferred_start_weight (per hour off)
    days_off_wanted = [2026-12-05]   # optional, with day_off_weight (per day worked)
    unavailable = [2026-12-06]       # optional
    availability = [{ day = 2026-12-01, from = "12:00", to = "20:00" }]   # optional
"""

from __future__ import annotations

import argparse
import json
import math
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from symfonie.cli import CommandError
from symfonie.domain.wfm.schedule import (
    DEFAULT_BREAK_RULES,
    Agent,
    BreakKind,
    BreakRule,
    BreakWindow,
    DayAvailability,
    QueueRequirement,
    ScheduleInfeasible,
    ScheduleInputError,
    ScheduleNotFound,
    ScheduleProblem,
    ShiftTemplate,
    SolveMethod,
    TimeWindow,
    WorkingHours,
    schedule_report,
    solve_schedule,
)
from symfonie.domain.wfm.staffing import StaffingTarget, staff_intervals

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


class _Fields:
    """One TOML table being read: typed getters that name the field, unknown keys refused."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, dict):
            raise ScheduleInputError(path or "(file)", f"must be a table, got {data!r}")
        self.data: dict[str, Any] = data
        self.path = path
        self.used: set[str] = set()

    def name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, kind: type | tuple[type, ...], what: str, **default: Any) -> Any:
        self.used.add(key)
        if key not in self.data:
            if "default" in default:
                return default["default"]
            raise ScheduleInputError(self.name(key), "is required")
        value = self.data[key]
        if isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
            raise ScheduleInputError(self.name(key), f"must be {what}, got {value!r}")
        return value

    def number(self, key: str, **default: Any) -> Any:
        value = self.get(key, (int, float), "a number", **default)
        if value is not None and not math.isfinite(value):
            raise ScheduleInputError(self.name(key), f"must be finite, got {value!r}")
        return value

    def minutes_of_hours(self, key: str, **default: Any) -> Any:
        value = self.number(key, **default)
        return value if value is None else round(value * 60)

    def clock(self, key: str, **default: Any) -> Any:
        value = self.get(key, str, 'a time "HH:MM"', **default)
        return value if value is None else _minute(self.name(key), value)

    def date(self, key: str) -> date:
        return _date(self.name(key), self.get(key, (date, str), "a date (2026-11-30)"))

    def tables(self, key: str, *, required: bool = True) -> list[Any]:
        if not required and key not in self.data:
            self.used.add(key)
            return []
        items = self.get(key, list, f"an array of tables ([[{key}]])")
        if not items:
            raise ScheduleInputError(self.name(key), f"needs at least one [[{key}]] entry")
        return items

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ScheduleInputError(self.name(unknown[0]), "unknown field (a typo?)")


def _minute(path: str, text: str) -> int:
    match = _CLOCK.match(text)
    if not match or int(match[1]) > 24 or int(match[2]) > 59:
        raise ScheduleInputError(path, f'must be a time "HH:MM", got {text!r}')
    return int(match[1]) * 60 + int(match[2])


def _date(path: str, value: object) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ScheduleInputError(path, f"must be a date (2026-11-30), got {value!r}") from None


def load_problem(path: str | Path) -> ScheduleProblem:
    """Read and validate the problem in ``path`` (:class:`ScheduleInputError` names a field)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CommandError(f"{path} is not valid TOML: {exc}") from None
    return parse_problem(document)


def parse_problem(document: dict[str, Any]) -> ScheduleProblem:
    """Build a :class:`ScheduleProblem` from a parsed TOML document (the module docstring)."""
    top = _Fields(document, "")
    top.get("name", str, "a string", default="")
    top.get("description", str, "a string", default="")
    start = top.date("start_date")
    days = top.get("days", int, "an integer")
    step = top.get("interval_minutes", int, "15 or 30")
    if days < 1 or step not in (15, 30):
        raise ScheduleInputError("days" if days < 1 else "interval_minutes", "out of range")
    per_day = 24 * 60 // step
    law = WorkingHours()
    if "working_hours" in document:
        table = _Fields(top.get("working_hours", dict, "a table"), "working_hours")
        law = WorkingHours(
            min_rest_minutes=table.minutes_of_hours("min_rest_hours", default=11),
            max_shift_minutes=table.minutes_of_hours("max_shift_hours", default=12),
            max_week_minutes=table.minutes_of_hours("max_week_hours", default=60),
        )
        table.finish()
    else:
        top.used.add("working_hours")
    templates = tuple(
        _template(_Fields(item, f"templates[{i}]"))
        for i, item in enumerate(top.tables("templates"))
    )
    rules = tuple(
        _break_rule(_Fields(item, f"break_rules[{i}]"))
        for i, item in enumerate(top.tables("break_rules", required=False))
    )
    requirements = tuple(
        _requirement(_Fields(item, f"requirements[{i}]"), days, step, per_day)
        for i, item in enumerate(top.tables("requirements"))
    )
    agents = tuple(
        _agent(_Fields(item, f"agents[{i}]"), start, days)
        for i, item in enumerate(top.tables("agents"))
    )
    seats_day = _seats(top, "office_seats_per_day", days, None)
    seats_interval = _seats(top, "office_seats_per_interval", days, per_day)
    top.finish()
    return ScheduleProblem(
        start_date=start,
        days=days,
        interval_minutes=step,
        requirements=requirements,
        templates=templates,
        agents=agents,
        break_rules=rules or DEFAULT_BREAK_RULES,
        office_seats_per_day=seats_day,
        office_seats_per_interval=seats_interval,
        working_hours=law,
    )


def _seat(path: str, value: object) -> int | None:
    if value == "unlimited":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScheduleInputError(path, f'must be an integer >= 0 or "unlimited", got {value!r}')
    return value


def _seats(top: _Fields, key: str, days: int, per_day: int | None) -> Any:
    value = top.get(key, (int, str, list), 'a number, "unlimited" or a list', default=None)
    if not isinstance(value, list):
        return None if value is None else _seat(key, value)
    if len(value) != days:
        raise ScheduleInputError(key, f"needs one entry per day ({days}), got {len(value)}")
    result: list[Any] = []
    for d, item in enumerate(value):
        if isinstance(item, list) and per_day is not None:
            if len(item) != per_day:
                raise ScheduleInputError(f"{key}[{d}]", f"needs {per_day} intervals")
            result.append(tuple(_seat(f"{key}[{d}]", v) for v in item))
        else:
            result.append(_seat(f"{key}[{d}]", item))
    return tuple(result)


def _template(table: _Fields) -> ShiftTemplate:
    name = table.get("name", str, "a string")
    length = table.minutes_of_hours("length_hours")
    if "starts" in table.data:
        starts = table.get("starts", list, 'a list of times ["08:00", ...]')
        minutes = tuple(_minute(table.name("starts"), s) for s in starts if isinstance(s, str))
        if len(minutes) != len(starts):
            raise ScheduleInputError(table.name("starts"), 'must be times "HH:MM"')
        table.finish()
        return ShiftTemplate(name, length, minutes)
    first = table.clock("first_start")
    last = table.clock("last_start", default=first)
    step = table.get("start_step_minutes", int, "an integer", default=30)
    if step <= 0:
        raise ScheduleInputError(table.name("start_step_minutes"), "must be > 0")
    table.finish()
    return ShiftTemplate.every(name, length, first, last, step)


def _break_rule(table: _Fields) -> BreakRule:
    kind = table.get("kind", str, '"break" or "lunch"')
    window = table.get("window", str, "first_half, second_half or from_start")
    if kind not in {k.value for k in BreakKind}:
        raise ScheduleInputError(table.name("kind"), f'must be "break" or "lunch", got {kind!r}')
    if window not in {w.value for w in BreakWindow}:
        raise ScheduleInputError(
            table.name("window"), f"must be first_half, second_half or from_start, got {window!r}"
        )
    rule = BreakRule(
        kind=BreakKind(kind),
        minutes=table.get("minutes", int, "an integer"),
        min_shift_minutes=table.minutes_of_hours("min_shift_hours"),
        window_kind=BreakWindow(window),
        margin_minutes=table.get("margin_minutes", int, "an integer", default=60),
        earliest_start_minutes=table.get("earliest_start_minutes", int, "an integer", default=0),
        latest_end_minutes=table.get("latest_end_minutes", int, "an integer", default=24 * 60),
        paid=table.get("paid", bool, "true or false", default=True),
    )
    table.finish()
    return rule


def _day_lists(
    table: _Fields, key: str, values: list[Any], days: int, first: int, per_day: int
) -> list[list[float]]:
    """One list for every day, or one list per day, placed from interval ``first``."""
    rows = values if values and all(isinstance(v, list) for v in values) else [values] * days
    if len(rows) != days:
        raise ScheduleInputError(table.name(key), f"needs one list per day ({days})")
    result = []
    for d, row in enumerate(rows):
        if first + len(row) > per_day:
            raise ScheduleInputError(table.name(key), f"day {d}: the list runs past midnight")
        for value in row:
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ScheduleInputError(table.name(key), f"values must be >= 0, got {value!r}")
        result.append(
            [0.0] * first + [float(v) for v in row] + [0.0] * (per_day - first - len(row))
        )
    return result


def _requirement(table: _Fields, days: int, step: int, per_day: int) -> QueueRequirement:
    queue = table.get("queue", str, "a string")
    first = table.clock("first_interval", default=0)
    if first % step:
        raise ScheduleInputError(table.name("first_interval"), f"must be on the {step}-min grid")
    first //= step
    if ("required" in table.data) == ("load" in table.data):
        raise ScheduleInputError(table.name("required"), "give either required or [load]")
    if "required" in table.data:
        values = table.get("required", list, "a list of agents per interval")
        rows = _day_lists(table, "required", values, days, first, per_day)
        if any(v != int(v) for row in rows for v in row):
            raise ScheduleInputError(table.name("required"), "agents must be whole numbers")
        table.finish()
        return QueueRequirement.from_rows(queue, [[int(v) for v in row] for row in rows])
    load = _Fields(table.get("load", dict, "a table"), table.name("load"))
    calls = _day_lists(load, "calls", load.get("calls", list, "a list"), days, first, per_day)
    factors = load.get("day_factors", list, "a list per day", default=[1.0] * days)
    if len(factors) != days or not all(isinstance(f, int | float) and f >= 0 for f in factors):
        raise ScheduleInputError(load.name("day_factors"), f"needs {days} numbers >= 0")
    try:
        target = StaffingTarget(
            service_level=load.number("service_level", default=None),
            threshold_seconds=load.number("threshold_seconds", default=20.0),
            max_asa_seconds=load.number("max_asa_seconds", default=None),
            max_p_wait=load.number("max_p_wait", default=None),
            max_occupancy=load.number("max_occupancy", default=1.0),
        )
        staffing = staff_intervals(
            [[c * f for c in row] for row, f in zip(calls, factors, strict=True)],
            interval_minutes=step,
            aht_seconds=load.number("aht_seconds"),
            target=target,
            shrinkage=load.number("shrinkage", default=0.0),
            patience_mean_seconds=load.number("patience_seconds", default=None),
        )
    except ScheduleInputError:
        raise
    except ValueError as exc:
        raise ScheduleInputError(table.name("load"), str(exc)) from None
    load.finish()
    table.finish()
    return QueueRequirement.from_rows(queue, staffing.scheduled_agents.tolist())


def _agent(table: _Fields, start: date, days: int) -> Agent:
    skills = table.get("skills", list, "a list of queue names")
    if not all(isinstance(skill, str) for skill in skills):
        raise ScheduleInputError(table.name("skills"), "must be queue names")
    availability: dict[date, tuple[TimeWindow, ...]] = {}
    for day in table.get("unavailable", list, "a list of dates", default=[]):
        availability[_date(table.name("unavailable"), day)] = ()
    windows = table.get("availability", list, "a list of { day, from, to }", default=[])
    for index, raw in enumerate(windows):
        entry = _Fields(raw, f"{table.name('availability')}[{index}]")
        day = entry.date("day")
        try:
            window = TimeWindow(entry.clock("from"), entry.clock("to"))
        except ScheduleInputError as exc:
            raise ScheduleInputError(entry.name("to"), exc.problem) from None
        entry.finish()
        availability[day] = (*availability.get(day, ()), window)
    wanted = table.get("days_off_wanted", list, "a list of dates", default=[])
    agent = Agent(
        id=table.get("id", str, "a string"),
        name=table.get("name", str, "a string", default=""),
        skills=tuple(skills),
        min_week_hours=float(table.number("min_week_hours", default=0.0)),
        max_week_hours=float(table.number("max_week_hours", default=40.0)),
        availability=tuple(DayAvailability(d, w) for d, w in sorted(availability.items())),
        home_allowed=table.get("home_allowed", bool, "true or false", default=True),
        office_allowed=table.get("office_allowed", bool, "true or false", default=True),
        cost_per_hour=float(table.number("cost_per_hour", default=0.0)),
        preferred_start_minute=table.clock("preferred_start", default=None),
        preferred_start_weight=float(table.number("preferred_start_weight", default=0.0)),
        days_off_wanted=tuple(_date(table.name("days_off_wanted"), d) for d in wanted),
        day_off_weight=float(table.number("day_off_weight", default=0.0)),
    )
    table.finish()
    return agent


def register_schedule(commands: Any) -> None:
    """Add the ``schedule`` subcommand to the ``wfm`` subparsers."""
    parser = commands.add_parser(
        "schedule",
        help="shift schedules (OR-Tools CP-SAT) from a TOML problem file",
        description="Shifts, breaks, location and queue per agent and day that keep the hard "
        "rules (contract hours, Working Hours Act, availability, eligibility, office seats) "
        "with the least under-staffing, then over-staffing, then cost. See "
        "docs/wfm-schedules.md.",
    )
    parser.add_argument("problem", metavar="PROBLEM.toml", help="the problem file")
    parser.add_argument(
        "--max-seconds", type=float, default=30.0, help="time limit in seconds (default 30)"
    )
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT worker threads (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="CP-SAT random seed (default 0)")
    parser.add_argument(
        "--method",
        choices=[method.value for method in SolveMethod],
        default=SolveMethod.AUTO.value,
        help="auto (default): the whole model for small problems, else neighbourhood search",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=schedule_command)


def schedule_command(args: argparse.Namespace) -> int:
    """Run ``symfonie wfm schedule``; returns the exit code (bad input raises ``CommandError``)."""
    if not args.max_seconds > 0 or not math.isfinite(args.max_seconds):
        raise CommandError(f"--max-seconds must be > 0, got {args.max_seconds:g}")
    if args.workers < 1:
        raise CommandError(f"--workers must be >= 1, got {args.workers}")
    if args.seed < 0:
        raise CommandError(f"--seed must be an integer >= 0, got {args.seed}")
    try:
        problem = load_problem(args.problem)
    except ScheduleInputError as exc:
        raise CommandError(f"{args.problem}: field {exc.field}: {exc.problem}") from None
    try:
        schedule = solve_schedule(
            problem,
            max_seconds=args.max_seconds,
            num_workers=args.workers,
            random_seed=args.seed,
            method=SolveMethod(args.method),
        )
    except ScheduleInfeasible as exc:
        reasons = "\n".join(f"  - {reason}" for reason in exc.reasons)
        raise CommandError(
            f"{args.problem}: no schedule keeps every hard rule:\n{reasons}"
        ) from None
    except ScheduleNotFound as exc:
        raise CommandError(f"{args.problem}: {exc}") from None
    report = {"problem": str(args.problem), **schedule_report(problem, schedule)}
    print(json.dumps(report, indent=2) if args.json else _table(report))
    return 0


def _table(report: dict[str, Any]) -> str:
    totals = report["totals"]
    lines = [
        f"problem            {report['problem']}",
        f"status             {report['status']}",
        f"days               {report['days']} from {report['start_date']}",
        f"required           {totals['required_agent_intervals']} agent-intervals",
        f"under-staffed      {totals['under_agent_intervals']} "
        f"(coverage gap {totals['coverage_gap']:.2%})",
        f"over-staffed       {totals['over_agent_intervals']}",
        f"cost               {totals['cost']:.2f} (+ preference penalty "
        f"{totals['preference_penalty']:.2f})",
        f"solver seconds     {totals['wall_seconds']:.1f}",
        "",
    ]
    for agent in report["agents"]:
        lines.append(f"{agent['id']} {agent['name']}  {agent['paid_hours']:g} paid h")
        for shift in agent["shifts"]:
            pauses = " ".join(f"{b['kind']} {b['start']}-{b['end']}" for b in shift["breaks"])
            lines.append(
                f"  {shift['day']}  {shift['start']}-{shift['end']}  {shift['queue']:<10} "
                f"{shift['location']:<6}  {pauses}"
            )
    lines += ["", "coverage (agent-intervals per day: required / scheduled / under / over)"]
    for queue in report["coverage"]:
        for day in queue["days"]:
            parts = [sum(day[key]) for key in ("required", "scheduled", "under", "over")]
            lines.append(f"  {queue['queue']:<10} {day['day']}  " + " / ".join(map(str, parts)))
    return "\n".join(lines)
