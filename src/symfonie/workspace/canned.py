"""Fill a canned response's variables for one contact.

``{klant}`` (customer name), ``{agent}`` (the agent's name), ``{contact}`` (contact number) and
``{datum}`` (today on the tenant's clock, dd-mm-jjjj). Anything else in braces, a variable
without a value (an anonymous contact has no ``{klant}``) and stray braces stay as written, so
the agent sees what still needs filling in. ``str.format`` is not used: it fails on unknown
names and would let a text reach attributes (``{contact.__class__}``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from symfonie.contacts.models import Contact
from symfonie.tenants.models import User

VARIABLE = re.compile(r"\{(\w+)\}")
VARIABLES = ("klant", "agent", "contact", "datum")


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace ``{name}`` by ``values[name]`` where it has a non-empty value; keep the rest."""

    def one(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return value if value else match.group(0)

    return VARIABLE.sub(one, text)


def values_for(contact: Contact, agent: User, today: date) -> dict[str, str]:
    """The variables' values for ``contact`` answered by ``agent`` on ``today`` (local date)."""
    customer = contact.customer
    return {
        "klant": customer.name if customer is not None else "",
        "agent": agent.get_full_name() or agent.email,
        "contact": str(contact.pk),
        "datum": today.strftime("%d-%m-%Y"),
    }
