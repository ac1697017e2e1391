"""The workforce planner pages: planner, what-if calculator, intraday view and CSV exports.

Views parse the query (``forms.py``) and authorise (supervisors and admins: the 403 page for
everyone else); the work is in ``planner.py``, ``whatif.py`` and ``intraday.py``, the charts in
``charts.py``. Every page uses the request's tenant only, and its own queues only. Bad input
shows the form again with the field's message (status 422); an impossible schedule shows the
solver's named reasons — never a 500.

A plan takes seconds (the forecast's backtest, then CP-SAT within its time limit), so it is kept
in Django's cache for :data:`CACHE_SECONDS`, keyed by the tenant, every setting and the agents:
switching the day shown, the intraday view and the CSV exports of the same settings then reuse
the schedule on the page instead of solving again (a re-solve under a time limit may differ).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from symfonie.problems import Forbidden
from symfonie.reporting.report import ReportFilter, kpi_report
from symfonie.tenants.models import Membership, Role, Tenant
from symfonie.tenants.scoping import Tenancy
from symfonie.web.decorators import tenant_page
from symfonie.wfm import charts
from symfonie.wfm.forms import (
    IntradayForm,
    PlannerForm,
    WhatIfForm,
    last_full_day,
    newest_contact_day,
    oldest_contact_day,
    tenant_queues,
)
from symfonie.wfm.intraday import Actual, active_rows, intraday_rows
from symfonie.wfm.planner import (
    Plan,
    PlanSettings,
    StaffedForecast,
    make_plan,
    plan_schedule,
    read_history,
    staffed_forecast,
)
from symfonie.wfm.roster import AgentInfo
from symfonie.wfm.whatif import WhatIfInput, what_if

PLANNER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
CACHE_SECONDS = 15 * 60


def planner_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, supervisor or admin of the request's tenant, times on the tenant's clock."""

    @tenant_page
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        tenancy: Tenancy = request.tenancy  # type: ignore[attr-defined]
        if tenancy.role not in PLANNER_ROLES:
            raise Forbidden(_("Planning is for supervisors and admins."))
        with timezone.override(ZoneInfo(tenancy.tenant.time_zone)):
            return view(request, tenancy.tenant, *args, **kwargs)

    return wrapper


def _agents(tenant: Tenant) -> tuple[AgentInfo, ...]:
    """The tenant's agents (role agent) in name order: the people the schedule plans.

    The id is the name (with the e-mail address when two agents share it): the solver's
    reasons name agents by id, and a planner reads "agents Anna, Ben" better than user ids.
    """
    memberships = (
        Membership.objects.filter(tenant=tenant, role=Role.AGENT)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )
    agents: list[AgentInfo] = []
    seen: set[str] = set()
    for membership in memberships:
        user = membership.user
        name = user.get_full_name() or user.email
        agent_id = name if name not in seen else f"{name} <{user.email}>"
        seen |= {name, agent_id}
        agents.append(AgentInfo(agent_id, name))
    return tuple(agents)


def _cache_key(kind: str, tenant: Tenant, *parts: object) -> str:
    created = tenant.created_at.isoformat() if tenant.created_at else ""
    raw = repr((kind, tenant.pk, created, parts))
    return f"wfm:{kind}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _staffed(tenant: Tenant, settings: PlanSettings) -> StaffedForecast:
    key = _cache_key("forecast", tenant, settings.forecast_key())
    found: StaffedForecast | None = cache.get(key)
    if found is None:
        found = staffed_forecast(read_history(tenant, settings), settings)
        cache.set(key, found, CACHE_SECONDS)
    # the same forecast serves other schedule settings (office seats, contracts): carry these
    return replace(found, settings=settings)


def _plan(tenant: Tenant, settings: PlanSettings) -> Plan:
    agents = _agents(tenant)
    key = _cache_key("plan", tenant, settings, agents)
    found: Plan | None = cache.get(key)
    if found is None:
        staffed = _staffed(tenant, settings)
        found = make_plan(staffed, plan_schedule(staffed, agents))
        cache.set(key, found, CACHE_SECONDS)
    return found


def _url(name: str, params: dict[str, str], **extra: str) -> str:
    query = {key: value for key, value in {**params, **extra}.items() if value not in ("", None)}
    return f"{reverse(name)}?{urlencode(query)}"


def _planner_form(request: HttpRequest, tenant: Tenant, queues: list[str]) -> PlannerForm:
    end = last_full_day(tenant, timezone.now())
    data = {"queue": queues[0] if queues else "", **request.GET.dict()}
    return PlannerForm(data, queues=queues, history_end_default=end)


def _settings(form: PlannerForm, tenant: Tenant) -> PlanSettings:
    """The form's settings; the history never reaches back before the queue's first contact
    (weeks of zeros would teach the forecast a closed queue), but keeps at least 2 weeks."""
    settings = form.plan_settings(countries=(tenant.default_region,))
    oldest = oldest_contact_day(tenant, settings.queue)
    if oldest is not None:
        whole_weeks = ((settings.history_end - oldest).days + 1) // 7
        weeks = max(2, min(settings.history_weeks, whole_weeks))
        settings = replace(settings, history_weeks=weeks)
    return settings


@planner_page
def planner(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    queues = tenant_queues(tenant)
    form = _planner_form(request, tenant, queues)
    context: dict[str, Any] = {"form": form, "queues": queues, "current": "planner"}
    if "queue" not in request.GET or not queues:
        if not form.data.get("history_end"):  # show the default the plan would use
            form.data = {**form.data, "history_end": form.history_end_default.isoformat()}
        return render(request, "wfm/planner.html", context)
    if not form.is_valid():
        return render(request, "wfm/planner.html", context, status=422)
    settings = _settings(form, tenant)
    try:
        plan = _plan(tenant, settings)
    except ValueError as exc:  # the forecast or the staffing refuses the settings
        form.add_error(None, str(exc))
        return render(request, "wfm/planner.html", context, status=422)
    day = form.day_index()
    params = form.params()
    context |= _plan_context(plan, day, params)
    return render(request, "wfm/planner.html", context)


def _plan_context(plan: Plan, day: int, params: dict[str, str]) -> dict[str, Any]:
    staffed, outcome = plan.staffed, plan.outcome
    rows = []
    for index, row in enumerate(staffed.intervals):
        if row.day != day:
            continue
        scheduled = plan.scheduled_by_interval[index]
        if row.contacts < 0.05 and not row.scheduled_agents and not scheduled:
            continue
        rows.append(
            {
                "row": row,
                "in_schedule": scheduled,
                "short": (scheduled is not None and scheduled < row.scheduled_agents),
            }
        )
    shown = staffed.days[day]
    peak = max(staffed.day_intervals(day), key=lambda r: r.contacts, default=None)
    what_if_params = {}
    if peak is not None and peak.contacts > 0:
        what_if_params = {
            "calls": f"{peak.contacts:.1f}",
            "interval_minutes": "30",
            "aht_seconds": f"{peak.aht_seconds:.0f}",
            "service_level": params.get("service_level", "80"),
            "threshold_seconds": params.get("threshold_seconds", "20"),
            "agents": str(max(peak.agents, 1)),
        }
    context: dict[str, Any] = {
        "plan": plan,
        "staffed": staffed,
        "outcome": outcome,
        "day_index": day,
        "shown_day": shown,
        "staffing_rows": rows,
        "charts": {
            "daily": charts.forecast_daily_chart(staffed),
            "intervals": charts.forecast_interval_chart(staffed, day),
        },
        "day_links": [
            (d.day, _url("wfm:planner", params, day=d.day.isoformat()), i == day)
            for i, d in enumerate(staffed.days)
        ],
        "links": {
            "schedule_csv": _url("wfm:schedule-csv", params),
            "forecast_csv": _url("wfm:forecast-csv", params),
            "intraday": _url("wfm:intraday", params, day=shown.day.isoformat()),
            "what_if": _url("wfm:what-if", what_if_params) if what_if_params else "",
        },
    }
    if outcome.ok:
        context["charts"] |= {
            "gantt_week": charts.gantt_week(outcome),
            "gantt_day": charts.gantt_day(outcome, day),
            "coverage": charts.coverage_chart(outcome, day),
        }
        context["day_shifts"] = outcome.day_shifts(day)
        context["schedule_days"] = [
            {
                "day": d,
                "under_hours": d.under / 4,
                "over_hours": d.over / 4,
                "required_hours": sum(d.required) / 4,
                "over_cap": outcome.office_seats is not None
                and d.max_office_seats_used > outcome.office_seats,
            }
            for d in outcome.days
        ]
    return context


@planner_page
def what_if_page(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = WhatIfForm(request.GET.dict())
    context: dict[str, Any] = {"form": form, "current": "what-if"}
    if not form.is_valid():
        return render(request, "wfm/what_if.html", context, status=422)
    data = form.cleaned_data
    given = WhatIfInput(
        calls=data["calls"],
        interval_minutes=data["interval_minutes"],
        aht_seconds=data["aht_seconds"],
        service_level=data["service_level"] / 100,
        threshold_seconds=float(data["threshold_seconds"]),
        agents=data["agents"],
        patience_seconds=data["patience_seconds"],
    )
    context["result"] = what_if(given)
    return render(request, "wfm/what_if.html", context)


@planner_page
def intraday(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    queues = tenant_queues(tenant)
    newest = newest_contact_day(tenant) or timezone.localdate()
    data = {"queue": queues[0] if queues else "", **request.GET.dict()}
    form = IntradayForm(data, queues=queues, newest_day=newest)
    context: dict[str, Any] = {"form": form, "current": "intraday"}
    if not form.is_valid():
        return render(request, "wfm/intraday.html", context, status=422)
    settings = _settings(form, tenant)
    try:
        plan = _plan(tenant, settings)
    except ValueError as exc:
        form.add_error(None, str(exc))
        return render(request, "wfm/intraday.html", context, status=422)
    day_index = form.day_index()
    day = plan.staffed.days[day_index].day
    report = kpi_report(
        ReportFilter(tenant, day, day, queue=settings.queue, channel=settings.channel),
        every="30m",
    )
    actuals = [
        Actual(
            start=bucket.start,
            offered=bucket.summary.offered,
            answered=bucket.summary.answered,
            service_level=bucket.summary.headline_service_level,
        )
        for bucket in report.buckets
    ]
    rows = active_rows(
        intraday_rows(plan, day_index, actuals, margin=form.cleaned_data["margin"] / 100)
    )
    params = form.params()
    context |= {
        "plan": plan,
        "day": day,
        "rows": rows,
        "at_risk": [row for row in rows if row.at_risk],
        "report": report,
        "measured_threshold": ", ".join(
            f"{t:g}" for t in report.total.service_level.thresholds_seconds
        ),
        "charts": {
            "contacts": charts.intraday_contacts_chart(rows),
            "agents": charts.intraday_agents_chart(rows),
        },
        "links": {"planner": _url("wfm:planner", params, day=day.isoformat())},
    }
    return render(request, "wfm/intraday.html", context)


def _cell(value: object) -> str:
    """A CSV cell; text starting like a formula is quoted so a spreadsheet shows, not runs, it."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(name: str, header: list[str], rows: list[list[object]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[_cell(value) for value in row] for row in rows])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _problem(status: int, lines: list[str]) -> HttpResponse:
    return HttpResponse("\n".join(lines) + "\n", status=status, content_type="text/plain")


def _export_settings(request: HttpRequest, tenant: Tenant) -> PlanSettings | HttpResponse:
    form = _planner_form(request, tenant, tenant_queues(tenant))
    if not form.is_valid():
        return _problem(
            422,
            [
                f"{field}: {' '.join(str(e) for e in errors)}"
                for field, errors in form.errors.items()
            ],
        )
    return _settings(form, tenant)


@planner_page
def schedule_csv(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    settings = _export_settings(request, tenant)
    if isinstance(settings, HttpResponse):
        return settings
    try:
        plan = _plan(tenant, settings)
    except ValueError as exc:
        return _problem(422, [str(exc)])
    outcome = plan.outcome
    if not outcome.ok:
        return _problem(
            409,
            [
                _("No schedule: %(status)s") % {"status": outcome.status},
                outcome.message,
                *outcome.reasons,
            ],
        )
    rows: list[list[object]] = [
        [
            shift.agent,
            shift.day.isoformat(),
            shift.start,
            shift.end,
            shift.breaks_text,
            shift.location,
            shift.queue,
        ]
        for shift in sorted(outcome.shifts, key=lambda s: (s.agent, s.day, s.start_minute))
    ]
    name = f"{tenant.slug}-schedule-{settings.horizon_start}-{settings.horizon_end}.csv"
    return _csv(name, ["agent", "date", "start", "end", "breaks", "location", "queue"], rows)


@planner_page
def forecast_csv(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    settings = _export_settings(request, tenant)
    if isinstance(settings, HttpResponse):
        return settings
    try:
        staffed = _staffed(tenant, settings)
    except ValueError as exc:
        return _problem(422, [str(exc)])
    rows: list[list[object]] = [
        [
            row.start.isoformat(),
            f"{row.contacts:.3f}",
            f"{row.aht_seconds:.1f}",
            f"{row.load_erlangs:.3f}",
            row.agents,
            row.scheduled_agents,
            f"{row.service_level:.4f}",
            f"{row.occupancy:.4f}",
        ]
        for row in staffed.intervals
    ]
    header = [
        "interval_start",
        "contacts",
        "aht_seconds",
        "load_erlangs",
        "required_agents",
        "scheduled_agents",
        "service_level",
        "occupancy",
    ]
    name = f"{tenant.slug}-forecast-{settings.horizon_start}-{settings.horizon_end}.csv"
    return _csv(name, header, rows)
