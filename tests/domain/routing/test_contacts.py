"""Arrivals: sticky agent, callback (virtual hold), business hours, overflow, abandonment,
queue position and estimated waiting time."""

from __future__ import annotations

from datetime import time

import pytest

from symfonie.domain.routing import (
    AfterHoursAction,
    Arrival,
    BusinessCalendar,
    Channel,
    OverflowRule,
    Presence,
    Router,
    errors,
    weekday_hours,
)
from symfonie.domain.routing.events import ContactOutsideHours
from tests.domain.routing import (
    OVREGIO,
    T0,
    at,
    make_agent,
    make_queue,
    make_router,
    offered_pairs,
    offers,
    types,
)

STICKY = make_queue("chat", sticky_window_seconds=7 * 86400, sticky_wait_seconds=30)


def returning(contact_id: str = "c1", served_seconds_ago: float = 86400) -> Arrival:
    return Arrival(
        contact_id=contact_id,
        queue_id="chat",
        last_agent_id="anna",
        last_served_at=at(-served_seconds_ago),
    )


def anna_busy_bram_idle() -> Router:
    agents = [make_agent("anna", chats=1), make_agent("bram", chats=1)]
    router = make_router([STICKY], agents, ["anna", "bram"])
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="x", queue_id="chat"), at(0)))
    assert offer.agent_id == "anna"  # equal skills and idle time: the agent id decides
    router.offer_accepted(offer.offer_id, "anna", at(1))
    return router


def test_sticky_contact_prefers_its_last_agent() -> None:
    agents = [make_agent("anna", chats=1), make_agent("bram", chats=1)]
    router = make_router([STICKY], agents, ["bram", "anna"])
    router.agent_presence_changed("bram", Presence.BREAK, at(0), reason="x")
    router.agent_presence_changed("bram", Presence.AVAILABLE, at(1))  # bram is idle longest
    assert offered_pairs(router.contact_arrived(returning(), at(5))) == [("c1", "anna")]


def test_sticky_contact_waits_for_a_busy_last_agent_at_most_the_sticky_wait() -> None:
    router = anna_busy_bram_idle()
    assert offered_pairs(router.contact_arrived(returning(), at(2))) == []
    assert router.next_deadline(at(2)) == at(32)
    assert offered_pairs(router.tick(at(31))) == []
    assert offered_pairs(router.tick(at(32))) == [("c1", "bram")]


def test_sticky_preference_ends_with_the_window() -> None:
    router = anna_busy_bram_idle()
    events = router.contact_arrived(returning(served_seconds_ago=8 * 86400), at(2))
    assert offered_pairs(events) == [("c1", "bram")]


def test_nobody_waits_for_a_last_agent_who_is_not_at_work() -> None:
    router = anna_busy_bram_idle()
    router.agent_presence_changed("anna", Presence.OFFLINE, at(2))
    assert offered_pairs(router.contact_arrived(returning(), at(3))) == [("c1", "bram")]


def test_callback_keeps_the_place_and_is_offered_as_a_callback() -> None:
    router = make_router([make_queue("voice", Channel.VOICE)], [make_agent("a1")])
    for index in range(3):
        router.contact_arrived(Arrival(contact_id=f"c{index}", queue_id="voice"), at(index))
    events = router.callback_requested("c1", at(10))
    assert types(events) == ["contact.callback_requested"]
    assert router.waiting_order("voice", at(10)) == ["c0", "c1", "c2"]
    router.contact_ended("c0", at(11))  # the first caller hangs up
    (offer,) = offers(router.agent_presence_changed("a1", Presence.AVAILABLE, at(12)))
    assert (offer.contact_id, offer.callback) == ("c1", True)


def test_callback_of_an_unknown_or_assigned_contact_is_refused() -> None:
    router = make_router([make_queue("voice", Channel.VOICE)], [make_agent("a1")], ["a1"])
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(0)))
    router.offer_accepted(offer.offer_id, "a1", at(1))
    with pytest.raises(errors.WrongContactState):
        router.callback_requested("c1", at(2))
    with pytest.raises(errors.UnknownContact):
        router.callback_requested("nope", at(2))


OFFICE = BusinessCalendar(hours=weekday_hours(time(8, 0), time(17, 0)))


@pytest.mark.parametrize(
    "action", [AfterHoursAction.MESSAGE, AfterHoursAction.CALLBACK, AfterHoursAction.TASK]
)
def test_outside_hours_the_queue_setting_decides(action: AfterHoursAction) -> None:
    queue = make_queue("voice", Channel.VOICE, calendar=OFFICE, after_hours=action)
    router = make_router([queue], [make_agent("a1")], ["a1"])
    saturday = at(5 * 86400)
    events = router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), saturday)
    assert events == [
        ContactOutsideHours(
            at=saturday,
            contact_id="c1",
            queue_id="voice",
            action=action,
            next_opening_at=at(7 * 86400 - 2 * 3600),  # Monday 08:00 local = 07:00 UTC
        )
    ]
    assert router.state.waiting == {}


def test_outside_hours_wait_queues_the_contact() -> None:
    queue = make_queue("email", Channel.EMAIL, calendar=OFFICE, after_hours=AfterHoursAction.WAIT)
    router = make_router([queue], [make_agent("a1", messages=2)], ["a1"])
    events = router.contact_arrived(Arrival(contact_id="m1", queue_id="email"), at(12 * 3600))
    assert types(events) == ["contact.outside_hours", "contact.queued", "contact.offered"]


def test_inside_hours_no_decision_is_needed() -> None:
    queue = make_queue("voice", Channel.VOICE, calendar=OFFICE)
    router = make_router([queue], [])
    events = router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), T0)
    assert types(events) == ["contact.queued"]


def overflow_router(rule: OverflowRule) -> Router:
    main = make_queue("main", Channel.VOICE, overflow=rule)
    backup = make_queue(
        "backup", Channel.VOICE, overflow=OverflowRule(to_queue_id="main", after_wait_seconds=1)
    )
    return make_router([main, backup], [])


def test_overflow_after_waiting() -> None:
    router = overflow_router(OverflowRule(to_queue_id="backup", after_wait_seconds=60))
    router.contact_arrived(Arrival(contact_id="c1", queue_id="main"), at(0))
    assert router.next_deadline(at(0)) == at(60)
    assert router.tick(at(59)) == []
    assert types(router.tick(at(60))) == ["contact.overflowed"]
    assert router.state.waiting["c1"].queue_id == "backup"
    # Never back to a queue it was in, although backup overflows to main after 1 s.
    assert router.tick(at(200)) == []


def test_overflow_when_the_queue_is_full() -> None:
    router = overflow_router(OverflowRule(to_queue_id="backup", max_waiting=2))
    for index in range(3):
        events = router.contact_arrived(Arrival(contact_id=f"c{index}", queue_id="main"), at(index))
    assert types(events) == ["contact.queued", "contact.overflowed"]
    assert events[-1].reason == "queue_length"  # type: ignore[attr-defined]
    assert router.waiting_order("main", at(3)) == ["c0", "c1"]
    assert router.waiting_order("backup", at(3)) == ["c2"]


def test_overflow_keeps_the_place_in_the_waiting_order() -> None:
    main = make_queue(
        "main", Channel.VOICE, overflow=OverflowRule(to_queue_id="backup", after_wait_seconds=60)
    )
    router = make_router([main, make_queue("backup", Channel.VOICE)], [])
    router.contact_arrived(Arrival(contact_id="early", queue_id="main"), at(0))
    router.contact_arrived(Arrival(contact_id="direct", queue_id="backup"), at(30))
    router.tick(at(60))
    assert router.waiting_order("backup", at(61)) == ["early", "direct"]


def test_overflow_never_crosses_tenants() -> None:
    main = make_queue("main", Channel.VOICE, overflow=OverflowRule(to_queue_id="x", max_waiting=0))
    foreign = make_queue("x", Channel.VOICE, tenant_id=OVREGIO)
    router = make_router([main, foreign], [])
    events = router.contact_arrived(Arrival(contact_id="c1", queue_id="main"), at(0))
    assert types(events) == ["contact.queued"]


def test_abandoned_while_offered() -> None:
    router = make_router([make_queue("voice", Channel.VOICE)], [make_agent("a1")], ["a1"])
    router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(0))
    events = router.contact_ended("c1", at(7))
    assert types(events) == ["offer.withdrawn", "contact.abandoned"]
    assert events[-1].wait_seconds == 7  # type: ignore[attr-defined]
    assert router.state.agents["a1"].offer_id is None


def test_arrival_refusals() -> None:
    router = make_router([make_queue("voice", Channel.VOICE)], [])
    with pytest.raises(errors.UnknownQueue):
        router.contact_arrived(Arrival(contact_id="c1", queue_id="nope"), at(0))
    router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(0))
    with pytest.raises(errors.DuplicateContact):
        router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(1))
    with pytest.raises(errors.Invalid, match="timezone"):
        router.tick(at(2).replace(tzinfo=None))


def test_queue_position_and_estimated_wait() -> None:
    queue = make_queue("voice", Channel.VOICE, expected_handle_seconds=240)
    agents = [make_agent(f"a{index}") for index in range(2)]
    router = make_router([queue], agents, ["a0", "a1"])
    for index in range(5):
        router.contact_arrived(Arrival(contact_id=f"c{index}", queue_id="voice"), at(index))
    for offer in list(router.state.offers.values()):
        router.offer_accepted(offer.offer_id, offer.agent_id, at(5))
    # c0 and c1 are with the agents; c2..c4 wait at positions 1..3; 2 slots, AHT 240 s.
    assert [router.queue_position(f"c{i}", at(6)) for i in (2, 3, 4)] == [1, 2, 3]
    assert router.estimated_wait_seconds("c2", at(6)) == 1 * 240 / 2
    assert router.estimated_wait_seconds("c4", at(6)) == 3 * 240 / 2


def test_estimated_wait_learns_the_handle_time_and_knows_when_nobody_works() -> None:
    queue = make_queue("voice", Channel.VOICE, expected_handle_seconds=100, wrap_up_required=False)
    router = make_router([queue], [make_agent("a1")], ["a1"])
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(0)))
    router.offer_accepted(offer.offer_id, "a1", at(0))
    router.contact_arrived(Arrival(contact_id="c2", queue_id="voice"), at(1))
    assert router.estimated_wait_seconds("c2", at(1)) == 100
    router.contact_ended("c1", at(200))  # handled in 200 s: the average moves 10 % towards it
    assert router.state.handle_seconds_average["voice"] == pytest.approx(110)
    assert router.estimated_wait_seconds("c2", at(200)) == 0.0  # offered now
    router.agent_presence_changed("a1", Presence.OFFLINE, at(201))
    assert router.estimated_wait_seconds("c2", at(201)) is None
