"""``symfonie import …`` (historical contacts) and ``symfonie report kpis`` (figures as JSON).

    symfonie import anonymous-bank FILE --tenant SLUG [--json]
    symfonie import contacts FILE.csv --tenant SLUG [--json]      (format: docs/kpis.md)
    symfonie report kpis --tenant SLUG --start DATE --end DATE [--queue Q] [--channel C]
                         [--interval 15m|30m|60m|day|week|month] [--json]
    symfonie report weekly [--tenant SLUG] [--week YYYY-Www]

Unknown tenant or queue, a reversed range, a file in the wrong format → exit code 2 with the
reason; bad rows of a good file go into the import report and the rest is imported.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from symfonie.cli import CommandError, setup_django


def register(subparsers: Any) -> None:
    importing = subparsers.add_parser("import", help="import historical contacts")
    kinds = importing.add_subparsers(dest="import_kind", required=True, metavar="KIND")
    bank = kinds.add_parser(
        "anonymous-bank", help="the Anonymous Bank call records (shared/data/anonymous-bank)"
    )
    contacts = kinds.add_parser("contacts", help="contacts from a CSV file (docs/kpis.md)")
    for parser, func in ((bank, cmd_import_bank), (contacts, cmd_import_csv)):
        parser.add_argument("file", type=Path)
        parser.add_argument("--tenant", required=True, metavar="SLUG")
        parser.add_argument("--json", action="store_true", help="print the import report as JSON")
        parser.set_defaults(func=func)

    report = subparsers.add_parser("report", help="KPI reports")
    reports = report.add_subparsers(dest="report_kind", required=True, metavar="REPORT")
    kpis = reports.add_parser("kpis", help="contact-center KPIs of a date range")
    kpis.add_argument("--tenant", required=True, metavar="SLUG")
    kpis.add_argument("--start", required=True, type=_date, help="first day (YYYY-MM-DD)")
    kpis.add_argument("--end", required=True, type=_date, help="last day, inclusive")
    kpis.add_argument("--queue")
    kpis.add_argument("--channel")
    kpis.add_argument("--interval", help="15m, 30m, 60m, day, week or month")
    kpis.add_argument("--json", action="store_true")
    kpis.set_defaults(func=cmd_report_kpis)
    rebuild = reports.add_parser(
        "rebuild", help="recompute a tenant's stored KPI tallies (after changing its KPI settings)"
    )
    rebuild.add_argument("--tenant", required=True, metavar="SLUG")
    rebuild.set_defaults(func=cmd_report_rebuild)

    weekly = reports.add_parser(
        "weekly", help="e-mail the weekly report to supervisors, admins and client viewers now"
    )
    weekly.add_argument("--tenant", metavar="SLUG", help="one tenant (default: every tenant)")
    weekly.add_argument(
        "--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W10 (default: last week)"
    )
    weekly.set_defaults(func=cmd_report_weekly)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _tenant(slug: str):
    from symfonie.tenants.models import Tenant

    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        known = ", ".join(Tenant.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"no tenant with slug {slug!r} (known: {known})")
    return tenant


def _run_import(args: argparse.Namespace, importer) -> int:
    setup_django()
    from symfonie.problems import InvalidInput
    from symfonie.reporting.imports.writer import progress_bar

    tenant = _tenant(args.tenant)
    if not args.file.is_file():
        raise CommandError(f"no such file: {args.file}")
    try:
        run, report = importer(tenant, args.file, progress=progress_bar(sys.stderr))
    except InvalidInput as exc:
        raise CommandError(exc.detail) from None
    except UnicodeDecodeError as exc:
        raise CommandError(f"{args.file.name} is not a text file: {exc.reason}") from None
    if args.json:
        print(json.dumps({"import_run": run.pk, **report.as_json()}, indent=2))
    else:
        print(
            f"{report.rows} rows: {report.imported} imported, {report.already_present} already "
            f"present, {report.rejected} rejected"
        )
        for rejection in report.rejections[:20]:
            print(f"  line {rejection['line']}: {rejection['reason']}")
        if report.rejected > 20:
            print(f"  … {report.rejected - 20} more (--json lists them all)")
    return 0


def cmd_import_bank(args: argparse.Namespace) -> int:
    setup_django()
    from symfonie.reporting.imports.bank import import_bank_file

    return _run_import(args, import_bank_file)


def cmd_import_csv(args: argparse.Namespace) -> int:
    setup_django()
    from symfonie.reporting.imports.csv_contacts import import_csv_file

    return _run_import(args, import_csv_file)


def cmd_report_kpis(args: argparse.Namespace) -> int:
    setup_django()
    from symfonie.contacts.models import Contact
    from symfonie.problems import InvalidInput
    from symfonie.reporting.report import ReportFilter, kpi_report, summary_json

    tenant = _tenant(args.tenant)
    if args.queue and not Contact.objects.filter(tenant=tenant, queue=args.queue).exists():
        known = sorted(set(Contact.objects.filter(tenant=tenant).values_list("queue", flat=True)))
        raise CommandError(f"no queue {args.queue!r} in {tenant.slug} (known: {', '.join(known)})")
    try:
        report_filter = ReportFilter(
            tenant, args.start, args.end, queue=args.queue, channel=args.channel
        )
        report = kpi_report(report_filter, every=args.interval)
    except InvalidInput as exc:
        raise CommandError(f"--{exc.field}: {exc}") from None
    figures: dict[str, Any] = {
        "tenant": tenant.slug,
        "start": args.start.isoformat(),
        "end": args.end.isoformat(),
        "time_zone": tenant.time_zone,
        "queue": args.queue,
        "channel": args.channel,
        "short_abandon_seconds": report.settings.short_abandon_seconds,
        **summary_json(report.total),
    }
    if args.interval:
        figures["interval"] = args.interval
        figures["intervals"] = [
            {"start": b.start.isoformat(), "end": b.end.isoformat(), **summary_json(b.summary)}
            for b in report.buckets
        ]
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    level = figures["service_level"]
    print(f"{tenant.name}, {args.start} – {args.end} ({tenant.time_zone})")
    for name in ("offered", "answered", "abandoned", "short_abandons", "abandonment_rate"):
        print(f"  {name:<34} {figures[name]}")
    for variant, value in level.items():
        print(f"  {'service level (' + variant + ')':<34} {value}")
    for name in ("asa_seconds", "aht_seconds", "avg_wait_abandoned_seconds"):
        print(f"  {name:<34} {figures[name]}")
    for bucket in figures.get("intervals", []):
        print(
            f"  {bucket['start']}  offered {bucket['offered']:>6}  "
            f"SL {bucket['service_level']['answered']}"
        )
    return 0


def cmd_report_rebuild(args: argparse.Namespace) -> int:
    setup_django()
    from symfonie.reporting.aggregates import rebuild

    tenant = _tenant(args.tenant)
    rows = rebuild(tenant)
    print(f"{tenant.slug}: {rows} interval rows recomputed from the contacts")
    return 0


def cmd_report_weekly(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from symfonie.problems import InvalidInput
    from symfonie.reporting.weekly import parse_week, send_weekly_reports

    if args.tenant:
        _tenant(args.tenant)  # an unknown slug lists the known ones
    try:
        monday = parse_week(args.week) if args.week else None
        sent = send_weekly_reports(timezone.now(), week=monday, tenant_slug=args.tenant)
    except InvalidInput as exc:
        raise CommandError(f"--{exc.field}: {exc}") from None
    for tenant, first_day, count in sent:
        year, week, _day = first_day.isocalendar()
        print(f"{tenant.slug} {year}-W{week:02d}: {count} e-mail(s) sent")
    return 0
