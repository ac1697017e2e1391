"""Merge two customers and undo a merge, exactly.

A merge moves the source's identities, contacts, cases, notes and timeline rows to the target
and records their ids; the source stays as an inactive row pointing at the target. Undo moves
exactly those rows back and reactivates the source, so merge + undo restores the state. Both
write an event and an audit record (who, when, why).
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from symfonie.contacts.models import (
    Case,
    Contact,
    Customer,
    CustomerMerge,
    Identity,
    MergeSuggestion,
    Note,
    TimelineEntry,
)
from symfonie.events.actions import record
from symfonie.events.schemas import CustomersMerged, MergeUndone
from symfonie.problems import Conflict, InvalidInput
from symfonie.tenants.audit import audit
from symfonie.tenants.models import AuditRecord
from symfonie.tenants.scoping import Tenancy

MOVED_MODELS = {
    "identities": Identity,
    "contacts": Contact,
    "cases": Case,
    "notes": Note,
    "timeline": TimelineEntry,
}


def rows_moved(
    event: type[CustomersMerged] | type[MergeUndone], merge: CustomerMerge, reason: str
) -> CustomersMerged | MergeUndone:
    return event(
        merge_id=merge.pk,
        source_id=merge.source_id,
        target_id=merge.target_id,
        identity_ids=merge.moved.get("identities", []),
        contact_ids=merge.moved.get("contacts", []),
        case_ids=merge.moved.get("cases", []),
        note_ids=merge.moved.get("notes", []),
        reason=reason,
    )


def check_merge_customers(
    tenancy: Tenancy,
    source_id: object,
    target_id: object,
    reason: str,
    suggestion_id: object | None = None,
) -> tuple[Customer, Customer, MergeSuggestion | None]:
    """Validate and authorise a merge request; ids of another tenant are simply not found."""
    tenancy.require_merge()
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("say why these customers are one person", field="reason")
    source = tenancy.get(Customer, source_id)
    target = tenancy.get(Customer, target_id)
    if source.pk == target.pk:
        raise InvalidInput("a customer cannot be merged into itself", field="target_id")
    for field, customer in (("source_id", source), ("target_id", target)):
        if not customer.is_active:
            raise Conflict(
                f"customer {customer.pk} was merged into {customer.merged_into_id}", field=field
            )
    suggestion = None
    if suggestion_id is not None:
        suggestion = tenancy.get(MergeSuggestion, suggestion_id)
        if {suggestion.customer_a_id, suggestion.customer_b_id} != {source.pk, target.pk}:
            raise InvalidInput("the suggestion is about other customers", field="suggestion_id")
    return source, target, suggestion


def do_merge_customers(
    tenancy: Tenancy,
    source: Customer,
    target: Customer,
    reason: str,
    suggestion: MergeSuggestion | None = None,
    request: HttpRequest | None = None,
) -> CustomerMerge:
    with transaction.atomic():
        # lock both rows so two concurrent merges of the same customer cannot interleave
        locked = {
            c.pk: c
            for c in Customer.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
        }
        if not locked[source.pk].is_active or not locked[target.pk].is_active:
            raise Conflict("one of the customers was merged meanwhile", field="source_id")
        moved: dict[str, list[int]] = {}
        for key, model in MOVED_MODELS.items():
            rows = model.objects.filter(tenant=tenancy.tenant, customer_id=source.pk)
            moved[key] = sorted(rows.values_list("pk", flat=True))
            rows.update(customer_id=target.pk)
        Customer.objects.filter(pk=source.pk).update(
            is_active=False, merged_into=target, updated_at=timezone.now()
        )
        MergeSuggestion.objects.filter(
            tenant=tenancy.tenant,
            customer_a_id=min(source.pk, target.pk),
            customer_b_id=max(source.pk, target.pk),
            status=MergeSuggestion.Status.OPEN,
        ).update(status=MergeSuggestion.Status.MERGED)
        merge = CustomerMerge.objects.create(
            tenant=tenancy.tenant,
            source=source,
            target=target,
            suggestion=suggestion,
            moved=moved,
            reason=reason.strip(),
            merged_by=tenancy.user,
        )
        record(
            tenancy.tenant,
            rows_moved(CustomersMerged, merge, merge.reason),
            customer_id=target.pk,
            actor=tenancy.user,
        )
        audit(
            tenancy,
            AuditRecord.Action.CUSTOMER_MERGE,
            "merge",
            merge.pk,
            reason=merge.reason,
            request=request,
        )
    source.refresh_from_db()
    return merge


def check_undo_merge(tenancy: Tenancy, merge_id: object, reason: str) -> CustomerMerge:
    tenancy.require_merge()
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("say why the merge is undone", field="reason")
    merge = tenancy.get(CustomerMerge, merge_id)
    if merge.undone_at is not None:
        raise Conflict("this merge was already undone", field="merge_id")
    target = merge.target
    if not target.is_active:
        raise Conflict(
            f"customer {target.pk} was itself merged into {target.merged_into_id}: undo that merge first",
            field="merge_id",
        )
    return merge


def do_undo_merge(
    tenancy: Tenancy, merge: CustomerMerge, reason: str, request: HttpRequest | None = None
) -> CustomerMerge:
    with transaction.atomic():
        locked = CustomerMerge.objects.select_for_update().get(pk=merge.pk)
        if locked.undone_at is not None:
            raise Conflict("this merge was already undone", field="merge_id")
        for key, model in MOVED_MODELS.items():
            model.objects.filter(
                tenant=tenancy.tenant, customer_id=merge.target_id, pk__in=merge.moved.get(key, [])
            ).update(customer_id=merge.source_id)
        Customer.objects.filter(pk=merge.source_id).update(
            is_active=True, merged_into=None, updated_at=timezone.now()
        )
        if merge.suggestion_id:
            MergeSuggestion.objects.filter(pk=merge.suggestion_id).update(
                status=MergeSuggestion.Status.DISMISSED
            )
        merge.undone_at = timezone.now()
        merge.undone_by = tenancy.user
        merge.undo_reason = reason.strip()
        merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
        record(
            tenancy.tenant,
            rows_moved(MergeUndone, merge, merge.undo_reason),
            customer_id=merge.source_id,
            actor=tenancy.user,
        )
        audit(
            tenancy,
            AuditRecord.Action.CUSTOMER_UNMERGE,
            "merge",
            merge.pk,
            reason=merge.undo_reason,
            request=request,
        )
    return merge


def do_dismiss_suggestion(
    tenancy: Tenancy,
    suggestion: MergeSuggestion,
    reason: str = "",
    request: HttpRequest | None = None,
) -> MergeSuggestion:
    tenancy.require_merge()
    if suggestion.status != MergeSuggestion.Status.OPEN:
        raise Conflict(f"the suggestion is already {suggestion.status}", field="suggestion_id")
    with transaction.atomic():
        suggestion.status = MergeSuggestion.Status.DISMISSED
        suggestion.save(update_fields=["status"])
        audit(
            tenancy,
            AuditRecord.Action.SUGGESTION_DISMISS,
            "suggestion",
            suggestion.pk,
            reason=reason,
            request=request,
        )
    return suggestion
