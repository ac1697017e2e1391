"""Customers, identities, the timeline and notes."""

from __future__ import annotations

from django.db.models import Prefetch
from ninja import Query, Router, Status

from symfonie.api.schemas import (
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    IdentityIn,
    IdentityOut,
    NoteIn,
    NoteOut,
    Problem,
    Text,
    TimelinePage,
)
from symfonie.contacts.actions.cases import do_add_note
from symfonie.contacts.actions.customers import (
    do_add_identity,
    do_create_customer,
    do_update_customer,
)
from symfonie.contacts.models import Case, Customer, Identity
from symfonie.contacts.search import search_customers
from symfonie.contacts.timeline import page
from symfonie.tenants.audit import audit
from symfonie.tenants.models import AuditRecord
from symfonie.tenants.scoping import Tenancy

router = Router(tags=["customers"])
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


def _customers(tenancy: Tenancy):
    return tenancy.scope(Customer).prefetch_related(
        Prefetch("identities", queryset=Identity.objects.order_by("id"))
    )


@router.get("/customers", response={200: list[CustomerOut], **ERRORS})
def list_customers(
    request, q: Query[Text | None] = None, limit: Query[int] = 50, offset: Query[int] = 0
):
    """Search customers by name or by an identity value (phone, e-mail, customer number…)."""
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    limit = max(1, min(limit, 200))
    offset = max(0, min(offset, 10**6))
    customers = search_customers(tenancy, q or "").prefetch_related(
        Prefetch("identities", queryset=Identity.objects.order_by("id"))
    )
    return list(customers.order_by("name", "id")[offset : offset + limit])


@router.post("/customers", response={201: CustomerOut, **ERRORS})
def create_customer(request, payload: CustomerIn):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    customer = do_create_customer(
        tenancy.tenant,
        name=payload.name,
        birth_date=payload.birth_date,
        language=payload.language,
        tags=payload.tags,
        identities=[(i.kind, i.value) for i in payload.identities],
        actor=tenancy.user,
    )
    return Status(201, _customers(tenancy).get(pk=customer.pk))


@router.get("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def get_customer(request, customer_id: int):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    return tenancy.get(Customer, customer_id, _customers(tenancy))


@router.patch("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def update_customer(request, customer_id: int, payload: CustomerPatch):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    customer = tenancy.get(Customer, customer_id)
    do_update_customer(customer, payload.dict(exclude_unset=True), actor=tenancy.user)
    return _customers(tenancy).get(pk=customer.pk)


@router.post("/customers/{customer_id}/identities", response={201: IdentityOut, **ERRORS})
def add_identity(request, customer_id: int, payload: IdentityIn):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    customer = tenancy.get(Customer, customer_id)
    return Status(201, do_add_identity(customer, payload.kind, payload.value, actor=tenancy.user))


@router.get("/customers/{customer_id}/timeline", response={200: TimelinePage, **ERRORS})
def customer_timeline(
    request, customer_id: int, cursor: Query[Text | None] = None, limit: Query[int] = 50
):
    """Everything of this customer across channels, newest first; pass ``next_cursor`` on."""
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    customer = tenancy.get(Customer, customer_id)
    result = page(customer, cursor=cursor, limit=limit)
    audit(tenancy, AuditRecord.Action.TIMELINE_VIEW, "customer", customer.pk, request=request)
    return {"customer_id": customer.pk, "items": result.items, "next_cursor": result.next_cursor}


@router.post("/customers/{customer_id}/notes", response={201: NoteOut, **ERRORS})
def add_note(request, customer_id: int, payload: NoteIn):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    customer = tenancy.get(Customer, customer_id)
    case = tenancy.get(Case, payload.case_id) if payload.case_id else None
    return Status(201, do_add_note(customer, payload.body, case=case, author=tenancy.user))
