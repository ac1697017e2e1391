"""Create and change customers and their identities; resolve an inbound identity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from symfonie.contacts.identities import name_key, normalise
from symfonie.contacts.models import Customer, Identity
from symfonie.contacts.suggestions import suggest_merges_for
from symfonie.events.actions import record
from symfonie.events.schemas import CustomerCreated, CustomerUpdated, IdentityAdded, iso
from symfonie.problems import Conflict, InvalidInput
from symfonie.tenants.models import Tenant, User

UPDATABLE_FIELDS = (
    "name",
    "birth_date",
    "language",
    "tags",
    "do_not_call",
    "opt_out_marketing",
    "deceased",
)
LANGUAGES = ("nl", "en", "fr", "de")


def _json_value(value: Any) -> Any:
    return iso(value) if isinstance(value, date) else value


def _validate_attributes(attributes: dict[str, Any]) -> None:
    language = attributes.get("language")
    if language is not None and language not in LANGUAGES:
        raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}", field="language")
    tags = attributes.get("tags")
    if tags is not None and (
        not isinstance(tags, list) or not all(isinstance(t, str) and 0 < len(t) <= 50 for t in tags)
    ):
        raise InvalidInput("tags is a list of short texts", field="tags")
    if len(attributes.get("name") or "") > 200:
        raise InvalidInput("at most 200 characters", field="name")


def do_create_customer(
    tenant: Tenant,
    *,
    name: str = "",
    birth_date: date | None = None,
    language: str = "nl",
    tags: list[str] | None = None,
    identities: Sequence[tuple[str, str]] = (),
    actor: User | None = None,
    suggest: bool = True,
) -> Customer:
    """Create a customer with its identities; an identity already in use → ``Conflict``."""
    _validate_attributes({"name": name, "language": language, "tags": tags or []})
    normalised = [
        normalise(kind, raw, tenant.default_region, field=f"identities[{i}].value")
        for i, (kind, raw) in enumerate(identities)
    ]
    with transaction.atomic():
        customer = Customer.objects.create(
            tenant=tenant,
            name=name.strip(),
            name_key=name_key(name),
            birth_date=birth_date,
            language=language,
            tags=list(tags or []),
        )
        record(
            tenant,
            CustomerCreated(
                customer_id=customer.pk,
                name=customer.name,
                birth_date=_json_value(birth_date),
                language=language,
                tags=customer.tags,
            ),
            customer_id=customer.pk,
            actor=actor,
        )
        for i, identity in enumerate(normalised):
            _attach_identity(
                customer,
                identity.kind,
                identity.value,
                identity.display_value,
                identity.match_key,
                actor,
                field=f"identities[{i}].value",
            )
        if suggest:
            suggest_merges_for(customer)
    return customer


def do_update_customer(
    customer: Customer, changes: dict[str, Any], actor: User | None = None
) -> Customer:
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput(f"unknown or read-only field {field!r}", field=field)
    for key, value in changes.items():
        if value is None and key != "birth_date":
            raise InvalidInput("must not be null", field=key)
    _validate_attributes(changes)
    changed = {k: v for k, v in changes.items() if getattr(customer, k) != v}
    if not changed:
        return customer
    with transaction.atomic():
        for key, value in changed.items():
            setattr(customer, key, value.strip() if key == "name" else value)
        if "name" in changed:
            customer.name_key = name_key(customer.name)
        customer.save()
        record(
            customer.tenant,
            CustomerUpdated(
                customer_id=customer.pk,
                changes={k: _json_value(getattr(customer, k)) for k in changed},
            ),
            customer_id=customer.pk,
            actor=actor,
        )
        if "name" in changed or "birth_date" in changed:
            suggest_merges_for(customer)
    return customer


def _attach_identity(
    customer: Customer,
    kind: str,
    value: str,
    display: str,
    match_key: str,
    actor: User | None,
    field: str = "value",
) -> Identity:
    try:
        with transaction.atomic():
            identity = Identity.objects.create(
                tenant_id=customer.tenant_id,
                customer=customer,
                kind=kind,
                value=value,
                display_value=display,
                match_key=match_key,
            )
    except IntegrityError as exc:
        owner = Identity.objects.filter(
            tenant_id=customer.tenant_id, kind=kind, value=value
        ).first()
        raise Conflict(
            f"{kind} {value} already belongs to customer {owner.customer_id if owner else '?'}",
            field=field,
        ) from exc
    record(
        customer.tenant,
        IdentityAdded(identity_id=identity.pk, customer_id=customer.pk, kind=kind, value=value),
        customer_id=customer.pk,
        actor=actor,
    )
    return identity


def do_add_identity(customer: Customer, kind: str, raw: str, actor: User | None = None) -> Identity:
    """Link an identity to a customer; then look for weaker evidence of duplicates."""
    normalised = normalise(kind, raw, customer.tenant.default_region)
    with transaction.atomic():
        identity = _attach_identity(
            customer,
            normalised.kind,
            normalised.value,
            normalised.display_value,
            normalised.match_key,
            actor,
        )
        suggest_merges_for(customer)
    return identity


def resolve_identity(
    tenant: Tenant, kind: str, raw: str, *, name: str = ""
) -> tuple[Customer, bool]:
    """The customer an inbound identity belongs to, created when unknown: (customer, created).

    Only an exact normalised identifier links automatically; anything weaker becomes a merge
    suggestion (made when the new customer is created), never an automatic merge.
    """
    normalised = normalise(kind, raw, tenant.default_region)
    existing = (
        Identity.objects.filter(tenant=tenant, kind=normalised.kind, value=normalised.value)
        .select_related("customer")
        .first()
    )
    if existing is not None:
        return existing.customer, False
    try:
        return do_create_customer(tenant, name=name, identities=[(kind, raw)]), True
    except Conflict:
        # a concurrent delivery created it between our look-up and insert
        identity = Identity.objects.select_related("customer").get(
            tenant=tenant, kind=normalised.kind, value=normalised.value
        )
        return identity.customer, False
