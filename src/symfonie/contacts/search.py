"""Find customers the way an agent types: a name, part of an identity, or a phone number in
any notation ("06-1234 5678" finds +31612345678)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from symfonie.contacts.identities import normalise_phone
from symfonie.contacts.models import Customer, IdentityKind
from symfonie.problems import InvalidInput
from symfonie.tenants.scoping import Tenancy


def search_customers(tenancy: Tenancy, text: str) -> QuerySet[Customer]:
    """Active customers of the tenancy matching ``text``, by name and identity value."""
    customers = tenancy.scope(Customer).filter(is_active=True)
    text = text.strip()
    if not text:
        return customers
    match = Q(name__icontains=text) | Q(identities__value__icontains=text.lower())
    if sum(c.isdigit() for c in text) >= 6:
        try:
            phone = normalise_phone(text, tenancy.tenant.default_region)
        except InvalidInput:
            pass
        else:
            match |= Q(identities__kind=IdentityKind.PHONE, identities__value=phone)
            match |= Q(identities__kind=IdentityKind.WHATSAPP, identities__value=phone.lstrip("+"))
    return customers.filter(match).distinct()
