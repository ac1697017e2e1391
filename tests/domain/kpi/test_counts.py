"""Volumes, short abandons, abandonment rates and the channel mix, on hand-made contacts."""

from __future__ import annotations

import pytest

from symfonie.domain.kpi.counts import (
    abandonment_rate,
    channel_counts,
    channel_mix,
    count_volumes,
    is_short_abandon,
)
from tests.domain.kpi.builders import abandoned, answered, self_service

# 2 self-service, 5 answered, 3 abandoned (waits 2 s, exactly 5 s, 5.5 s): offered 8.
CONTACTS = [
    self_service("s1"),
    self_service("s2", channel="chat"),
    *(answered(f"a{i}", wait=10 * i) for i in range(5)),
    abandoned("x1", wait=2),
    abandoned("x2", wait=5),
    abandoned("x3", wait=5.5, channel="chat"),
]


def test_counts_by_hand() -> None:
    counts = count_volumes(CONTACTS)
    assert (counts.contacts, counts.self_service, counts.offered) == (10, 2, 8)
    assert (counts.answered, counts.abandoned, counts.short_abandons) == (5, 3, 2)


def test_short_abandon_boundary_is_inclusive() -> None:
    assert is_short_abandon(abandoned("x", wait=5))
    assert not is_short_abandon(abandoned("x", wait=5.001))
    assert is_short_abandon(abandoned("x", wait=2), short_abandon_seconds=2)
    assert not is_short_abandon(answered("a", wait=1))


def test_abandonment_rate_with_and_without_short_abandons() -> None:
    assert abandonment_rate(CONTACTS) == pytest.approx(3 / 8)
    # (3 − 2) / (8 − 2)
    assert abandonment_rate(CONTACTS, exclude_short_abandons=True) == pytest.approx(1 / 6)
    # With a 2 s limit only the 2 s abandon is short: (3 − 1) / (8 − 1).
    rate = abandonment_rate(CONTACTS, short_abandon_seconds=2, exclude_short_abandons=True)
    assert rate == pytest.approx(2 / 7)


def test_rates_are_undefined_without_offered_contacts() -> None:
    assert abandonment_rate([]) is None
    assert abandonment_rate([self_service("s")]) is None
    assert count_volumes([abandoned("x", wait=1)]).abandonment_rate_excluding_short_abandons is None


def test_short_abandon_limit_must_be_non_negative() -> None:
    with pytest.raises(ValueError, match="short_abandon_seconds"):
        count_volumes(CONTACTS, short_abandon_seconds=-1)


def test_channel_mix_counts_every_contact() -> None:
    assert channel_counts(CONTACTS) == {"chat": 2, "voice": 8}
    assert channel_mix(CONTACTS) == {"chat": pytest.approx(0.2), "voice": pytest.approx(0.8)}
    assert channel_mix([]) == {}
