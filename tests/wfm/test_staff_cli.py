"""``symfonie wfm staff`` end to end through ``symfonie.cli.main`` (no Django needed).

Expected numbers come from the issue's reference example and from the published Anonymous Bank
exercise (shared/data/anonymous-bank/SOURCE.md).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import symfonie.cli
from tests.shared_data import shared_data_file

REFERENCE = [
    "wfm",
    "staff",
    "--calls",
    "100",
    "--interval-minutes",
    "30",
    "--aht-seconds",
    "180",
    "--service-level",
    "0.8",
    "--threshold-seconds",
    "20",
    "--max-occupancy",
    "0.85",
    "--shrinkage",
    "0.3",
]
PUBLISHED_AGENTS = [1, 1, 1, 0, 1, 1, 1, 4, 8, 9, 10, 9, 8, 16, 10, 10, 6, 7, 8, 8, 6, 6, 5, 4]


@pytest.fixture(autouse=True)
def wfm_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(symfonie.cli, "COMMAND_MODULES", ["symfonie.wfm.cli"])


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = symfonie.cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def test_reference_example_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, *REFERENCE)
    assert report["model"] == "erlang_c"
    assert report["agents"] == 14
    assert report["scheduled_agents"] == 20
    assert report["p_wait"] == pytest.approx(0.1741319, abs=5e-7)
    assert report["service_level"] == pytest.approx(0.88835, abs=5e-7)
    assert report["asa_seconds"] == pytest.approx(7.836, abs=5e-4)
    assert report["occupancy"] == pytest.approx(10 / 14)
    assert "p_abandon" not in report


def test_reference_example_as_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *REFERENCE)
    assert code == 0
    rows = dict(line.split(None, 1) for line in out.splitlines() if line.strip())
    assert rows["agents"].strip() == "14"
    assert rows["scheduled_agents"].strip() == "20"
    for key in ("p_wait", "service_level", "asa_seconds", "occupancy"):
        assert key in rows


def test_patience_selects_erlang_a_and_labels_the_variant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = run_json(capsys, *REFERENCE, "--patience-seconds", "300")
    assert report["model"] == "erlang_a"
    assert report["service_level_variant"] == "all_arrivals"
    assert report["service_level"] >= 0.8
    assert 0.0 < report["p_abandon"] < report["p_wait"]
    assert report["agents"] <= 14  # 14 agents already give 0.916792 (reference)
    for key in ("agents", "scheduled_agents", "asa_seconds", "occupancy"):
        assert key in report


def test_fixed_agents_reproduce_the_erlang_a_reference(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(
        capsys,
        *REFERENCE[:8],
        "--agents",
        "14",
        "--patience-seconds",
        "300",
        "--threshold-seconds",
        "20",
    )
    assert report["agents"] == 14
    assert report["p_wait"] == pytest.approx(0.14526, abs=5e-6)
    assert report["p_abandon"] == pytest.approx(0.013984, abs=5e-7)
    assert report["occupancy"] == pytest.approx(0.704297, abs=5e-7)
    assert report["asa_all_arrivals_seconds"] / 60 == pytest.approx(0.069919, abs=5e-7)
    assert report["service_level"] == pytest.approx(0.916792, abs=5e-7)
    assert report["service_level_variant"] == "all_arrivals"


def test_other_service_level_variants(capsys: pytest.CaptureFixture[str]) -> None:
    base = [*REFERENCE[:8], "--agents", "14", "--patience-seconds", "300"]
    levels = {
        variant: run_json(capsys, *base, "--service-level-variant", variant)["service_level"]
        for variant in ("all_arrivals", "excluding_early_abandons", "served")
    }
    assert levels["all_arrivals"] <= levels["excluding_early_abandons"] <= levels["served"]


def test_chat_concurrency(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, *REFERENCE, "--concurrency", "3")
    assert report["concurrency"] == 3
    assert report["servers"] == 3 * report["agents"]
    assert report["agents"] == 5  # ceil(14 slots / 3): the slot queue is the reference queue


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (["--calls", "-5"], "--calls"),
        (["--calls", "0"], "--calls"),
        (["--aht-seconds", "0"], "--aht-seconds"),
        (["--interval-minutes", "-1"], "--interval-minutes"),
        (["--service-level", "1.5"], "--service-level"),
        (["--shrinkage", "1"], "--shrinkage"),
        (["--max-occupancy", "0"], "--max-occupancy"),
        (["--patience-seconds", "0"], "--patience-seconds"),
        (["--threshold-seconds", "-1"], "--threshold-seconds"),
        (["--concurrency", "0"], "--concurrency"),
        (["--max-p-abandon", "0.05"], "--patience-seconds"),
        (["--service-level-variant", "served"], "--patience-seconds"),
    ],
)
def test_bad_input_exits_2_naming_the_option(
    capsys: pytest.CaptureFixture[str], extra: list[str], option: str
) -> None:
    code, out, err = run(capsys, *REFERENCE, *extra)
    assert code == 2
    assert option in err
    assert out == ""


def test_unstable_fixed_agents_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *REFERENCE[:8], "--agents", "10")
    assert code == 2
    assert "--agents" in err
    assert "unstable" in err


def test_missing_target_and_missing_load_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *REFERENCE[:8])
    assert code == 2
    assert "--service-level" in err
    code, _, err = run(capsys, "wfm", "staff", "--service-level", "0.8")
    assert code == 2
    assert "--calls" in err


def test_non_numeric_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        symfonie.cli.main(["wfm", "staff", "--calls", "many"])
    assert exited.value.code == 2
    assert "--calls" in capsys.readouterr().err


def test_missing_bank_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    missing = str(tmp_path / "missing.txt.gz")
    code, _, err = run(capsys, "wfm", "staff", "--from-bank-file", missing, "--max-p-wait", "0.5")
    assert code == 2
    assert "--from-bank-file" in err


def test_published_bank_exercise(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(shared_data_file("anonymous-bank/february_1999.txt.gz"))
    report = run_json(
        capsys,
        "wfm",
        "staff",
        "--from-bank-file",
        path,
        "--weekday",
        "wednesday",
        "--max-p-wait",
        "0.5",
        "--calls-per-agent-hour",
        "15",
    )
    assert report["agents_per_hour"] == PUBLISHED_AGENTS
    assert report["calls"] == 6_289
    assert report["mean_hourly_service_rate"] == pytest.approx(14.86443, abs=5e-6)
    assert len(report["dates"]) == 4
    assert [row["hour"] for row in report["hours"]] == list(range(24))


def test_bank_file_rejects_single_interval_options(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(shared_data_file("anonymous-bank/february_1999.txt.gz"))
    code, _, err = run(
        capsys, "wfm", "staff", "--from-bank-file", path, "--calls", "10", "--max-p-wait", "0.5"
    )
    assert code == 2
    assert "--calls" in err
    code, _, err = run(
        capsys, "wfm", "staff", "--from-bank-file", path, "--weekday", "funday", "--max-p-wait", "1"
    )
    assert code == 2
    assert "--weekday" in err


def test_published_bank_exercise_from_the_imported_file(
    db: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    modules = ["symfonie.tenants.cli", "symfonie.wfm.cli", "symfonie.reporting.cli"]
    monkeypatch.setattr(symfonie.cli, "COMMAND_MODULES", modules)
    # the product's path: import the file into a tenant, then staff from the stored contacts
    bank_file = shared_data_file("anonymous-bank/february_1999.txt.gz")
    assert (
        symfonie.cli.main(
            ["createtenant", "bank", "--name", "Bank", "--time-zone", "Asia/Jerusalem"]
        )
        == 0
    )
    assert symfonie.cli.main(["import", "anonymous-bank", str(bank_file), "--tenant", "bank"]) == 0
    capsys.readouterr()
    argv = ["wfm", "staff", "--tenant", "bank", "--weekday", "wednesday"]
    assert (
        symfonie.cli.main([*argv, "--max-p-wait", "0.5", "--calls-per-agent-hour", "15", "--json"])
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["calls"] == 6289  # SOURCE.md: the four Wednesdays
    assert report["mean_hourly_service_rate"] == pytest.approx(14.86443, abs=5e-6)
    assert report["agents_per_hour"] == PUBLISHED_AGENTS
    assert symfonie.cli.main(["wfm", "staff", "--tenant", "nope", "--max-p-wait", "0.5"]) == 2
    assert "no tenant with slug 'nope'" in capsys.readouterr().err
