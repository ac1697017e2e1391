"""Transfers to a queue or an agent (with a note), escalation, and refusals that change nothing."""

from __future__ import annotations

import pytest

from symfonie.domain.routing import Arrival, Channel, Presence, Router, errors
from symfonie.domain.routing.events import ContactEscalated, ContactTransferred
from tests.domain.routing import (
    OVREGIO,
    agent_anna,
    at,
    make_agent,
    make_queue,
    make_router,
    offered_pairs,
    offers,
    outsider_olga,
    supervisor_bram,
    types,
)


def anna_holds_c1() -> Router:
    queues = [
        make_queue("chat", escalation_queue_id="supervisors"),
        make_queue("sales"),
        make_queue("supervisors"),
        make_queue("foreign", tenant_id=OVREGIO),
    ]
    router = make_router(queues, [agent_anna(), supervisor_bram(), outsider_olga()], ["anna"])
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="c1", queue_id="chat"), at(0)))
    router.offer_accepted(offer.offer_id, "anna", at(1))
    return router


def test_transfer_to_a_queue_frees_the_agent_and_starts_a_new_wait() -> None:
    router = anna_holds_c1()
    events = router.transfer_to_queue("c1", "sales", at(61), note="wants a new contract")
    assert types(events) == ["contact.released", "contact.transferred", "contact.offered"]
    transferred = events[1]
    assert isinstance(transferred, ContactTransferred)
    assert (transferred.from_agent_id, transferred.note) == ("anna", "wants a new contract")
    assert transferred.arrived_at == at(61)
    assert "c1" not in router.state.agents["anna"].assignments
    # Anna is the only agent at work and qualified for sales: she gets it back as an offer.
    assert offered_pairs(events) == [("c1", "anna")]


def test_transfer_of_a_waiting_contact_keeps_its_place() -> None:
    router = make_router([make_queue("chat"), make_queue("sales")], [])
    router.contact_arrived(Arrival(contact_id="early", queue_id="chat"), at(0))
    router.contact_arrived(Arrival(contact_id="direct", queue_id="sales"), at(10))
    router.transfer_to_queue("early", "sales", at(20))
    assert router.waiting_order("sales", at(21)) == ["early", "direct"]


def test_transfer_to_an_agent_offers_it_to_that_agent() -> None:
    router = anna_holds_c1()
    router.agent_presence_changed("bram", Presence.AVAILABLE, at(2))
    events = router.transfer_to_agent("c1", "bram", at(10), note="please take over")
    assert offered_pairs(events) == [("c1", "bram")]
    assert router.state.waiting["c1"].reserved_agent_id == "bram"


def test_a_transfer_target_who_declines_gives_the_contact_back_to_the_queue() -> None:
    router = anna_holds_c1()
    router.agent_presence_changed("bram", Presence.AVAILABLE, at(2))
    (offer,) = offers(router.transfer_to_agent("c1", "bram", at(10)))
    events = router.offer_declined(offer.offer_id, "bram", at(11))
    assert offered_pairs(events) == [("c1", "anna")]


def test_a_busy_transfer_target_is_waited_for_up_to_transfer_wait() -> None:
    queue = make_queue("voice", Channel.VOICE, transfer_wait_seconds=45)
    router = make_router([queue], [make_agent("a1"), make_agent("a2"), make_agent("a3")], ["a1"])
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(0)))
    router.offer_accepted(offer.offer_id, "a1", at(1))
    router.agent_presence_changed("a2", Presence.AVAILABLE, at(2))
    (offer,) = offers(router.contact_arrived(Arrival(contact_id="c2", queue_id="voice"), at(2)))
    router.offer_accepted(offer.offer_id, "a2", at(3))
    router.agent_presence_changed("a3", Presence.AVAILABLE, at(4))
    assert offered_pairs(router.transfer_to_agent("c1", "a2", at(10))) == []  # a2 is on a call
    assert offered_pairs(router.tick(at(54))) == []
    assert offered_pairs(router.tick(at(55))) == [("c1", "a3")]


@pytest.mark.parametrize(
    ("target", "reason"),
    [("olga", "not qualified"), ("bram", "offline"), ("anna", "own agent")],
)
def test_refused_transfers_change_nothing(target: str, reason: str) -> None:
    router = anna_holds_c1()
    before = router.snapshot()
    with pytest.raises(errors.TransferRefused, match=reason):
        router.transfer_to_agent("c1", target, at(10))
    assert router.snapshot() == before


def test_transfer_to_another_tenants_queue_or_an_unknown_queue_is_refused() -> None:
    router = anna_holds_c1()
    before = router.snapshot()
    with pytest.raises(errors.TransferRefused, match="tenant"):
        router.transfer_to_queue("c1", "foreign", at(10))
    with pytest.raises(errors.UnknownQueue):
        router.transfer_to_queue("c1", "nope", at(10))
    with pytest.raises(errors.UnknownContact):
        router.transfer_to_queue("nope", "sales", at(10))
    assert router.snapshot() == before


def test_escalation_goes_to_the_supervisor_queue() -> None:
    router = anna_holds_c1()
    router.agent_presence_changed("bram", Presence.AVAILABLE, at(2))
    events = router.escalate("c1", at(30), note="customer asks for a manager")
    assert types(events) == ["contact.released", "contact.escalated", "contact.offered"]
    assert isinstance(events[1], ContactEscalated)
    assert events[1].to_queue_id == "supervisors"
    assert offered_pairs(events) == [("c1", "bram")]  # idle longer than anna
    with pytest.raises(errors.TransferRefused, match="no escalation queue"):
        router.escalate("c1", at(31))


def test_a_contact_in_wrap_up_cannot_be_transferred() -> None:
    router = anna_holds_c1()
    router.contact_ended("c1", at(5))
    with pytest.raises(errors.WrongContactState):
        router.transfer_to_queue("c1", "sales", at(6))
