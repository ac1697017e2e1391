"""KPI reports for a tenant and a range of local dates, read from the stored interval tallies.

:func:`kpi_report` adds up the :class:`~symfonie.reporting.models.KpiInterval` rows of the range
(after :func:`~symfonie.reporting.aggregates.catch_up`), in SQL per 15-minute interval, then in
Python into the local buckets asked for. :func:`contact_kpis` computes the full
:class:`~symfonie.domain.kpi.KpiSet` (FCR, repeat contacts, topics too) from the contacts
themselves, for drill-downs and the figures no tally can hold.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import astuple, dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Max, QuerySet, Sum

from symfonie.contacts.models import Contact
from symfonie.domain.kpi.kpiset import KpiSet, KpiSettings, compute_kpis
from symfonie.domain.kpi.periods import make_bucketing
from symfonie.domain.kpi.quality import ContactHistory
from symfonie.domain.kpi.records import ContactRecord
from symfonie.domain.kpi.tally import (
    TALLY_FIELDS,
    KpiSummary,
    KpiTally,
    summarise,
    tally_records,
)
from symfonie.problems import InvalidInput
from symfonie.reporting.aggregates import catch_up, interval_start
from symfonie.reporting.config import kpi_settings_for
from symfonie.reporting.models import KpiInterval
from symfonie.reporting.records import contact_records
from symfonie.tenants.models import Tenant

INTERVALS = {"15m": 15, "30m": 30, "60m": 60}
PERIODS = ("day", "week", "month")
MAX_RANGE_DAYS = 731


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers: local dates ``start``..``end`` (inclusive) and optional filters."""

    tenant: Tenant
    start: date
    end: date
    queue: str | None = None
    channel: str | None = None
    agent_id: int | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            if not 1900 <= getattr(self, name).year <= 2999:
                raise InvalidInput("dates run from 1900 to 2999", field=name)
        if self.end < self.start:
            raise InvalidInput(
                f"the range is reversed: end {self.end} is before start {self.start}", field="end"
            )
        if (self.end - self.start).days >= MAX_RANGE_DAYS:
            raise InvalidInput(f"a report covers at most {MAX_RANGE_DAYS} days", field="end")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tenant.time_zone)

    @property
    def instants(self) -> tuple[datetime, datetime]:
        """[first instant, last instant) of the range on the tenant's clock."""
        first = datetime.combine(self.start, time(0), tzinfo=self.zone)
        last = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=self.zone)
        return first, last

    def previous(self) -> ReportFilter:
        """The same number of days just before (for the comparison with the previous period)."""
        days = (self.end - self.start).days + 1
        return ReportFilter(
            self.tenant,
            self.start - timedelta(days=days),
            self.start - timedelta(days=1),
            self.queue,
            self.channel,
            self.agent_id,
        )

    def intervals(self) -> QuerySet[KpiInterval]:
        first, last = self.instants
        rows = KpiInterval.objects.filter(tenant=self.tenant, start__gte=first, start__lt=last)
        if self.queue:
            rows = rows.filter(queue=self.queue)
        if self.channel:
            rows = rows.filter(channel=self.channel)
        return rows

    def contacts(self) -> QuerySet[Contact]:
        first, last = self.instants
        contacts = Contact.objects.filter(
            tenant=self.tenant, arrived_at__gte=first, arrived_at__lt=last
        )
        if self.queue:
            contacts = contacts.filter(queue=self.queue)
        if self.channel:
            contacts = contacts.filter(channel=self.channel)
        if self.agent_id is not None:
            contacts = contacts.filter(agent_id=self.agent_id or None)
        return contacts


@dataclass(frozen=True)
class Bucket:
    start: datetime
    end: datetime
    summary: KpiSummary


@dataclass(frozen=True)
class KpiReport:
    filter: ReportFilter
    settings: KpiSettings
    total: KpiSummary
    buckets: list[Bucket]


def _aggregations() -> dict[str, Sum | Max]:
    return {name: Max(name) if name == "longest_wait_us" else Sum(name) for name in TALLY_FIELDS}


_LONGEST = TALLY_FIELDS.index("longest_wait_us")


def _tally(vector: np.ndarray) -> KpiTally:
    return KpiTally(*(int(value) for value in vector))


def _sum(matrix: np.ndarray) -> np.ndarray:
    """Column sums of tally rows; the longest wait is a maximum (−1 when there are no rows)."""
    total = matrix.sum(axis=0, dtype=np.int64)
    total[_LONGEST] = matrix[:, _LONGEST].max() if len(matrix) else -1
    return total


def _thresholds(settings: KpiSettings, queues: set[str]) -> tuple[float, ...]:
    return tuple(sorted({settings.threshold.for_queue(queue) for queue in queues})) or (
        settings.threshold.seconds,
    )


def _interval_tallies(
    report_filter: ReportFilter, settings: KpiSettings
) -> tuple[list[datetime], np.ndarray, set[str]]:
    """The stored 15-minute intervals of the range: their starts, a matrix with one tally row
    per interval (columns in ``TALLY_FIELDS`` order), and the queues seen."""
    if report_filter.agent_id is None:
        rows = report_filter.intervals()
        per_start = (
            rows.values("start").annotate(**_aggregations()).order_by("start")
        ).values_list("start", *TALLY_FIELDS)
        starts, matrix = [], []
        for start, *values in per_start:
            starts.append(start)
            matrix.append([-1 if value is None else value for value in values])
        queues = set(rows.values_list("queue", flat=True).distinct())
    else:
        # per agent from the contacts: the stored tallies are not kept per agent
        groups: dict[datetime, list[ContactRecord]] = defaultdict(list)
        for record in contact_records(report_filter.contacts()):
            groups[interval_start(record.arrived_at)].append(record)
        queues = {record.queue for members in groups.values() for record in members}
        starts = sorted(groups)
        matrix = [list(astuple(tally_records(groups[start], settings))) for start in starts]
    array = np.array(matrix, dtype=np.int64).reshape(len(starts), len(TALLY_FIELDS))
    return starts, array, queues


def kpi_report(report_filter: ReportFilter, *, every: str | None = None) -> KpiReport:
    """Totals of the range and, with ``every`` (``15m``/``30m``/``60m``/``day``/``week``/
    ``month``), one bucket per local interval or period."""
    if every is not None and every not in INTERVALS and every not in PERIODS:
        choices = ", ".join([*INTERVALS, *PERIODS])
        raise InvalidInput(f"interval must be one of {choices}, got {every!r}", field="interval")
    tenant = report_filter.tenant
    catch_up(tenant)
    settings = kpi_settings_for(tenant)
    starts, matrix, queues = _interval_tallies(report_filter, settings)
    thresholds = _thresholds(settings, queues)
    total = summarise(_tally(_sum(matrix)), settings, thresholds_seconds=thresholds)
    buckets: list[Bucket] = []
    if every is not None:
        bucketing = make_bucketing(
            interval_minutes=INTERVALS.get(every),
            period=None if every in INTERVALS else every,
            tz=tenant.time_zone,
        )
        assert bucketing is not None
        first, last = report_filter.instants
        local_starts = list(bucketing.starts_overlapping(first, last))
        # bucket starts compared as instants (the repeated autumn hour is two buckets)
        position = {start.astimezone(UTC): i for i, start in enumerate(local_starts)}
        index = np.array(
            [position[bucketing.start_of(start).astimezone(UTC)] for start in starts],
            dtype=np.int64,
        )
        sums = np.zeros((len(local_starts), len(TALLY_FIELDS)), dtype=np.int64)
        np.add.at(sums, index, matrix)
        longest = np.full(len(local_starts), -1, dtype=np.int64)
        np.maximum.at(longest, index, matrix[:, _LONGEST])
        sums[:, _LONGEST] = longest
        for i, start in enumerate(local_starts):
            summary = summarise(_tally(sums[i]), settings, thresholds_seconds=thresholds)
            buckets.append(Bucket(start, bucketing.end_of(start), summary))
    return KpiReport(report_filter, settings, total, buckets)


def contact_kpis(report_filter: ReportFilter) -> KpiSet:
    """Every KPI of the range from the contacts themselves (FCR looks 7 days further)."""
    settings = kpi_settings_for(report_filter.tenant)
    records = list(
        contact_records(
            report_filter.contacts(), tenant_key=report_filter.tenant.slug, with_topics=True
        )
    )
    first, last = report_filter.instants
    # repeats are looked for a window before (repeat-contact rate) and after (FCR) the range
    around = Contact.objects.filter(
        tenant=report_filter.tenant,
        customer__isnull=False,
        arrived_at__lt=last + settings.repeat_window,
    ).filter(arrived_at__gte=first - settings.repeat_window)
    around = around.exclude(arrived_at__gte=first, arrived_at__lt=last)
    history = [
        *records,
        *contact_records(around, tenant_key=report_filter.tenant.slug, with_topics=True),
    ]

    return compute_kpis(
        records,
        settings=settings,
        history=ContactHistory(history, window=settings.repeat_window),
        window_start=first,
        window_end=last,
    )


def summary_json(summary: KpiSummary) -> dict[str, object]:
    """The figures of ``summary`` as the CLI and the API print them (rounded for reading)."""

    def r(value: float | None, digits: int = 5) -> float | None:
        return None if value is None else round(value, digits)

    level = summary.service_level
    return {
        "contacts": summary.contacts,
        "self_service": summary.self_service,
        "offered": summary.offered,
        "answered": summary.answered,
        "abandoned": summary.abandoned,
        "abandonment_rate": r(summary.abandonment_rate),
        "abandonment_rate_excluding_short_abandons": r(
            summary.abandonment_rate_excluding_short_abandons
        ),
        "short_abandons": summary.short_abandons,
        "answered_within_threshold": level.within_threshold_count,
        "service_level_threshold_seconds": list(level.thresholds_seconds),
        "service_level": {
            "answered": r(level.answered),
            "offered": r(level.offered),
            "excluding_short_abandons": r(level.excluding_short_abandons),
        },
        "service_level_headline": summary.service_level_variant.value,
        "asa_seconds": r(summary.asa_seconds, 3),
        "aht_seconds": r(summary.aht_seconds, 3),
        "avg_wait_abandoned_seconds": r(summary.avg_wait_abandoned_seconds, 3),
        "longest_wait_seconds": r(summary.longest_wait_seconds, 3),
        "transfer_rate": r(summary.transfer_rate),
        "escalation_rate": r(summary.escalation_rate),
        "csat": r(summary.csat),
        "csat_responses": summary.csat_responses,
        "nps": r(summary.nps, 2),
        "nps_responses": summary.nps_responses,
    }
