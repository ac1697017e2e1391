"""CSV and XLSX downloads: the dashboard's figures per bucket, and the contacts of a drill-down.

Columns carry the same names as ``symfonie report kpis --json`` (``summary_json``), flattened
(``service_level_answered``…), so a spreadsheet and a script read the same thing. Times are on
the tenant's clock: ISO 8601 with the offset in CSV, local date-times in XLSX (Excel knows no
time zones; the column header names the zone). Text that a spreadsheet would run as a formula
(a customer called ``=HYPERLINK(…)``) is written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook

from symfonie.contacts.models import Contact
from symfonie.domain.kpi.records import ContactRecord
from symfonie.reporting.drilldown import handle_seconds
from symfonie.reporting.report import KpiReport, summary_json
from symfonie.tenants.models import Tenant

Cell = str | int | float | bool | datetime | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TIME_COLUMNS = {"start", "end", "arrived_at"}


def safe_text(value: Cell) -> Cell:
    """Text that a spreadsheet would take for a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def flatten(figures: dict[str, object]) -> dict[str, Cell]:
    """``summary_json`` as one flat row: nested service levels get their own columns."""
    row: dict[str, Cell] = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            for inner, item in value.items():
                row[f"{key}_{inner}"] = item
        elif isinstance(value, list | tuple):
            row[key] = ";".join(f"{item:g}" for item in value)
        else:
            row[key] = value  # type: ignore[assignment]
    return row


def filename(tenant: Tenant, start: date, end: date, kind: str, extension: str) -> str:
    return f"symfonie-{tenant.slug}-{kind}-{start.isoformat()}-{end.isoformat()}.{extension}"


def dashboard_table(report: KpiReport) -> tuple[list[str], list[list[Cell]]]:
    """One row per bucket and a total row: start, end, then the ``summary_json`` figures."""
    total = flatten(summary_json(report.total))
    header = ["start", "end", *total]
    rows: list[list[Cell]] = []
    for bucket in report.buckets:
        figures = flatten(summary_json(bucket.summary))
        rows.append([bucket.start, bucket.end, *(figures[key] for key in total)])
    first, last = report.filter.instants
    rows.append([first, last, *total.values()])
    return header, rows


def people(contacts: QuerySet[Contact]) -> dict[int, tuple[int | None, str, str]]:
    """contact id → (customer id, customer name, agent name), in one query without models."""
    rows = contacts.values_list(
        "id", "customer_id", "customer__name", "agent__first_name", "agent__last_name",
        "agent__email",
    )  # fmt: skip
    found = {}
    for pk, customer_id, name, first, last, email in rows.iterator(chunk_size=5000):
        agent = f"{first or ''} {last or ''}".strip() or (email or "")
        found[pk] = (customer_id, name or "", agent)
    return found


def drill_table(
    records: Sequence[ContactRecord], names: dict[int, tuple[int | None, str, str]]
) -> tuple[list[str], list[list[Cell]]]:
    """One row per contact of a drill-down, in its order (``names``: see :func:`people`)."""
    header = [
        "contact", "arrived_at", "channel", "queue", "customer_id", "customer", "agent",
        "wait_seconds", "handle_seconds", "outcome", "transferred", "escalated",
        "csat_score", "nps_score", "topics",
    ]  # fmt: skip
    rows: list[list[Cell]] = []
    for record in records:
        pk = int(record.contact_id)
        customer_id, customer, agent = names[pk]
        rows.append(
            [
                pk,
                record.arrived_at,
                record.channel,
                record.queue,
                customer_id,
                customer,
                agent,
                record.wait_seconds,
                handle_seconds(record),
                record.outcome.value,
                record.transferred,
                record.escalated,
                record.csat_score,
                record.nps_score,
                ";".join(record.topic_keys),
            ]
        )
    return header, rows


def _local(value: Cell, zone: ZoneInfo, *, aware: bool) -> Cell:
    if isinstance(value, datetime):
        local = value.astimezone(zone)
        return local.isoformat() if aware else local.replace(tzinfo=None)
    return safe_text(value)


def _attachment(content: bytes | str, content_type: str, name: str) -> HttpResponse:
    return HttpResponse(
        content,
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(True, name)},
    )


def csv_response(
    name: str, header: list[str], rows: Iterable[list[Cell]], zone: ZoneInfo
) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else _local(value, zone, aware=True) for value in row])
    return _attachment(buffer.getvalue(), "text/csv; charset=utf-8", name)


def xlsx_response(
    name: str,
    header: list[str],
    rows: Iterable[list[Cell]],
    zone: ZoneInfo,
    *,
    title: str,
    about: Sequence[tuple[str, str]] = (),
) -> HttpResponse:
    """A workbook with the rows on the first sheet and what they cover on a second."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    zone_name = str(zone.key)
    sheet.append([f"{key} ({zone_name})" if key in _TIME_COLUMNS else key for key in header])
    for row in rows:
        sheet.append([_local(value, zone, aware=False) for value in row])
    info = book.create_sheet("about")
    for key, value in about:
        info.append([key, safe_text(value)])
    output = io.BytesIO()
    book.save(output)
    return _attachment(output.getvalue(), XLSX_TYPE, name)
