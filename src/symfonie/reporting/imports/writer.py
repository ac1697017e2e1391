"""What every import shares: the run's report, customers by number, agents by name, and one
transaction that writes the contacts, their timeline entries and the KPI tallies together.

Idempotent: each contact carries the source's key (``Contact.external_ref``, unique per tenant),
keys already present are skipped, so importing a file twice adds nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from symfonie.contacts.models import Channel, Contact, Customer, Identity, TimelineEntry
from symfonie.contacts.models.customers import IdentityKind
from symfonie.contacts.timeline import stored_label
from symfonie.reporting.aggregates import refresh
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
    """One row ready to be written: the contact (without customer/agent yet) and its keys."""

    line: int
    contact: Contact
    customer_number: str | None = None
    customer_attributes: dict[str, object] = field(default_factory=dict)
    agent_name: str | None = None


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
    numbers = {p.customer_number for p in pending if p.customer_number}
    found: dict[str, int] = {}
    ordered = sorted(numbers)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        found.update(
            Identity.objects.filter(
                tenant=tenant, kind=IdentityKind.CUSTOMER_NUMBER, value__in=chunk
            ).values_list("value", "customer_id")
        )
    attributes: dict[str, dict[str, object]] = {}
    for item in pending:
        if item.customer_number:
            attributes.setdefault(item.customer_number, {}).update(item.customer_attributes)
    new_numbers = [number for number in ordered if number not in found]
    customers = [
        Customer(tenant=tenant, name=f"Klant {number}", attributes=attributes[number])
        for number in new_numbers
    ]
    Customer.objects.bulk_create(customers, batch_size=BATCH)
    Identity.objects.bulk_create(
        [
            Identity(
                tenant=tenant,
                customer=customer,
                kind=IdentityKind.CUSTOMER_NUMBER,
                value=number,
                display_value=number,
            )
            for number, customer in zip(new_numbers, customers, strict=True)
        ],
        batch_size=BATCH,
    )
    found.update({number: c.pk for number, c in zip(new_numbers, customers, strict=True)})
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
        refs = [p.contact.external_ref for p in pending]
        present: set[str] = set()
        for i in range(0, len(refs), 900):
            present.update(
                Contact.objects.filter(
                    tenant=tenant, external_ref__in=refs[i : i + 900]
                ).values_list("external_ref", flat=True)
            )
        fresh = [p for p in pending if p.contact.external_ref not in present]
        report.already_present += len(pending) - len(fresh)
        customers = _customers(tenant, fresh)
        agents = _agents(tenant, {p.agent_name for p in fresh if p.agent_name})
        contacts = []
        for item in fresh:
            contact = item.contact
            contact.tenant = tenant
            if item.customer_number:
                contact.customer_id = customers[item.customer_number]
            if item.agent_name:
                contact.agent_id = agents[item.agent_name]
            contacts.append(contact)
        for i in range(0, len(contacts), BATCH):
            Contact.objects.bulk_create(contacts[i : i + BATCH])
            if progress:
                progress(min(i + BATCH, len(contacts)), len(contacts))
        TimelineEntry.objects.bulk_create(
            [
                TimelineEntry(
                    tenant=tenant,
                    customer_id=c.customer_id,
                    occurred_at=c.arrived_at,
                    kind=TimelineEntry.Kind.CONTACT,
                    title=stored_label(Channel(c.channel).label),
                    channel=c.channel,
                    direction=c.direction,
                    contact_id=c.pk,
                )
                for c in contacts
                if c.customer_id is not None
            ],
            batch_size=BATCH,
        )
        refresh(tenant, {c.arrived_at for c in contacts})
        report.imported += len(contacts)
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
