"""``symfonie import contacts FILE.csv``: contacts from any system, in one documented CSV layout.

Comma-separated, UTF-8, a header line; the columns (docs/kpis.md, "Importing history"):

* required: ``external_id`` (the source's key: a second import skips it), ``channel`` (one of
  Symfonie's channels), ``arrived_at``;
* optional: ``queue``, ``queued_at``, ``answered_at``, ``ended_at``, ``wrap_up_ended_at``,
  ``customer_number``, ``agent``, ``outcome`` (resolved, follow_up, escalated, transferred),
  ``transferred``, ``escalated``, ``self_service`` (true/false), ``talk_seconds``,
  ``hold_seconds``, ``csat`` (1–5), ``nps`` (0–10), ``priority``.

Times are ISO 8601; without an offset they are on the tenant's clock. Every row is checked as a
KPI record (times in order, scores in range); a bad row goes into the report with its line
number and reason, the others are imported.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from symfonie.contacts.models.interactions import Channel, Direction, Outcome
from symfonie.domain.kpi.records import ContactRecord
from symfonie.problems import InvalidInput
from symfonie.reporting.imports.writer import (
    ImportReport,
    PendingContact,
    ProgressFn,
    write_contacts,
)
from symfonie.reporting.models import ImportRun
from symfonie.tenants.models import Tenant

KIND = "contacts-csv"
REQUIRED = ("external_id", "channel", "arrived_at")
OPTIONAL = (
    "queue",
    "queued_at",
    "answered_at",
    "ended_at",
    "wrap_up_ended_at",
    "customer_number",
    "agent",
    "outcome",
    "transferred",
    "escalated",
    "self_service",
    "talk_seconds",
    "hold_seconds",
    "csat",
    "nps",
    "priority",
)
TIMES = ("arrived_at", "queued_at", "answered_at", "ended_at", "wrap_up_ended_at")
TRUE, FALSE = {"1", "true", "yes", "ja", "y"}, {"", "0", "false", "no", "nee", "n"}


class RowError(ValueError):
    pass


def _time(row: dict[str, str], name: str, zone: ZoneInfo) -> datetime | None:
    text = (row.get(name) or "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise RowError(f"{name}: not an ISO 8601 time: {text!r}") from None
    return value if value.utcoffset() is not None else value.replace(tzinfo=zone)


def _flag(row: dict[str, str], name: str) -> bool:
    text = (row.get(name) or "").strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise RowError(f"{name}: expected true or false, got {text!r}")


def _number(row: dict[str, str], name: str, kind: type = float) -> float | int | None:
    text = (row.get(name) or "").strip()
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise RowError(f"{name}: not a number: {text!r}") from None


def _pending(line: int, row: dict[str, str], zone: ZoneInfo) -> PendingContact:
    external_id = (row.get("external_id") or "").strip()
    if not external_id or len(external_id) > 90:
        raise RowError("external_id: required, at most 90 characters")
    channel = (row.get("channel") or "").strip().lower()
    if channel not in Channel.values:
        raise RowError(f"channel: {channel!r} is not one of {', '.join(Channel.values)}")
    times = {name: _time(row, name, zone) for name in TIMES}
    if times["arrived_at"] is None:
        raise RowError("arrived_at: required")
    outcome = (row.get("outcome") or "").strip()
    if outcome not in Outcome.values:
        raise RowError(f"outcome: {outcome!r} is not one of {', '.join(Outcome.values[1:])}")
    queue = (row.get("queue") or "").strip()[:64]
    csat, nps = _number(row, "csat", int), _number(row, "nps", int)
    transferred = _flag(row, "transferred") or outcome == Outcome.TRANSFERRED
    escalated = _flag(row, "escalated") or outcome == Outcome.ESCALATED
    try:
        record = ContactRecord(  # checks the order of the times and the score ranges
            contact_id=external_id,
            tenant="",
            queue=queue,
            channel=channel,
            ended_in_self_service=_flag(row, "self_service"),
            talk_seconds=_number(row, "talk_seconds"),
            hold_seconds=_number(row, "hold_seconds"),
            outcome=outcome,
            transferred=transferred,
            escalated=escalated,
            csat_score=csat,  # type: ignore[arg-type]
            nps_score=nps,  # type: ignore[arg-type]
            priority=int(_number(row, "priority", int) or 0),
            **times,  # type: ignore[arg-type]
        )
    except ValueError as exc:
        raise RowError(str(exc)) from None
    answered, queued, ended = record.answered_at, record.queued_at, record.ended_at
    state = "closed" if ended else ("active" if answered else ("queued" if queued else "new"))
    if ended and queued and not answered:
        state = "abandoned"
    values = {
        "channel": channel,
        "direction": Direction.INBOUND,
        "state": state,
        "queue": queue,
        "outcome": outcome,
        "arrived_at": record.arrived_at,
        "queued_at": queued,
        "answered_at": answered,
        "ended_at": ended,
        "wrap_up_ended_at": record.wrap_up_ended_at,
        "ended_in_self_service": record.ended_in_self_service,
        "transferred": transferred,
        "escalated": escalated,
        "talk_seconds": record.talk_seconds,
        "hold_seconds": record.hold_seconds,
        "csat_score": csat,
        "nps_score": nps,
        "priority": record.priority,
        "external_ref": f"csv:{external_id}",
    }
    customer_number = (row.get("customer_number") or "").strip().upper() or None
    return PendingContact(
        line=line,
        values=values,
        record=record,
        customer_number=customer_number,
        agent_name=(row.get("agent") or "").strip() or None,
    )


def import_csv_file(
    tenant: Tenant, path: Path, *, progress: ProgressFn | None = None
) -> tuple[ImportRun, ImportReport]:
    """Import a CSV of contacts; a header without the required columns → ``InvalidInput``."""
    report = ImportReport(source_name=path.name)
    zone = ZoneInfo(tenant.time_zone)
    pending: list[PendingContact] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8-sig", newline="") as text:
        reader = csv.DictReader(text)
        columns = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in REQUIRED if name not in columns]
        if missing:
            raise InvalidInput(
                f"{path.name}: missing the column(s) {', '.join(missing)}; expected a "
                f"comma-separated header with {', '.join(REQUIRED)} and optionally "
                f"{', '.join(OPTIONAL)}",
                field="file",
            )
        reader.fieldnames = columns
        for row in reader:
            line = reader.line_num
            report.rows += 1
            try:
                item = _pending(line, row, zone)
            except RowError as exc:
                report.reject(line, str(exc))
                continue
            if item.external_ref in seen:
                report.reject(line, f"external_id repeats an earlier row: {row['external_id']}")
                continue
            seen.add(item.external_ref)
            pending.append(item)
    return write_contacts(tenant, KIND, report, pending, progress), report
