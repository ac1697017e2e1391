"""Merge review: suggestions side by side, merge with a reason, undo with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from symfonie.contacts.actions.merges import (
    check_merge_customers,
    check_undo_merge,
    do_dismiss_suggestion,
    do_merge_customers,
    do_undo_merge,
)
from symfonie.contacts.models import CustomerMerge, MergeSuggestion
from symfonie.problems import Problem
from symfonie.tenants.models import AuditRecord
from symfonie.web.decorators import tenant_page


@tenant_page
def suggestions(request: HttpRequest) -> HttpResponse:
    tenancy = request.tenancy
    tenancy.require_staff()
    rows = (
        tenancy.scope(MergeSuggestion)
        .filter(
            status=MergeSuggestion.Status.OPEN,
            customer_a__is_active=True,
            customer_b__is_active=True,
        )
        .select_related("customer_a", "customer_b")
        .order_by("-created_at", "-id")[:200]
    )
    return render(request, "web/suggestions.html", {"suggestions": rows})


@tenant_page
def suggestion(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    tenancy = request.tenancy
    tenancy.require_staff()
    item = tenancy.get(MergeSuggestion, suggestion_id)
    if request.method == "POST":
        reason = request.POST.get("reason", "").replace("\x00", "")[:2000]
        try:
            if request.POST.get("action") == "dismiss":
                do_dismiss_suggestion(tenancy, item, reason, request=request)
                messages.success(request, _("Suggestion dismissed."))
                return redirect("web:suggestions")
            target_id = request.POST.get("target_id", "")
            source_id = (
                item.customer_b_id if str(item.customer_a_id) == target_id else item.customer_a_id
            )
            source, target, _s = check_merge_customers(
                tenancy, source_id, target_id, reason, item.pk
            )
            merge = do_merge_customers(tenancy, source, target, reason, item, request=request)
            messages.success(request, _("Customers merged. You can undo this merge."))
            return redirect("web:merge", merge_id=merge.pk)
        except Problem as exc:
            messages.error(request, exc.detail)
    customers = [item.customer_a, item.customer_b]
    context = {
        "suggestion": item,
        "customers": [
            {
                "customer": c,
                "identities": c.identities.order_by("kind"),
                "contacts": c.contacts.count(),
            }
            for c in customers
        ],
    }
    return render(request, "web/suggestion.html", context)


@tenant_page
def merge_list(request: HttpRequest) -> HttpResponse:
    tenancy = request.tenancy
    tenancy.require_staff()
    rows = tenancy.scope(CustomerMerge).select_related(
        "source", "target", "merged_by", "undone_by"
    )[:200]
    return render(request, "web/merges.html", {"merges": rows})


@tenant_page
def merge_detail(request: HttpRequest, merge_id: int) -> HttpResponse:
    tenancy = request.tenancy
    tenancy.require_staff()
    merge = tenancy.get(CustomerMerge, merge_id)
    if request.method == "POST":
        reason = request.POST.get("reason", "").replace("\x00", "")[:2000]
        try:
            do_undo_merge(
                tenancy, check_undo_merge(tenancy, merge.pk, reason), reason, request=request
            )
            messages.success(request, _("Merge undone: both customers are back as they were."))
            return redirect("web:merge", merge_id=merge.pk)
        except Problem as exc:
            messages.error(request, exc.detail)
    audit_trail = (
        tenancy.scope(AuditRecord)
        .filter(subject_type="merge", subject_id=merge.pk)
        .select_related("actor")
    )
    counts = {key: len(ids) for key, ids in merge.moved.items()}
    return render(
        request, "web/merge.html", {"merge": merge, "audit_trail": audit_trail, "counts": counts}
    )
