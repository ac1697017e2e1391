"""Offer and accept: timeouts, declines, refusals, and how presence follows the load."""

from __future__ import annotations

import pytest

from symfonie.domain.routing import Arrival, Channel, Presence, Router, errors
from symfonie.domain.routing.events import AgentPresenceChanged
from tests.domain.routing import (
    agent_anna,
    at,
    make_agent,
    make_queue,
    make_router,
    offered_pairs,
    offers,
    types,
)


def two_agents_three_contacts() -> Router:
    router = make_router(
        [make_queue("voice", Channel.VOICE)],
        [make_agent("a1"), make_agent("a2")],
    )
    for index, contact_id in enumerate(("c1", "c2", "c3")):
        router.contact_arrived(Arrival(contact_id=contact_id, queue_id="voice"), at(index))
    return router


def test_accept_assigns_the_contact_and_the_agent_becomes_busy() -> None:
    router = make_router([make_queue("voice", Channel.VOICE)], [make_agent("a1")], ["a1"])
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(1)))
    assert offer.expires_at == at(16)  # default offer timeout: 15 s
    events = router.offer_accepted(offer.offer_id, "a1", at(5))
    assert types(events) == ["contact.assigned", "agent.presence_changed"]
    assert router.state.agents["a1"].presence is Presence.BUSY
    assert "c1" not in router.state.waiting


def test_offer_timeout_makes_the_agent_not_responding_and_keeps_the_place() -> None:
    router = two_agents_three_contacts()
    router.agent_presence_changed("a1", Presence.AVAILABLE, at(10))
    assert router.waiting_order("voice", at(10)) == ["c1", "c2", "c3"]
    assert router.state.agents["a1"].offer_id is not None
    events = router.tick(at(25))
    assert types(events) == ["offer.timed_out", "agent.presence_changed"]
    assert router.state.agents["a1"].presence is Presence.NOT_RESPONDING
    assert router.state.agents["a1"].presence_reason == "offer_timeout"
    assert router.waiting_order("voice", at(25)) == ["c1", "c2", "c3"]
    assert router.queue_position("c1", at(25)) == 1
    # The next agent gets the same contact: it kept its place.
    events = router.agent_presence_changed("a2", Presence.AVAILABLE, at(26))
    assert offered_pairs(events) == [("c1", "a2")]


def test_a_not_responding_agent_is_routed_again_only_after_choosing_available() -> None:
    router = two_agents_three_contacts()
    router.agent_presence_changed("a1", Presence.AVAILABLE, at(10))
    router.tick(at(25))
    assert router.tick(at(30)) == []
    events = router.agent_presence_changed("a1", Presence.AVAILABLE, at(31))
    assert offered_pairs(events) == [("c1", "a1")]


def test_decline_goes_to_the_next_agent_and_keeps_the_place() -> None:
    router = make_router(
        [make_queue("voice", Channel.VOICE, decline_cooldown_seconds=60)],
        [make_agent("a1"), make_agent("a2")],
        ["a1", "a2"],
    )
    router.agent_presence_changed("a2", Presence.OFFLINE, at(0))
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(1)))
    router.contact_arrived(Arrival(contact_id="c2", queue_id="voice"), at(2))
    events = router.offer_declined(offer.offer_id, offer.agent_id, at(3), reason="wrong skill")
    # a1 declined c1: a1 is offered c2 instead, c1 keeps its place at the head.
    assert types(events) == ["offer.declined", "contact.offered"]
    assert offered_pairs(events) == [("c2", "a1")]
    assert router.waiting_order("voice", at(3)) == ["c1", "c2"]
    events = router.agent_presence_changed("a2", Presence.AVAILABLE, at(4))
    assert offered_pairs(events) == [("c1", "a2")]
    assert router.state.agents["a1"].presence is Presence.AVAILABLE


def test_a_decliner_gets_the_contact_again_after_the_cooldown() -> None:
    router = make_router(
        [make_queue("voice", Channel.VOICE, decline_cooldown_seconds=60)],
        [make_agent("a1")],
        ["a1"],
    )
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(0)))
    assert offers(router.offer_declined(offer.offer_id, "a1", at(1))) == []
    assert router.next_deadline(at(1)) == at(61)
    assert offers(router.tick(at(60))) == []
    assert offered_pairs(router.tick(at(61))) == [("c1", "a1")]


def test_accepting_someone_elses_expired_or_unknown_offer_is_refused() -> None:
    router = make_router([make_queue("voice", Channel.VOICE)], [make_agent("a1")], ["a1"])
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(0)))
    before = router.snapshot()
    with pytest.raises(errors.OfferNotYours):
        router.offer_accepted(offer.offer_id, "someone", at(1))
    with pytest.raises(errors.OfferExpired):
        router.offer_accepted(offer.offer_id, "a1", at(15))
    with pytest.raises(errors.OfferNotInFlight):
        router.offer_accepted("o999", "a1", at(1))
    assert router.snapshot() == before
    router.tick(at(15))
    with pytest.raises(errors.OfferNotInFlight):
        router.offer_declined(offer.offer_id, "a1", at(16))


def test_going_on_break_withdraws_the_offer_and_the_contact_keeps_its_place() -> None:
    router = make_router([make_queue("voice", Channel.VOICE)], [make_agent("a1")], ["a1"])
    router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(0))
    events = router.agent_presence_changed("a1", Presence.BREAK, at(2), reason="coffee")
    assert types(events) == ["offer.withdrawn", "agent.presence_changed"]
    assert events[-1] == AgentPresenceChanged(
        at=at(2), agent_id="a1", presence=Presence.BREAK, reason="coffee"
    )
    assert router.state.waiting["c1"].offer_id is None


def test_presence_rules() -> None:
    router = make_router([make_queue("voice", Channel.VOICE)], [agent_anna()])
    with pytest.raises(errors.Invalid, match="reason"):
        router.agent_presence_changed("anna", Presence.BREAK, at(0))
    with pytest.raises(errors.Invalid):
        router.agent_presence_changed("anna", Presence.BUSY, at(0))
    with pytest.raises(errors.UnknownAgent):
        router.agent_presence_changed("nobody", Presence.AVAILABLE, at(0))
    router.agent_presence_changed("anna", Presence.AVAILABLE, at(0))
    assert router.agent_presence_changed("anna", Presence.AVAILABLE, at(1)) == []


def test_wrap_up_keeps_the_slot_until_completed() -> None:
    router = make_router([make_queue("voice", Channel.VOICE)], [make_agent("a1")], ["a1"])
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(0)))
    router.offer_accepted(offer.offer_id, "a1", at(1))
    router.contact_arrived(Arrival(contact_id="c2", queue_id="voice"), at(2))
    events = router.contact_ended("c1", at(61))
    assert types(events) == ["contact.wrap_up_started", "agent.presence_changed"]
    assert router.state.agents["a1"].presence is Presence.WRAP_UP
    with pytest.raises(errors.WrongContactState):
        router.contact_ended("c1", at(62))
    events = router.wrap_up_completed("c1", at(91))
    assert types(events) == ["contact.released", "agent.presence_changed", "contact.offered"]
    assert events[0].handle_seconds == 90  # type: ignore[attr-defined]
    with pytest.raises(errors.WrongContactState):
        router.wrap_up_completed("c2", at(92))


def test_wrap_up_limit_ends_nawerk_automatically() -> None:
    queue = make_queue("voice", Channel.VOICE, wrap_up_limit_seconds=30)
    router = make_router([queue], [make_agent("a1")], ["a1"])
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(0)))
    router.offer_accepted(offer.offer_id, "a1", at(1))
    router.contact_ended("c1", at(10))
    assert router.next_deadline(at(10)) == at(40)
    assert router.tick(at(39)) == []
    events = router.tick(at(40))
    assert types(events) == ["contact.released", "agent.presence_changed"]
    assert events[0].reason == "wrap_up_limit"  # type: ignore[attr-defined]


def test_without_wrap_up_the_slot_is_released_at_the_end() -> None:
    queue = make_queue("chat", wrap_up_required=False)
    router = make_router([queue], [make_agent("a1", chats=1)], ["a1"])
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="c1", queue_id="chat"), at(0)))
    router.offer_accepted(offer.offer_id, "a1", at(1))
    events = router.contact_ended("c1", at(10))
    assert types(events) == ["contact.released", "agent.presence_changed"]
    assert router.state.agents["a1"].presence is Presence.AVAILABLE


def test_a_multi_chat_agent_stays_available_while_a_slot_is_free() -> None:
    router = make_router([make_queue("chat")], [make_agent("a1", chats=2)], ["a1"])
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="c1", queue_id="chat"), at(0)))
    events = router.offer_accepted(offer.offer_id, "a1", at(1))
    assert types(events) == ["contact.assigned"]
    assert router.state.agents["a1"].presence is Presence.AVAILABLE
