"""``symfonie wfm simulate MODEL.toml`` end to end through ``symfonie.cli.main`` (no Django).

Checks the shipped example models, the JSON and table output (every service-level variant is
named and defined), reproducibility with ``--seed``, and that bad model files exit with code 2
naming the field. The statistical validation is in tests/domain/wfm/test_simulate*.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import symfonie.cli
from symfonie.domain.wfm.simulate import RATIO_KPIS
from symfonie.wfm.model_file import EXAMPLES_DIR, load_model

MMCAB = str(EXAMPLES_DIR / "MMCAb.toml")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "wfm.md"
MINIMAL = """
open_minutes = 60
threshold_seconds = 20

[[contact_types]]
name = "calls"
arrival_rate_per_minute = 1.0
service = { distribution = "exponential", mean_seconds = 120 }

[[agent_groups]]
name = "agents"
agents = 3
skills = ["calls"]
"""


@pytest.fixture(autouse=True)
def wfm_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(symfonie.cli, "COMMAND_MODULES", ["symfonie.wfm.cli"])


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = symfonie.cli.main(["wfm", "simulate", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "model.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_mmcab_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, MMCAB, "--replications", "30", "--seed", "1")
    assert report["model"] == "MMCAb"
    assert report["replications"] == 30 and report["seed"] == 1
    assert report["engine"] == "fifo" and report["confidence_level"] == 0.95
    assert report["threshold_seconds"] == 20
    kpis = report["kpis"]
    for name in [*RATIO_KPIS, "occupancy", "abandoned_per_day", "served_per_day"]:
        assert kpis[name]["ci_low"] <= kpis[name]["mean"] <= kpis[name]["ci_high"], name
        assert name in report["definitions"] or name.endswith("_per_day")
    assert "strictly less" in report["definitions"]["in_target"]
    assert 0.95 < kpis["service_level_served"]["mean"] < 1.0
    assert (
        kpis["service_level_served_plus_abandoned_after_s"]["mean"]
        < (kpis["service_level_served"]["mean"])
    )
    assert set(report["by_contact_type"]) == {"calls"}
    assert set(report["by_agent_group"]) == {"agents"}


def test_same_seed_same_output(capsys: pytest.CaptureFixture[str]) -> None:
    first = run_json(capsys, MMCAB, "--replications", "5", "--seed", "42")
    again = run_json(capsys, MMCAB, "--replications", "5", "--seed", "42")
    other = run_json(capsys, MMCAB, "--replications", "5", "--seed", "43")
    assert first == again
    assert first["kpis"] != other["kpis"]


def test_without_seed_the_entropy_used_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    first = run_json(capsys, MMCAB, "--replications", "3")
    again = run_json(capsys, MMCAB, "--replications", "3", "--seed", str(first["seed"]))
    assert first["kpis"] == again["kpis"]


def test_table_names_every_variant(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, MMCAB, "--replications", "5", "--seed", "1")
    assert code == 0
    for name in RATIO_KPIS:
        assert re.search(rf"^  {name}: ", out, re.MULTILINE), name  # its definition
        assert re.search(rf"^  {name} +\S+ +\(", out, re.MULTILINE), name  # its value
    assert "agents.occupancy" in out


def test_multi_skill_example_uses_the_event_engine(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES_DIR / "Woonstad.toml")
    report = run_json(capsys, path, "--replications", "4", "--seed", "1")
    assert report["engine"] == "event"
    assert set(report["by_contact_type"]) == {"repairs", "payments", "callbacks"}
    assert set(report["by_agent_group"]) == {"repairs_desk", "payments_desk", "generalists"}
    assert report["by_contact_type"]["callbacks"]["retrials_per_day"]["mean"] > 0
    code, _, err = run(capsys, path, "--replications", "4", "--engine", "fifo")
    assert code == 2 and "--engine fifo" in err and "several contact types" in err


@pytest.mark.parametrize("name", ["MMC", "MMCAb", "MMCBlocked", "Woonstad"])
def test_every_example_loads(name: str) -> None:
    model = load_model(EXAMPLES_DIR / f"{name}.toml")
    assert model.name == name and model.description


def test_examples_match_the_contactcenters_models() -> None:
    mmc, ab, blocked = (
        load_model(EXAMPLES_DIR / f"{n}.toml") for n in ("MMC", "MMCAb", "MMCBlocked")
    )
    for model in (mmc, ab, blocked):
        assert model.open_minutes == 480 and model.threshold_seconds == 20
        (calls,) = model.contact_types
        assert calls.arrival_rate_per_minute == (4.2,)
        assert calls.service.mean_seconds == 120
        assert model.agent_groups[0].agents == (12,)
        assert model.closing.value == "serve"
    assert mmc.contact_types[0].patience is None and mmc.queue_capacity is None
    patience = ab.contact_types[0].patience
    assert patience is not None and patience.mean_seconds == 60
    assert blocked.queue_capacity == 5 and blocked.contact_types[0].patience is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("threshold_seconds = 20\n", ""), "threshold_seconds"),
        (("open_minutes = 60\n", ""), "open_minutes"),
        (
            ("arrival_rate_per_minute = 1.0", "arrival_rate_per_minute = 0"),
            "contact_types[0].arrival_rate_per_minute",
        ),
        (
            ("arrival_rate_per_minute = 1.0", "arrival_rate_per_minute = -2.5"),
            "contact_types[0].arrival_rate_per_minute",
        ),
        (("arrival_rate_per_minute = 1.0\n", ""), "contact_types[0].arrival_rate_per_minute"),
        (("mean_seconds = 120", "mean_seconds = 0"), "contact_types[0].service.mean_seconds"),
        (("mean_seconds = 120", "mean_seconds = -5"), "contact_types[0].service.mean_seconds"),
        (("mean_seconds = 120", "sd_seconds = 5"), "contact_types[0].service.mean_seconds"),
        (('"exponential"', '"weibull"'), "contact_types[0].service.distribution"),
        (("service = {", "servce = {"), "contact_types[0].service"),
        (("agents = 3", "agents = -1"), "agent_groups[0].agents"),
        (("agents = 3", "agents = 2.5"), "agent_groups[0].agents"),
        (("agents = 3\n", ""), "agent_groups[0].agents"),
        (('skills = ["calls"]', 'skills = ["sales"]'), "agent_groups[0].skills"),
        (
            ("threshold_seconds = 20", "threshold_seconds = 20\nqueue_capacity = -1"),
            "queue_capacity",
        ),
        (("threshold_seconds = 20", 'threshold_seconds = 20\nclosing = "later"'), "closing"),
        (
            ("threshold_seconds = 20", "threshold_seconds = 20\nperiod_minutes = 7"),
            "period_minutes",
        ),
        (("threshold_seconds = 20", "threshold_seconds = 20\nqueue_capacty = 5"), "queue_capacty"),
        (('name = "agents"\n', ""), "agent_groups[0].name"),
    ],
)
def test_bad_model_fields_exit_2_naming_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, change: tuple[str, str], field: str
) -> None:
    old, new = change
    assert old in MINIMAL
    code, out, err = run(
        capsys, write(tmp_path, MINIMAL.replace(old, new, 1)), "--replications", "2"
    )
    assert code == 2, out
    assert f"field {field}:" in err, err
    assert "Traceback" not in err


def test_minimal_model_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    report = run_json(capsys, write(tmp_path, MINIMAL), "--replications", "3", "--seed", "0")
    assert report["model"] == "model"  # the file name when no name is given


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--replications", "1"], "--replications"),
        (["--replications", "0"], "--replications"),
        (["--seed", "-1"], "--seed"),
        (["--confidence", "1.5"], "--confidence"),
    ],
)
def test_bad_options_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, MMCAB, *argv)
    assert code == 2 and message in err


def test_unreadable_files_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, str(tmp_path / "missing.toml"))
    assert code == 2 and "cannot read" in err
    code, _, err = run(capsys, write(tmp_path, "open_minutes = = 3"))
    assert code == 2 and "not valid TOML" in err


def test_docs_describe_every_model_field() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    fields = [
        "open_minutes", "period_minutes", "threshold_seconds", "closing", "queue_capacity",
        "busyness_gamma_shape", "contact_types", "arrival_rate_per_minute", "service",
        "patience", "balk_probability", "retrial", "probability", "delay", "as_type",
        "agent_groups", "agents", "skills", "distribution", "exponential", "lognormal", "gamma",
        "empirical", "constant", "mean_seconds", "sd_seconds", "values_seconds",
        "symfonie wfm simulate", "--replications", "--seed", "--engine", "--confidence", "--json",
    ]  # fmt: skip
    # only code counts: `inline spans` and fenced blocks
    code = " ".join(re.findall(r"```.*?```|`[^`\n]+`", docs, re.DOTALL))
    missing = [field for field in fields if not re.search(rf"(?<![\w-]){field}(?!\w)", code)]
    assert not missing
