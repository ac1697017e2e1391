"""The demo: deterministic, and its showcase customer has a timeline across six or more channels."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from symfonie.contacts.models import Contact, Customer, MergeSuggestion, TimelineEntry
from symfonie.demo.loader import SHOWCASE_NAMES, load_demo
from symfonie.tenants.models import Membership, Tenant


def test_demo_shape_and_showcase_timeline(db):
    summary = load_demo(scale=0.02, today=date(2026, 11, 23))
    assert summary.created
    assert Tenant.objects.count() == 2
    assert Membership.objects.filter(role="agent").values("user").distinct().count() == 20
    assert set(Contact.objects.values_list("queue", flat=True).distinct()) >= {
        "woning-telefoon",
        "ov-telefoon",
    }
    assert len(set(Contact.objects.values_list("queue", flat=True))) == 6
    for name in SHOWCASE_NAMES:
        customer = Customer.objects.get(name=name)
        assert customer.birth_date.year == 1946  # in the 75+ segment
        channels = set(
            TimelineEntry.objects.filter(customer=customer)
            .exclude(channel="")
            .values_list("channel", flat=True)
        )
        assert len(channels) >= 6, channels
    assert MergeSuggestion.objects.filter(reason="name_postcode").count() == 2


def _fingerprint() -> list[tuple]:
    rows = Contact.objects.values_list(
        "customer__name", "channel", "queue", "arrived_at", "state", "outcome"
    )
    return sorted(rows)


def test_demo_is_deterministic(db):
    with transaction.atomic():
        load_demo(scale=0.02, today=date(2026, 11, 23))
        first = _fingerprint()
        transaction.set_rollback(True)
    assert not Tenant.objects.exists()
    load_demo(scale=0.02, today=date(2026, 11, 23))
    assert _fingerprint() == first
