"""``symfonie wfm forecast``: contacts and AHT per interval for the coming days, with a backtest.

From the Anonymous Bank file (no database)::

    symfonie wfm forecast --from-bank-file february_1999.txt.gz --queue PS \\
        --horizon-days 7 --interval-minutes 30 [--backtest-origins 14] [--json]

From a tenant's stored contacts::

    symfonie wfm forecast --tenant woonstad --queue Q --channel voice \\
        --history-start 2026-10-01 --history-end 2026-12-20 --horizon-days 7 \\
        --special-day 2026-12-24=0.6 --special-day 2026-12-31=closed [--json]

The method is chosen per series by a rolling-origin backtest; the forecast is in
:mod:`symfonie.domain.wfm.forecast`, the history in :mod:`symfonie.wfm.history`, the methods and
figures in docs/wfm-forecasting.md. Bad input raises ``CommandError`` (exit code 2) naming the
option.
"""

from __future__ import annotations

import argparse
import json
import math
from datetime import date
from typing import Any

from symfonie.cli import CommandError, setup_django
from symfonie.datasets.anonymous_bank import BankFileError
from symfonie.domain.wfm.forecast import (
    DayCalendar,
    SeriesForecast,
    SeriesHistory,
    forecast_series,
)
from symfonie.wfm.history import read_bank_history


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def register_forecast(commands: Any) -> None:
    """Add the ``forecast`` subcommand to the ``wfm`` subparsers."""
    parser = commands.add_parser(
        "forecast",
        help="forecast contacts and handle time per interval from history",
        description="Daily volume by the method with the lowest rolling-origin WAPE (seasonal "
        "naive, exponential smoothing, damped Holt-Winters), spread over the day by each "
        "weekday's intraday profile, with the handle time per interval. Public holidays and "
        "special days are handled as docs/wfm-forecasting.md says.",
    )
    source = parser.add_argument_group("history: the bank file or a tenant's contacts")
    source.add_argument("--from-bank-file", metavar="PATH", help="bank records (.txt or .txt.gz)")
    source.add_argument("--tenant", metavar="SLUG", help="forecast from this tenant's contacts")
    source.add_argument("--queue", help="one queue (bank file: call type, e.g. PS); default all")
    source.add_argument("--channel", help="one channel, e.g. voice (with --tenant); default all")
    source.add_argument("--history-start", type=_date, help="first local day (with --tenant)")
    source.add_argument("--history-end", type=_date, help="last local day, inclusive")
    horizon = parser.add_argument_group("forecast")
    horizon.add_argument("--horizon-days", type=int, default=7, help="days to forecast (7)")
    horizon.add_argument(
        "--horizon-start", type=_date, help="first day to forecast (default: after the history)"
    )
    horizon.add_argument(
        "--interval-minutes", type=int, choices=(15, 30, 60), default=30, help="(default 30)"
    )
    horizon.add_argument(
        "--backtest-origins", type=int, default=14, help="rolling origins to compare on (14)"
    )
    horizon.add_argument(
        "--special-day",
        action="append",
        default=[],
        metavar="DATE=FACTOR",
        help="a planner's special day: factor on its forecast, or DATE=closed (repeatable)",
    )
    horizon.add_argument(
        "--holidays",
        metavar="CODES",
        help="public holidays of these countries, e.g. NL or NL,BE, or none "
        "(default: the tenant's region; none for the bank file)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=forecast_command)


def _special_days(texts: list[str]) -> dict[date, float]:
    days: dict[date, float] = {}
    for text in texts:
        day_text, _, factor_text = text.partition("=")
        try:
            day = date.fromisoformat(day_text.strip())
            factor = 0.0 if factor_text.strip() == "closed" else float(factor_text)
        except ValueError:
            factor = math.nan
        if not math.isfinite(factor) or factor < 0:
            raise CommandError(
                f"--special-day: expected DATE=FACTOR (factor >= 0) or DATE=closed, got {text!r}"
            )
        days[day] = factor
    return days


def _countries(text: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if text is None:
        return default
    if text.strip().lower() == "none":
        return ()
    return tuple(code.strip().upper() for code in text.split(",") if code.strip())


def forecast_command(args: argparse.Namespace) -> int:
    """Run ``symfonie wfm forecast``; returns the exit code (bad input raises ``CommandError``)."""
    if (args.from_bank_file is None) == (args.tenant is None):
        raise CommandError("give exactly one of --from-bank-file PATH and --tenant SLUG")
    if args.horizon_days < 1:
        raise CommandError(f"--horizon-days must be >= 1, got {args.horizon_days}")
    if args.backtest_origins < 1:
        raise CommandError(f"--backtest-origins must be >= 1, got {args.backtest_origins}")
    special_days = _special_days(args.special_day)
    if args.from_bank_file is not None:
        history, countries, history_options = _bank_history(args)
    else:
        history, countries, history_options = _tenant_history(args)
    try:
        calendar = DayCalendar(
            countries=_countries(args.holidays, countries), special_days=special_days
        )
    except ValueError as exc:
        raise CommandError(f"--holidays: {exc}") from None
    if args.horizon_start is not None and args.horizon_start <= history.last_day:
        raise CommandError(
            f"--horizon-start {args.horizon_start} must be after the history's last day "
            f"{history.last_day}"
        )
    try:
        result = forecast_series(
            history,
            horizon_days=args.horizon_days,
            horizon_start=args.horizon_start,
            calendar=calendar,
            backtest_origins=args.backtest_origins,
        )
    except ValueError as exc:
        if "history too short" in str(exc):
            raise CommandError(f"{history_options}: {exc}") from None
        raise CommandError(str(exc)) from None
    report = forecast_report(history, result)
    print(json.dumps(report, indent=2) if args.json else _table(report))
    return 0


def _bank_history(args: argparse.Namespace) -> tuple[SeriesHistory, tuple[str, ...], str]:
    for option in ("channel", "history_start", "history_end"):
        if getattr(args, option) is not None:
            raise CommandError(f"--{option.replace('_', '-')} needs --tenant, not --from-bank-file")
    try:
        history = read_bank_history(
            args.from_bank_file, queue=args.queue, interval_minutes=args.interval_minutes
        )
    except OSError as exc:
        raise CommandError(f"--from-bank-file: cannot read {args.from_bank_file}: {exc}") from None
    except BankFileError as exc:
        raise CommandError(f"--from-bank-file {args.from_bank_file}: {exc}") from None
    except ValueError as exc:  # no calls of that type
        raise CommandError(f"--queue: {exc} in {args.from_bank_file}") from None
    return history, (), "--from-bank-file"


def _tenant_history(args: argparse.Namespace) -> tuple[SeriesHistory, tuple[str, ...], str]:
    if args.history_start is None or args.history_end is None:
        raise CommandError("--tenant needs --history-start and --history-end")
    if args.history_end < args.history_start:
        raise CommandError(
            f"--history-end {args.history_end} is before --history-start {args.history_start}"
        )
    setup_django()
    from symfonie.contacts.models import Contact
    from symfonie.contacts.models.interactions import Channel
    from symfonie.tenants.models import Tenant
    from symfonie.wfm.history import contact_history

    tenant = Tenant.objects.filter(slug=args.tenant).first()
    if tenant is None:
        known = ", ".join(Tenant.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"--tenant: no tenant with slug {args.tenant!r} (known: {known})")
    contacts = Contact.objects.filter(tenant=tenant)
    if args.queue and not contacts.filter(queue=args.queue).exists():
        queues = contacts.order_by().values_list("queue", flat=True).distinct()
        known = ", ".join(sorted(queues)) or "none"
        raise CommandError(f"--queue: no queue {args.queue!r} in {tenant.slug} (known: {known})")
    if args.channel and args.channel not in Channel.values:
        raise CommandError(
            f"--channel: unknown channel {args.channel!r} (one of {', '.join(Channel.values)})"
        )
    history = contact_history(
        tenant,
        start=args.history_start,
        end=args.history_end,
        queue=args.queue,
        channel=args.channel,
        interval_minutes=args.interval_minutes,
    )
    if history.contacts.sum() == 0:
        raise CommandError(
            f"--history-start/--history-end: no contacts of {history.series} from "
            f"{args.history_start} to {args.history_end}: nothing to forecast from"
        )
    return history, (tenant.default_region,), "--history-start/--history-end"


def forecast_report(history: SeriesHistory, result: SeriesForecast) -> dict[str, Any]:
    """The forecast as a JSON-ready dict (the ``--json`` output)."""
    daily = history.daily_contacts
    aht = result.aht_seconds
    return {
        "series": result.series,
        "time_zone": result.time_zone,
        "interval_minutes": result.interval_minutes,
        "history": {
            "start": history.first_day.isoformat(),
            "end": history.last_day.isoformat(),
            "days": history.days,
            "contacts": float(daily.sum()),
            "daily_contacts": [float(value) for value in daily],
            "irregular_days": [
                {"date": day.isoformat(), "kind": info.kind.value, "name": info.name}
                for day, info in result.irregular_history_days
            ],
        },
        "method": result.method,
        "yearly_seasonality": result.yearly_seasonality,
        "backtest_origins": result.backtest[0].origins,
        "backtest_horizon_days": result.backtest_horizon_days,
        "backtest": [
            {
                "method": score.method,
                "wape": score.wape,
                "mase": score.mase,
                "mae_contacts": score.mae_contacts,
                "forecasts": score.forecasts,
            }
            for score in result.backtest
        ],
        "skipped_methods": result.skipped_methods,
        "daily": [
            {
                "date": day.day.isoformat(),
                "contacts": day.contacts,
                "kind": day.kind.value,
                "name": day.name,
                "profile_weekday": day.profile_weekday,
                "aht_seconds": day.aht_seconds,
            }
            for day in result.days
        ],
        "intervals": [
            {
                "start": start.isoformat(),
                "contacts": float(result.contacts[i]),
                "aht_seconds": None if aht is None else float(aht[i]),
            }
            for i, start in enumerate(result.interval_starts)
        ],
    }


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _table(report: dict[str, Any]) -> str:
    history = report["history"]
    lines = [
        f"series       {report['series']} ({report['time_zone']})",
        f"history      {history['start']} – {history['end']}: {history['days']} days, "
        f"{history['contacts']:.0f} contacts",
        f"method       {report['method']} (lowest WAPE over {report['backtest_origins']} origins, "
        f"{report['backtest_horizon_days']} days ahead)",
        "",
        f"{'method':<28} {'WAPE':>8} {'MASE':>8} {'MAE/day':>9}",
    ]
    for score in report["backtest"]:
        lines.append(
            f"{score['method']:<28} {_number(score['wape'], 4):>8} {_number(score['mase'], 4):>8} "
            f"{_number(score['mae_contacts']):>9}"
        )
    for method, reason in report["skipped_methods"].items():
        lines.append(f"{method:<28} skipped: {reason}")
    lines += ["", f"{'date':<12} {'contacts':>9} {'AHT s':>7}  day"]
    for day in report["daily"]:
        note = day["kind"] if not day["name"] else f"{day['kind']}: {day['name']}"
        lines.append(
            f"{day['date']:<12} {day['contacts']:>9.1f} {_number(day['aht_seconds']):>7}  {note}"
        )
    lines += ["", f"{'interval start':<26} {'contacts':>9} {'AHT s':>7}"]
    for interval in report["intervals"]:
        lines.append(
            f"{interval['start']:<26} {interval['contacts']:>9.2f} "
            f"{_number(interval['aht_seconds']):>7}"
        )
    return "\n".join(lines)
