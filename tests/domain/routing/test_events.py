"""Event schemas, the JSON form, and "state snapshot + replayed events = fresh snapshot"."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from symfonie.domain.routing import (
    Arrival,
    Channel,
    OverflowRule,
    Presence,
    Router,
    RoutingEvent,
    event_from_dict,
    event_to_dict,
)
from symfonie.domain.routing.events import EVENT_TYPES
from tests.domain.routing import (
    agent_anna,
    at,
    billing_queue,
    make_agent,
    make_queue,
    offers,
    supervisor_bram,
    types,
)

DOCS = Path(__file__).resolve().parents[3] / "docs" / "routing.md"


def busy_day() -> tuple[Router, dict[str, object], list[RoutingEvent]]:
    """A router, its snapshot part-way, and every event after that snapshot."""
    router = Router()
    log: list[RoutingEvent] = []
    log += router.configure_queue(
        make_queue(
            "chat",
            overflow=OverflowRule(to_queue_id="billing", after_wait_seconds=120),
            escalation_queue_id="supervisors",
        ),
        at(0),
    )
    log += router.configure_queue(
        billing_queue(priority_credit_seconds=10, escalation_queue_id="supervisors"), at(0)
    )
    log += router.configure_queue(make_queue("supervisors"), at(0))
    for agent in (agent_anna(), supervisor_bram(), make_agent("carl", chats=1, voice=False)):
        log += router.configure_agent(agent, at(0))
    log += router.agent_presence_changed("anna", Presence.AVAILABLE, at(0))
    for index in range(6):
        queue_id = "chat" if index % 2 else "billing"
        log += router.contact_arrived(
            Arrival(contact_id=f"c{index}", queue_id=queue_id, priority_credit_seconds=index),
            at(index),
        )
    snapshot = json.loads(json.dumps(router.snapshot()))
    later: list[RoutingEvent] = []
    later += router.agent_presence_changed("bram", Presence.AVAILABLE, at(10))
    later += router.agent_presence_changed("carl", Presence.AVAILABLE, at(10))
    for offer in offers(later):
        if offer.agent_id == "bram":
            later += router.offer_declined(offer.offer_id, "bram", at(11), reason="busy")
    later += router.tick(at(30))  # anna's first offer times out
    later += router.agent_presence_changed("anna", Presence.AVAILABLE, at(31))
    for offer in list(router.state.offers.values()):
        later += router.offer_accepted(offer.offer_id, offer.agent_id, at(32))
    later += router.callback_requested(next(iter(router.state.waiting)), at(33))
    holder = next(iter(router.state.assigned_agent))
    later += router.escalate(holder, at(40), note="manager")
    for offer in list(router.state.offers.values()):
        later += router.offer_accepted(offer.offer_id, offer.agent_id, at(41))
    later += router.tick(at(200))
    for contact_id in list(router.state.assigned_agent):
        later += router.contact_ended(contact_id, at(300))
    for contact_id in list(router.state.assigned_agent):
        later += router.wrap_up_completed(contact_id, at(320))
    for contact_id in list(router.state.waiting)[:1]:
        later += router.contact_ended(contact_id, at(330))
    later += router.agent_presence_changed("carl", Presence.BREAK, at(340), reason="lunch")
    return router, snapshot, later


def test_every_event_type_is_a_documented_frozen_dataclass() -> None:
    for type_name, cls in EVENT_TYPES.items():
        assert dataclasses.is_dataclass(cls)
        assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
        assert cls.type == type_name
        assert cls.__doc__ and len(cls.__doc__) > 20, type_name
        assert "at" in {f.name for f in dataclasses.fields(cls)}


def test_docs_list_every_event_type() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in EVENT_TYPES if f"`{name}`" not in text]
    assert missing == []


def test_the_scenario_covers_most_event_types() -> None:
    _router, _snapshot, later = busy_day()
    seen = set(types(later))
    assert {
        "agent.presence_changed",
        "contact.offered",
        "offer.declined",
        "offer.timed_out",
        "contact.assigned",
        "contact.callback_requested",
        "contact.escalated",
        "contact.released",
        "contact.wrap_up_started",
        "contact.abandoned",
    } <= seen


def test_events_survive_json() -> None:
    _router, _snapshot, later = busy_day()
    for event in later:
        data = json.loads(json.dumps(event_to_dict(event)))
        assert event_from_dict(data) == event


def test_snapshot_plus_replayed_events_equals_a_fresh_snapshot() -> None:
    router, snapshot, later = busy_day()
    restored = Router.restore(snapshot)
    restored.replay(event_from_dict(json.loads(json.dumps(event_to_dict(e)))) for e in later)
    assert restored.snapshot() == router.snapshot()


def test_replaying_the_whole_log_from_nothing_rebuilds_the_state() -> None:
    router = Router()
    log = router.configure_queue(make_queue("voice", Channel.VOICE), at(0))
    log += router.configure_agent(make_agent("a1"), at(0))
    log += router.agent_presence_changed("a1", Presence.AVAILABLE, at(0))
    log += router.contact_arrived(Arrival(contact_id="c1", queue_id="voice"), at(1))
    rebuilt = Router()
    rebuilt.replay(log)
    assert rebuilt.snapshot() == router.snapshot()


def test_after_a_restart_waiting_contacts_wait_in_the_same_order_and_offers_are_renewed() -> None:
    router, _snapshot, _later = busy_day()
    for index in range(3):
        router.contact_arrived(Arrival(contact_id=f"late{index}", queue_id="chat"), at(400 + index))
    order = {q: router.waiting_order(q, at(500)) for q in router.state.queues}
    in_flight = {o.contact_id for o in router.state.offers.values()}
    restarted = Router.restore(json.loads(json.dumps(router.snapshot())))
    assert {q: restarted.waiting_order(q, at(500)) for q in restarted.state.queues} == order
    events = restarted.recover(at(500))
    withdrawn = {e.contact_id for e in events if e.type == "offer.withdrawn"}  # type: ignore[attr-defined]
    assert withdrawn == in_flight
    assert {o.contact_id for o in offers(events)} >= in_flight
