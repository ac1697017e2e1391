"""KPI reports over the API: the same figures as ``symfonie report kpis --json``."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from ninja import Query, Router, Schema

from symfonie.api.schemas import Problem, Text
from symfonie.contacts.models import Contact
from symfonie.problems import InvalidInput
from symfonie.reporting.access import require_reports
from symfonie.reporting.report import ReportFilter, kpi_report, summary_json
from symfonie.tenants.scoping import Tenancy

router = Router(tags=["reports"])
ERRORS = {400: Problem, 401: Problem, 403: Problem, 422: Problem}


class KpiQuery(Schema):
    start: date
    end: date
    queue: Text | None = None
    channel: Text | None = None
    interval: Literal["15m", "30m", "60m", "day", "week", "month"] | None = None


@router.get("/reports/kpis", response={200: dict[str, Any], **ERRORS})
def kpis(request, query: Query[KpiQuery]):
    """KPIs of a range of local dates (the tenant's clock, end inclusive), in total and per
    interval; definitions in docs/kpis.md. Supervisors, admins and client viewers."""
    tenancy: Tenancy = request.auth
    require_reports(tenancy)
    if query.queue and not tenancy.scope(Contact).filter(queue=query.queue).exists():
        raise InvalidInput(f"no queue {query.queue!r} in this tenant", field="queue")
    report_filter = ReportFilter(
        tenancy.tenant, query.start, query.end, queue=query.queue, channel=query.channel
    )
    report = kpi_report(report_filter, every=query.interval)
    figures: dict[str, Any] = {
        "start": query.start.isoformat(),
        "end": query.end.isoformat(),
        "time_zone": tenancy.tenant.time_zone,
        "queue": query.queue,
        "channel": query.channel,
        "short_abandon_seconds": report.settings.short_abandon_seconds,
        **summary_json(report.total),
    }
    if query.interval:
        figures["interval"] = query.interval
        figures["intervals"] = [
            {"start": b.start.isoformat(), "end": b.end.isoformat(), **summary_json(b.summary)}
            for b in report.buckets
        ]
    return figures
