"""What the dashboard shows: KPI tiles against the previous period, and the charts.

Tallied figures (volumes, service level, waits, handle time, transfers, escalations, CSAT, NPS)
come from :func:`~symfonie.reporting.report.kpi_report`; first-contact resolution, repeat
contacts, the channel mix and the topics from the contacts (``contact_kpis`` and
``symfonie.domain.kpi.topics``). Every tile and bar carries the link to the contacts behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from symfonie.contacts.models import Channel
from symfonie.domain.kpi.kpiset import KpiSet, compute_kpis
from symfonie.domain.kpi.periods import Bucketing, Period
from symfonie.domain.kpi.service_level import ServiceLevelVariant
from symfonie.domain.kpi.tally import KpiSummary
from symfonie.domain.kpi.topics import topic_trends
from symfonie.reporting import charts, formatting
from symfonie.reporting.escalations import EscalationWeek, escalation_weeks, whole_weeks
from symfonie.reporting.formatting import Change
from symfonie.reporting.records import contact_records
from symfonie.reporting.report import (
    INTERVALS,
    Bucket,
    KpiReport,
    ReportFilter,
    contact_kpis,
    kpi_report,
)

TARGET_SERVICE_LEVEL = 0.8  # the common 80/20 target; a per-tenant target is not stored yet
TOP_TOPICS = 5
TOPIC_ROWS = 10
CONTACT_FIGURES_LIMIT = 20_000  # contacts of the range and the previous period (a few seconds)
TREND_WEEKS = 8  # the weekly charts show at least this many weeks up to the range's end


class Links:
    """URLs of the report pages with the current filter (``params``) and some changes."""

    def __init__(self, params: dict[str, str]) -> None:
        self.params = params
        self._paths: dict[str, str] = {}  # reverse() once per page: charts have many links

    def url(self, name: str, **changes: object) -> str:
        params = dict(self.params)
        for key, value in changes.items():
            if value is None or value == "":
                params.pop(key, None)
            elif isinstance(value, date):  # dates and date-times
                params[key] = value.isoformat()
            else:
                params[key] = str(value)
        if name not in self._paths:
            self._paths[name] = reverse(f"reporting:{name}")
        query = urlencode(params)
        return self._paths[name] + (f"?{query}" if query else "")

    def drill(
        self, figure: str, bucket: tuple[datetime, datetime] | None = None, **changes: object
    ) -> str:
        if bucket is not None:
            changes |= {"bucket_start": bucket[0], "bucket_end": bucket[1]}
        return self.url("contacts", figure=figure, **changes)

    def week_drill(self, figure: str, start: datetime, end: datetime, **changes: object) -> str:
        """The contacts of a whole week (the weekly charts count whole weeks)."""
        last = date.fromordinal(end.date().toordinal() - 1)
        return self.url("contacts", figure=figure, start=start.date(), end=last, **changes)


@dataclass(frozen=True)
class Line:
    """A secondary figure in a tile (e.g. a service-level variant)."""

    label: str
    value: str
    previous: str
    change: Change
    href: str = ""


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    previous: str
    change: Change
    href: str
    subtitle: str = ""
    # the count behind the tile, shown and linked (data-figure / data-count in the page)
    figure: str = ""
    count: int | None = None
    count_label: str = ""
    lines: list[Line] = field(default_factory=list)


def _tile(
    key: str,
    label: str,
    current: float | None,
    previous: float | None,
    kind: str,
    higher_is_better: bool | None,
    href: str,
    **extra: object,
) -> Tile:
    show: Callable[[float | None], str] = {
        "count": lambda v: formatting.count(None if v is None else int(v)),
        "rate": formatting.rate,
        "seconds": formatting.seconds,
        "points": formatting.points,
    }[kind]
    return Tile(
        key=key,
        label=label,
        value=show(current),
        previous=show(previous),
        change=formatting.change(current, previous, kind, higher_is_better),
        href=href,
        **extra,
    )


def tiles(
    now: KpiSummary, before: KpiSummary, kpis: KpiSet, kpis_before: KpiSet, links: Links
) -> list[Tile]:
    """The KPI tiles of docs/kpis.md, each with the previous period's value and the change."""
    level, level_before = now.service_level, before.service_level
    headline = now.service_level_variant
    variants = [
        ServiceLevelVariant.ANSWERED,
        ServiceLevelVariant.OFFERED,
        ServiceLevelVariant.EXCLUDING_SHORT_ABANDONS,
    ]
    threshold = formatting.threshold(level)
    return [
        _tile("offered", _("Offered"), now.offered, before.offered, "count", None,
              links.drill("offered"), figure="offered", count=now.offered,
              count_label=pgettext("kpi", "offered"),
              subtitle=_("%(n)s contacts in all, %(s)s ended in the menu or bot")
              % {"n": formatting.count(now.contacts), "s": formatting.count(now.self_service)}),
        _tile("answered", _("Answered"), now.answered, before.answered, "count", None,
              links.drill("answered"), figure="answered", count=now.answered,
              count_label=pgettext("kpi", "answered")),
        _tile("abandonment", _("Abandonment rate"), now.abandonment_rate,
              before.abandonment_rate, "rate", False, links.drill("abandoned"),
              figure="abandoned", count=now.abandoned, count_label=pgettext("kpi", "abandoned"),
              lines=[Line(
                  _("excluding short abandons"),
                  formatting.rate(now.abandonment_rate_excluding_short_abandons),
                  formatting.rate(before.abandonment_rate_excluding_short_abandons),
                  formatting.change(now.abandonment_rate_excluding_short_abandons,
                                    before.abandonment_rate_excluding_short_abandons,
                                    "rate", False),
                  links.drill("abandoned"),
              ), Line(
                  _("short abandons"), formatting.count(now.short_abandons),
                  formatting.count(before.short_abandons),
                  formatting.change(now.short_abandons, before.short_abandons, "count"),
                  links.drill("short_abandons"),
              )]),
        _tile("service_level", _("Service level"), now.headline_service_level,
              before.headline_service_level, "rate", True, links.drill("within_threshold"),
              subtitle=formatting.service_level_label(level, headline),
              figure="within_threshold", count=level.within_threshold_count,
              count_label=_("answered within %(t)s") % {"t": threshold},
              lines=[Line(
                  formatting.service_level_label(level, variant)
                  + (" ★" if variant is headline else ""),
                  formatting.rate(level.value(variant)),
                  formatting.rate(level_before.value(variant)),
                  formatting.change(level.value(variant), level_before.value(variant),
                                    "rate", True),
                  links.drill("within_threshold"),
              ) for variant in variants]),
        _tile("asa", _("Average speed of answer"), now.asa_seconds, before.asa_seconds,
              "seconds", False, links.drill("answered")),
        _tile("aht", _("Average handle time"), now.aht_seconds, before.aht_seconds,
              "seconds", None, links.drill("handled"), figure="handled",
              count=now.handled_with_known_time, count_label=_("handled")),
        _tile("longest_wait", _("Longest wait"), now.longest_wait_seconds,
              before.longest_wait_seconds, "seconds", False,
              links.drill("waited", order="wait")),
        _tile("transfer_rate", _("Transfer rate"), now.transfer_rate, before.transfer_rate,
              "rate", False, links.drill("transferred"), figure="transferred",
              count=now.transfers, count_label=pgettext("kpi", "transferred")),
        _tile("escalation_rate", _("Escalation rate"), now.escalation_rate,
              before.escalation_rate, "rate", False, links.drill("escalated"),
              figure="escalated", count=now.escalations, count_label=_("escalations")),
        _tile("csat", _("Customer satisfaction (CSAT)"), now.csat, before.csat, "rate", True,
              links.drill("csat"), figure="csat", count=now.csat_responses,
              count_label=_("answers")),
        _tile("nps", _("Net Promoter Score"), now.nps, before.nps, "points", True,
              links.drill("nps"), figure="nps", count=now.nps_responses,
              count_label=_("answers")),
        _tile("fcr", _("First-contact resolution"), kpis.first_contact_resolution,
              kpis_before.first_contact_resolution, "rate", True, links.drill("fcr_eligible"),
              figure="fcr_eligible", count=kpis.fcr_eligible, count_label=_("eligible"),
              lines=[Line(_("resolved at first contact"), formatting.count(kpis.fcr_resolved),
                          formatting.count(kpis_before.fcr_resolved),
                          formatting.change(kpis.fcr_resolved, kpis_before.fcr_resolved,
                                            "count"),
                          links.drill("fcr_resolved"))]),
        _tile("repeat", _("Repeat-contact rate"), kpis.repeat_contact_rate,
              kpis_before.repeat_contact_rate, "rate", False, links.drill("repeat_contacts"),
              figure="repeat_contacts", count=kpis.repeat_contacts,
              count_label=_("repeat contacts")),
    ]  # fmt: skip


def bucket_names(bucket: Bucket, every: str, several_days: bool) -> tuple[str, str]:
    """(axis label, tooltip) of a bucket, on the tenant's clock (the bucket's own zone)."""
    start, end = bucket.start, bucket.end
    if every in INTERVALS:
        short = date_format(start, "D j H:i" if several_days else "H:i")
        return short, f"{date_format(start, 'D j M Y H:i')}–{date_format(end, 'H:i')}"
    if every == "day":
        return date_format(start, "D j M"), date_format(start, "l j F Y")
    if every == "week":
        return _("wk %(n)s") % {"n": start.isocalendar().week}, formatting.week_name(start)
    return date_format(start, "M Y"), date_format(start, "F Y")


def volume_chart(report: KpiReport, every: str, links: Links) -> SafeString:
    series = [
        charts.Series("answered", pgettext("kpi", "answered")),
        charts.Series("abandoned", pgettext("kpi", "abandoned")),
        charts.Series("other", _("other (still waiting, overflow, callback)")),
    ]
    several = (report.filter.end - report.filter.start).days > 0
    points = []
    for bucket in report.buckets:
        s = bucket.summary
        label, title = bucket_names(bucket, every, several)
        span = (bucket.start, bucket.end)
        points.append(
            charts.Point(
                label=label,
                title=_("%(when)s (%(n)s offered)")
                % {"when": title, "n": formatting.count(s.offered)},
                values=(s.answered, s.abandoned, s.offered - s.answered - s.abandoned),
                hrefs=(
                    links.drill("answered", span),
                    links.drill("abandoned", span),
                    links.drill("offered", span),
                ),
            )
        )
    return charts.stacked_bars(
        _("Offered contacts per interval"),
        series,
        points,
        fmt=lambda value: formatting.count(int(value)),
        empty=_("No contacts in this range."),
    )


def service_level_chart(report: KpiReport, every: str, links: Links) -> SafeString:
    variant = report.settings.service_level_variant
    several = (report.filter.end - report.filter.start).days > 0
    points = []
    for bucket in report.buckets:
        level = bucket.summary.service_level
        label, title = bucket_names(bucket, every, several)
        points.append(
            charts.Point(
                label=label,
                title=_("%(when)s (%(within)s within the threshold)")
                % {"when": title, "within": formatting.count(level.within_threshold_count)},
                values=(level.value(variant),),
                hrefs=(links.drill("within_threshold", (bucket.start, bucket.end)),),
            )
        )
    label = formatting.service_level_label(report.total.service_level, variant)
    return charts.lines(
        _("Service level per interval"),
        [charts.Series("level", label)],
        points,
        fmt=lambda value: formatting.rate(value, 0),
        y_max=1.0,
        target=TARGET_SERVICE_LEVEL,
        target_label=_("target %(rate)s") % {"rate": formatting.rate(TARGET_SERVICE_LEVEL, 0)},
        empty=_("No answered or offered contacts in this range."),
    )


def channel_chart(kpis: KpiSet, links: Links) -> SafeString:
    labels = dict(Channel.choices)
    ordered = sorted(kpis.channel_counts.items(), key=lambda item: (-item[1], item[0]))
    bars = [
        charts.Bar(
            label=str(labels.get(channel, channel)),
            value=kpis.channel_mix[channel],
            text=f"{formatting.rate(kpis.channel_mix[channel])} ({formatting.count(n)})",
            href=links.drill("contacts", channel=channel),
        )
        for channel, n in ordered
    ]
    return charts.horizontal_bars(
        _("Channel mix (all contacts)"), bars, empty=_("No contacts in this range.")
    )


@dataclass(frozen=True)
class TopicRow:
    topic: str
    count: int
    previous: int | None
    change: Change
    rising: bool
    href: str


@dataclass(frozen=True)
class TopicTrend:
    chart: SafeString
    week: str  # the latest week, which the rows describe
    rows: list[TopicRow]


def topic_trend(report_filter: ReportFilter, links: Links) -> TopicTrend:
    """Contact reasons per ISO week (whole weeks of the range), with unusual rises flagged.

    At least the last ``TREND_WEEKS`` weeks are shown (a trend needs more than one week); the
    four weeks before them are read too, as the baseline of the rule in
    ``symfonie.domain.kpi.topics``.
    """
    shown = whole_weeks(report_filter, minimum_weeks=TREND_WEEKS)
    wide = whole_weeks(shown, weeks_before=4)
    tenant = report_filter.tenant
    with_topics = wide.contacts().filter(topics__isnull=False).distinct()
    records = contact_records(with_topics, tenant_key=tenant.slug, with_topics=True)
    found = {
        (row.week_start.astimezone(UTC), row.topic): row
        for row in topic_trends(records, tz=tenant.time_zone)
    }
    weeks = Bucketing(zone=report_filter.zone, period=Period.WEEK)
    starts = list(weeks.starts_overlapping(*shown.instants))
    totals: dict[str, int] = {}
    for (start, topic), row in found.items():
        if any(start == week.astimezone(UTC) for week in starts):
            totals[topic] = totals.get(topic, 0) + row.count
    top = sorted((t for t in totals if totals[t]), key=lambda t: (-totals[t], t))[:TOP_TOPICS]
    points = []
    for start in starts:
        end = weeks.end_of(start)
        rows = [found.get((start.astimezone(UTC), topic)) for topic in top]
        points.append(
            charts.Point(
                label=_("wk %(n)s") % {"n": start.isocalendar().week},
                title=formatting.week_name(start),
                values=tuple(row.count if row else 0 for row in rows),
                hrefs=tuple(links.week_drill("contacts", start, end, topic=t) for t in top),
                flags=tuple(bool(row and row.rising) for row in rows),
            )
        )
    chart = charts.lines(
        _("Top contact reasons per week (ringed: unusual rise)"),
        [charts.Series(f"t{number}", topic) for number, topic in enumerate(top)],
        points,
        fmt=lambda value: formatting.count(int(value)),
        empty=_("No contact reasons recorded in this range."),
    )
    latest = starts[-1] if starts else None
    table: list[TopicRow] = []
    if latest is not None:
        end = weeks.end_of(latest)
        for (start, topic), row in found.items():
            if start != latest.astimezone(UTC) or not (row.count or row.previous_count):
                continue
            table.append(
                TopicRow(
                    topic=topic,
                    count=row.count,
                    previous=row.previous_count,
                    change=formatting.change(row.count, row.previous_count, "count"),
                    rising=row.rising,
                    href=links.week_drill("contacts", latest, end, topic=topic),
                )
            )
        table.sort(key=lambda item: (not item.rising, -item.count, item.topic))
    return TopicTrend(
        chart=chart,
        week=formatting.week_name(latest) if latest else "",
        rows=table[:TOPIC_ROWS],
    )


def escalation_chart(weeks: list[EscalationWeek], links: Links) -> SafeString:
    points = [
        charts.Point(
            label=_("wk %(n)s") % {"n": week.start.isocalendar().week},
            title=_("%(week)s: %(rate)s of %(answered)s answered")
            % {
                "week": formatting.week_name(week.start),
                "rate": formatting.rate(week.rate),
                "answered": formatting.count(week.answered),
            },
            values=(week.escalations,),
            hrefs=(links.week_drill("escalated", week.start, week.end),),
        )
        for week in weeks
    ]
    return charts.stacked_bars(
        _("Escalations per week"),
        [charts.Series("escalated", _("escalated answered contacts"))],
        points,
        fmt=lambda value: formatting.count(int(value)),
        top_labels=[formatting.rate(week.rate) for week in weeks] if len(weeks) <= 26 else None,
        empty=_("No escalations in these weeks."),
    )


@dataclass(frozen=True)
class Dashboard:
    report: KpiReport
    previous: KpiReport
    kpis: KpiSet
    tiles: list[Tile]
    charts: dict[str, SafeString]
    topics: TopicTrend
    escalations: list[EscalationWeek]
    # above CONTACT_FIGURES_LIMIT contacts the figures read from the contacts are left out
    limited: bool = False


def _tallied_channels(report_filter: ReportFilter) -> KpiSet:
    """A KpiSet holding only the channel mix, from the stored tallies."""
    counts = {
        channel: total
        for channel, total in report_filter.intervals()
        .values("channel")
        .annotate(total=Sum("contacts"))
        .values_list("channel", "total")
        if total
    }
    everything = sum(counts.values())
    mix = {channel: n / everything for channel, n in counts.items()}
    return replace(compute_kpis([]), channel_counts=counts, channel_mix=mix)


def build_dashboard(report_filter: ReportFilter, every: str, links: Links) -> Dashboard:
    """Everything the dashboard page shows for the range, filters and interval.

    The tallied figures come back fast for any range; FCR, repeat contacts, topics and the
    escalation reasons are computed from the contacts, so for ranges of more than
    ``CONTACT_FIGURES_LIMIT`` contacts (with the previous period) they are left out, the channel
    mix comes from the tallies, and the page says so.
    """
    report = kpi_report(report_filter, every=every)
    previous = kpi_report(report_filter.previous())
    if report.total.contacts + previous.total.contacts > CONTACT_FIGURES_LIMIT:
        kpis = _tallied_channels(report_filter)
        empty = compute_kpis([])
        return Dashboard(
            report=report,
            previous=previous,
            kpis=kpis,
            tiles=tiles(report.total, previous.total, empty, empty, links),
            charts={
                "volumes": volume_chart(report, every, links),
                "service_level": service_level_chart(report, every, links),
                "channels": channel_chart(kpis, links),
                "escalations": SafeString(""),
            },
            topics=TopicTrend(chart=SafeString(""), week="", rows=[]),
            escalations=[],
            limited=True,
        )
    kpis = contact_kpis(report_filter)
    kpis_before = contact_kpis(report_filter.previous())
    weeks = escalation_weeks(report_filter, minimum_weeks=TREND_WEEKS)
    return Dashboard(
        report=report,
        previous=previous,
        kpis=kpis,
        tiles=tiles(report.total, previous.total, kpis, kpis_before, links),
        charts={
            "volumes": volume_chart(report, every, links),
            "service_level": service_level_chart(report, every, links),
            "channels": channel_chart(kpis, links),
            "escalations": escalation_chart(weeks, links),
        },
        topics=topic_trend(report_filter, links),
        escalations=weeks,
    )
