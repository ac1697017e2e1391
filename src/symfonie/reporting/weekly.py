"""The weekly report: last week's figures against the week before, e-mailed per tenant.

Every supervisor, admin and client viewer of a tenant gets one message (plain text and HTML)
in the interface language (Dutch by default), sent one by one so recipients do not see each
other's addresses. ``symfonie report weekly`` and the task ``send_weekly_reports`` send it now;
run either on Monday morning (cron, or a scheduler enqueueing the task).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from symfonie.problems import InvalidInput
from symfonie.reporting import formatting
from symfonie.reporting.access import REPORT_ROLES
from symfonie.reporting.escalations import answer, escalation_weeks
from symfonie.reporting.report import ReportFilter, contact_kpis, kpi_report
from symfonie.tenants.models import Tenant, User

WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$")
TOP_TOPICS = 5


def parse_week(text: str) -> date:
    """The Monday of an ISO week written ``2026-W10``."""
    match = WEEK.match(text.strip())
    if match is None:
        raise InvalidInput(f"not an ISO week (YYYY-Www, e.g. 2026-W10): {text!r}", field="week")
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as exc:
        raise InvalidInput(f"no such week: {text!r} ({exc})", field="week") from None


def last_week(tenant: Tenant, now: datetime) -> date:
    """The Monday of the week before the current one, on the tenant's clock."""
    today = now.astimezone(ZoneInfo(tenant.time_zone)).date()
    return today - timedelta(days=today.weekday() + 7)


def recipients(tenant: Tenant) -> list[str]:
    """The e-mail addresses of the tenant's active supervisors, admins and client viewers."""
    users = User.objects.filter(
        memberships__tenant=tenant, memberships__role__in=REPORT_ROLES, is_active=True
    ).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


@dataclass(frozen=True)
class WeeklyReport:
    tenant: Tenant
    monday: date
    subject: str
    text: str
    html: str


def _rows(this, before, kpis, kpis_before) -> list[dict[str, object]]:
    def row(label: str, now, then, kind: str, better: bool | None = None) -> dict[str, object]:
        show = {
            "count": formatting.count,
            "rate": formatting.rate,
            "seconds": formatting.seconds,
            "points": formatting.points,
        }[kind]
        return {
            "label": label,
            "value": show(now),
            "previous": show(then),
            "change": formatting.change(now, then, kind, better),
        }

    variant = this.service_level_variant
    level_label = formatting.service_level_label(this.service_level, variant)
    return [
        row(_("Offered"), this.offered, before.offered, "count"),
        row(_("Answered"), this.answered, before.answered, "count"),
        row(_("Abandoned"), this.abandoned, before.abandoned, "count", False),
        row(_("Abandonment rate"), this.abandonment_rate, before.abandonment_rate, "rate", False),
        row(
            _("Abandonment rate excluding short abandons"),
            this.abandonment_rate_excluding_short_abandons,
            before.abandonment_rate_excluding_short_abandons,
            "rate",
            False,
        ),
        row(
            _("Service level (%(label)s)") % {"label": level_label},
            this.headline_service_level,
            before.headline_service_level,
            "rate",
            True,
        ),
        row(_("Average speed of answer"), this.asa_seconds, before.asa_seconds, "seconds", False),
        row(_("Average handle time"), this.aht_seconds, before.aht_seconds, "seconds"),
        row(_("Longest wait"), this.longest_wait_seconds, before.longest_wait_seconds, "seconds",
            False),
        row(_("Escalations"), this.escalations, before.escalations, "count", False),
        row(_("Escalation rate"), this.escalation_rate, before.escalation_rate, "rate", False),
        row(_("Transfer rate"), this.transfer_rate, before.transfer_rate, "rate", False),
        row(_("Customer satisfaction (CSAT)"), this.csat, before.csat, "rate", True),
        row(_("Net Promoter Score"), this.nps, before.nps, "points", True),
        row(_("First-contact resolution"), kpis.first_contact_resolution,
            kpis_before.first_contact_resolution, "rate", True),
        row(_("Repeat-contact rate"), kpis.repeat_contact_rate,
            kpis_before.repeat_contact_rate, "rate", False),
    ]  # fmt: skip


def build_weekly_report(tenant: Tenant, monday: date, *, today: date | None = None) -> WeeklyReport:
    """The message for the ISO week starting ``monday`` (figures of that week and the one before)."""
    week = ReportFilter(tenant, monday, monday + timedelta(days=6))
    before = week.previous()
    this_total, before_total = kpi_report(week).total, kpi_report(before).total
    kpis, kpis_before = contact_kpis(week), contact_kpis(before)
    with translation.override(settings.LANGUAGE_CODE):
        topics = sorted(kpis.topic_counts.items(), key=lambda item: (-item[1], item[0]))
        context = {
            "tenant": tenant,
            "week": formatting.week_name(monday),
            "iso_week": formatting.iso_week(monday),
            "rows": _rows(this_total, before_total, kpis, kpis_before),
            "topics": [
                {
                    "topic": topic,
                    "count": formatting.count(n),
                    "change": formatting.change(n, kpis_before.topic_counts.get(topic, 0), "count"),
                }
                for topic, n in topics[:TOP_TOPICS]
            ],
            "escalation_answer": answer(escalation_weeks(week), today or monday),
            "previous_week": formatting.week_name(monday - timedelta(days=7)),
        }
        subject = _("Weekly report %(tenant)s, %(week)s") % {
            "tenant": tenant.name,
            "week": context["week"],
        }
        text = render_to_string("reporting/email/weekly.txt", context)
        html = render_to_string("reporting/email/weekly.html", context)
    return WeeklyReport(tenant, monday, subject, text, html)


def send_weekly_report(tenant: Tenant, monday: date, *, today: date | None = None) -> int:
    """E-mail the week's report to each recipient of the tenant; returns how many were sent."""
    addresses = recipients(tenant)
    if not addresses:
        return 0
    report = build_weekly_report(tenant, monday, today=today)
    messages = []
    for address in addresses:
        message = EmailMultiAlternatives(
            report.subject, report.text, settings.DEFAULT_FROM_EMAIL, [address]
        )
        message.attach_alternative(report.html, "text/html")
        messages.append(message)
    with get_connection() as connection:
        return int(connection.send_messages(messages) or 0)


def send_weekly_reports(
    now: datetime, *, week: date | None = None, tenant_slug: str | None = None
) -> list[tuple[Tenant, date, int]]:
    """Send the report of ``week`` (default: each tenant's last week) to every tenant, or one.

    Returns (tenant, Monday, e-mails sent) per tenant; an unknown slug is ``InvalidInput``.
    """
    tenants = Tenant.objects.order_by("slug")
    if tenant_slug is not None:
        tenants = tenants.filter(slug=tenant_slug)
        if not tenants.exists():
            raise InvalidInput(f"no tenant with slug {tenant_slug!r}", field="tenant")
    sent = []
    for tenant in tenants:
        monday = week or last_week(tenant, now)
        today = now.astimezone(ZoneInfo(tenant.time_zone)).date()
        sent.append((tenant, monday, send_weekly_report(tenant, monday, today=today)))
    return sent
