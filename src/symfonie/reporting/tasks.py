"""Background tasks of reporting (django-tasks, database backend)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from symfonie.reporting.weekly import parse_week, send_weekly_reports


@task()
def send_weekly_report_mails(week: str | None = None, tenant: str | None = None) -> int:
    """E-mail the weekly report (``week`` "2026-W10", default last week) to every tenant's
    supervisors, admins and client viewers, or to one tenant's (its slug); returns the number
    of e-mails sent. Enqueue it on Monday morning: ``send_weekly_report_mails.enqueue()``."""
    monday = parse_week(week) if week else None
    sent = send_weekly_reports(timezone.now(), week=monday, tenant_slug=tenant)
    return sum(count for _tenant, _monday, count in sent)
