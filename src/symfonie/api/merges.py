"""Merge suggestions, merges and undo."""

from __future__ import annotations

from ninja import Query, Router, Status

from symfonie.api.schemas import (
    MergeIn,
    MergeOut,
    Problem,
    ReasonIn,
    SuggestionOut,
    SuggestionStatus,
)
from symfonie.contacts.actions.merges import (
    check_merge_customers,
    check_undo_merge,
    do_dismiss_suggestion,
    do_merge_customers,
    do_undo_merge,
)
from symfonie.contacts.models import CustomerMerge, MergeSuggestion
from symfonie.tenants.scoping import Tenancy

router = Router(tags=["merges"])
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


@router.get("/merge-suggestions", response={200: list[SuggestionOut], **ERRORS})
def list_suggestions(request, status: Query[SuggestionStatus] = "open"):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    suggestions = tenancy.scope(MergeSuggestion).filter(status=status)
    if status == MergeSuggestion.Status.OPEN:
        suggestions = suggestions.filter(customer_a__is_active=True, customer_b__is_active=True)
    return list(suggestions.order_by("-created_at", "-id")[:500])


@router.post("/merge-suggestions/{suggestion_id}/dismiss", response={200: SuggestionOut, **ERRORS})
def dismiss_suggestion(request, suggestion_id: int, payload: ReasonIn):
    tenancy: Tenancy = request.auth
    suggestion = tenancy.get(MergeSuggestion, suggestion_id)
    return do_dismiss_suggestion(tenancy, suggestion, payload.reason, request=request)


@router.post("/merges", response={201: MergeOut, **ERRORS})
def merge_customers(request, payload: MergeIn):
    """Merge ``source`` into ``target`` (supervisors and admins); audited, undoable."""
    tenancy: Tenancy = request.auth
    source, target, suggestion = check_merge_customers(
        tenancy, payload.source_id, payload.target_id, payload.reason, payload.suggestion_id
    )
    return Status(
        201,
        do_merge_customers(tenancy, source, target, payload.reason, suggestion, request=request),
    )


@router.get("/merges", response={200: list[MergeOut], **ERRORS})
def list_merges(request):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    return list(tenancy.scope(CustomerMerge).order_by("-merged_at", "-id")[:500])


@router.get("/merges/{merge_id}", response={200: MergeOut, **ERRORS})
def get_merge(request, merge_id: int):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    return tenancy.get(CustomerMerge, merge_id)


@router.post("/merges/{merge_id}/undo", response={200: MergeOut, **ERRORS})
def undo_merge(request, merge_id: int, payload: ReasonIn):
    """Split the customers back exactly as they were before the merge."""
    tenancy: Tenancy = request.auth
    merge = check_undo_merge(tenancy, merge_id, payload.reason)
    return do_undo_merge(tenancy, merge, payload.reason, request=request)
