"""Write and read a customer's timeline (the ``TimelineEntry`` read model)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import override

from symfonie.contacts.models import Customer, TimelineEntry
from symfonie.problems import InvalidInput

MAX_PAGE = 200


def stored_label(choice: Promise) -> str:
    """A choice label as stored on the timeline: in the product's language (Dutch), so that
    titles do not depend on the language of whoever happened to cause the entry."""
    with override(settings.LANGUAGE_CODE):
        return str(choice).capitalize()


def add_entry(
    customer: Customer, occurred_at: datetime, kind: str, title: str, **fields: object
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        tenant_id=customer.tenant_id,
        customer=customer,
        occurred_at=occurred_at,
        kind=kind,
        title=title[:255],
        **fields,
    )


@dataclass(frozen=True)
class Page:
    items: list[TimelineEntry]
    next_cursor: str | None


def encode_cursor(entry: TimelineEntry) -> str:
    raw = f"{entry.occurred_at.isoformat()}|{entry.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("naive")
        return moment, int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidInput("not a cursor returned by this API", field="cursor") from exc


def page(customer: Customer, *, cursor: str | None = None, limit: int = 50) -> Page:
    """Newest first; keyset pagination on (occurred_at, id) so deep pages stay fast."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    qs = TimelineEntry.objects.filter(tenant_id=customer.tenant_id, customer=customer)
    if cursor:
        at, pk = decode_cursor(cursor)
        qs = qs.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=pk))
    rows = list(qs.order_by("-occurred_at", "-id")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)
