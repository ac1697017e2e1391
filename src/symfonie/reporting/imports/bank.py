"""``symfonie import anonymous-bank``: the Anonymous Bank call records as voice contacts.

The file format and the meaning of its fields: ``shared/data/anonymous-bank/SOURCE.md`` and
:mod:`symfonie.datasets.anonymous_bank`; the mapping to contact times is that of
:mod:`symfonie.datasets.bank_kpi` (one mapping, used by the KPI tests and this import alike).
``type`` becomes the queue, ``priority`` the contact's priority and a customer attribute,
``customer_id`` a customer-number identity (``0`` = anonymous caller: no customer), ``server``
an agent. Refused, each into the report with its line number: PHANTOM records (virtual calls),
negative ``vru_time``, ``q_time`` or ``ser_time``, and lines that do not parse.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from symfonie.contacts.models.interactions import Direction
from symfonie.datasets.anonymous_bank import HEADER, Outcome, parse_record
from symfonie.datasets.bank_kpi import call_to_record
from symfonie.problems import InvalidInput
from symfonie.reporting.imports.writer import (
    ImportReport,
    PendingContact,
    ProgressFn,
    write_contacts,
)
from symfonie.reporting.models import ImportRun
from symfonie.tenants.models import Tenant

KIND = "anonymous-bank"


def _open(path: Path) -> io.TextIOBase:
    with path.open("rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
    if compressed:
        return gzip.open(path, "rt", encoding="latin-1", newline="")  # type: ignore[return-value]
    return path.open(encoding="latin-1", newline="")


def _pending(line: int, fields: list[str]) -> PendingContact | str:
    """The contact of one record, or the reason it is refused."""
    try:
        call = parse_record(fields)
    except ValueError as exc:
        return f"does not parse: {exc}"
    if call.outcome is Outcome.PHANTOM:
        return "PHANTOM call (virtual, to be ignored)"
    for name in ("vru_time_seconds", "q_time_seconds", "ser_time_seconds"):
        value = getattr(call, name)
        if value < 0:
            return f"negative {name.removesuffix('_seconds')} ({value})"
    record = call_to_record(call)
    state = "closed" if record.answered_at or not record.abandoned else "abandoned"
    values = {
        "channel": "voice",
        "direction": Direction.INBOUND,
        "state": state,
        "queue": record.queue,
        "arrived_at": record.arrived_at,
        "queued_at": record.queued_at,
        "answered_at": record.answered_at,
        "ended_at": record.ended_at,
        "ended_in_self_service": record.ended_in_self_service,
        "talk_seconds": record.talk_seconds,
        "priority": record.priority,
        "external_ref": f"{call.date:%y%m%d}-{call.vru_line}-{call.call_id}",
    }
    return PendingContact(
        line=line,
        values=values,
        record=record,
        customer_number=record.customer_key,
        customer_attributes={"priority": call.priority},
        agent_name=record.agent_id,
    )


def import_bank_file(
    tenant: Tenant, path: Path, *, progress: ProgressFn | None = None
) -> tuple[ImportRun, ImportReport]:
    """Import one month file (gzip or plain); a wrong header → ``InvalidInput`` naming the
    expected columns, bad rows → the report, the rest in."""
    report = ImportReport(source_name=path.name)
    pending: list[PendingContact] = []
    seen: set[str] = set()
    with _open(path) as text:
        header = text.readline().rstrip("\r\n").split("\t")
        if tuple(header) != HEADER:
            raise InvalidInput(
                f"{path.name} is not an Anonymous Bank file: expected the tab-separated "
                f"columns {', '.join(HEADER)}",
                field="file",
            )
        for number, line in enumerate(text, start=2):
            stripped = line.rstrip("\r\n")
            if not stripped:
                continue
            report.rows += 1
            fields = stripped.split("\t")
            if len(fields) != len(HEADER):
                report.reject(number, f"expected {len(HEADER)} fields, got {len(fields)}")
                continue
            item = _pending(number, fields)
            if isinstance(item, str):
                report.reject(number, item)
            elif item.external_ref in seen:
                report.reject(number, f"repeats call {item.external_ref}")
            else:
                seen.add(item.external_ref)
                pending.append(item)
    return write_contacts(tenant, KIND, report, pending, progress), report
