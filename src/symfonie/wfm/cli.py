"""``symfonie wfm staff``: agents needed for one interval, or per hour from the bank data set.

One interval::

    symfonie wfm staff --calls 100 --interval-minutes 30 --aht-seconds 180 \\
        --service-level 0.8 --threshold-seconds 20 --max-occupancy 0.85 --shrinkage 0.3 \\
        [--patience-seconds 300] [--concurrency 3] [--agents 14] [--json]

Per hour of the day from the "Anonymous Bank" records (the published workforce exercise)::

    symfonie wfm staff --from-bank-file february_1999.txt.gz --weekday wednesday \\
        --max-p-wait 0.5 --calls-per-agent-hour 15 --json

Erlang C unless ``--patience-seconds`` is given (then Erlang A). No Django: the formulas are in
``symfonie.domain.wfm``. Bad input raises ``CommandError`` (exit code 2) naming the option.

``symfonie wfm simulate MODEL.toml`` (discrete-event simulation) lives in
:mod:`symfonie.wfm.simulate_cli`.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from typing import Any

from symfonie.cli import CommandError, setup_django
from symfonie.datasets import anonymous_bank
from symfonie.domain.wfm.erlang import UnstableQueueError, erlang_c_metrics
from symfonie.domain.wfm.erlang_a import ErlangAMetrics, ServiceLevelVariant, erlang_a_metrics
from symfonie.domain.wfm.staffing import (
    StaffingTarget,
    required_agents,
    scheduled_agents,
    staff_intervals,
)
from symfonie.wfm.forecast_cli import register_forecast
from symfonie.wfm.schedule_cli import register_schedule
from symfonie.wfm.simulate_cli import register_simulate

_INTERVAL_OPTIONS = ("calls", "interval_minutes", "aht_seconds", "agents")


def register(subparsers: Any) -> None:
    """Add ``wfm`` with its subcommands ``staff`` and ``simulate`` to the command line."""
    wfm = subparsers.add_parser(
        "wfm", help="workforce management: Erlang C / Erlang A staffing, simulation, forecasting"
    )
    commands = wfm.add_subparsers(dest="wfm_command", required=True, metavar="SUBCOMMAND")
    staff = commands.add_parser(
        "staff",
        help="agents needed to meet a service target",
        description="Fewest agents meeting every target given (Erlang C, or Erlang A with "
        "--patience-seconds); scheduled agents add shrinkage: ceil(agents / (1 - shrinkage)).",
    )
    load = staff.add_argument_group("one interval")
    load.add_argument("--calls", type=float, help="contacts arriving in the interval")
    load.add_argument("--interval-minutes", type=float, help="interval length in minutes")
    load.add_argument("--aht-seconds", type=float, help="average handle time in seconds")
    load.add_argument("--agents", type=int, help="evaluate this many agents instead of searching")
    bank = staff.add_argument_group("per hour from the Anonymous Bank file")
    bank.add_argument("--from-bank-file", metavar="PATH", help="bank records (.txt or .txt.gz)")
    bank.add_argument(
        "--tenant",
        metavar="SLUG",
        help="instead of a file: the tenant's stored contacts (e.g. the imported bank file)",
    )
    bank.add_argument("--queue", help="with --tenant: only this queue")
    bank.add_argument("--weekday", help="only this weekday, e.g. wednesday (default: all days)")
    bank.add_argument(
        "--calls-per-agent-hour",
        type=float,
        help="fixed service rate per agent; default: measured per hour (mean service + wrap-up)",
    )
    bank.add_argument(
        "--wrap-up-seconds", type=float, default=60.0, help="wrap-up per call (default 60)"
    )
    target = staff.add_argument_group("targets (all given must hold)")
    target.add_argument("--service-level", type=float, help="fraction answered within threshold")
    target.add_argument(
        "--threshold-seconds", type=float, default=20.0, help="answer-time threshold (default 20)"
    )
    target.add_argument("--max-asa-seconds", type=float, help="maximum ASA of answered contacts")
    target.add_argument("--max-p-wait", type=float, help="maximum probability of waiting")
    target.add_argument("--max-p-abandon", type=float, help="maximum P(abandon) (Erlang A)")
    target.add_argument(
        "--max-occupancy", type=float, default=1.0, help="maximum occupancy (default 1)"
    )
    target.add_argument(
        "--shrinkage", type=float, default=0.0, help="unavailable fraction of paid time"
    )
    model = staff.add_argument_group("model")
    model.add_argument(
        "--patience-seconds", type=float, help="mean caller patience: selects Erlang A"
    )
    model.add_argument(
        "--service-level-variant",
        choices=[variant.value for variant in ServiceLevelVariant],
        help="Erlang A service-level denominator (default all_arrivals)",
    )
    model.add_argument(
        "--concurrency", type=int, default=1, help="conversations per agent at once (chat)"
    )
    staff.add_argument("--json", action="store_true", help="print JSON instead of a table")
    staff.set_defaults(func=staff_command)
    register_simulate(commands)
    register_schedule(commands)
    register_forecast(commands)


def _require(
    option: str,
    value: float | None,
    *,
    low: float,
    high: float | None = None,
    low_open: bool = True,
    high_open: bool = False,
) -> None:
    if value is None:
        return
    too_low = value <= low if low_open else value < low
    too_high = high is not None and (value >= high if high_open else value > high)
    if not math.isfinite(value) or too_low or too_high:
        low_text = f"{'>' if low_open else '>='} {low:g}"
        high_text = "" if high is None else f" and {'<' if high_open else '<='} {high:g}"
        raise CommandError(f"{option} must be {low_text}{high_text}, got {value:g}")


def _variant(args: argparse.Namespace) -> ServiceLevelVariant:
    return ServiceLevelVariant(args.service_level_variant or ServiceLevelVariant.ALL_ARRIVALS)


def _target(args: argparse.Namespace) -> StaffingTarget | None:
    """Check every shared option; the target, or ``None`` when only ``--agents`` is evaluated."""
    _require("--service-level", args.service_level, low=0.0, high=1.0, high_open=True)
    _require("--threshold-seconds", args.threshold_seconds, low=0.0, low_open=False)
    _require("--max-asa-seconds", args.max_asa_seconds, low=0.0)
    _require("--max-p-wait", args.max_p_wait, low=0.0, high=1.0)
    _require("--max-p-abandon", args.max_p_abandon, low=0.0, high=1.0)
    _require("--max-occupancy", args.max_occupancy, low=0.0, high=1.0)
    _require("--shrinkage", args.shrinkage, low=0.0, high=1.0, low_open=False, high_open=True)
    _require("--patience-seconds", args.patience_seconds, low=0.0)
    if args.concurrency < 1:
        raise CommandError(f"--concurrency must be >= 1, got {args.concurrency}")
    if args.patience_seconds is None:
        if args.max_p_abandon is not None:
            raise CommandError("--max-p-abandon needs --patience-seconds (Erlang A)")
        if args.service_level_variant is not None:
            raise CommandError("--service-level-variant needs --patience-seconds (Erlang A)")
    goals = (args.service_level, args.max_asa_seconds, args.max_p_wait, args.max_p_abandon)
    if all(goal is None for goal in goals):
        if args.agents is not None:
            return None
        raise CommandError(
            "give a target: --service-level, --max-asa-seconds, --max-p-wait or --max-p-abandon"
        )
    return StaffingTarget(
        service_level=args.service_level,
        threshold_seconds=args.threshold_seconds,
        max_asa_seconds=args.max_asa_seconds,
        max_p_wait=args.max_p_wait,
        max_p_abandon=args.max_p_abandon,
        max_occupancy=args.max_occupancy,
        service_level_variant=_variant(args),
    )


def staff_command(args: argparse.Namespace) -> int:
    """Run ``symfonie wfm staff``; returns the exit code (bad input raises ``CommandError``)."""
    target = _target(args)
    try:
        if args.from_bank_file is not None or args.tenant is not None:
            report = _staff_bank_file(args, target)
        else:
            report = _staff_interval(args, target)
    except UnstableQueueError as exc:
        raise CommandError(f"--agents {args.agents}: {exc}") from None
    except ValueError as exc:  # the domain's own checks; our checks above name the option
        raise CommandError(str(exc)) from None
    print(json.dumps(report, indent=2) if args.json else _table(report))
    return 0


def _staff_interval(args: argparse.Namespace, target: StaffingTarget | None) -> dict[str, Any]:
    for option in ("calls", "interval_minutes", "aht_seconds"):
        if getattr(args, option) is None:
            raise CommandError(f"--{option.replace('_', '-')} is required (or --from-bank-file)")
    _require("--calls", args.calls, low=0.0)
    _require("--interval-minutes", args.interval_minutes, low=0.0)
    _require("--aht-seconds", args.aht_seconds, low=0.0)
    if args.agents is not None and args.agents < 1:
        raise CommandError(f"--agents must be >= 1, got {args.agents}")
    load = args.calls * args.aht_seconds / (args.interval_minutes * 60.0)
    if target is not None and args.agents is None:
        result = required_agents(
            args.calls,
            interval_minutes=args.interval_minutes,
            aht_seconds=args.aht_seconds,
            target=target,
            shrinkage=args.shrinkage,
            patience_mean_seconds=args.patience_seconds,
            concurrency=args.concurrency,
        )
        agents, scheduled, metrics = result.agents, result.scheduled_agents, result.metrics
    else:
        agents = args.agents
        assert agents is not None  # _target returns None only with --agents
        scheduled = scheduled_agents(agents, args.shrinkage)
        servers = agents * args.concurrency
        if args.patience_seconds is None:
            metrics = erlang_c_metrics(
                servers,
                load_erlangs=load,
                aht_seconds=args.aht_seconds,
                threshold_seconds=args.threshold_seconds,
            )
        else:
            metrics = erlang_a_metrics(
                servers,
                load_erlangs=load,
                aht_seconds=args.aht_seconds,
                patience_mean_seconds=args.patience_seconds,
                threshold_seconds=args.threshold_seconds,
            )
    report: dict[str, Any] = {
        "model": "erlang_c" if args.patience_seconds is None else "erlang_a",
        "calls": args.calls,
        "interval_minutes": args.interval_minutes,
        "aht_seconds": args.aht_seconds,
        "load_erlangs": load,
        "agents": agents,
        "scheduled_agents": scheduled,
        "shrinkage": args.shrinkage,
    }
    if args.concurrency > 1:
        report |= {"concurrency": args.concurrency, "servers": agents * args.concurrency}
    assert metrics is not None  # calls > 0, so at least one agent
    report |= {"p_wait": metrics.p_wait, "threshold_seconds": metrics.threshold_seconds}
    if isinstance(metrics, ErlangAMetrics):
        report |= {
            "patience_seconds": args.patience_seconds,
            "p_abandon": metrics.p_abandon,
            "service_level": metrics.service_level(_variant(args)),
            "service_level_variant": _variant(args).value,
            "asa_seconds": metrics.asa_served_seconds,
            "asa_all_arrivals_seconds": metrics.asa_all_arrivals_seconds,
        }
    else:
        report |= {"service_level": metrics.service_level, "asa_seconds": metrics.asa_seconds}
    report["occupancy"] = metrics.occupancy
    return report


def _staff_bank_file(args: argparse.Namespace, target: StaffingTarget | None) -> dict[str, Any]:
    for option in _INTERVAL_OPTIONS:
        if getattr(args, option) is not None:
            flag = f"--{option.replace('_', '-')}"
            raise CommandError(f"--from-bank-file cannot be combined with {flag}")
    assert target is not None  # without --agents, _target insists on a target
    _require("--calls-per-agent-hour", args.calls_per_agent_hour, low=0.0)
    _require("--wrap-up-seconds", args.wrap_up_seconds, low=0.0, low_open=False)
    if args.tenant is not None:
        if args.from_bank_file is not None:
            raise CommandError("give --from-bank-file or --tenant, not both")
        workload, calls_count, source = _tenant_workload(args)
    else:
        workload, calls_count = _file_workload(args)
        source = str(args.from_bank_file)
    measured_rates = workload.service_rate_per_hour(args.wrap_up_seconds)
    if args.calls_per_agent_hour is None:
        aht = [3600.0 / rate for rate in measured_rates]
    else:
        aht = [3600.0 / args.calls_per_agent_hour] * 24
    staffing = staff_intervals(
        list(workload.calls_per_hour),
        interval_minutes=60.0,
        aht_seconds=aht,
        target=target,
        shrinkage=args.shrinkage,
        patience_mean_seconds=args.patience_seconds,
        concurrency=args.concurrency,
    )
    hours = []
    for hour in range(24):
        row: dict[str, Any] = {
            "hour": hour,
            "calls_per_hour": workload.calls_per_hour[hour],
            "aht_seconds": aht[hour],
            "load_erlangs": float(staffing.load_erlangs[hour]),
            "agents": int(staffing.agents[hour]),
            "scheduled_agents": int(staffing.scheduled_agents[hour]),
            "p_wait": float(staffing.p_wait[hour]),
            "service_level": float(staffing.service_level[hour]),
            "asa_seconds": float(staffing.asa_seconds[hour]),
            "occupancy": float(staffing.occupancy[hour]),
        }
        if args.patience_seconds is not None:
            row["p_abandon"] = float(staffing.p_abandon[hour])
        hours.append(row)
    report: dict[str, Any] = {
        "model": staffing.model,
        "source": source,
        "weekday": args.weekday.lower() if args.weekday else None,
        "dates": [day.isoformat() for day in workload.dates],
        "calls": calls_count,
        "interval_minutes": 60,
        "wrap_up_seconds": args.wrap_up_seconds,
        "mean_hourly_service_rate": statistics.fmean(measured_rates),
        "calls_per_agent_hour": args.calls_per_agent_hour,
        "threshold_seconds": staffing.threshold_seconds,
    }
    if args.patience_seconds is not None:
        report["service_level_variant"] = staffing.service_level_variant.value
    report["agents_per_hour"] = [row["agents"] for row in hours]
    report["scheduled_agents_per_hour"] = [row["scheduled_agents"] for row in hours]
    report["hours"] = hours
    return report


def _file_workload(args: argparse.Namespace) -> tuple[anonymous_bank.HourlyWorkload, int]:
    try:
        calls = anonymous_bank.read_calls(args.from_bank_file)
    except OSError as exc:
        raise CommandError(f"--from-bank-file: cannot read {args.from_bank_file}: {exc}") from None
    except anonymous_bank.BankFileError as exc:
        raise CommandError(f"--from-bank-file {args.from_bank_file}: {exc}") from None
    # The published exercise's filter: drop virtual calls and rows with a negative VRU time.
    calls = anonymous_bank.exclude_negative_vru_time(anonymous_bank.exclude_phantom(calls))
    if args.weekday is not None:
        try:
            calls = anonymous_bank.on_weekday(calls, args.weekday)
        except ValueError as exc:
            raise CommandError(f"--weekday: {exc}") from None
    try:
        return anonymous_bank.hourly_workload(calls), len(calls)
    except ValueError as exc:
        raise CommandError(f"--from-bank-file with --weekday {args.weekday}: {exc}") from None


def _tenant_workload(args: argparse.Namespace) -> tuple[anonymous_bank.HourlyWorkload, int, str]:
    """The hourly workload of a tenant's stored contacts (``symfonie import`` put them there)."""
    setup_django()
    from symfonie.tenants.models import Tenant
    from symfonie.wfm.history import contact_hourly_workload

    tenant = Tenant.objects.filter(slug=args.tenant).first()
    if tenant is None:
        raise CommandError(f"--tenant: no tenant with slug {args.tenant!r}")
    if args.weekday is not None:
        try:
            anonymous_bank.weekday_index(args.weekday)
        except ValueError as exc:
            raise CommandError(f"--weekday: {exc}") from None
    try:
        workload = contact_hourly_workload(tenant, weekday=args.weekday, queue=args.queue)
    except ValueError as exc:
        raise CommandError(f"--tenant {args.tenant}: {exc}") from None
    calls = round(sum(workload.calls_per_hour) * len(workload.dates))
    return workload, calls, f"tenant {tenant.slug}"


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if value is None:
        return "-"
    if isinstance(value, list):
        return " ".join(_format(item) for item in value)
    return str(value)


def _table(report: dict[str, Any]) -> str:
    scalars = {key: value for key, value in report.items() if key != "hours"}
    width = max(len(key) for key in scalars)
    lines = [f"{key:<{width}}  {_format(value)}" for key, value in scalars.items()]
    rows = report.get("hours")
    if rows:
        columns = list(rows[0])
        cells = [[_format(row[column]) for column in columns] for row in rows]
        widths = [
            max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)
        ]
        lines.append("")
        lines.append("  ".join(column.rjust(w) for column, w in zip(columns, widths, strict=True)))
        lines.extend(
            "  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True)) for line in cells
        )
    return "\n".join(lines)
