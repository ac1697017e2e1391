"""The agent workspace page and the fragments its script loads into a tab.

Views parse and authorise (staff roles of the request's tenant; another tenant's id is a 404)
and render; the content comes from ``state.py`` (presence, offer, contacts in hand),
``conversation.py`` (a tab and the customer panel) and ``canned.py``. What the agent does —
presence, offers, replies, transfer, wrap-up — goes through the REST API from the script; the
status switch also works as a plain form (``presence``) so a failing change shows its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from symfonie.contacts.models import Contact
from symfonie.problems import Problem
from symfonie.routing import actions
from symfonie.tenants.audit import audit
from symfonie.tenants.models import AuditRecord
from symfonie.tenants.scoping import Tenancy
from symfonie.web.decorators import tenant_page
from symfonie.workspace import canned, conversation
from symfonie.workspace.models import CannedResponse
from symfonie.workspace.state import contacts_in_hand, newest_event_id, snapshot, zone_of
from symfonie.workspace.texts import presence_labels, texts


def workspace_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, a staff role of the request's tenant, times on the tenant's clock."""

    @tenant_page
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        tenancy: Tenancy = request.tenancy  # type: ignore[attr-defined]
        tenancy.require_staff()
        with timezone.override(zone_of(tenancy.tenant)):
            return view(request, tenancy, *args, **kwargs)

    return wrapper


def json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A JSON view answers a missing row or a refusal as problem details, not an HTML page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Http404 as exc:
            return _problem(404, "Not found", str(exc) or "not found")
        except Problem as exc:
            return _problem(exc.status, exc.title, exc.detail)

    return wrapper


def _problem(status: int, title: str, detail: str) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JsonResponse(body, status=status, content_type="application/problem+json")


def _contact(tenancy: Tenancy, contact_id: int) -> Contact:
    """The tenant's contact (another tenant's id is a 404), with its customer."""
    return tenancy.get(Contact, contact_id, tenancy.scope(Contact).select_related("customer"))


def _home(request: HttpRequest, tenancy: Tenancy, status: int = 200) -> HttpResponse:
    now = timezone.now()
    last_event_id = newest_event_id(tenancy.tenant)  # before the snapshot: replays overlap it
    state = snapshot(tenancy, now)
    choices = conversation.choices_for(tenancy)
    config = {
        "user_id": tenancy.user.pk,
        "tenant_id": tenancy.tenant.pk,
        "last_event_id": last_event_id,
        "api": "/api/v1",
        "live": "/ws/live/",
        "state_url": reverse("workspace:state"),
        "conversation_url": reverse("workspace:conversation", args=[0]),
        "canned": [{"id": c.pk, "title": c.title, "shortcut": c.shortcut} for c in choices.canned],
    }
    context = {
        "state": state,
        "config": config,
        "choices": choices,
        "panes": [conversation.pane(contact) for contact in contacts_in_hand(tenancy)],
        "texts": texts(),
        "presence_label": presence_labels().get(state["presence"], state["presence"]),
    }
    return render(request, "workspace/home.html", context, status=status)


@require_GET
@workspace_page
def home(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    return _home(request, tenancy)


@require_POST
@workspace_page
def presence(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """The status switch without the script: a refusal shows the page with its reason."""
    wanted = request.POST.get("presence", "")
    reason = request.POST.get("reason", "").replace("\x00", "").strip()[:64]
    try:
        actions.set_presence(tenancy, tenancy.user, wanted, reason)
    except Problem as exc:
        messages.error(request, exc.detail)
        return _home(request, tenancy, status=exc.status)
    return redirect("workspace:home")


@require_GET
@workspace_page
@json_errors
def state_json(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    return JsonResponse(snapshot(tenancy, timezone.now()))


@require_GET
@workspace_page
def conversation_tab(request: HttpRequest, tenancy: Tenancy, contact_id: int) -> HttpResponse:
    contact = _contact(tenancy, contact_id)
    context = {
        **conversation.pane(contact),
        "choices": conversation.choices_for(tenancy),
        "selected": True,
    }
    return render(request, "workspace/_conversation.html", context)


@require_GET
@workspace_page
def message_list(request: HttpRequest, tenancy: Tenancy, contact_id: int) -> HttpResponse:
    """The contact's messages after ``?after=<message id>`` as list items (live updates)."""
    contact = tenancy.get(Contact, contact_id)
    after = request.GET.get("after", "0")
    if not after.isdigit() or len(after) > 18:
        return HttpResponse("after must be a message id", status=400, content_type="text/plain")
    return render(
        request,
        "workspace/_messages.html",
        {"messages": conversation.messages_of(contact, int(after))},
    )


@require_GET
@workspace_page
def customer_panel(request: HttpRequest, tenancy: Tenancy, contact_id: int) -> HttpResponse:
    contact = _contact(tenancy, contact_id)
    context = conversation.panel(contact)
    if contact.customer_id is not None:
        audit(
            tenancy,
            AuditRecord.Action.TIMELINE_VIEW,
            "customer",
            contact.customer_id,
            request=request,
        )
    return render(request, "workspace/_panel.html", context)


@require_GET
@workspace_page
@json_errors
def canned_reply(request: HttpRequest, tenancy: Tenancy, contact_id: int, pk: int) -> HttpResponse:
    """A canned response with this contact's values filled in: ``{"text": ...}``."""
    contact = _contact(tenancy, contact_id)
    response = tenancy.get(CannedResponse, pk)
    values = canned.values_for(contact, tenancy.user, timezone.localdate())
    return JsonResponse({"text": canned.fill(response.body, values)})
