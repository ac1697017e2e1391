"""Shift schedules: tiny problems whose optimum is worked out by hand, the hard rules, the named
infeasibilities, the independent checker, and a property over random small problems.

Conventions of the hand calculations: 15-minute intervals; the default break rules give a shift
of 4 h 30 or more two 15-min breaks (one per half) and one of 5 h 30 or more a 30-min unpaid
lunch too, so an 8 h shift works 28 of its 32 intervals and is paid 7.5 h; contract hours
are pro rata for a horizon shorter than a week (60 h a week allow 510 paid minutes in a day).
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symfonie.domain.wfm.schedule import (
    Agent,
    Break,
    BreakKind,
    DayAvailability,
    Location,
    QueueCoverage,
    QueueRequirement,
    Schedule,
    ScheduleInfeasible,
    ScheduleInputError,
    ScheduleProblem,
    Shift,
    ShiftTemplate,
    SolveMethod,
    SolveStatus,
    TimeWindow,
    WorkingHours,
    check_schedule,
    schedule_report,
    solve_schedule,
)

MONDAY = date(2026, 11, 30)
PER_DAY = 96  # quarter-hours


def hours(start: str, end: str, agents: int = 1) -> tuple[int, ...]:
    """A day's requirement: ``agents`` from ``start`` to ``end`` ("HH:MM"), else 0."""
    first = int(start[:2]) * 4 + int(start[3:]) // 15
    last = int(end[:2]) * 4 + int(end[3:]) // 15
    return tuple(agents if first <= k < last else 0 for k in range(PER_DAY))


def at(clock: str) -> int:
    return int(clock[:2]) * 60 + int(clock[3:])


def agent(agent_id: str = "A1", **fields: object) -> Agent:
    values: dict[str, object] = {"name": agent_id, "skills": ("calls",), "max_week_hours": 60.0}
    values.update(fields)
    return Agent(id=agent_id, **values)


def problem(
    rows: list[tuple[int, ...]],
    agents: list[Agent],
    templates: list[ShiftTemplate] | None = None,
    **fields: object,
) -> ScheduleProblem:
    return ScheduleProblem(
        start_date=MONDAY,
        days=len(rows),
        interval_minutes=15,
        requirements=(QueueRequirement("calls", tuple(rows)),),
        templates=tuple(
            templates or [ShiftTemplate.every("8h", 480, at("06:00"), at("12:00"), 30)]
        ),
        agents=tuple(agents),
        **fields,
    )


def solve(p: ScheduleProblem, **options: object) -> Schedule:
    values: dict[str, object] = {"max_seconds": 20.0, "num_workers": 1, "random_seed": 7}
    values.update(options)
    schedule = solve_schedule(p, **values)
    assert check_schedule(p, schedule) == []
    return schedule


def test_one_agent_covers_nine_to_five_but_for_the_breaks() -> None:
    p = problem([hours("09:00", "17:00")], [agent(cost_per_hour=20.0)])
    schedule = solve(p)
    assert schedule.status is SolveStatus.OPTIMAL
    (shift,) = schedule.shifts
    assert (shift.start_minute, shift.end_minute) == (at("09:00"), at("17:00"))
    kinds = sorted(b.kind.value for b in shift.breaks)
    assert kinds == ["break", "break", "lunch"]
    breaks = sorted(shift.breaks, key=lambda b: (b.kind, b.start_minute))
    first, second, lunch = breaks[0], breaks[1], breaks[2]
    # first half: from 1 h after the start to the middle (13:00); second half: to 1 h before
    # the end; lunch between 2 h 30 and 5 h 30 after the start
    assert at("10:00") <= first.start_minute and first.end_minute <= at("13:00")
    assert at("13:00") <= second.start_minute and second.end_minute <= at("16:00")
    assert at("11:30") <= lunch.start_minute and lunch.end_minute <= at("14:30")
    # the gap is exactly the four quarter-hours of breaks out of 32 required
    assert (schedule.required, schedule.under, schedule.over) == (32, 4, 0)
    assert schedule.coverage_gap == pytest.approx(4 / 32)
    assert shift.paid_minutes == 450
    assert schedule.cost == pytest.approx(7.5 * 20.0)
    amsterdam = ZoneInfo("Europe/Amsterdam")
    assert shift.start_at(amsterdam).isoformat() == "2026-11-30T09:00:00+01:00"
    assert shift.end_at(amsterdam).isoformat() == "2026-11-30T17:00:00+01:00"


def _two_days(first: str, second: str) -> ScheduleProblem:
    """Day 1 only 8 h from ``first``, day 2 only 8 h from ``second`` (by availability)."""
    windows = []
    for day, start in enumerate((first, second)):
        window = TimeWindow(at(start), at(start) + 480)
        windows.append(DayAvailability(MONDAY + timedelta(days=day), (window,)))
    rows = [
        hours(first, f"{at(first) // 60 + 8:02d}:00"),
        hours(second, f"{at(second) // 60 + 8:02d}:00"),
    ]
    templates = [ShiftTemplate.every("8h", 480, at("06:00"), at("13:00"), 60)]
    return problem(rows, [agent(availability=tuple(windows))], templates)


def test_eleven_hours_rest_blocks_a_late_shift_before_an_early_one() -> None:
    # 13:00-21:00, then 06:00-14:00: 9 h rest, so only one of the two days is worked
    schedule = solve(_two_days("13:00", "06:00"))
    assert len(schedule.shifts) == 1
    assert schedule.under == 32 + 4  # the day not worked, and the other day's breaks
    # 13:00-21:00, then 08:00-16:00: exactly 11 h, both days are worked
    schedule = solve(_two_days("13:00", "08:00"))
    assert len(schedule.shifts) == 2
    assert schedule.under == 4 + 4


def test_at_most_sixty_hours_in_a_week() -> None:
    # 9 h every day would be 63 h: the Working Hours Act allows 60, so six days are worked
    templates = [ShiftTemplate("9h", 540, (at("08:00"),))]
    week = [hours("08:00", "17:00")] * 7
    schedule = solve(problem(week, [agent(max_week_hours=70.0)], templates))
    assert len(schedule.shifts) == 6
    assert schedule.under == 36 + 6 * 4


def test_office_seats_per_interval_and_a_home_only_agent() -> None:
    agents = [
        agent("OFF", home_allowed=False),
        agent("HOME", office_allowed=False),
        agent("BOTH"),
    ]
    p = problem(
        [hours("09:00", "17:00", agents=2)],
        agents,
        office_seats_per_interval=1,
    )
    schedule = solve(p)
    where = {s.agent_id: s.location for s in schedule.shifts}
    # three agents whose breaks take turns cover two places all day; one seat: only the
    # office-only agent is at the office
    assert schedule.under == 0
    assert where == {"OFF": Location.OFFICE, "HOME": Location.HOME, "BOTH": Location.HOME}
    assert max(max(row) for row in schedule.office_seats_used) == 1


def test_no_office_seats_on_a_day_keeps_office_only_agents_at_home_that_day() -> None:
    p = problem(
        [hours("09:00", "17:00"), hours("09:00", "17:00")],
        [agent("OFF", home_allowed=False)],
        office_seats_per_day=(0, 1),
    )
    schedule = solve(p)
    assert [s.day for s in schedule.shifts] == [MONDAY + timedelta(days=1)]


def test_cheaper_agent_when_both_cover_the_same() -> None:
    templates = [ShiftTemplate("4h", 240, (at("09:00"),))]  # under 4 h 30: no breaks
    agents = [agent("DEAR", cost_per_hour=30.0), agent("CHEAP", cost_per_hour=20.0)]
    schedule = solve(problem([hours("09:00", "13:00")], agents, templates))
    assert [s.agent_id for s in schedule.shifts] == ["CHEAP"]
    assert (schedule.under, schedule.over, schedule.cost) == (0, 0, 80.0)


def test_coverage_before_cost() -> None:
    # the cheap agent can only start at 09:30 and would leave two quarter-hours uncovered
    templates = [ShiftTemplate("4h", 240, (at("09:00"), at("09:30")))]
    agents = [
        agent("DEAR", cost_per_hour=30.0),
        agent(
            "CHEAP",
            cost_per_hour=20.0,
            availability=(DayAvailability(MONDAY, (TimeWindow(at("09:30"), at("14:00")),)),),
        ),
    ]
    schedule = solve(problem([hours("09:00", "13:00")], agents, templates))
    assert [s.agent_id for s in schedule.shifts] == ["DEAR"]
    assert schedule.under == 0


def test_preferred_start_is_kept_when_coverage_allows() -> None:
    templates = [ShiftTemplate("4h", 240, (at("09:00"), at("10:00")))]
    # both starts leave the same under- and over-staffing of a 09:00-14:00 requirement
    p = problem(
        [hours("09:00", "14:00")],
        [agent(preferred_start_minute=at("10:00"), preferred_start_weight=5.0)],
        templates,
    )
    schedule = solve(p)
    assert schedule.shifts[0].start_minute == at("10:00")
    assert schedule.preference_penalty == 0.0


def test_unreachable_contract_minimum_names_the_agent() -> None:
    week = [hours("09:00", "17:00")] * 7
    away = tuple(DayAvailability(MONDAY + timedelta(days=d), ()) for d in range(2, 7))
    p = problem(week, [agent("A12", name="Anna", min_week_hours=32.0, availability=away)])
    with pytest.raises(ScheduleInfeasible) as caught:
        solve_schedule(p, max_seconds=5, num_workers=1)
    (reason,) = caught.value.reasons
    # two days of at most 7.5 paid hours: 15 h
    assert "A12" in reason and "at least 32 h" in reason and "at most 15 h" in reason
    assert reason.startswith("availability")


def test_minimum_above_the_law_names_the_working_hours_act() -> None:
    p = problem([hours("09:00", "17:00")] * 7, [agent(min_week_hours=62.0, max_week_hours=62.0)])
    with pytest.raises(ScheduleInfeasible) as caught:
        solve_schedule(p, max_seconds=5)
    assert "Arbeidstijdenwet art. 5:7" in caught.value.reasons[0]


def test_office_closed_on_a_day_office_only_agents_must_work() -> None:
    # available Monday to Wednesday only, 24 h needed: at most 7.5 h a day, so all three days
    # must be worked, and Wednesday has no office seats
    away = tuple(DayAvailability(MONDAY + timedelta(days=d), ()) for d in range(3, 7))
    templates = [ShiftTemplate("9h", 540, (at("08:00"),))]
    agents = [
        agent(name, min_week_hours=24.0, home_allowed=False, availability=away)
        for name in ("X", "Y")
    ]
    p = problem(
        [hours("08:00", "17:00")] * 7,
        agents,
        templates,
        office_seats_per_day=(5, 5, 0, 5, 5, 5, 5),
    )
    with pytest.raises(ScheduleInfeasible) as caught:
        solve_schedule(p, max_seconds=5)
    assert caught.value.reasons == (
        "office seat capacity: 0 on 2026-12-02 but agents X, Y may only work at the office "
        "and must work that day (contract minimum)",
    )


def test_rest_and_contract_minimum_named_by_the_solver() -> None:
    # Over two days the contract minimum (28 h a week, pro rata 8 h) needs both days, but the
    # only shifts are 14:00-22:00 and then 06:00-14:00: 8 h rest. The cheap checks pass;
    # CP-SAT proves infeasibility and its assumptions name both constraints.
    templates = [ShiftTemplate("8h", 480, (at("06:00"), at("14:00")))]
    availability = (
        DayAvailability(MONDAY, (TimeWindow(at("14:00"), at("22:00")),)),
        DayAvailability(MONDAY + timedelta(days=1), (TimeWindow(at("06:00"), at("14:00")),)),
    )
    p = problem(
        [hours("14:00", "22:00"), hours("06:00", "14:00")],
        [agent("A7", min_week_hours=28.0, availability=availability)],
        templates,
    )
    with pytest.raises(ScheduleInfeasible) as caught:
        solve_schedule(p, max_seconds=5, num_workers=1)
    reasons = caught.value.reasons
    assert len(reasons) == 2
    assert reasons[0].startswith("contract minimum: agent A7")
    assert reasons[1] == (
        "Working Hours Act rest (Arbeidstijdenwet art. 5:3): agent A7 needs 11 h between the "
        "shifts of 2026-11-30 and 2026-12-01"
    )


def _schedule(p: ScheduleProblem, shifts: list[Shift], scheduled: list[list[int]]) -> Schedule:
    coverage = QueueCoverage(
        "calls", p.requirements[0].required_agents, tuple(tuple(row) for row in scheduled)
    )
    return Schedule(
        shifts=tuple(shifts),
        coverage=(coverage,),
        office_seats_used=tuple((0,) * PER_DAY for _ in range(p.days)),
        status=SolveStatus.FEASIBLE,
        under=sum(map(sum, coverage.under)),
        over=sum(map(sum, coverage.over)),
        required=sum(map(sum, coverage.required)),
        cost=0.0,
        preference_penalty=0.0,
        wall_seconds=0.0,
        first_solution_seconds=None,
    )


def test_check_schedule_catches_a_hand_made_bad_plan() -> None:
    p = problem(
        [hours("09:00", "17:00")] * 2,
        [agent("H", office_allowed=False), agent("M", min_week_hours=7.0)],
        [ShiftTemplate.every("8h", 480, at("06:00"), at("16:00"), 30)],
    )
    lunch = Break(BreakKind.LUNCH, at("12:00"), 30, False)
    breaks = (
        Break(BreakKind.BREAK, at("10:00"), 15, True),
        lunch,
        Break(BreakKind.BREAK, at("14:00"), 15, True),
    )
    late = Shift("H", MONDAY, "8h", at("16:00"), at("24:00"), (), Location.OFFICE, "calls")
    early = Shift("H", MONDAY + timedelta(days=1), "8h", at("06:00"), at("14:00"), breaks,
                  Location.HOME, "calls")  # fmt: skip
    scheduled = [[0] * PER_DAY, [0] * PER_DAY]
    problems = check_schedule(p, _schedule(p, [late, early], scheduled))
    text = "\n".join(problems)
    assert "agent H on 2026-11-30: may not work at office (eligibility)" in text
    assert "agent H on 2026-11-30: the breaks do not follow the break rules" in text
    assert "agent H: 6 h rest between 2026-11-30 and 2026-12-01" in text
    # 7 h a week pro rata over two days: at least 2 h; 60 h: at most 17 h
    assert "agent M: 0 paid h in the week from 2026-11-30, outside the contract's 2-17 h" in text
    assert "queue calls: the reported coverage differs from the shifts" in text
    assert "agent H on 2026-12-01: the breaks do not follow the break rules" in text
    assert "totals under/over/required 64/0/64 differ from the shifts' " in text
    assert len(problems) == 7


def test_check_schedule_accepts_a_hand_made_good_plan() -> None:
    p = problem([hours("09:00", "17:00")], [agent()])
    breaks = (
        Break(BreakKind.BREAK, at("10:00"), 15, True),
        Break(BreakKind.LUNCH, at("12:00"), 30, False),
        Break(BreakKind.BREAK, at("15:00"), 15, True),
    )
    shift = Shift("A1", MONDAY, "8h", at("09:00"), at("17:00"), breaks, Location.HOME, "calls")
    working = [1 if 36 <= k < 68 else 0 for k in range(PER_DAY)]
    for k in (40, 48, 49, 60):  # 10:00, 12:00, 12:15, 15:00
        working[k] = 0
    assert check_schedule(p, _schedule(p, [shift], [working])) == []


def test_invalid_input_names_the_field() -> None:
    with pytest.raises(ScheduleInputError) as caught:
        problem([hours("09:00", "17:00")], [agent()], [ShiftTemplate("13h", 780, (0,))])
    assert caught.value.field == "templates[0].length_minutes"
    assert "Arbeidstijdenwet" in caught.value.problem
    with pytest.raises(ScheduleInputError) as caught:
        problem([hours("09:00", "17:00")], [agent()], working_hours=WorkingHours(600, 720, 3600))
    assert caught.value.field == "working_hours.min_rest_minutes"
    with pytest.raises(ScheduleInputError) as caught:
        problem([hours("09:00", "17:00")[:90]], [agent()])
    assert caught.value.field == "requirements[0].required_agents[0]"


def test_report_has_every_agent_day_and_interval() -> None:
    p = problem([hours("09:00", "17:00")], [agent()])
    report = schedule_report(p, solve(p))
    (shift,) = report["agents"][0]["shifts"]
    assert (shift["start"], shift["end"], shift["location"], shift["queue"]) == (
        "09:00",
        "17:00",
        "home",
        "calls",
    )
    assert len(shift["breaks"]) == 3
    day = report["coverage"][0]["days"][0]
    assert len(day["required"]) == len(day["scheduled"]) == PER_DAY
    assert report["totals"]["under_agent_intervals"] == 4


@st.composite
def small_problems(draw: st.DrawFn) -> ScheduleProblem:
    days = draw(st.integers(1, 3))
    rows = []
    for _ in range(days):
        start = draw(st.integers(28, 48))  # 07:00-12:00
        length = draw(st.integers(0, 40))
        level = draw(st.integers(1, 3))
        rows.append(tuple(level if start <= k < start + length else 0 for k in range(PER_DAY)))
    agents = []
    for n in range(draw(st.integers(1, 3))):
        home = draw(st.booleans())
        windows = []
        for d in range(days):
            kind = draw(st.sampled_from(["all", "off", "afternoon"]))
            if kind == "off":
                windows.append(DayAvailability(MONDAY + timedelta(days=d), ()))
            elif kind == "afternoon":
                window = TimeWindow(at("12:00"), at("22:00"))
                windows.append(DayAvailability(MONDAY + timedelta(days=d), (window,)))
        agents.append(
            Agent(
                id=f"A{n}",
                name=f"A{n}",
                skills=tuple(draw(st.sets(st.sampled_from(["calls", "chat"]), min_size=1))),
                min_week_hours=draw(st.sampled_from([0.0, 0.0, 8.0])),
                max_week_hours=draw(st.sampled_from([20.0, 40.0, 60.0])),
                availability=tuple(windows),
                home_allowed=home,
                office_allowed=not home or draw(st.booleans()),
                cost_per_hour=draw(st.sampled_from([20.0, 25.0])),
            )
        )
    chat = tuple(tuple(max(0, v - 1) for v in row) for row in rows)
    return ScheduleProblem(
        start_date=MONDAY,
        days=days,
        interval_minutes=15,
        requirements=(QueueRequirement("calls", tuple(rows)), QueueRequirement("chat", chat)),
        templates=(
            ShiftTemplate.every("4h", 240, at("07:00"), at("18:00"), 60),
            ShiftTemplate.every("8h", 480, at("07:00"), at("14:00"), 60),
        ),
        agents=tuple(agents),
        office_seats_per_interval=draw(st.sampled_from([None, 0, 1])),
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(), st.sampled_from([SolveMethod.FULL, SolveMethod.LNS]))
def test_every_schedule_returned_keeps_the_hard_rules(
    p: ScheduleProblem, method: SolveMethod
) -> None:
    try:
        schedule = solve_schedule(p, max_seconds=1.5, num_workers=1, method=method)
    except ScheduleInfeasible as exc:
        assert exc.reasons and all(exc.reasons)
        return
    assert check_schedule(p, schedule) == []
    assert 0.0 <= schedule.coverage_gap <= 1.0
