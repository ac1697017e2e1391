"""Attach the signed-in user's active tenant to the request (``request.tenancy``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from symfonie.tenants.scoping import tenancy_for

SESSION_TENANT_KEY = "symfonie_tenant_id"


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenancy = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.tenancy = tenancy_for(user, request.session.get(SESSION_TENANT_KEY))
        return self.get_response(request)


def tenant_context(request: HttpRequest) -> dict[str, object]:
    """Template context: the active tenancy and the tenants the user may switch to."""
    tenancy = getattr(request, "tenancy", None)
    user = getattr(request, "user", None)
    tenants = list(user.tenants()) if user is not None and user.is_authenticated else []
    return {"tenancy": tenancy, "user_tenants": tenants}
