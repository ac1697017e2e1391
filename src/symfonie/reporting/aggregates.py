"""The stored KPI tallies per 15-minute interval, kept equal to a recomputation from contacts.

Every change to a contact marks the interval of its arrival dirty (``signals.py``: a new
``KpiDirtyInterval`` row, in the same transaction as the change). :func:`catch_up`, which every
report runs before it reads, recomputes the dirty intervals from their contacts and replaces
their rows; imports add the tallies of the contacts they inserted (:func:`add_records`). So the stored tallies are updated
incrementally as contacts change, and ``tests/reporting/test_aggregates.py`` proves that they
equal :func:`rebuild`'s full recomputation.

Intervals are 15 minutes long and aligned in UTC: every time zone a tenant can choose here
(whole- or half-hour offsets, and quarter-hour ones such as Nepal's) rolls them up exactly into
its local 15/30/60-minute intervals (30/60 minutes need a whole- or half-hour offset), days,
weeks and months.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Max

from symfonie.contacts.models import Contact
from symfonie.domain.kpi.records import ContactRecord
from symfonie.domain.kpi.tally import TALLY_FIELDS, KpiTally, tally_records
from symfonie.reporting.config import kpi_settings_for
from symfonie.reporting.imports.bulk import insert_rows
from symfonie.reporting.models import INTERVAL_MINUTES, KpiDirtyInterval, KpiInterval
from symfonie.reporting.records import contact_records
from symfonie.tenants.models import Tenant

STEP = timedelta(minutes=INTERVAL_MINUTES)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def interval_start(instant: datetime) -> datetime:
    """The start (UTC) of the 15-minute interval holding ``instant``."""
    return _EPOCH + ((instant - _EPOCH) // STEP) * STEP


def mark_dirty(tenant_id: int, instants: Iterable[datetime]) -> None:
    """Mark the intervals of ``instants`` for recomputation (call inside the change's transaction)."""
    starts = {interval_start(instant) for instant in instants}
    KpiDirtyInterval.objects.bulk_create(
        [KpiDirtyInterval(tenant_id=tenant_id, start=start) for start in sorted(starts)]
    )


def _rows(tenant: Tenant, records: Iterable[ContactRecord]) -> list[KpiInterval]:
    settings = kpi_settings_for(tenant)
    groups: dict[tuple[datetime, str, str], list[ContactRecord]] = defaultdict(list)
    for record in records:
        groups[(interval_start(record.arrived_at), record.queue, record.channel)].append(record)
    rows = []
    for (start, queue, channel), members in groups.items():
        tally = tally_records(members, settings)
        rows.append(
            KpiInterval(
                tenant=tenant,
                start=start,
                queue=queue,
                channel=channel,
                **tally.as_dict(),
            )
        )
    return rows


def refresh(tenant: Tenant, starts: Iterable[datetime]) -> int:
    """Recompute the stored tallies of the intervals starting at ``starts`` from their contacts;
    returns the number of rows written."""
    wanted = sorted({interval_start(start) for start in starts})
    if not wanted:
        return 0
    written = 0
    with transaction.atomic():
        # ranges of consecutive intervals, so a month's import is a few range queries
        for first, last in _runs(wanted):
            end = last + STEP
            KpiInterval.objects.filter(tenant=tenant, start__gte=first, start__lt=end).delete()
            contacts = Contact.objects.filter(
                tenant=tenant, arrived_at__gte=first, arrived_at__lt=end
            )
            rows = _rows(tenant, contact_records(contacts, tenant_key=tenant.slug))
            KpiInterval.objects.bulk_create(rows, batch_size=2000)
            written += len(rows)
    return written


def _runs(starts: list[datetime]) -> list[tuple[datetime, datetime]]:
    runs: list[tuple[datetime, datetime]] = []
    for start in starts:
        if runs and start - runs[-1][1] <= STEP * 4:
            runs[-1] = (runs[-1][0], start)  # small gaps are cheaper to recompute than to skip
        else:
            runs.append((start, start))
    return runs


def add_records(tenant: Tenant, records: list[ContactRecord]) -> int:
    """Add the tallies of ``records`` — contacts just inserted, never counted before — to the
    stored rows (an import's incremental update); returns the number of rows written."""
    if not records:
        return 0
    fresh = {(row.start, row.queue, row.channel): row for row in _rows(tenant, records)}
    with transaction.atomic():
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
        starts = [key[0] for key in fresh]
        existing = KpiInterval.objects.filter(
            tenant=tenant, start__gte=min(starts), start__lte=max(starts)
        )
        replaced = []
        for row in existing:
            key = (row.start, row.queue, row.channel)
            if key in fresh:
                merged = _tally_of(row) + _tally_of(fresh[key])
                fresh[key] = KpiInterval(
                    tenant=tenant, start=row.start, queue=row.queue, channel=row.channel,
                    **merged.as_dict(),
                )  # fmt: skip
                replaced.append(row.pk)
        KpiInterval.objects.filter(pk__in=replaced).delete()
        return insert_rows(
            KpiInterval,
            (
                {"tenant_id": tenant.pk, "start": row.start, "queue": row.queue,
                 "channel": row.channel, **_tally_of(row).as_dict()}
                for row in fresh.values()
            ),
        )  # fmt: skip


def _tally_of(row: KpiInterval) -> KpiTally:
    return KpiTally(**{name: getattr(row, name) for name in TALLY_FIELDS})


def catch_up(tenant: Tenant) -> int:
    """Recompute every interval marked dirty (returns how many); reports call this first."""
    with transaction.atomic():
        # one catch-up per tenant at a time (PostgreSQL; SQLite serialises writers anyway)
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
        dirty = KpiDirtyInterval.objects.filter(tenant=tenant)
        newest = dirty.aggregate(newest=Max("id"))["newest"]
        if newest is None:
            return 0
        # rows marked while we work get a higher id and wait for the next catch-up
        marked = dirty.filter(id__lte=newest)
        starts = set(marked.values_list("start", flat=True))
        refresh(tenant, starts)
        marked.delete()
        return len(starts)


def rebuild(tenant: Tenant) -> int:
    """Throw the stored tallies away and recompute them all (after a change of KPI settings)."""
    with transaction.atomic():
        KpiInterval.objects.filter(tenant=tenant).delete()
        KpiDirtyInterval.objects.filter(tenant=tenant).delete()
        contacts = Contact.objects.filter(tenant=tenant)
        rows = _rows(tenant, contact_records(contacts, tenant_key=tenant.slug))
        KpiInterval.objects.bulk_create(rows, batch_size=2000)
        return len(rows)
