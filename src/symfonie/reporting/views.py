"""The report pages: dashboard, drill-down to the contacts, escalations, CSV/XLSX exports.

Views parse the query (``forms.py``) and authorise (``access.py``); the figures come from
``dashboard.py``, ``drilldown.py`` and ``escalations.py``. Every page uses the request's tenant
only; bad query input shows the filter again with the message (status 422), never a 500.
Times are shown on the tenant's clock (``timezone.override``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from symfonie.contacts.models import Channel, Contact
from symfonie.contacts.models.interactions import Outcome
from symfonie.problems import InvalidInput
from symfonie.reporting import charts, exports, formatting
from symfonie.reporting.access import may_open_customers, require_reports
from symfonie.reporting.dashboard import (
    CONTACT_FIGURES_LIMIT,
    Links,
    build_dashboard,
    escalation_chart,
)
from symfonie.reporting.drilldown import drill, figure_label, handle_seconds
from symfonie.reporting.escalations import answer, escalation_weeks
from symfonie.reporting.forms import INTERVAL_CHOICES, DrillForm, ReportForm, default_end
from symfonie.reporting.models import KpiInterval
from symfonie.reporting.report import kpi_report
from symfonie.tenants.models import Membership, Role
from symfonie.tenants.scoping import Tenancy
from symfonie.web.decorators import tenant_page

PAGE_SIZE = 50
ESCALATION_DAYS = 8 * 7


def report_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, a report role, times on the tenant's clock, bad input as a 422 page."""

    @tenant_page
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        tenancy: Tenancy = request.tenancy
        require_reports(tenancy)
        with timezone.override(ZoneInfo(tenancy.tenant.time_zone)):
            try:
                return view(request, *args, **kwargs)
            except InvalidInput as exc:
                context = {"detail": exc.detail, **_filter_choices(tenancy, request)}
                return render(request, "reporting/invalid.html", context, status=exc.status)

    return wrapper


def _filter_choices(tenancy: Tenancy, request: HttpRequest) -> dict[str, object]:
    """What the filter bar offers: the tenant's queues, channels, agents and intervals."""
    queues = set(
        KpiInterval.objects.filter(tenant=tenancy.tenant)
        .order_by()
        .values_list("queue", flat=True)
        .distinct()
    )
    agents = (
        Membership.objects.filter(
            tenant=tenancy.tenant, role__in=[Role.AGENT, Role.SUPERVISOR, Role.ADMIN]
        )
        .select_related("user")
        .order_by("user__first_name", "user__email")
    )
    return {
        "values": request.GET,
        "queues": sorted(q for q in queues if q),
        "channels": Channel.choices,
        "agents": [(m.user_id, m.user.get_full_name() or m.user.email) for m in agents],
        "intervals": INTERVAL_CHOICES,
    }


def _form(request: HttpRequest, form_class: type[ReportForm] = ReportForm, **kwargs: object):
    tenant = request.tenancy.tenant
    return form_class(
        request.GET, tenant=tenant, end_default=default_end(tenant, timezone.now()), **kwargs
    )


@report_page
def dashboard(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    report_filter = form.report_filter()
    links = Links({**form.params(), "interval": form.every})
    board = build_dashboard(report_filter, form.every, links)
    context = {
        **_filter_choices(request.tenancy, request),
        "values": {**form.params(), "interval": form.every},
        "filter": report_filter,
        "board": board,
        "links": {
            "csv": links.url("export-csv"),
            "xlsx": links.url("export-xlsx"),
            "escalations": links.url(
                "escalations",
                start=board.escalations[0].start.date() if board.escalations else None,
                interval=None,
            ),
        },
        "limit": CONTACT_FIGURES_LIMIT,
        "previous_start": report_filter.previous().start,
        "previous_end": report_filter.previous().end,
    }
    return render(request, "reporting/dashboard.html", context)


def _dashboard_export(request: HttpRequest, kind: str) -> HttpResponse:
    form = _form(request)
    report_filter = form.report_filter()
    report = kpi_report(report_filter, every=form.every)
    header, rows = exports.dashboard_table(report)
    tenant = report_filter.tenant
    name = exports.filename(tenant, report_filter.start, report_filter.end, "kpis", kind)
    if kind == "csv":
        return exports.csv_response(name, header, rows, report_filter.zone)
    about = [
        ("tenant", tenant.slug),
        ("start", report_filter.start.isoformat()),
        ("end", report_filter.end.isoformat()),
        ("time_zone", tenant.time_zone),
        ("interval", form.every),
        ("queue", report_filter.queue or ""),
        ("channel", report_filter.channel or ""),
        ("agent", str(report_filter.agent_id or "")),
        ("short_abandon_seconds", f"{report.settings.short_abandon_seconds:g}"),
        ("service_level_headline", report.settings.service_level_variant.value),
    ]
    return exports.xlsx_response(name, header, rows, report_filter.zone, title="kpis", about=about)


@report_page
def export_csv(request: HttpRequest) -> HttpResponse:
    return _dashboard_export(request, "csv")


@report_page
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _dashboard_export(request, "xlsx")


@report_page
def contacts(request: HttpRequest) -> HttpResponse:
    tenancy: Tenancy = request.tenancy
    form = _form(request, DrillForm)
    drill_down = form.drill_down()
    records = drill(drill_down)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [int(record.contact_id) for record in page.object_list]
    found = tenancy.scope(Contact).select_related("customer", "agent").in_bulk(ids)
    channels, outcomes = dict(Channel.choices), dict(Outcome.choices)
    rows = []
    for record in page.object_list:
        contact = found[int(record.contact_id)]
        agent = contact.agent
        rows.append(
            {
                "contact": contact,
                "arrived_at": record.arrived_at,
                "channel": record.channel,
                "channel_label": channels.get(record.channel, record.channel),
                "queue": record.queue,
                "customer": contact.customer,
                "agent": (agent.get_full_name() or agent.email) if agent else "",
                "wait": formatting.seconds(record.wait_seconds),
                "handle": formatting.seconds(handle_seconds(record)),
                "outcome": outcomes.get(record.outcome.value, record.outcome.value),
                "outcome_value": record.outcome.value,
                "escalated": record.escalated,
                "transferred": record.transferred,
            }
        )
    params = form.params()
    links = Links({**params, "interval": form.every})
    context = {
        **_filter_choices(tenancy, request),
        "values": {**params, "interval": form.every},
        "drill": drill_down,
        "figure": figure_label(drill_down.figure),
        "total": len(records),
        "page": page,
        "rows": rows,
        "customer_links": may_open_customers(tenancy),
        "hidden": [
            (name, params[name])
            for name in ("figure", "topic", "order", "bucket_start", "bucket_end")
            if name in params
        ]
        + [("interval", form.every)],
        "links": {
            "csv": links.url("contacts-export-csv"),
            "xlsx": links.url("contacts-export-xlsx"),
            "dashboard": Links(
                {
                    k: v
                    for k, v in params.items()
                    if k in ("start", "end", "queue", "channel", "agent")
                }
                | {"interval": form.every}
            ).url("dashboard"),
            "previous": links.url("contacts", page=page.previous_page_number())
            if page.has_previous()
            else "",
            "next": links.url("contacts", page=page.next_page_number()) if page.has_next() else "",
        },
    }
    return render(request, "reporting/contacts.html", context)


def _contacts_export(request: HttpRequest, kind: str) -> HttpResponse:
    form = _form(request, DrillForm)
    drill_down = form.drill_down()
    records = drill(drill_down)
    # names for every contact of the range in one query: no list of ids, no model instances
    header, rows = exports.drill_table(records, exports.people(drill_down.contacts()))
    report_filter = drill_down.filter
    name = exports.filename(
        report_filter.tenant,
        report_filter.start,
        report_filter.end,
        f"contacts-{drill_down.figure}",
        kind,
    )
    if kind == "csv":
        return exports.csv_response(name, header, rows, report_filter.zone)
    about = [(key, value) for key, value in form.params().items()]
    about.insert(0, ("tenant", report_filter.tenant.slug))
    about.append(("time_zone", report_filter.tenant.time_zone))
    return exports.xlsx_response(
        name, header, rows, report_filter.zone, title="contacts", about=about
    )


@report_page
def contacts_export_csv(request: HttpRequest) -> HttpResponse:
    return _contacts_export(request, "csv")


@report_page
def contacts_export_xlsx(request: HttpRequest) -> HttpResponse:
    return _contacts_export(request, "xlsx")


@report_page
def escalations(request: HttpRequest) -> HttpResponse:
    tenancy: Tenancy = request.tenancy
    form = _form(request, default_days=ESCALATION_DAYS)
    report_filter = form.report_filter()
    params = form.params()
    links = Links(params)
    weeks = escalation_weeks(report_filter)
    today = timezone.now().astimezone(report_filter.zone).date()
    rows = [
        {
            "week": week,
            "name": formatting.week_name(week.start),
            "answered": formatting.count(week.answered),
            "escalations": formatting.count(week.escalations),
            "rate": formatting.rate(week.rate),
            "change": formatting.change(
                week.escalations, week.previous_escalations, "count", False
            ),
            "rate_change": formatting.change(week.rate, week.previous_rate, "rate", False),
            "href": links.week_drill("escalated", week.start, week.end),
            "topics": [
                (topic, n, links.week_drill("escalated", week.start, week.end, topic=topic))
                for topic, n in week.topics
            ],
            "outcomes": week.outcomes,
        }
        for week in weeks
    ]
    context = {
        **_filter_choices(tenancy, request),
        "values": params,
        "filter": report_filter,
        "answer": answer(weeks, today),
        "chart": escalation_chart(weeks, links),
        "rate_chart": charts.lines(
            _("Escalation rate per week"),
            [charts.Series("escalated", _("escalated / answered"))],
            [
                charts.Point(
                    label=_("wk %(n)s") % {"n": week.start.isocalendar().week},
                    title=formatting.week_name(week.start),
                    values=(week.rate,),
                    hrefs=(links.week_drill("escalated", week.start, week.end),),
                )
                for week in weeks
            ],
            fmt=lambda value: formatting.rate(value, 0),
            empty=_("No answered contacts in these weeks."),
        ),
        "rows": list(reversed(rows)),
        "dashboard": links.url("dashboard"),
    }
    return render(request, "reporting/escalations.html", context)
