"""The contacts behind a figure: from a dashboard tile or bar to the list of contacts it counts.

Each figure is a predicate over the domain's :class:`ContactRecord` (``is_offered``,
``is_answered``, ``is_abandoned``, ``is_short_abandon``, ``answered_within``, …), the same
definitions the stored tallies are made of, so the list always has as many rows as the tile
says: the definitions live in ``symfonie.domain.kpi`` and are not written again in SQL here.
SQL only narrows the contacts to the range, filters and bucket of the figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from symfonie.contacts.models import Contact
from symfonie.domain.kpi.counts import is_short_abandon
from symfonie.domain.kpi.kpiset import KpiSettings
from symfonie.domain.kpi.quality import ContactHistory, is_resolution_eligible
from symfonie.domain.kpi.records import ContactRecord
from symfonie.domain.kpi.service_level import answered_within
from symfonie.problems import InvalidInput
from symfonie.reporting.config import kpi_settings_for
from symfonie.reporting.records import contact_records
from symfonie.reporting.report import ReportFilter

Predicate = Callable[[ContactRecord, KpiSettings], bool]


@dataclass(frozen=True)
class Figure:
    """A countable figure: its label and which contacts it counts."""

    label: str
    counts: Predicate
    needs_history: bool = False  # FCR and repeat contacts look at other contacts too


def _within(record: ContactRecord, settings: KpiSettings) -> bool:
    # as the tally counts it: offered, answered, wait ≤ T of the contact's queue (inclusive)
    return record.is_offered and answered_within(record, settings.threshold.for_queue(record.queue))


FIGURES: dict[str, Figure] = {
    "contacts": Figure(_("contacts"), lambda r, s: True),
    "self_service": Figure(_("ended in the menu or bot"), lambda r, s: r.ended_in_self_service),
    "offered": Figure(pgettext_lazy("kpi", "offered"), lambda r, s: r.is_offered),
    "answered": Figure(pgettext_lazy("kpi", "answered"), lambda r, s: r.is_answered),
    "abandoned": Figure(pgettext_lazy("kpi", "abandoned"), lambda r, s: r.is_abandoned),
    "short_abandons": Figure(
        _("short abandons"), lambda r, s: is_short_abandon(r, s.short_abandon_seconds)
    ),
    "within_threshold": Figure(_("answered within the threshold"), _within),
    "waited": Figure(
        _("answered or abandoned (with a wait)"), lambda r, s: r.wait_seconds is not None
    ),
    "handled": Figure(
        _("handled (handle time known)"), lambda r, s: r.handle_parts_seconds is not None
    ),
    "transferred": Figure(
        pgettext_lazy("kpi", "transferred"), lambda r, s: r.is_answered and r.transferred
    ),
    "escalated": Figure(
        pgettext_lazy("kpi", "escalated"), lambda r, s: r.is_answered and r.escalated
    ),
    "csat": Figure(_("satisfaction answers"), lambda r, s: r.csat_score is not None),
    "csat_satisfied": Figure(
        _("satisfied (4 or 5)"), lambda r, s: r.csat_score is not None and r.csat_score >= 4
    ),
    "nps": Figure(_("recommendation answers"), lambda r, s: r.nps_score is not None),
    "fcr_eligible": Figure(
        _("eligible for first-contact resolution"),
        lambda r, s: is_resolution_eligible(r),
        needs_history=True,
    ),
}
# the two that look at a customer's other contacts are decided in ``drill`` with the history
HISTORY_FIGURES = {
    "fcr_resolved": _("resolved at first contact"),
    "repeat_contacts": _("repeat contacts"),
}
FIGURE_NAMES = (*FIGURES, *HISTORY_FIGURES)
ORDERS = ("arrival", "wait")


def figure_label(name: str) -> str:
    if name in HISTORY_FIGURES:
        return str(HISTORY_FIGURES[name])
    if name in FIGURES:
        return str(FIGURES[name].label)
    raise InvalidInput(f"unknown figure {name!r}", field="figure")


@dataclass(frozen=True)
class DrillDown:
    """What to list: the report's range and filters, a figure, and optionally a bucket/topic."""

    filter: ReportFilter
    figure: str
    bucket_start: datetime | None = None
    bucket_end: datetime | None = None
    topic: str | None = None
    order: str = "arrival"

    def __post_init__(self) -> None:
        figure_label(self.figure)
        if self.order not in ORDERS:
            raise InvalidInput(f"order must be one of {', '.join(ORDERS)}", field="order")
        if self.bucket_start and self.bucket_end and self.bucket_end <= self.bucket_start:
            raise InvalidInput("the bucket ends before it starts", field="bucket_end")

    def contacts(self) -> QuerySet[Contact]:
        """The contacts of the range, filters and bucket (before the figure's predicate)."""
        contacts = self.filter.contacts()
        if self.bucket_start is not None:
            contacts = contacts.filter(arrived_at__gte=self.bucket_start)
        if self.bucket_end is not None:
            contacts = contacts.filter(arrived_at__lt=self.bucket_end)
        return contacts.order_by("arrived_at", "id")


def _history(report_filter: ReportFilter, settings: KpiSettings) -> ContactHistory:
    # the same neighbourhood as report.contact_kpis: a window before and after the range
    first, last = report_filter.instants
    window = settings.repeat_window
    around = Contact.objects.filter(
        tenant=report_filter.tenant,
        customer__isnull=False,
        arrived_at__gte=first - window,
        arrived_at__lt=last + window,
    ).exclude(arrived_at__gte=first, arrived_at__lt=last)
    inside = report_filter.contacts().filter(customer__isnull=False)
    key = report_filter.tenant.slug
    return ContactHistory(
        [
            *contact_records(inside, tenant_key=key, with_topics=True),
            *contact_records(around, tenant_key=key, with_topics=True),
        ],
        window=window,
    )


def drill(drill_down: DrillDown) -> list[ContactRecord]:
    """The records the figure counts, in arrival order (or longest wait first)."""
    settings = kpi_settings_for(drill_down.filter.tenant)
    name = drill_down.figure
    with_topics = bool(drill_down.topic) or name in HISTORY_FIGURES or name == "fcr_eligible"
    records = list(
        contact_records(
            drill_down.contacts(),
            tenant_key=drill_down.filter.tenant.slug,
            with_topics=with_topics,
        )
    )
    if drill_down.topic:
        records = [record for record in records if drill_down.topic in record.topic_keys]
    if name in HISTORY_FIGURES:
        history = _history(drill_down.filter, settings)
        eligible = [record for record in records if is_resolution_eligible(record)]
        if name == "fcr_resolved":
            selected = [record for record in eligible if not history.has_later_contact(record)]
        else:
            selected = [record for record in eligible if history.has_earlier_contact(record)]
    else:
        counts = FIGURES[name].counts
        selected = [record for record in records if counts(record, settings)]
    if drill_down.order == "wait":
        selected.sort(key=lambda record: -(record.wait_seconds or 0.0))
    return selected


def handle_seconds(record: ContactRecord) -> float | None:
    """Talk + hold + wrap-up of an answered contact (the AHT parts), ``None`` if not known."""
    parts = record.handle_parts_seconds
    return None if parts is None else sum(parts)
