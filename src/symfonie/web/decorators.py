"""Page guards: signed in, with a tenant, and turning problems into a message, not a 500."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from symfonie.problems import Forbidden


def tenant_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.tenancy is None:
            return render(request, "web/no_tenant.html", status=403)
        try:
            return view(request, *args, **kwargs)
        except Forbidden as exc:
            messages.error(request, exc.detail)
            return render(request, "web/forbidden.html", {"detail": exc.detail}, status=403)

    return wrapper
