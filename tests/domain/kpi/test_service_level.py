"""The three service-level variants, the inclusive threshold and per-queue thresholds."""

from __future__ import annotations

import pytest

from symfonie.domain.kpi.records import ContactRecord
from symfonie.domain.kpi.service_level import (
    ServiceLevelThreshold,
    ServiceLevelVariant,
    answered_within,
    service_level,
)
from tests.domain.kpi.builders import abandoned, answered, at, self_service

DIRECT = ContactRecord(
    contact_id="d", tenant="acme", queue="sales", channel="voice", arrived_at=at(0),
    answered_at=at(5), ended_at=at(60),
)  # fmt: skip
# Answered: waits 0 (no queue), 10, exactly 20, 21; abandoned: 3 s (short), 40 s; 1 self-service.
CONTACTS = [
    DIRECT,
    answered("a10", wait=10),
    answered("a20", wait=20),
    answered("a21", wait=21),
    abandoned("x3", wait=3),
    abandoned("x40", wait=40),
    self_service("s"),
]


def test_wait_exactly_at_the_threshold_counts_as_within() -> None:
    assert answered_within(answered("a", wait=20), 20)
    assert not answered_within(answered("a", wait=20.5), 20)
    assert not answered_within(abandoned("x", wait=1), 20)


def test_three_variants_by_hand() -> None:
    level = service_level(CONTACTS, 20)
    assert level.within_threshold_count == 3  # waits 0, 10, 20
    assert (level.answered_count, level.offered_count, level.short_abandon_count) == (4, 6, 1)
    assert level.answered == pytest.approx(3 / 4)
    assert level.offered == pytest.approx(3 / 6)
    assert level.excluding_short_abandons == pytest.approx(3 / 5)
    assert level.thresholds_seconds == (20.0,)


def test_variants_and_labels_are_selectable() -> None:
    level = service_level(CONTACTS, 20)
    assert level.value(ServiceLevelVariant.OFFERED) == level.offered
    assert level.label(ServiceLevelVariant.ANSWERED) == "answered within 20 s / answered"
    assert level.label(ServiceLevelVariant.EXCLUDING_SHORT_ABANDONS) == (
        "answered within 20 s / (offered − short abandons)"
    )


def test_threshold_per_queue() -> None:
    contacts = [answered("v", wait=15, queue="vip"), answered("s", wait=15, queue="sales")]
    threshold = ServiceLevelThreshold(seconds=20, per_queue={"vip": 10})
    level = service_level(contacts, threshold)
    assert level.within_threshold_count == 1  # 15 s is within 20 s (sales), not 10 s (vip)
    assert level.thresholds_seconds == (10.0, 20.0)
    assert level.label(ServiceLevelVariant.OFFERED) == "answered within T (per queue) / offered"


def test_undefined_without_contacts_and_bad_thresholds_refused() -> None:
    level = service_level([], 20)
    assert (level.answered, level.offered, level.excluding_short_abandons) == (None, None, None)
    with pytest.raises(ValueError, match="seconds"):
        ServiceLevelThreshold(seconds=-1)
