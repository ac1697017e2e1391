"""The simulator against the published ContactCenters results (MMC, MMCAb, MMCBlocked).

Reference: shared/data/contactcenters/ (SOURCE.md and the ``.res`` result files of Buist &
L'Ecuyer's ContactCenters examples, 1000 simulated days each). The intervals are parsed from
the ``.res`` files, not retyped. Definitions (SOURCE.md): in target = served with wait strictly
below 20 s; service level = in target / served; "with abandonment" adds the abandoned with wait
>= s to the denominator, "with blocked contacts" the blocked; speed of answer = queue time of
served / served, in minutes; occupancy = busy / present agent-time over [0, 480] only. Ratios
are ratios of means over the days ("func. of averages"), as ours.

The check: we simulate 5000 days (five times theirs, so our interval is under half as wide) from
a fixed seed and require, for every published statistic, that the two 95 % intervals agree —
our mean lies inside theirs widened by our own half-width (and by half a unit of the last
printed digit: the ``.res`` values are rounded to 3 decimals). Our means land inside the
published intervals themselves for all statistics but MMCBlocked's occupancy, whose published
interval sits just below the true value (see docs/wfm.md, "Simulator").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from symfonie.domain.wfm.simulate import simulate, simulate_days
from symfonie.wfm.model_file import EXAMPLES_DIR, load_model
from tests.shared_data import shared_data_file

DAYS = 5000
SEED = 2024
ROUNDING = 0.0005  # the .res files print 3 decimals

# published statistic -> (our KPI, factor from our unit to theirs)
OURS = {
    "Number of contacts in target": ("in_target_per_day", 1.0),
    "Service level": ("service_level_served", 1.0),
    "Speed of answer": ("asa_seconds", 1.0 / 60.0),  # theirs in minutes
    "Occupancy ratio": ("occupancy", 1.0),
    "Number of contacts having abandoned": ("abandoned_per_day", 1.0),
    "Service level with abandonment": ("service_level_served_plus_abandoned_after_s", 1.0),
    "Number of blocked contacts": ("blocked_per_day", 1.0),
    "Service level with blocked contacts": ("service_level_with_blocked_in_denominator", 1.0),
}
EXPECTED_STATISTICS = {
    "MMC": 4,
    "MMCAb": 6,
    "MMCBlocked": 6,
}

_REPORT = re.compile(
    r"REPORT on Tally stat\. collector ==> (?P<name>[^\n]+)\n"
    r"\s*(?P<header>[^\n]+)\n(?P<values>[^\n]+)\n"
    r"\s*95\.0% confidence interval for [^:]+:\s*\(\s*(?P<low>\S+),\s*(?P<high>\S+)\s*\)"
)


@dataclass(frozen=True)
class Published:
    name: str
    mean: float
    low: float
    high: float


def parse_res(path: Path) -> list[Published]:
    """The statistics of a ContactCenters ``.res`` report: name, average and 95 % interval."""
    found = []
    for match in _REPORT.finditer(path.read_text(encoding="utf-8")):
        values = [float(value) for value in match["values"].split()]
        header = match["header"].strip()
        if header.startswith("num. obs."):  # num. obs., min, max, average, standard dev.
            mean = values[3]
        elif header.startswith("func. of averages"):  # value, standard dev., num. obs.
            mean = values[0]
        else:
            raise AssertionError(f"unknown report layout in {path}: {header!r}")
        found.append(
            Published(match["name"].strip(), mean, float(match["low"]), float(match["high"]))
        )
    return found


def test_parser_reads_every_statistic() -> None:
    for name, count in EXPECTED_STATISTICS.items():
        published = parse_res(shared_data_file(f"contactcenters/examples/{name}.res"))
        assert len(published) == count, name
        assert all(stat.name in OURS for stat in published), [s.name for s in published]
        assert all(stat.low <= stat.mean <= stat.high for stat in published)


@pytest.mark.parametrize("name", sorted(EXPECTED_STATISTICS))
def test_agrees_with_published_intervals(name: str) -> None:
    published = parse_res(shared_data_file(f"contactcenters/examples/{name}.res"))
    result = simulate(load_model(EXAMPLES_DIR / f"{name}.toml"), DAYS, seed=SEED)
    assert result.engine.value == "fifo" and result.replications == DAYS
    misses = []
    for stat in published:
        kpi, factor = OURS[stat.name]
        ours = result.overall[kpi]
        assert ours.half_width is not None
        mean, half = ours.mean * factor, ours.half_width * factor
        low, high = stat.low - ROUNDING - half, stat.high + ROUNDING + half
        if not low <= mean <= high:
            misses.append(f"{stat.name}: ours {mean:.5f} ± {half:.5f}, published {stat}")
        if stat.name.startswith("Number of"):
            # Counts are printed with enough digits to compare widths: ours must be under 60 %
            # of theirs (5× the days → about 45 %), so the agreement is a sharp check.
            assert half < 0.6 * (stat.high - stat.low) / 2, stat
    assert not misses, misses


def test_same_callers_in_all_three_models() -> None:
    # Common random numbers, as in ContactCenters (MMCAb and MMCBlocked extend MMC): with the
    # same seed the three models see identical arrivals on every day.
    arrivals = [
        simulate_days(load_model(EXAMPLES_DIR / f"{name}.toml"), 20, seed=SEED).types[:, 0, 0]
        for name in EXPECTED_STATISTICS
    ]
    assert (arrivals[0] == arrivals[1]).all() and (arrivals[0] == arrivals[2]).all()
