"""Escalations per ISO week: how many, what share of the answered contacts, and why.

Answers "are more conversations escalating than before?": the counts and the escalation rate
(escalated answered contacts / answered contacts, docs/kpis.md) per whole week, each against
the week before, with the reasons: the contact reasons (topics) and outcomes of the escalated
contacts. Weeks are whole ISO weeks on the tenant's clock that overlap the chosen range.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise

from django.db.models import Q
from django.utils.translation import gettext as _

from symfonie.contacts.models.interactions import Outcome
from symfonie.domain.kpi.periods import Bucketing, Period
from symfonie.domain.kpi.topics import topic_counts
from symfonie.reporting import formatting
from symfonie.reporting.config import kpi_settings_for
from symfonie.reporting.drilldown import FIGURES
from symfonie.reporting.records import contact_records
from symfonie.reporting.report import MAX_RANGE_DAYS, ReportFilter, kpi_report


@dataclass(frozen=True)
class EscalationWeek:
    start: datetime  # Monday 00:00 on the tenant's clock
    end: datetime
    answered: int
    escalations: int
    rate: float | None
    previous_escalations: int
    previous_rate: float | None
    topics: list[tuple[str, int]] = field(default_factory=list)
    outcomes: list[tuple[str, int]] = field(default_factory=list)

    @property
    def change(self) -> int:
        return self.escalations - self.previous_escalations

    @property
    def rate_change(self) -> float | None:
        if self.rate is None or self.previous_rate is None:
            return None
        return self.rate - self.previous_rate


def whole_weeks(
    report_filter: ReportFilter, *, weeks_before: int = 0, minimum_weeks: int = 1
) -> ReportFilter:
    """The filter widened to whole ISO weeks (Monday–Sunday), at least ``minimum_weeks`` up to
    the range's last week, then ``weeks_before`` more weeks earlier (a baseline)."""
    monday = report_filter.start - timedelta(days=report_filter.start.weekday())
    sunday = report_filter.end + timedelta(days=6 - report_filter.end.weekday())
    monday = min(monday, sunday - timedelta(days=6) - timedelta(weeks=minimum_weeks - 1))
    first = monday - timedelta(weeks=weeks_before)
    while (sunday - first).days >= MAX_RANGE_DAYS and first < monday:
        first += timedelta(weeks=1)  # a long range gets less look-back, not an error
    while (sunday - first).days >= MAX_RANGE_DAYS:
        sunday -= timedelta(weeks=1)
    return ReportFilter(
        report_filter.tenant,
        first,
        sunday,
        report_filter.queue,
        report_filter.channel,
        report_filter.agent_id,
    )


def escalation_weeks(
    report_filter: ReportFilter, *, minimum_weeks: int = 1
) -> list[EscalationWeek]:
    """One row per ISO week overlapping the range (at least ``minimum_weeks`` up to its last
    week), each compared with the week before."""
    weeks_filter = whole_weeks(report_filter, weeks_before=1, minimum_weeks=minimum_weeks)
    buckets = kpi_report(weeks_filter, every="week").buckets
    tenant = report_filter.tenant
    weeks = Bucketing(zone=report_filter.zone, period=Period.WEEK)
    escalated = FIGURES["escalated"].counts
    settings = kpi_settings_for(tenant)
    # only the flagged contacts are read; the domain's definition decides which ones count
    candidates = weeks_filter.contacts().filter(Q(escalated=True) | Q(outcome=Outcome.ESCALATED))
    per_week = defaultdict(list)
    for record in contact_records(candidates, tenant_key=tenant.slug, with_topics=True):
        if escalated(record, settings):
            per_week[weeks.start_of(record.arrived_at)].append(record)
    labels = dict(Outcome.choices)
    rows = []
    for previous, bucket in pairwise(buckets):
        records = per_week.get(bucket.start, [])
        outcomes = Counter(str(labels.get(record.outcome, record.outcome)) for record in records)
        topics = sorted(topic_counts(records).items(), key=lambda item: (-item[1], item[0]))
        rows.append(
            EscalationWeek(
                start=bucket.start,
                end=bucket.end,
                answered=bucket.summary.answered,
                escalations=bucket.summary.escalations,
                rate=bucket.summary.escalation_rate,
                previous_escalations=previous.summary.escalations,
                previous_rate=previous.summary.escalation_rate,
                topics=topics,
                outcomes=outcomes.most_common(),
            )
        )
    return rows


def answer(weeks: list[EscalationWeek], today: date) -> str:
    """One sentence: is the latest week escalating more than the week before?"""
    if not weeks:
        return _("There are no weeks in this range.")
    last = weeks[-1]
    running = last.start.date() <= today < last.end.date()
    values = {
        "week": formatting.week_name(last.start),
        "n": formatting.count(last.escalations),
        "answered": formatting.count(last.answered),
        "rate": formatting.rate(last.rate),
        "previous_n": formatting.count(last.previous_escalations),
        "previous_rate": formatting.rate(last.previous_rate),
    }
    if last.rate is None and last.previous_rate is None:
        text = _("No answered conversations in %(week)s or the week before: nothing to compare.")
    elif last.rate is None:
        text = _(
            "No answered conversations in %(week)s, so no escalation rate; the week before "
            "%(previous_n)s escalated (%(previous_rate)s)."
        )
    elif last.rate_change is None:
        text = _(
            "In %(week)s %(n)s of %(answered)s answered conversations escalated (%(rate)s); "
            "the week before had no answered conversations to compare with."
        )
    elif last.rate_change > 0:
        text = _(
            "Yes: in %(week)s %(n)s of %(answered)s answered conversations escalated "
            "(%(rate)s), a larger share than the week before (%(previous_n)s, %(previous_rate)s)."
        )
    elif last.rate_change < 0:
        text = _(
            "No: in %(week)s %(n)s of %(answered)s answered conversations escalated "
            "(%(rate)s), a smaller share than the week before (%(previous_n)s, "
            "%(previous_rate)s)."
        )
    else:
        text = _(
            "The same share: in %(week)s %(n)s of %(answered)s answered conversations escalated "
            "(%(rate)s), as the week before (%(previous_n)s, %(previous_rate)s)."
        )
    sentence = text % values
    if running:
        sentence += " " + _("This week is not over yet.")
    return sentence
