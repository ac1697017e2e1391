"""Audit records: who saw or changed what, when and why."""

from __future__ import annotations

from django.http import HttpRequest

from symfonie.tenants.models import AuditRecord
from symfonie.tenants.scoping import Tenancy


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit(
    tenancy: Tenancy,
    action: str,
    subject_type: str,
    subject_id: int,
    *,
    reason: str = "",
    request: HttpRequest | None = None,
) -> AuditRecord:
    return AuditRecord.objects.create(
        tenant=tenancy.tenant,
        actor=tenancy.user,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        reason=reason,
        via=tenancy.via,
        ip_address=client_ip(request),
    )
