"""ContactRecord: what offered, answered, abandoned and wait mean, and the consistency checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from symfonie.domain.kpi.records import (
    BackOfficeTask,
    ContactOutcome,
    ContactRecord,
    PresenceInterval,
    PresenceState,
)
from tests.domain.kpi.builders import AMSTERDAM, abandoned, answered, at, self_service


def _record(**fields: object) -> ContactRecord:
    base: dict[str, object] = {
        "contact_id": "c",
        "tenant": "acme",
        "queue": "sales",
        "channel": "voice",
        "arrived_at": at(0),
    }
    base.update(fields)
    return ContactRecord(**base)  # type: ignore[arg-type]


def test_answered_contact_is_offered_and_waits_from_queue_entry_to_answer() -> None:
    record = answered("a", wait=17)
    assert (record.is_offered, record.is_answered, record.is_abandoned) == (True, True, False)
    assert record.wait_seconds == 17


def test_contact_answered_without_queueing_is_offered_with_zero_wait() -> None:
    record = _record(answered_at=at(5), ended_at=at(65))
    assert record.is_offered and record.is_answered
    assert record.wait_seconds == 0


def test_abandoned_is_derived_from_queued_unanswered_ended() -> None:
    record = abandoned("b", wait=42)
    assert record.abandoned is None
    assert record.is_offered and record.is_abandoned and not record.is_answered
    assert record.wait_seconds == 42


def test_still_waiting_contact_is_offered_but_neither_answered_nor_abandoned() -> None:
    record = _record(queued_at=at(10))
    assert record.is_offered and not record.is_answered and not record.is_abandoned
    assert record.wait_seconds is None


def test_explicit_not_abandoned_is_an_overflow_not_an_abandon() -> None:
    record = _record(queued_at=at(10), ended_at=at(70), abandoned=False)
    assert record.is_offered and not record.is_abandoned
    assert record.wait_seconds is None


def test_self_service_ending_is_not_offered() -> None:
    record = self_service("s")
    assert not record.is_offered and not record.is_abandoned and not record.is_answered


def test_times_are_stored_in_utc() -> None:
    record = answered("a", wait=1)
    assert record.arrived_at.tzinfo is UTC
    assert record.arrived_at == datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


def test_wait_across_the_autumn_clock_change_is_exact() -> None:
    # 02:50 summer time, then 02:05 winter time (fold=1): 15 minutes later, not 45 earlier.
    queued = datetime(2025, 10, 26, 2, 50, tzinfo=AMSTERDAM)
    answer = datetime(2025, 10, 26, 2, 5, fold=1, tzinfo=AMSTERDAM)
    record = _record(arrived_at=queued, queued_at=queued, answered_at=answer)
    assert record.wait_seconds == 15 * 60


def test_handle_parts_prefer_measured_talk_and_hold() -> None:
    record = answered("a", wait=0, talk=300, wrap_up=45, talk_seconds=200.0, hold_seconds=60.0)
    assert record.handle_parts_seconds == (200.0, 60.0, 45.0)


def test_handle_parts_from_timestamps_count_known_hold_inside_the_connected_time() -> None:
    record = answered("a", wait=0, talk=300, wrap_up=45, hold_seconds=60.0)
    assert record.handle_parts_seconds == (240.0, 60.0, 45.0)


def test_handle_parts_unknown_while_in_conversation_and_for_unanswered() -> None:
    assert _record(queued_at=at(1), answered_at=at(2)).handle_parts_seconds is None
    assert abandoned("b", wait=3).handle_parts_seconds is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"arrived_at": datetime(2025, 3, 3, 9, 0)}, "timezone-aware"),
        ({"queued_at": at(10), "answered_at": at(5)}, "answered_at"),
        ({"ended_at": at(10), "wrap_up_ended_at": at(5)}, "wrap_up_ended_at"),
        ({"wrap_up_ended_at": at(5)}, "requires ended_at"),
        ({"queued_at": at(1), "ended_in_self_service": True}, "self-service"),
        ({"queued_at": at(1), "abandoned": True}, "abandoned=True"),
        ({"talk_seconds": -1.0}, "talk_seconds"),
        ({"csat_score": 6}, "csat_score"),
        ({"nps_score": 11}, "nps_score"),
        ({"outcome": ContactOutcome.TRANSFERRED}, "transferred=True"),
        ({"outcome": "escalated"}, "escalated=True"),
        ({"outcome": "solved"}, "not a valid ContactOutcome"),
    ],
)
def test_contradictory_records_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _record(**fields)


def test_presence_and_tasks_check_their_times() -> None:
    with pytest.raises(ValueError, match="end"):
        PresenceInterval("anna", PresenceState.BUSY, at(10), at(5))
    with pytest.raises(ValueError, match="due_at"):
        BackOfficeTask("t", "acme", created_at=at(10), due_at=at(5))
    interval = PresenceInterval("anna", "busy", at(0), at(0) + timedelta(hours=1))  # type: ignore[arg-type]
    assert interval.start.tzinfo is UTC
    assert interval.state is PresenceState.BUSY
    with pytest.raises(ValueError, match="PresenceState"):
        PresenceInterval("anna", "lunch", at(0), at(1))  # type: ignore[arg-type]
