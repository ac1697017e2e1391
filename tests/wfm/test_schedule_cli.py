"""``symfonie wfm schedule PROBLEM.toml`` end to end through ``symfonie.cli.main`` (no Django).

The shipped example week runs and every agent-day in its JSON keeps the rules (checked here from
the JSON alone); a load is staffed by Erlang C as ``symfonie wfm staff`` does; a missing or
invalid field and an unsatisfiable problem exit with code 2 naming the field or the constraint.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import symfonie.cli
from symfonie.wfm.model_file import EXAMPLES_DIR

EXAMPLE = EXAMPLES_DIR / "schedule_week.toml"
SMALL = """
start_date = 2026-11-30
days = 1
interval_minutes = 15

[[templates]]
name = "8h"
length_hours = 8
starts = ["09:00"]

[[requirements]]
queue = "calls"
first_interval = "09:00"
required = [1, 1, 1, 1, 1, 1, 1, 1]

[[agents]]
id = "A1"
name = "Anna"
skills = ["calls"]
max_week_hours = 60
"""


@pytest.fixture(autouse=True)
def wfm_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(symfonie.cli, "COMMAND_MODULES", ["symfonie.wfm.cli"])


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = symfonie.cli.main(["wfm", "schedule", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "problem.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def minutes(clock: str) -> int:
    return int(clock[:2]) * 60 + int(clock[3:])


def test_example_week_keeps_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(EXAMPLE), "--max-seconds", "4", "--workers", "2", "--json")
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    assert report["status"] in {"optimal", "feasible"}
    with EXAMPLE.open("rb") as handle:
        spec = tomllib.load(handle)
    agents = {a["id"]: a for a in spec["agents"]}
    assert {a["id"] for a in report["agents"]} == set(agents)
    seats = [[0] * 96 for _ in range(7)]
    for entry in report["agents"]:
        rules = agents[entry["id"]]
        days = [date.fromisoformat(s["day"]) for s in entry["shifts"]]
        assert len(set(days)) == len(days), "one shift a day"
        assert rules["min_week_hours"] <= entry["paid_hours"] <= rules["max_week_hours"]
        ends: dict[int, int] = {}
        for shift in entry["shifts"]:
            day = (date.fromisoformat(shift["day"]) - date(2026, 11, 30)).days
            start, end = minutes(shift["start"]), minutes(shift["end"])
            assert 4 * 60 <= end - start <= 9 * 60
            assert shift["queue"] in rules["skills"]
            if shift["location"] == "office":
                assert rules.get("office_allowed", True)
            else:
                assert rules.get("home_allowed", True)
            unpaid = 0
            pauses = set()
            for pause in shift["breaks"]:
                b_start, b_end = minutes(pause["start"]), minutes(pause["end"])
                assert start + 60 <= b_start < b_end <= end - 60  # the default margins
                unpaid += 0 if pause["paid"] else b_end - b_start
                pauses |= set(range(b_start // 15, b_end // 15))
            assert shift["paid_hours"] * 60 == end - start - unpaid
            if shift["location"] == "office":
                for k in set(range(start // 15, end // 15)) - pauses:
                    seats[day][k] += 1
            ends[day] = end
            if day - 1 in ends:  # 11 h rest (Arbeidstijdenwet art. 5:3)
                assert start + 24 * 60 - ends[day - 1] >= 11 * 60
        assert sum(minutes(s["end"]) - minutes(s["start"]) for s in entry["shifts"]) <= 60 * 60
    assert max(max(row) for row in seats) <= spec["office_seats_per_interval"]
    assert seats == report["office_seats_used"]
    totals = report["totals"]
    under = sum(sum(day["under"]) for queue in report["coverage"] for day in queue["days"])
    assert totals["under_agent_intervals"] == under
    assert totals["coverage_gap"] == pytest.approx(under / totals["required_agent_intervals"])


def test_table_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, write(tmp_path, SMALL), "--max-seconds", "5")
    assert code == 0, err
    assert "status             optimal" in out
    assert "2026-11-30  09:00-17:00  calls" in out
    # eight quarter-hours required from 09:00; the breaks can all fall after 11:00
    assert "under-staffed      0 (coverage gap 0.00%)" in out


def test_requirements_from_a_load_use_erlang_c(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The reference example of docs/wfm.md: 100 calls in 30 min, AHT 180 s, 80 % in 20 s,
    # occupancy at most 85 % needs 14 agents.
    text = SMALL.replace("interval_minutes = 15", "interval_minutes = 30").replace(
        "required = [1, 1, 1, 1, 1, 1, 1, 1]",
        "[requirements.load]\ncalls = [100]\naht_seconds = 180\nservice_level = 0.8\n"
        "threshold_seconds = 20\nmax_occupancy = 0.85",
    )
    text = text.replace(
        '[[templates]]\nname = "8h"\nlength_hours = 8\nstarts = ["09:00"]',
        '[[templates]]\nname = "4h"\nlength_hours = 4\nstarts = ["09:00"]',
    )
    code, out, err = run(capsys, write(tmp_path, text), "--max-seconds", "5", "--json")
    assert code == 0, err
    day = json.loads(out)["coverage"][0]["days"][0]
    assert day["required"][18] == 14  # 09:00 is the 19th half hour
    assert sum(day["required"]) == 14
    assert day["scheduled"][18] == 1


def test_missing_field_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, write(tmp_path, SMALL.replace("days = 1\n", "")))
    assert code == 2
    assert out == ""
    assert "field days: is required" in err


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('skills = ["calls"]', 'skills = "calls"', "agents[0].skills"),
        ("max_week_hours = 60", "max_week_hours = 60\nmood = 1", "agents[0].mood"),
        ('starts = ["09:00"]', 'starts = ["9 am"]', "templates[0].starts"),
        ("length_hours = 8", "length_hours = 13", "templates[0].length_minutes"),
        ("interval_minutes = 15", "interval_minutes = 20", "interval_minutes"),
    ],
)
def test_invalid_field_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, old: str, new: str, field: str
) -> None:
    code, _, err = run(capsys, write(tmp_path, SMALL.replace(old, new)))
    assert code == 2
    assert f"field {field}:" in err


def test_unsatisfiable_problem_exits_2_with_the_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # a whole week, but only Monday available: 7.5 paid hours against a 32-hour minimum
    text = SMALL.replace("days = 1", "days = 7").replace(
        "max_week_hours = 60",
        "min_week_hours = 32\nmax_week_hours = 38\nunavailable = [2026-12-01, 2026-12-02, "
        "2026-12-03, 2026-12-04, 2026-12-05, 2026-12-06]",
    )
    code, out, err = run(capsys, write(tmp_path, text), "--max-seconds", "5")
    assert code == 2
    assert out == ""
    assert "no schedule keeps every hard rule" in err
    assert (
        "availability: agent A1 (Anna) must work at least 32 h in the week from 2026-11-30 "
        "but is available for at most 7.5 h" in err
    )


def test_bad_option_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, write(tmp_path, SMALL), "--max-seconds", "0")
    assert code == 2
    assert "--max-seconds" in err
