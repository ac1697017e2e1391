"""What every import shares: the run's report, customers by number, agents by name, and one
transaction that writes the contacts, their timeline entries and the KPI tallies together.

Idempotent: each contact carries the source's key (``Contact.external_ref``, unique per tenant),
keys already present are skipped, so importing a file twice adds nothing.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from symfonie.contacts.models import Channel, Contact, Customer, Identity, TimelineEntry
from symfonie.contacts.models.customers import IdentityKind
from symfonie.contacts.timeline import stored_label
from symfonie.domain.kpi.records import ContactRecord
from symfonie.reporting.aggregates import add_records
from symfonie.reporting.imports.bulk import insert_rows
from symfonie.reporting.models import ImportRun
from symfonie.tenants.models import Membership, Role, Tenant, User

BATCH = 2000
ProgressFn = Callable[[int, int], None]


@dataclass
class ImportReport:
    """Counts of a run and every refused row with its line number and reason."""

    source_name: str
    rows: int = 0
    imported: int = 0
    already_present: int = 0
    rejections: list[dict[str, object]] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejections.append({"line": line, "reason": reason})

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.source_name,
            "rows": self.rows,
            "imported": self.imported,
            "already_present": self.already_present,
            "rejected": self.rejected,
            "rejections": self.rejections,
        }


@dataclass
class PendingContact:
    """One row ready to be written: the contact's field values, its KPI record and its keys."""

    line: int
    values: dict[str, Any]
    record: ContactRecord
    customer_number: str | None = None
    customer_attributes: dict[str, object] = field(default_factory=dict)
    agent_name: str | None = None

    @property
    def external_ref(self) -> str:
        return str(self.values["external_ref"])


def progress_bar(stream=sys.stderr) -> ProgressFn:
    """A text progress bar on ``stream`` (redrawn in place on a terminal, else every 10 %)."""
    last = [-1]

    def show(done: int, total: int) -> None:
        share = done / total if total else 1.0
        tenth = int(share * 10)
        if not stream.isatty() and tenth == last[0] and done != total:
            return
        last[0] = tenth
        filled = int(share * 30)
        end = "\n" if done >= total else ("\r" if stream.isatty() else "\n")
        stream.write(f"[{'#' * filled}{'.' * (30 - filled)}] {done:>9,}/{total:,}{end}")
        stream.flush()

    return show


def _customers(tenant: Tenant, pending: list[PendingContact]) -> dict[str, int]:
    """Customer ids by customer number; numbers not known yet get a new customer."""
    numbers = sorted({p.customer_number for p in pending if p.customer_number})
    known = Identity.objects.filter(tenant=tenant, kind=IdentityKind.CUSTOMER_NUMBER)
    found: dict[str, int] = {}
    for i in range(0, len(numbers), 900):
        chunk = numbers[i : i + 900]
        found.update(known.filter(value__in=chunk).values_list("value", "customer_id"))
    attributes: dict[str, dict[str, object]] = {}
    for item in pending:
        if item.customer_number:
            attributes.setdefault(item.customer_number, {}).update(item.customer_attributes)
    new_numbers = [number for number in numbers if number not in found]
    if not new_numbers:
        return found
    # a marker in name_key finds this run's customers again without an id per row
    marker = f"import:{uuid.uuid4().hex}"
    now = timezone.now()
    insert_rows(
        Customer,
        (
            {"tenant_id": tenant.pk, "name": f"Klant {number}", "name_key": marker,
             "attributes": attributes[number], "created_at": now, "updated_at": now}
            for number in new_numbers
        ),
    )  # fmt: skip
    created = dict(
        Customer.objects.filter(tenant=tenant, name_key=marker).values_list("name", "id")
    )
    insert_rows(
        Identity,
        (
            {"tenant_id": tenant.pk, "customer_id": created[f"Klant {number}"],
             "kind": IdentityKind.CUSTOMER_NUMBER, "value": number, "display_value": number,
             "created_at": now}
            for number in new_numbers
        ),
    )  # fmt: skip
    # the search key of "Klant 123" is "klant 123" (contacts.identities.name_key)
    Customer.objects.filter(tenant=tenant, name_key=marker).update(name_key=Lower("name"))
    for number in new_numbers:
        found[number] = created[f"Klant {number}"]
    return found


def _agents(tenant: Tenant, names: set[str]) -> dict[str, int]:
    """A user per agent name of the source, with the agent role and no password to log in."""
    agents: dict[str, int] = {}
    for name in sorted(names):
        email = f"{slugify(name) or 'agent'}@{tenant.slug}.import.invalid"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create(
                email=email, username=email, first_name=name.title(), password=make_password(None)
            )
        Membership.objects.get_or_create(user=user, tenant=tenant, defaults={"role": Role.AGENT})
        agents[name] = user.pk
    return agents


def write_contacts(
    tenant: Tenant,
    kind: str,
    report: ImportReport,
    pending: list[PendingContact],
    progress: ProgressFn | None = None,
) -> ImportRun:
    """Write the rows of ``pending`` not already present, their customers, agents, timeline
    entries and KPI tallies, and the :class:`ImportRun`, in one transaction."""
    started = timezone.now()
    with transaction.atomic():
        present = _present(tenant, [p.external_ref for p in pending])
        fresh = [p for p in pending if p.external_ref not in present]
        report.already_present += len(pending) - len(fresh)
        customers = _customers(tenant, fresh)
        agents = _agents(tenant, {p.agent_name for p in fresh if p.agent_name})
        rows = []
        for item in fresh:
            row = {**item.values, "tenant_id": tenant.pk}
            if item.customer_number:
                row["customer_id"] = customers[item.customer_number]
            if item.agent_name:
                row["agent_id"] = agents[item.agent_name]
            rows.append(row)
        for i in range(0, len(rows), BATCH):
            insert_rows(Contact, rows[i : i + BATCH])
            if progress:
                progress(min(i + BATCH, len(rows)), len(rows))
        ids = _ids(tenant, [row["external_ref"] for row in rows if row.get("customer_id")])
        title = {channel: stored_label(Channel(channel).label) for channel in Channel.values}
        insert_rows(
            TimelineEntry,
            (
                {
                    "tenant_id": tenant.pk,
                    "customer_id": row["customer_id"],
                    "occurred_at": row["arrived_at"],
                    "kind": TimelineEntry.Kind.CONTACT,
                    "title": title[row["channel"]],
                    "channel": row["channel"],
                    "direction": row["direction"],
                    "contact_id": ids[row["external_ref"]],
                }
                for row in rows
                if row.get("customer_id")
            ),
        )
        add_records(tenant, [item.record for item in fresh])
        report.imported += len(rows)
        return ImportRun.objects.create(
            tenant=tenant,
            kind=kind,
            source_name=report.source_name[:255],
            started_at=started,
            finished_at=timezone.now(),
            rows=report.rows,
            imported=report.imported,
            already_present=report.already_present,
            rejected=report.rejected,
            rejections=report.rejections,
        )


def _present(tenant: Tenant, refs: list[str]) -> set[str]:
    return set(_ids(tenant, refs))


def _ids(tenant: Tenant, refs: list[str]) -> dict[str, int]:
    """Contact ids by external reference (one range scan of the unique index, then a filter)."""
    if not refs:
        return {}
    wanted = set(refs)
    rows = Contact.objects.filter(
        tenant=tenant, external_ref__gte=min(refs), external_ref__lte=max(refs)
    ).values_list("external_ref", "id")
    return {ref: pk for ref, pk in rows.iterator(chunk_size=10_000) if ref in wanted}
