"""Who may see reports: supervisors, admins and the opdrachtgever's client viewers, not agents.

A client viewer sees its own tenant's reports only (the request's tenancy, like every page) and
none of the staff pages (customer timelines, merges), which refuse it with ``require_staff``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from symfonie.problems import Forbidden
from symfonie.tenants.models import Role
from symfonie.tenants.scoping import Tenancy

REPORT_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.CLIENT_VIEWER})


def require_reports(tenancy: Tenancy) -> None:
    if tenancy.role not in REPORT_ROLES:
        raise Forbidden(_("Reports are for supervisors, admins and client viewers."))


def may_open_customers(tenancy: Tenancy) -> bool:
    """Customer pages are for staff: a client viewer gets names, no links."""
    return tenancy.is_staff_role
