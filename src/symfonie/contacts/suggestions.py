"""Merge suggestions from weak evidence: never an automatic merge, always a human's review.

Rules (each names its reason):
- ``name_postcode``: same normalised name and an address in the same postcode;
- ``name_birth_date``: same normalised name and the same birth date;
- ``email_variant``: e-mail addresses equal but for a ``+tag`` (or Gmail's dots);
- ``phone_variant``: phone/WhatsApp numbers with the same last nine digits (another format or
  country code).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from symfonie.contacts.models import Customer, Identity, IdentityKind, MergeSuggestion

PHONE_KINDS = (IdentityKind.PHONE, IdentityKind.WHATSAPP)
Reason = MergeSuggestion.Reason


def _add(customer: Customer, other_id: int, reason: str, detail: str) -> None:
    a, b = sorted((customer.pk, other_id))
    try:
        with transaction.atomic():
            MergeSuggestion.objects.get_or_create(
                tenant_id=customer.tenant_id,
                customer_a_id=a,
                customer_b_id=b,
                reason=reason,
                defaults={"detail": detail[:255]},
            )
    except IntegrityError:
        pass  # created concurrently: one suggestion is enough


def suggest_merges_for(customer: Customer) -> None:
    """Record suggestions pairing ``customer`` with other active customers of its tenant."""
    others = Customer.objects.filter(tenant_id=customer.tenant_id, is_active=True).exclude(
        pk=customer.pk
    )
    identities = list(Identity.objects.filter(customer=customer))
    if customer.name_key:
        postcodes = [i.match_key for i in identities if i.kind == IdentityKind.POSTAL]
        if postcodes:
            matches = Identity.objects.filter(
                tenant_id=customer.tenant_id,
                kind=IdentityKind.POSTAL,
                match_key__in=postcodes,
                customer__in=others.filter(name_key=customer.name_key),
            ).values_list("customer_id", "match_key")
            for other_id, postcode in matches:
                _add(customer, other_id, Reason.NAME_POSTCODE, f"{customer.name} · {postcode}")
        if customer.birth_date:
            for other_id in others.filter(
                name_key=customer.name_key, birth_date=customer.birth_date
            ).values_list("pk", flat=True):
                _add(
                    customer,
                    other_id,
                    Reason.NAME_BIRTH_DATE,
                    f"{customer.name} · {customer.birth_date}",
                )
    for identity in identities:
        if not identity.match_key or identity.kind == IdentityKind.POSTAL:
            continue
        kinds = PHONE_KINDS if identity.kind in PHONE_KINDS else (identity.kind,)
        matches = (
            Identity.objects.filter(
                tenant_id=customer.tenant_id,
                kind__in=kinds,
                match_key=identity.match_key,
                customer__in=others,
            )
            .exclude(kind=identity.kind, value=identity.value)
            .values_list("customer_id", "value")
        )
        reason = Reason.PHONE_VARIANT if identity.kind in PHONE_KINDS else Reason.EMAIL_VARIANT
        for other_id, value in matches:
            _add(customer, other_id, reason, f"{identity.value} ~ {value}")
