"""The waiting order: score = wait + credits + urgency; queue priority tiers; FIFO among equals."""

from __future__ import annotations

from datetime import time

import pytest

from symfonie.domain.routing import (
    Arrival,
    BusinessCalendar,
    Channel,
    ServiceLevel,
    weekday_hours,
)
from symfonie.domain.routing.scoring import order_key, score_seconds, urgency_seconds
from symfonie.domain.routing.state import WaitingContact
from tests.domain.routing import T0, at, make_queue, make_router


def waiting(arrived_seconds: float, credit: float = 0.0, sequence: int = 1) -> WaitingContact:
    return WaitingContact(
        contact_id=f"c{sequence}",
        queue_id="voice",
        arrived_at=at(arrived_seconds),
        entered_queue_at=at(arrived_seconds),
        sequence=sequence,
        priority_credit_seconds=credit,
    )


VOICE = make_queue("voice", Channel.VOICE)  # 80 % in 20 s; urgency from 10 s, weight 1


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [(0, 0), (10, 0), (15, 5), (20, 10), (300, 10)],
)
def test_urgency_ramps_from_half_the_target_to_the_target(elapsed: float, expected: float) -> None:
    assert urgency_seconds(VOICE, elapsed) == expected


def test_urgency_weight_scales_the_ramp() -> None:
    queue = make_queue("voice", Channel.VOICE, urgency_weight=3.0, urgency_start_fraction=0.0)
    assert urgency_seconds(queue, 5) == 15


def test_score_adds_wait_credits_and_urgency() -> None:
    queue = make_queue("voice", Channel.VOICE, priority_credit_seconds=30)
    contact = waiting(arrived_seconds=0, credit=90)
    # 15 s waited + 90 s customer credit + 30 s queue credit + 5 s urgency
    assert score_seconds(contact, queue, at(15)) == 15 + 90 + 30 + 5


def test_priority_customers_are_served_as_if_they_came_90_seconds_earlier() -> None:
    # The Anonymous Bank rule: priority customers get 1.5 minutes credited on arrival.
    queue = make_queue("voice", Channel.VOICE, urgency_weight=0.0)
    router = make_router([queue], [])
    router.contact_arrived(Arrival(contact_id="regular", queue_id="voice"), at(0))
    router.contact_arrived(
        Arrival(contact_id="priority", queue_id="voice", priority_credit_seconds=90), at(60)
    )
    router.contact_arrived(Arrival(contact_id="later", queue_id="voice"), at(100))
    assert router.waiting_order("voice", at(120)) == ["priority", "regular", "later"]


def test_first_in_first_out_among_equal_scores() -> None:
    router = make_router([VOICE], [])
    for contact_id in ("a", "b", "c"):
        router.contact_arrived(Arrival(contact_id=contact_id, queue_id="voice"), T0)
    assert router.waiting_order("voice", at(30)) == ["a", "b", "c"]


def test_a_higher_priority_queue_goes_first_whatever_the_wait() -> None:
    email = make_queue("email", Channel.EMAIL, priority=0)
    voice = make_queue("voice", Channel.VOICE, priority=2)
    router = make_router([email, voice], [])
    router.contact_arrived(Arrival(contact_id="mail", queue_id="email"), at(0))
    router.contact_arrived(Arrival(contact_id="call", queue_id="voice"), at(3000))
    state = router.state
    keys = {
        cid: order_key(c, state.queues[c.queue_id], at(3001)) for cid, c in state.waiting.items()
    }
    assert keys["call"] < keys["mail"]


def test_working_hours_targets_count_urgency_in_opening_hours_only() -> None:
    calendar = BusinessCalendar(hours=weekday_hours(time(8, 0), time(17, 0)))
    email = make_queue(
        "email",
        Channel.EMAIL,
        calendar=calendar,
        service_level=ServiceLevel(percent=90, threshold_seconds=8 * 3600, working_hours=True),
    )
    # T0 is Monday 10:00 local. Arriving then, at 17:00 7 working hours have passed: urgency
    # counts 7 h − 4 h = 3 h; overnight until 08:00 nothing is added by urgency.
    contact = WaitingContact(
        contact_id="m", queue_id="email", arrived_at=T0, entered_queue_at=T0, sequence=1
    )
    evening = at(7 * 3600)
    next_morning = at(22 * 3600)
    assert score_seconds(contact, email, evening) == 7 * 3600 + 3 * 3600
    assert score_seconds(contact, email, next_morning) == 22 * 3600 + 3 * 3600
