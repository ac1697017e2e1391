"""Tenant isolation, in one place.

Every request that reaches tenant data carries a ``Tenancy`` (set by the session middleware or
by the API token auth). Views and API handlers obtain querysets only through it, so a row of
another tenant is simply not found: a 404, never a 403 that would leak its existence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.db import models
from django.http import Http404

from symfonie.problems import Forbidden
from symfonie.tenants.models import MERGE_ROLES, STAFF_ROLES, Role, Tenant, User

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Tenancy:
    tenant: Tenant
    user: User
    role: str
    via: str = "web"  # "web" (session) or "api" (token)

    def scope(self, model: type[M]) -> models.QuerySet[M]:
        """All rows of ``model`` that belong to this tenant."""
        return model._default_manager.filter(tenant=self.tenant)

    def get(self, model: type[M], pk: object, queryset: models.QuerySet[M] | None = None) -> M:
        """One row of this tenant, or Http404 (also for another tenant's id or a bad id)."""
        qs = queryset if queryset is not None else self.scope(model)
        try:
            key = int(str(pk))
            if not 0 < key < 2**63:
                raise ValueError("out of range")
            return qs.get(pk=key)
        except (model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
            raise Http404(f"{model._meta.verbose_name} not found") from exc

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    def require_staff(self) -> None:
        if self.role not in STAFF_ROLES:
            raise Forbidden("this role may only read reports")

    def require_merge(self) -> None:
        if self.role not in MERGE_ROLES:
            raise Forbidden("only supervisors and admins may merge customers")


def tenancy_for(user: User, tenant_id: int | None = None) -> Tenancy | None:
    """The user's tenancy for ``tenant_id``, else for their first tenant; None without any."""
    memberships = user.memberships.select_related("tenant").order_by("tenant__name")
    membership = None
    if tenant_id is not None:
        membership = memberships.filter(tenant_id=tenant_id).first()
    if membership is None:
        membership = memberships.first()
    if membership is None:
        return None
    return Tenancy(tenant=membership.tenant, user=user, role=membership.role)


__all__ = ["Role", "Tenancy", "tenancy_for"]
