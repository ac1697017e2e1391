"""Benchmark: simulated calls per second for the ContactCenters MMCAb model, ours against SimPy.

MMCAb (``src/symfonie/wfm/models/MMCAb.toml``): Poisson arrivals 4.2/min for 480 min, exponential
service (mean 2 min) and patience (mean 1 min), 12 agents, FIFO, the queue served after closing.
The days' inputs (arrival times, service and patience times) are drawn once with
``symfonie.domain.wfm.sim_day.draw_day`` and then simulated, in the same process, by

* ``symfonie_fifo`` — the single-queue engine ``auto`` picks for this model;
* ``symfonie_event`` — the general event-list engine (multi-skill models use it);
* ``simpy`` — a straightforward SimPy model: one process per caller, a ``Resource`` with 12
  agents, ``request | timeout(patience)`` for abandonment (skipped, ``null``, when ``simpy`` is
  not importable: it is not a Symfonie dependency).

All three must produce the same tallies per day (served, in target, abandoned, busy time),
which is checked and reported (``fifo_and_event_identical``, ``simpy.identical_tallies``).
``end_to_end_calls_per_second`` times ``simulate()`` including the random draws.
Timings are best-of-``--repeat`` wall clock; writes ``bench/results/simulation.json``.

    PYTHONPATH=src python bench/bench_simulation.py [--days 200] [--repeat 3]
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

from symfonie.domain.wfm.sim_day import DayArrivals, RetrialDraws, draw_day
from symfonie.domain.wfm.sim_events import run_event_day
from symfonie.domain.wfm.sim_fifo import run_fifo_day
from symfonie.domain.wfm.sim_model import SimulationModel
from symfonie.domain.wfm.simulate import Engine, simulate
from symfonie.wfm.model_file import EXAMPLES_DIR, load_model

RESULTS = Path(__file__).resolve().parent / "results" / "simulation.json"
GOAL_SPEEDUP = 10.0
SEED = 20240101
# Tallies compared between the engines: served, in target, abandoned, abandoned after s.
COMPARED = (2, 3, 5, 6)


def simpy_day(model: SimulationModel, day: DayArrivals) -> list[float]:
    """One MMCAb day in SimPy on the given inputs; the tallies of ``COMPARED`` plus busy time."""
    import simpy  # type: ignore[import-not-found]

    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=model.agent_groups[0].agents[0])
    close = model.open_seconds
    threshold = model.threshold_seconds
    tally = {"served": 0, "in_target": 0, "abandoned": 0, "after_s": 0, "busy": 0.0}

    def caller(service: float, patience: float) -> Any:
        arrived = env.now
        with agents.request() as request:
            outcome = yield request | env.timeout(patience)
            wait = env.now - arrived
            if request in outcome:
                tally["served"] += 1
                if wait < threshold:
                    tally["in_target"] += 1
                if env.now < close:
                    tally["busy"] += min(env.now + service, close) - env.now
                yield env.timeout(service)
            else:
                tally["abandoned"] += 1
                if wait >= threshold:
                    tally["after_s"] += 1

    def arrivals() -> Any:
        for at, service, patience in zip(day.times, day.services, day.patiences, strict=True):
            yield env.timeout(at - env.now)
            env.process(caller(service, patience))

    env.process(arrivals())
    env.run()
    return [
        float(tally["served"]),
        float(tally["in_target"]),
        float(tally["abandoned"]),
        float(tally["after_s"]),
        tally["busy"],
    ]


def ours(engine: Callable[..., Any], model: SimulationModel, day: DayArrivals) -> list[float]:
    rows, groups = engine(model, day, RetrialDraws(model, np.random.default_rng(0)))
    return [rows[0][column] for column in COMPARED] + [groups[0][0]]


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    model = load_model(EXAMPLES_DIR / "MMCAb.toml")
    children = np.random.SeedSequence(SEED).spawn(args.days)
    days = [draw_day(model, np.random.Generator(np.random.PCG64(child))) for child in children]
    calls = sum(len(day.times) for day in days)

    def run_all(engine: Callable[[SimulationModel, DayArrivals], list[float]]) -> Any:
        return [engine(model, day) for day in days]

    fifo_seconds, fifo = best_of(
        args.repeat, lambda: run_all(lambda m, d: ours(run_fifo_day, m, d))
    )
    event_seconds, event = best_of(
        args.repeat, lambda: run_all(lambda m, d: ours(run_event_day, m, d))
    )
    end_seconds, _ = best_of(args.repeat, lambda: simulate(model, args.days, seed=SEED))
    same = np.allclose(np.array(fifo), np.array(event), rtol=1e-9, atol=1e-6)
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "workload": {
            "model": "MMCAb (ContactCenters): λ 4.2/min, 480 min, 12 agents, exp. service 2 min, "
            "exp. patience 1 min",
            "days": args.days,
            "calls": calls,
            "seed": SEED,
            "timing": f"best of {args.repeat}, wall clock, same pre-drawn inputs",
        },
        "symfonie": {
            "fifo_engine_calls_per_second": calls / fifo_seconds,
            "event_engine_calls_per_second": calls / event_seconds,
            "end_to_end_calls_per_second": calls / end_seconds,
            "end_to_end_engine": Engine.FIFO.value,
            "fifo_and_event_identical": bool(same),
        },
    }
    try:
        import simpy  # noqa: F401
    except ImportError:
        report["simpy"] = None
    else:
        from importlib.metadata import version

        simpy_seconds, theirs = best_of(args.repeat, lambda: run_all(simpy_day))
        simpy_rate = calls / simpy_seconds
        report["simpy"] = {
            "version": version("simpy"),
            "calls_per_second": simpy_rate,
            "identical_tallies": bool(
                np.allclose(np.array(theirs), np.array(fifo), rtol=1e-9, atol=1e-6)
            ),
            "speedup_fifo_engine": calls / fifo_seconds / simpy_rate,
            "speedup_event_engine": calls / event_seconds / simpy_rate,
            "speedup_end_to_end": calls / end_seconds / simpy_rate,
            "goal_speedup": GOAL_SPEEDUP,
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
