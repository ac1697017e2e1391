"""``symfonie wfm simulate``: run a TOML contact-center model for N independent days.

::

    symfonie wfm simulate src/symfonie/wfm/models/MMCAb.toml --replications 1000 --seed 1 --json

Prints every KPI with its confidence interval (Student t; delta method for ratios), for all
contact types together, per contact type and per agent group, and the definition of each
service-level variant printed. The model format is in :mod:`symfonie.wfm.model_file`; the
simulator in :mod:`symfonie.domain.wfm.simulate`. A missing or invalid model field, or a bad
option, raises ``CommandError`` (exit code 2) naming it.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from symfonie.cli import CommandError
from symfonie.domain.wfm.sim_model import ModelError
from symfonie.domain.wfm.simulate import Engine, simulate
from symfonie.wfm.model_file import ModelFileError, load_model


def register_simulate(commands: Any) -> None:
    """Add the ``simulate`` subcommand to the ``wfm`` subparsers."""
    parser = commands.add_parser(
        "simulate",
        help="simulate a contact-center model (TOML) over independent days",
        description="Discrete-event simulation of a TOML model: several contact types and "
        "agent groups, abandonment, balking, blocking, retrials; KPIs with confidence "
        "intervals over independent days. See docs/wfm.md, section Simulator.",
    )
    parser.add_argument("model", metavar="MODEL.toml", help="the model file")
    parser.add_argument(
        "--replications", type=int, default=100, help="independent days to simulate (default 100)"
    )
    parser.add_argument("--seed", type=int, help="seed (integer >= 0) for reproducible results")
    parser.add_argument(
        "--engine",
        choices=[engine.value for engine in Engine],
        default=Engine.AUTO.value,
        help="auto (default): the fast single-queue engine when it applies, else event",
    )
    parser.add_argument(
        "--confidence", type=float, default=0.95, help="confidence level (default 0.95)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=simulate_command)


def simulate_command(args: argparse.Namespace) -> int:
    """Run ``symfonie wfm simulate``; returns the exit code (bad input raises ``CommandError``)."""
    if args.replications < 2:
        raise CommandError(
            f"--replications must be >= 2 (for an interval), got {args.replications}"
        )
    if args.seed is not None and args.seed < 0:
        raise CommandError(f"--seed must be an integer >= 0, got {args.seed}")
    if not 0.0 < args.confidence < 1.0:
        raise CommandError(f"--confidence must lie in (0, 1), got {args.confidence:g}")
    try:
        model = load_model(args.model)
    except ModelFileError as exc:
        raise CommandError(str(exc)) from None
    except ModelError as exc:
        raise CommandError(f"{args.model}: field {exc.field}: {exc.problem}") from None
    try:
        result = simulate(
            model,
            args.replications,
            seed=args.seed,
            engine=Engine(args.engine),
            confidence_level=args.confidence,
        )
    except ValueError as exc:  # e.g. --engine fifo for a multi-skill model
        raise CommandError(f"--engine {args.engine}: {exc}") from None
    report = result.to_dict()
    print(json.dumps(report, indent=2) if args.json else _table(report))
    return 0


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def _kpi_lines(kpis: dict[str, dict[str, float | None]]) -> list[str]:
    width = max(len(name) for name in kpis)
    return [
        f"  {name:<{width}}  {_cell(kpi['mean']):>10}  "
        f"({_cell(kpi['ci_low'])}, {_cell(kpi['ci_high'])})"
        for name, kpi in kpis.items()
    ]


def _table(report: dict[str, Any]) -> str:
    level = f"{report['confidence_level']:.0%}"
    lines = [
        f"model              {report['model']}",
        f"replications       {report['replications']} days",
        f"seed               {report['seed']}",
        f"engine             {report['engine']}",
        f"threshold_seconds  {report['threshold_seconds']:g}",
        "",
        "definitions (s = threshold_seconds):",
    ]
    lines += [f"  {name}: {text}" for name, text in report["definitions"].items()]
    lines += ["", f"all contact types: mean ({level} confidence interval)"]
    lines += _kpi_lines(report["kpis"])
    if len(report["by_contact_type"]) > 1:
        for name, kpis in report["by_contact_type"].items():
            lines += ["", f"contact type {name}", *_kpi_lines(kpis)]
    lines += ["", "agent groups"]
    lines += _kpi_lines(
        {f"{name}.occupancy": kpis["occupancy"] for name, kpis in report["by_agent_group"].items()}
    )
    return "\n".join(lines)
