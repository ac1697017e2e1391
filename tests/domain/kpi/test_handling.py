"""ASA, waits, AHT, occupancy and utilisation, transfer and escalation rates, by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from symfonie.domain.kpi.handling import (
    average_handle_time,
    average_speed_of_answer,
    average_wait_abandoned,
    escalation_rate,
    handle_times,
    longest_wait,
    occupancy,
    presence_totals,
    transfer_rate,
    utilisation,
)
from symfonie.domain.kpi.records import ContactOutcome, PresenceInterval, PresenceState
from tests.domain.kpi.builders import abandoned, answered, at, self_service

WAITS = [
    answered("a1", wait=10),
    answered("a2", wait=20),
    answered("a3", wait=60),
    abandoned("x1", wait=30),
    abandoned("x2", wait=90),
    self_service("s"),
]


def test_asa_is_the_mean_wait_of_answered_contacts() -> None:
    assert average_speed_of_answer(WAITS) == pytest.approx(30.0)  # (10 + 20 + 60) / 3


def test_average_wait_of_abandoned_and_longest_wait() -> None:
    assert average_wait_abandoned(WAITS) == pytest.approx(60.0)  # (30 + 90) / 2
    assert longest_wait(WAITS) == 90.0  # an abandoned contact waited longest


def test_waits_are_undefined_without_contacts() -> None:
    assert average_speed_of_answer([self_service("s")]) is None
    assert average_wait_abandoned(WAITS[:3]) is None
    assert longest_wait([]) is None


def test_aht_is_talk_plus_hold_plus_wrap_up() -> None:
    contacts = [
        answered("a1", wait=0, talk=300, wrap_up=60, hold_seconds=30.0),  # 270 + 30 + 60
        answered("a2", wait=0, talk=100),  # 100 + 0 + 0
        answered("a3", wait=0, talk=999, talk_seconds=150.0, hold_seconds=10.0),  # 150 + 10
        abandoned("x", wait=5),
    ]
    times = handle_times(contacts)
    assert times.count == 3
    assert times.aht_seconds == pytest.approx((360 + 100 + 160) / 3)
    assert times.talk_seconds == pytest.approx((270 + 100 + 150) / 3)
    assert times.hold_seconds == pytest.approx(40 / 3)
    assert times.wrap_up_seconds == pytest.approx(20.0)
    assert average_handle_time(contacts) == times.aht_seconds
    assert average_handle_time([abandoned("x", wait=5)]) is None


def _presence(
    agent: str, state: PresenceState, start_minute: int, minutes: int
) -> PresenceInterval:
    start = at(start_minute * 60)
    return PresenceInterval(agent, state, start, start + timedelta(minutes=minutes))


PRESENCE = [
    _presence("anna", PresenceState.BUSY, 0, 40),
    _presence("anna", PresenceState.AVAILABLE, 40, 10),
    _presence("anna", PresenceState.NOT_READY, 50, 10),
    _presence("bram", PresenceState.BUSY, 0, 20),
    _presence("bram", PresenceState.AVAILABLE, 20, 20),
    _presence("bram", PresenceState.OFFLINE, 40, 20),
]


def test_occupancy_and_utilisation_from_presence_time() -> None:
    # busy 60 min, available 30, not ready 10, offline 20 (not counted)
    assert occupancy(PRESENCE) == pytest.approx(60 / 90)
    assert utilisation(PRESENCE) == pytest.approx(60 / 100)
    assert occupancy([]) is None and utilisation([]) is None


def test_presence_is_clipped_to_a_window() -> None:
    totals = presence_totals(PRESENCE, window_start=at(30 * 60), window_end=at(45 * 60))
    # 30–45 min: anna busy 10 + available 5 min; bram available 10 + offline 5 min
    assert totals.busy_seconds == 600
    assert totals.available_seconds == 900
    assert totals.not_ready_seconds == 0
    assert totals.offline_seconds == 300


def test_transfer_and_escalation_rates_are_over_answered_contacts() -> None:
    contacts = [
        answered("a1", wait=0, transferred=True),
        answered("a2", wait=0, transferred=True, outcome=ContactOutcome.RESOLVED),
        answered("a3", wait=0, escalated=True, outcome=ContactOutcome.ESCALATED),
        answered("a4", wait=0),
        abandoned("x", wait=3),
    ]
    assert transfer_rate(contacts) == pytest.approx(2 / 4)
    assert escalation_rate(contacts) == pytest.approx(1 / 4)
    assert transfer_rate([abandoned("x", wait=3)]) is None
