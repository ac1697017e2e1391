"""Benchmark: staff one week (672 quarter-hours × 10 queues) with Erlang C and Erlang A.

Writes ``bench/results/wfm_staffing.json`` (date, core count, timings, agent totals). When
``pyworkforce`` is importable (it is not a Symfonie dependency: run this script from an
environment that has it, with ``PYTHONPATH=src``), its Erlang C is timed on the same inputs
and its agent counts are compared with ours. Timings are best-of-``--repeat`` wall clock.

    PYTHONPATH=src python bench/bench_wfm_staffing.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from symfonie.domain.wfm.staffing import StaffingTarget, required_agents, staff_intervals

INTERVAL_MINUTES = 15
INTERVALS = 7 * 24 * 60 // INTERVAL_MINUTES  # 672
QUEUES = 10
TARGET = StaffingTarget(service_level=0.8, threshold_seconds=20, max_occupancy=0.85)
SHRINKAGE = 0.3
PATIENCE_SECONDS = 180.0
RESULTS = Path(__file__).resolve().parent / "results" / "wfm_staffing.json"


def week_workload(seed: int = 20240101) -> tuple[np.ndarray, np.ndarray]:
    """Calls per interval (672 × 10) and AHT per queue (10): a day curve, quiet weekend, noise."""
    rng = np.random.default_rng(seed)
    minutes = np.arange(INTERVALS) * INTERVAL_MINUTES
    hour = (minutes % (24 * 60)) / 60.0
    day = minutes // (24 * 60)
    # Two peaks (10:00 and 14:00), closed at night, weekend at 40 %.
    curve = np.exp(-(((hour - 10.0) / 2.0) ** 2)) + 0.8 * np.exp(-(((hour - 14.5) / 2.5) ** 2))
    curve = np.where((hour >= 7) & (hour < 22), curve, 0.0)
    curve = curve * np.where(day >= 5, 0.4, 1.0)
    peak_calls = np.linspace(20, 400, QUEUES)  # per quarter-hour at the peak
    calls = rng.poisson(np.outer(curve, peak_calls)).astype(np.float64)
    aht_seconds = np.linspace(150, 600, QUEUES)
    return calls, aht_seconds


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def pyworkforce_week(calls: np.ndarray, aht_seconds: np.ndarray) -> np.ndarray:
    from pyworkforce.queuing import ErlangC  # type: ignore[import-not-found]

    agents = np.zeros(calls.shape, dtype=np.int64)
    for (i, q), count in np.ndenumerate(calls):
        if count <= 0:
            continue  # pyworkforce refuses 0 transactions; 0 agents, as ours
        erlang = ErlangC(
            transactions=float(count),
            aht=float(aht_seconds[q]) / 60.0,
            asa=TARGET.threshold_seconds / 60.0,
            interval=INTERVAL_MINUTES,
            shrinkage=SHRINKAGE,
        )
        requirement = erlang.required_positions(
            service_level=TARGET.service_level, max_occupancy=TARGET.max_occupancy
        )
        agents[i, q] = requirement["raw_positions"]
    return agents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    calls, aht_seconds = week_workload()
    common = {
        "interval_minutes": INTERVAL_MINUTES,
        "aht_seconds": aht_seconds,
        "target": TARGET,
        "shrinkage": SHRINKAGE,
    }

    erlang_c_seconds, erlang_c = best_of(args.repeat, lambda: staff_intervals(calls, **common))
    erlang_a_seconds, erlang_a = best_of(
        args.repeat,
        lambda: staff_intervals(calls, patience_mean_seconds=PATIENCE_SECONDS, **common),
    )
    # 20,000 Erlang (200,000 calls per half hour, AHT 180 s), 80 % in 20 s, no occupancy cap.
    big_target = StaffingTarget(service_level=0.8, threshold_seconds=20)
    big = {"interval_minutes": 30, "aht_seconds": 180.0, "target": big_target}
    big_c_seconds, big_c = best_of(args.repeat, lambda: required_agents(200_000, **big))
    big_a_seconds, big_a = best_of(
        args.repeat, lambda: required_agents(200_000, patience_mean_seconds=300.0, **big)
    )

    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "workload": {
            "intervals": INTERVALS,
            "queues": QUEUES,
            "interval_minutes": INTERVAL_MINUTES,
            "calls": int(calls.sum()),
            "target": "80 % within 20 s, max occupancy 0.85, shrinkage 0.3",
            "patience_seconds_erlang_a": PATIENCE_SECONDS,
        },
        "symfonie": {
            "erlang_c_week_seconds": erlang_c_seconds,
            "erlang_c_agent_intervals": int(erlang_c.agents.sum()),
            "erlang_a_week_seconds": erlang_a_seconds,
            "erlang_a_agent_intervals": int(erlang_a.agents.sum()),
            "erlang_c_20000_erlang_seconds": big_c_seconds,
            "erlang_c_20000_erlang_agents": big_c.agents,
            "erlang_a_20000_erlang_seconds": big_a_seconds,
            "erlang_a_20000_erlang_agents": big_a.agents,
        },
    }
    try:
        import pyworkforce  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        report["pyworkforce"] = None
    else:
        from importlib.metadata import version

        seconds, theirs = best_of(args.repeat, lambda: pyworkforce_week(calls, aht_seconds))
        difference = theirs - erlang_c.agents
        report["pyworkforce"] = {
            "version": version("pyworkforce"),
            "erlang_c_week_seconds": seconds,
            "agent_intervals": int(theirs.sum()),
            "intervals_differing": int(np.count_nonzero(difference)),
            "max_abs_difference": int(np.abs(difference).max()),
            "speedup_symfonie_vs_pyworkforce": seconds / erlang_c_seconds,
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
