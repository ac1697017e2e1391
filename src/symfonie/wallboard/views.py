"""The supervisor wallboard: the board page (also full-screen for a TV), its data.json, and the
two forms with which a supervisor changes an agent's state and skills.

Views parse and authorise (supervisors and admins of the active tenant; everyone else gets the
403 page, or a 403 problem from data.json); the state changes are ``symfonie.routing.actions``.
A refused change (a ``Problem``) becomes an error message on the board, never a 500; another
tenant's agent is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from symfonie.problems import Forbidden, InvalidInput, NotFound, Problem
from symfonie.routing import actions
from symfonie.routing.models import AgentProfile, BreakReason
from symfonie.tenants.models import MERGE_ROLES, User
from symfonie.tenants.scoping import Tenancy
from symfonie.wallboard.board import STATE_LABELS, build_board
from symfonie.web.decorators import tenant_page

SKILL_PREFIX = "skill."
REASON_MAX_LENGTH = AgentProfile._meta.get_field("presence_reason").max_length or 64


def _require_board(tenancy: Tenancy) -> None:
    if tenancy.role not in MERGE_ROLES:
        raise Forbidden(_("The wallboard is for supervisors and admins."))


def board_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, supervisor or admin of the request's tenant (the 403 page otherwise)."""

    @tenant_page
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        tenancy: Tenancy = request.tenancy  # type: ignore[attr-defined]
        _require_board(tenancy)
        return view(request, tenancy, *args, **kwargs)

    return wrapper


def _problem(status: int, title: str, detail: str) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JsonResponse(body, status=status, content_type="application/problem+json")


@require_GET
@board_page
def board(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    current = build_board(tenancy.tenant)
    tv = request.GET.get("tv") == "1"
    context = {
        "board": current,
        "board_json": current.as_json(),
        "queue_rows": current.queue_rows(),
        "agent_groups": current.agent_groups(),
        "state_labels": {state: str(label) for state, label in STATE_LABELS.items()},
        "skill_names": {skill.code: skill.name for skill in current.skills},
        "choosable": [(p, STATE_LABELS[p]) for p in actions.CHOOSABLE],
        "levels": range(6),
        "tv": tv,
    }
    return render(request, "wallboard/tv.html" if tv else "wallboard/board.html", context)


@never_cache
@require_GET
def data(request: HttpRequest) -> HttpResponse:
    """The board's figures as JSON; errors as problem details (the page's script reads them)."""
    if not request.user.is_authenticated:
        return _problem(401, "Unauthorized", _("Sign in again to see the wallboard."))
    tenancy: Tenancy | None = request.tenancy  # type: ignore[attr-defined]
    if tenancy is None:
        return _problem(403, "Forbidden", _("You do not work for any tenant."))
    try:
        _require_board(tenancy)
    except Forbidden as exc:
        return _problem(exc.status, exc.title, exc.detail)
    return JsonResponse(build_board(tenancy.tenant).as_json())


def _agent(tenancy: Tenancy, user_id: int) -> User:
    if not 0 < user_id < 2**63:  # SQLite raises OverflowError beyond a 64-bit integer
        raise Http404("agent not found")
    try:
        return actions.agent_of_tenant(tenancy, user_id)
    except NotFound as exc:  # another tenant's user, or no agent at all: not found here
        raise Http404(exc.detail) from exc


def _back(user_id: int) -> HttpResponse:
    return redirect(f"{reverse('wallboard:board')}#agent-{user_id}")


@require_POST
@board_page
def agent_presence(request: HttpRequest, tenancy: Tenancy, user_id: int) -> HttpResponse:
    user = _agent(tenancy, user_id)
    presence = request.POST.get("presence", "").strip()
    reason = request.POST.get("reason", "").strip() if presence == "break" else ""
    name = user.get_full_name() or user.email
    try:
        if len(reason) > REASON_MAX_LENGTH:
            # set_presence does not check it: a free-text reason (no break reasons configured)
            # that long fails in the router's projection on PostgreSQL (varchar)
            detail = _("a reason is at most %(n)d characters") % {"n": REASON_MAX_LENGTH}
            raise InvalidInput(detail, field="reason")
        actions.set_presence(tenancy, user, presence, reason)
    except Problem as exc:
        messages.error(request, _("%(name)s: %(detail)s") % {"name": name, "detail": exc.detail})
    else:
        label = str(STATE_LABELS.get(presence, presence))
        if reason:
            names = dict(
                BreakReason.objects.filter(tenant=tenancy.tenant).values_list("code", "name")
            )
            label = f"{label} ({names.get(reason, reason)})"
        messages.success(request, _("%(name)s is now: %(state)s.") % {"name": name, "state": label})
    return _back(user.pk)


def _levels(post: Any) -> dict[str, int]:
    """``skill.<code>`` fields → {code: level}; a level that is not a whole number is refused."""
    levels: dict[str, int] = {}
    for key in post:
        if not key.startswith(SKILL_PREFIX):
            continue
        code = key[len(SKILL_PREFIX) :]
        raw = post.get(key, "").strip() or "0"
        try:
            levels[code] = int(raw)
        except ValueError as exc:
            detail = _("the level of %(code)s must be a whole number from 0 to 5") % {"code": code}
            raise Problem(detail, field=f"skills.{code}") from exc
    return levels


@require_POST
@board_page
def agent_skills(request: HttpRequest, tenancy: Tenancy, user_id: int) -> HttpResponse:
    user = _agent(tenancy, user_id)
    name = user.get_full_name() or user.email
    try:
        actions.set_skills(tenancy, user.pk, _levels(request.POST))
    except Problem as exc:
        messages.error(request, _("%(name)s: %(detail)s") % {"name": name, "detail": exc.detail})
    else:
        messages.success(request, _("Skills of %(name)s saved.") % {"name": name})
    return _back(user.pk)
