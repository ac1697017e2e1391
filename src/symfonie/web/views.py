"""Home (customer search), tenant switch and the customer timeline page."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from symfonie.contacts.actions.cases import do_add_note
from symfonie.contacts.models import Case, Contact, Customer, MergeSuggestion
from symfonie.contacts.search import search_customers
from symfonie.contacts.timeline import page
from symfonie.problems import Problem
from symfonie.tenants.audit import audit
from symfonie.tenants.middleware import SESSION_TENANT_KEY
from symfonie.tenants.models import AuditRecord
from symfonie.web.decorators import tenant_page


@tenant_page
def home(request: HttpRequest) -> HttpResponse:
    tenancy = request.tenancy
    if not tenancy.is_staff_role:
        return redirect("reporting:dashboard")  # a client viewer sees reports, not customers
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    customers = search_customers(tenancy, q)
    recent = tenancy.scope(Contact).select_related("customer").order_by("-arrived_at", "-id")[:15]
    open_suggestions = (
        tenancy.scope(MergeSuggestion)
        .filter(
            status=MergeSuggestion.Status.OPEN,
            customer_a__is_active=True,
            customer_b__is_active=True,
        )
        .count()
    )
    context = {
        "q": q,
        "customers": customers.order_by("name", "id")[:50] if q else [],
        "recent": recent if tenancy.is_staff_role else [],
        "open_suggestions": open_suggestions,
    }
    return render(request, "web/home.html", context)


@login_required
@require_POST
def switch_tenant(request: HttpRequest) -> HttpResponse:
    tenant_id = request.POST.get("tenant_id", "")
    if tenant_id.isdigit() and request.user.memberships.filter(tenant_id=int(tenant_id)).exists():
        request.session[SESSION_TENANT_KEY] = int(tenant_id)
    return redirect("web:home")


@tenant_page
def customer(request: HttpRequest, customer_id: int) -> HttpResponse:
    tenancy = request.tenancy
    tenancy.require_staff()
    person = tenancy.get(Customer, customer_id)
    cursor = request.GET.get("cursor") or None
    try:
        result = page(person, cursor=cursor, limit=100)
    except Problem as exc:
        messages.error(request, exc.detail)
        return redirect("web:customer", customer_id=person.pk)
    audit(tenancy, AuditRecord.Action.TIMELINE_VIEW, "customer", person.pk, request=request)
    days = [
        (day, list(items))
        for day, items in groupby(
            result.items, key=lambda e: timezone.localtime(e.occurred_at).date()
        )
    ]
    context = {
        "customer": person,
        "identities": person.identities.order_by("kind", "value"),
        "days": days,
        "next_cursor": result.next_cursor,
        "channels": sorted({e.channel for e in result.items if e.channel}),
        "open_cases": tenancy.scope(Case)
        .filter(customer=person)
        .exclude(status__in=["resolved", "closed"]),
        "merged_into": person.merged_into if not person.is_active else None,
    }
    return render(request, "web/customer.html", context)


@tenant_page
@require_POST
def add_note(request: HttpRequest, customer_id: int) -> HttpResponse:
    tenancy = request.tenancy
    tenancy.require_staff()
    person = tenancy.get(Customer, customer_id)
    try:
        do_add_note(
            person, request.POST.get("body", "").replace("\x00", "")[:20000], author=tenancy.user
        )
        messages.success(request, _("Note saved."))
    except Problem as exc:
        messages.error(request, exc.detail)
    return redirect("web:customer", customer_id=person.pk)
