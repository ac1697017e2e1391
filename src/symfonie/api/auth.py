"""API authentication: a tenant's bearer token, or the signed-in session (with CSRF)."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from symfonie.tenants.models import ApiToken, Membership, hash_token
from symfonie.tenants.scoping import Tenancy

#: How stale ``ApiToken.last_used_at`` may be.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Tenancy | None:
        row = (
            ApiToken.objects.select_related("tenant", "user")
            .filter(token_hash=hash_token(token), revoked=False, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        membership = Membership.objects.filter(user=row.user, tenant=row.tenant).first()
        if membership is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
            # at most once a minute: a write per request would contend for SQLite's write lock
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        tenancy = Tenancy(tenant=row.tenant, user=row.user, role=membership.role, via="api")
        request.tenancy = tenancy
        return tenancy


class SessionTenancyAuth(SessionAuth):
    """The browser session; the tenant is the one chosen in the UI (TenantMiddleware)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Tenancy | None:
        if super().authenticate(request, key) is None:
            return None
        return getattr(request, "tenancy", None)
