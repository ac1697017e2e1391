"""``symfonie wfm forecast`` end to end: the Anonymous Bank file and a tenant's stored contacts.

Expected counts are computed here independently: the bank file is read with ``gzip`` + ``csv``
(not with the reader under test) and checked against SOURCE.md's published totals; the stored
contacts are placed at chosen local times, so each interval's count is known by construction.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import math
from collections import Counter
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from symfonie.cli import main
from tests.conftest import make_tenant
from tests.shared_data import shared_data_file

BANK = "anonymous-bank/february_1999.txt.gz"
# SOURCE.md: 33,344 records of which 278 PHANTOM
NON_PHANTOM_CALLS = 33_344 - 278
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_quietly(*argv: str) -> dict[str, Any]:
    """Run the command outside a test's capsys (for module-scoped fixtures); parse its JSON."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*argv, "--json"]) == 0
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def bank_counts(path: Path, call_type: str | None) -> Counter[str]:
    """Non-PHANTOM calls per YYMMDD date of one type (all types for ``None``), via csv."""
    with gzip.open(path, "rt", encoding="ascii", newline="") as text:
        rows = csv.DictReader(text, delimiter="\t")
        return Counter(
            row["date"]
            for row in rows
            if row["outcome"] != "PHANTOM" and call_type in (None, row["type"])
        )


@pytest.fixture(scope="module")
def bank_file() -> Path:
    return shared_data_file(BANK)


@pytest.fixture(scope="module")
def ps_report(bank_file: Path) -> dict[str, Any]:
    return run_quietly(
        "wfm", "forecast", "--from-bank-file", str(bank_file), "--queue", "PS",
        "--horizon-days", "7", "--interval-minutes", "30",
    )  # fmt: skip


def test_bank_history_counts_every_non_phantom_call_of_the_queue(
    ps_report: dict[str, Any], bank_file: Path
) -> None:
    expected = bank_counts(bank_file, "PS")
    history = ps_report["history"]
    assert (history["start"], history["end"], history["days"]) == ("1999-02-01", "1999-02-28", 28)
    assert history["contacts"] == sum(expected.values())
    assert sum(history["daily_contacts"]) == sum(expected.values())
    assert history["daily_contacts"] == [expected[f"9902{day:02d}"] for day in range(1, 29)]


def test_bank_total_matches_source_md(bank_file: Path) -> None:
    report = run_quietly(
        "wfm", "forecast", "--from-bank-file", str(bank_file), "--backtest-origins", "2"
    )
    assert report["series"] == "all call types"
    assert report["history"]["contacts"] == NON_PHANTOM_CALLS
    assert sum(bank_counts(bank_file, None).values()) == NON_PHANTOM_CALLS


def test_bank_forecast_structure_and_backtest(ps_report: dict[str, Any]) -> None:
    assert ps_report["series"] == "PS"
    assert ps_report["time_zone"] == "Asia/Jerusalem"
    assert ps_report["interval_minutes"] == 30
    scores = {score["method"]: score for score in ps_report["backtest"]}
    assert {"seasonal_naive", "exponential_smoothing"} <= set(scores)
    for score in scores.values():
        assert math.isfinite(score["wape"]) and score["wape"] > 0
        assert math.isfinite(score["mase"]) and score["mase"] > 0
    best = min(scores.values(), key=lambda score: score["wape"])
    assert ps_report["method"] == best["method"]
    assert ps_report["backtest_origins"] == 14

    daily = ps_report["daily"]
    assert [day["date"] for day in daily] == [f"1999-03-0{day}" for day in range(1, 8)]
    intervals = ps_report["intervals"]
    assert len(intervals) == 7 * 48
    assert intervals[0]["start"] == "1999-03-01T00:00:00+02:00"
    starts = [datetime.fromisoformat(interval["start"]) for interval in intervals]
    assert all(b - a == timedelta(minutes=30) for a, b in pairwise(starts))
    assert all(interval["contacts"] >= 0 for interval in intervals)
    assert all(interval["aht_seconds"] > 0 for interval in intervals)
    for day in daily:
        on_day = [i["contacts"] for i in intervals if i["start"].startswith(day["date"])]
        assert sum(on_day) == pytest.approx(day["contacts"])


def test_bank_plain_table(capsys: pytest.CaptureFixture[str], bank_file: Path) -> None:
    code, out, err = run(
        capsys, "wfm", "forecast", "--from-bank-file", str(bank_file), "--queue", "NE",
        "--backtest-origins", "2", "--horizon-days", "2",
    )  # fmt: skip
    assert code == 0, err
    assert "series       NE (Asia/Jerusalem)" in out
    assert "seasonal_naive" in out
    assert "1999-03-02" in out and "1999-03-03" not in out


# --- stored contacts ------------------------------------------------------------------------

START, END = date(2026, 3, 9), date(2026, 3, 29)  # Monday – Sunday (summer time starts)
# local time of day → extra contacts there on top of 1 + (day number mod 3)
SLOTS = {(9, 5): 0, (10, 40): 1, (14, 10): 2, (16, 45): 1}


def planned_contacts() -> list[tuple[datetime, bool, bool]]:
    """(local arrival, answered, with wrap-up) of the contacts in queue billing, channel voice."""
    planned = []
    for offset in range((END - START).days + 1):
        day = START + timedelta(days=offset)
        for (hour, minute), extra in SLOTS.items():
            for k in range(1 + offset % 3 + extra):
                arrival = datetime(day.year, day.month, day.day, hour, minute, k, tzinfo=AMSTERDAM)
                planned.append((arrival, k % 4 != 3, k % 2 == 0))
    # the edges of the range, and both sides of the skipped hour on 29 March
    planned.append((datetime(2026, 3, 9, 0, 0, tzinfo=AMSTERDAM), True, False))
    planned.append((datetime(2026, 3, 29, 1, 45, tzinfo=AMSTERDAM), True, False))
    planned.append((datetime(2026, 3, 29, 3, 15, tzinfo=AMSTERDAM), True, False))
    return planned


def contact(tenant, arrival: datetime, answered: bool, wrap_up: bool, **fields: Any):
    from symfonie.contacts.models import Contact

    answered_at = arrival + timedelta(seconds=20) if answered else None
    ended_at = (
        answered_at + timedelta(seconds=200) if answered_at else arrival + timedelta(seconds=60)
    )
    return Contact(
        tenant=tenant,
        channel=fields.get("channel", "voice"),
        direction="in",
        queue=fields.get("queue", "billing"),
        arrived_at=arrival,
        answered_at=answered_at,
        ended_at=ended_at,
        wrap_up_ended_at=ended_at + timedelta(seconds=30) if wrap_up and answered else None,
    )


@pytest.fixture
def woonstad(tenant):
    from symfonie.contacts.models import Contact

    other = make_tenant("elders", "Elders")
    rows = [contact(tenant, *plan) for plan in planned_contacts()]
    noon = datetime(2026, 3, 10, 12, 0, tzinfo=AMSTERDAM)
    rows += [
        contact(tenant, noon, True, False, queue="sales"),
        contact(tenant, noon, True, False, channel="email"),
        contact(other, noon, True, False),
        contact(tenant, datetime(2026, 3, 8, 23, 59, 59, tzinfo=AMSTERDAM), True, False),
        contact(tenant, datetime(2026, 3, 30, 0, 0, tzinfo=AMSTERDAM), True, False),
    ]
    Contact.objects.bulk_create(rows)
    assert len(rows) > 200
    return tenant


def expected_bins() -> tuple[Counter[tuple[int, int]], Counter[tuple[int, int]], Counter]:
    """Contacts, handled contacts and handle seconds per (day, 30-minute slot), by hand."""
    counts: Counter[tuple[int, int]] = Counter()
    handled: Counter[tuple[int, int]] = Counter()
    seconds: Counter[tuple[int, int]] = Counter()
    for arrival, answered, wrap_up in planned_contacts():
        key = ((arrival.date() - START).days, (arrival.hour * 60 + arrival.minute) // 30)
        counts[key] += 1
        if answered:
            handled[key] += 1
            seconds[key] += 200 + (30 if wrap_up else 0)
    return counts, handled, seconds


def test_contact_history_counts_each_interval_exactly(woonstad) -> None:
    from symfonie.wfm.history import contact_history

    history = contact_history(
        woonstad, start=START, end=END, queue="billing", channel="voice", interval_minutes=30
    )
    counts, handled, seconds = expected_bins()
    assert history.contacts.shape == (21, 48)
    assert history.time_zone == "Europe/Amsterdam"
    assert counts[(0, 0)] == 1 and counts[(20, 3)] == 1 and counts[(20, 6)] == 1
    for day in range(21):
        for slot in range(48):
            assert history.contacts[day, slot] == counts[(day, slot)], (day, slot)
            assert history.handled_contacts[day, slot] == handled[(day, slot)], (day, slot)
            assert history.handle_seconds[day, slot] == seconds[(day, slot)], (day, slot)


def test_tenant_forecast_with_holidays_and_a_closed_day(
    woonstad, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "wfm", "forecast", "--tenant", "woonstad", "--queue", "billing",
        "--channel", "voice", "--history-start", "2026-03-09", "--history-end", "2026-03-29",
        "--horizon-days", "7", "--special-day", "2026-04-03=closed", "--json",
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    counts, _, _ = expected_bins()
    expected_daily = [sum(n for (day, _), n in counts.items() if day == d) for d in range(21)]
    assert report["history"]["daily_contacts"] == expected_daily
    assert report["series"] == "woonstad/billing/voice"
    assert {s["method"] for s in report["backtest"]} == {"seasonal_naive", "exponential_smoothing"}
    days = {day["date"]: day for day in report["daily"]}
    assert list(days) == [f"2026-03-{d}" for d in (30, 31)] + [f"2026-04-0{d}" for d in range(1, 6)]
    good_friday = days["2026-04-03"]  # an NL holiday (tenant region), closed by the planner
    assert (good_friday["kind"], good_friday["name"], good_friday["contacts"]) == (
        "special",
        "closed",
        0.0,
    )
    assert days["2026-04-05"]["kind"] == "holiday"  # Easter Sunday
    assert all(i["contacts"] == 0 for i in report["intervals"] if "2026-04-03" in i["start"])
    assert all(i["contacts"] >= 0 for i in report["intervals"])
    assert len(report["intervals"]) == 7 * 48


HISTORY = ["--tenant", "woonstad", "--history-start", "2026-03-09", "--history-end", "2026-03-29"]


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--tenant", "nope", *HISTORY[2:]], "--tenant"),
        ([*HISTORY[:3], "2026-03-29", "--history-end", "2026-03-09"], "--history-end"),
        ([*HISTORY, "--horizon-days", "0"], "--horizon-days"),
        ([*HISTORY, "--backtest-origins", "0"], "--backtest-origins"),
        ([*HISTORY, "--special-day", "2026-12-24=lots"], "--special-day"),
        ([*HISTORY, "--special-day", "24-12-2026=0.5"], "--special-day"),
        ([*HISTORY, "--special-day", "2026-12-24=-1"], "--special-day"),
        ([*HISTORY, "--queue", "nope"], "--queue"),
        ([*HISTORY, "--channel", "pigeon"], "--channel"),
        ([*HISTORY, "--holidays", "XX"], "--holidays"),
        ([*HISTORY, "--horizon-start", "2026-03-20"], "--horizon-start"),
        (HISTORY[:4], "--history-end"),
        (["--horizon-days", "7"], "--from-bank-file"),
    ],
)
def test_bad_input_exits_2_naming_the_option(
    woonstad, capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    code, out, err = run(capsys, "wfm", "forecast", *argv)
    assert code == 2
    assert option in err
    assert out == ""
    assert "Traceback" not in err


def test_history_too_short_names_the_history_options(
    woonstad, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "wfm", "forecast", "--tenant", "woonstad",
        "--history-start", "2026-03-09", "--history-end", "2026-03-13",
    )  # fmt: skip
    assert code == 2
    assert "--history-start/--history-end: history too short" in err
    assert "got 5" in err


def test_bank_file_bad_input(capsys: pytest.CaptureFixture[str], bank_file: Path) -> None:
    code, _, err = run(
        capsys, "wfm", "forecast", "--from-bank-file", str(bank_file), "--queue", "XX"
    )
    assert code == 2
    assert "--queue: no calls of type 'XX'" in err
    code, _, err = run(capsys, "wfm", "forecast", "--from-bank-file", "/nonexistent.txt.gz")
    assert code == 2
    assert "--from-bank-file: cannot read" in err
    code, _, err = run(
        capsys, "wfm", "forecast", "--from-bank-file", str(bank_file), "--channel", "voice"
    )
    assert code == 2
    assert "--channel needs --tenant" in err


def test_a_date_that_does_not_parse_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["wfm", "forecast", "--tenant", "x", "--history-start", "31-12-2026"])
    assert exit_info.value.code == 2
    assert "--history-start" in capsys.readouterr().err
