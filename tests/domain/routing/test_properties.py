"""Invariants of the router under random command sequences (hypothesis, fake clock).

- no agent ever exceeds capacity (voice exclusive, chats, messages), an offer always fits;
- no contact is offered to an agent of another tenant or without the (relaxed) skill;
- nothing waits while an available agent with a free slot could take it;
- FIFO among equals, and priority credit acts as an earlier arrival;
- an offer timeout keeps the contact's place;
- a refused command changes nothing; snapshot + replayed events = fresh snapshot.

The eligibility rules are written out again here, independently of ``selection.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symfonie.domain.routing import (
    Agent,
    Arrival,
    Capacity,
    Channel,
    OverflowRule,
    Presence,
    Queue,
    RelaxationStep,
    Router,
    RoutingEvent,
    SkillRequirement,
    errors,
    event_from_dict,
    event_to_dict,
)
from symfonie.domain.routing.events import ContactOffered
from symfonie.domain.routing.state import AgentState, RouterState, WaitingContact
from tests.domain.routing import OVREGIO, T0, WOONSTAD, offers

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

QUEUES = (
    Queue(
        queue_id="voice",
        tenant_id=WOONSTAD,
        channel=Channel.VOICE,
        priority=1,
        required_skills=(SkillRequirement(skill="billing", min_proficiency=4),),
        relaxation=(
            RelaxationStep(after_seconds=30, min_proficiency=2),
            RelaxationStep(after_seconds=60, min_proficiency=1),
        ),
        decline_cooldown_seconds=20,
    ),
    Queue(
        queue_id="chat",
        tenant_id=WOONSTAD,
        channel=Channel.CHAT,
        language="nl",
        overflow=OverflowRule(to_queue_id="chat2", after_wait_seconds=40, max_waiting=4),
        escalation_queue_id="voice",
    ),
    Queue(queue_id="chat2", tenant_id=WOONSTAD, channel=Channel.CHAT, wrap_up_required=False),
    Queue(queue_id="email", tenant_id=WOONSTAD, channel=Channel.EMAIL, max_per_agent=2),
    Queue(
        queue_id="ov",
        tenant_id=OVREGIO,
        channel=Channel.MESSAGE,
        required_skills=(SkillRequirement(skill="billing", min_proficiency=1),),
    ),
)
QUEUE_IDS = [queue.queue_id for queue in QUEUES]
SLOT = {Channel.VOICE: "voice", Channel.CHAT: "chat", Channel.EMAIL: "msg", Channel.MESSAGE: "msg"}

agents_strategy = st.lists(
    st.builds(
        lambda index, tenants, billing, dutch, voice, chats, messages: Agent(
            agent_id=f"a{index}",
            tenant_ids=frozenset(tenants),
            skills={"billing": billing} if billing else {},
            languages=frozenset({"nl"} if dutch else {"en"}),
            capacity=Capacity(voice=voice, chats=chats, messages=messages),
        ),
        st.just(0),
        st.sampled_from([{WOONSTAD}, {WOONSTAD}, {OVREGIO}, {WOONSTAD, OVREGIO}]),
        st.integers(0, 5),
        st.sampled_from([True, True, False]),
        st.booleans(),
        st.integers(0, 3),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=5,
).map(lambda agents: [_renamed(agent, index) for index, agent in enumerate(agents)])

arrive = st.tuples(st.just("arrive"), st.sampled_from(QUEUE_IDS), st.sampled_from([0.0, 90.0]))
accept = st.tuples(st.just("accept"), st.integers(0, 9))
tick = st.tuples(st.just("tick"), st.integers(0, 40))
operation = st.one_of(
    arrive,
    arrive,
    arrive,
    st.tuples(
        st.just("presence"),
        st.integers(0, 4),
        st.sampled_from([Presence.AVAILABLE, Presence.AVAILABLE, Presence.BREAK, Presence.OFFLINE]),
    ),
    accept,
    accept,
    st.tuples(st.just("decline"), st.integers(0, 9)),
    st.tuples(st.just("end"), st.integers(0, 19)),
    st.tuples(st.just("wrap_up"), st.integers(0, 19)),
    tick,
    tick,
    st.tuples(st.just("callback"), st.integers(0, 19)),
    st.tuples(st.just("transfer"), st.integers(0, 19), st.sampled_from(QUEUE_IDS)),
    st.tuples(st.just("transfer_agent"), st.integers(0, 19), st.integers(0, 4)),
    st.tuples(st.just("escalate"), st.integers(0, 19)),
)


def _renamed(agent: Agent, index: int) -> Agent:
    return Agent(
        agent_id=f"a{index}",
        tenant_ids=agent.tenant_ids,
        skills=agent.skills,
        languages=agent.languages,
        capacity=agent.capacity,
    )


@dataclass
class World:
    router: Router
    now: datetime
    counter: int = 0


def build(agents: list[Agent]) -> tuple[World, list[RoutingEvent]]:
    router = Router()
    log: list[RoutingEvent] = []
    for queue in QUEUES:
        log += router.configure_queue(queue, T0)
    for agent in agents:
        log += router.configure_agent(agent, T0)
        log += router.agent_presence_changed(agent.agent_id, Presence.AVAILABLE, T0)
    return World(router=router, now=T0), log


def pick(items: Iterable[str], index: int) -> str | None:
    ordered = sorted(items)
    return ordered[index % len(ordered)] if ordered else None


def run(world: World, op: tuple[object, ...]) -> list[RoutingEvent]:
    """Apply one random operation; refused commands must leave the state unchanged."""
    router, state = world.router, world.router.state
    before = router.snapshot()
    contacts = list(state.waiting) + list(state.assigned_agent)
    try:
        return _dispatch(world, op, router, state, contacts)
    except errors.RoutingError:
        assert router.snapshot() == before
        return []


def _dispatch(
    world: World, op: tuple[object, ...], router: Router, state: RouterState, contacts: list[str]
) -> list[RoutingEvent]:
    kind, now = op[0], world.now
    agent_ids = sorted(state.agents)
    if kind == "arrive":
        world.counter += 1
        arrival = Arrival(
            contact_id=f"c{world.counter}",
            queue_id=str(op[1]),
            priority_credit_seconds=float(op[2]),  # type: ignore[arg-type]
        )
        return router.contact_arrived(arrival, now)
    if kind == "presence":
        agent_id = agent_ids[int(op[1]) % len(agent_ids)]  # type: ignore[call-overload]
        presence = op[2]
        assert isinstance(presence, Presence)
        reason = "lunch" if presence is Presence.BREAK else None
        return router.agent_presence_changed(agent_id, presence, now, reason=reason)
    if kind in ("accept", "decline"):
        offer_id = pick(state.offers, int(op[1]))  # type: ignore[call-overload]
        if offer_id is None:
            return []
        agent_id = state.offers[offer_id].agent_id
        if kind == "accept":
            return router.offer_accepted(offer_id, agent_id, now)
        return router.offer_declined(offer_id, agent_id, now)
    if kind == "tick":
        world.now = now + timedelta(seconds=int(op[1]))  # type: ignore[call-overload]
        return router.tick(world.now)
    contact_id = pick(contacts, int(op[1]))  # type: ignore[call-overload]
    if contact_id is None:
        return []
    if kind == "end":
        return router.contact_ended(contact_id, now)
    if kind == "wrap_up":
        return router.wrap_up_completed(contact_id, now)
    if kind == "callback":
        return router.callback_requested(contact_id, now)
    if kind == "transfer":
        return router.transfer_to_queue(contact_id, str(op[2]), now, note="note")
    if kind == "transfer_agent":
        agent_id = agent_ids[int(op[2]) % len(agent_ids)]  # type: ignore[call-overload]
        return router.transfer_to_agent(contact_id, agent_id, now)
    assert kind == "escalate"
    return router.escalate(contact_id, now)


# -- independent statement of the rules ---------------------------------------------------


def qualifies(agent: Agent, queue: Queue, wait_in_queue_seconds: float) -> bool:
    if queue.tenant_id not in agent.tenant_ids:
        return False
    if queue.language and queue.language not in agent.languages:
        return False
    for requirement in queue.required_skills:
        needed = requirement.min_proficiency
        for step in queue.relaxation:
            if wait_in_queue_seconds >= step.after_seconds:
                needed = min(needed, step.min_proficiency)
        if agent.skills.get(requirement.skill, 0) < needed:
            return False
    return True


def load(state: RouterState, agent_state: AgentState) -> dict[str, int]:
    counts = {"voice": 0, "chat": 0, "msg": 0}
    for assignment in agent_state.assignments.values():
        counts[SLOT[assignment.channel]] += 1
    return counts


def fits(state: RouterState, agent_state: AgentState, queue: Queue) -> bool:
    """One more contact of ``queue`` stays within every capacity rule."""
    counts = load(state, agent_state)
    capacity = agent_state.agent.capacity
    slot = SLOT[queue.channel]
    if slot == "voice":
        return capacity.voice and sum(counts.values()) == 0
    if counts["voice"]:
        return False
    limit = capacity.chats if slot == "chat" else capacity.messages
    if queue.max_per_agent is not None:
        limit = min(limit, queue.max_per_agent)
    return counts[slot] < limit


def held(state: RouterState, contact: WaitingContact, now: datetime) -> bool:
    """Waiting for a reserved (transfer-target) agent who is at work."""
    if contact.reserved_agent_id is None or contact.reserved_until is None:
        return False
    if now >= contact.reserved_until:
        return False
    agent_state = state.agents[contact.reserved_agent_id]
    working = agent_state.presence in {Presence.AVAILABLE, Presence.BUSY, Presence.WRAP_UP}
    wait = (now - contact.entered_queue_at).total_seconds()
    return working and qualifies(agent_state.agent, state.queues[contact.queue_id], wait)


def check_invariants(state: RouterState, events: list[RoutingEvent], now: datetime) -> None:
    assert not set(state.waiting) & set(state.assigned_agent)
    assert len({o.contact_id for o in state.offers.values()}) == len(state.offers)
    for agent_state in state.agents.values():
        counts = load(state, agent_state)
        capacity = agent_state.agent.capacity
        assert counts["voice"] <= (1 if capacity.voice else 0)
        if counts["voice"]:
            assert sum(counts.values()) == 1, "voice is exclusive"
        assert counts["chat"] <= capacity.chats
        assert counts["msg"] <= capacity.messages
        if agent_state.offer_id is not None:
            offer = state.offers[agent_state.offer_id]
            assert offer.agent_id == agent_state.agent.agent_id
            assert state.waiting[offer.contact_id].offer_id == offer.offer_id
            assert fits(state, agent_state, state.queues[offer.queue_id])
    for event in offers(events):
        if event.offer_id not in state.offers:
            continue  # already answered within the same command
        contact = state.waiting[event.contact_id]
        queue = state.queues[event.queue_id]
        wait = (event.at - contact.entered_queue_at).total_seconds()
        assert qualifies(state.agents[event.agent_id].agent, queue, wait)
    # No starvation: nobody waits while an available agent with a free slot could take it.
    free = [
        a for a in state.agents.values() if a.presence is Presence.AVAILABLE and a.offer_id is None
    ]
    for contact in state.waiting.values():
        if contact.offer_id is not None or held(state, contact, now):
            continue
        queue = state.queues[contact.queue_id]
        wait = (now - contact.entered_queue_at).total_seconds()
        for agent_state in free:
            cooldown = contact.declined_until.get(agent_state.agent.agent_id)
            if cooldown is not None and now < cooldown:
                continue
            assert not (
                qualifies(agent_state.agent, queue, wait) and fits(state, agent_state, queue)
            ), f"{contact.contact_id} waits while {agent_state.agent.agent_id} could take it"


@SETTINGS
@given(agents=agents_strategy, ops=st.lists(operation, min_size=20, max_size=80))
def test_capacity_qualification_and_no_starvation(
    agents: list[Agent], ops: list[tuple[object, ...]]
) -> None:
    world, _log = build(agents)
    for op in ops:
        events = run(world, op)
        check_invariants(world.router.state, events, world.now)


@SETTINGS
@given(
    agents=agents_strategy,
    ops=st.lists(operation, min_size=20, max_size=80),
    cut=st.integers(0, 60),
)
def test_snapshot_plus_replayed_events_equals_fresh_snapshot(
    agents: list[Agent], ops: list[tuple[object, ...]], cut: int
) -> None:
    world, log = build(agents)
    snapshot: dict[str, object] | None = None
    after: list[RoutingEvent] = []
    for index, op in enumerate(ops):
        if index == cut:
            snapshot = json.loads(json.dumps(world.router.snapshot()))
        events = run(world, op)
        log += events
        if snapshot is not None:
            after += events
    if snapshot is None:
        snapshot = json.loads(json.dumps(world.router.snapshot()))
    snapshot_at_end = world.router.snapshot()
    restored = Router.restore(snapshot)
    restored.replay(event_from_dict(json.loads(json.dumps(event_to_dict(e)))) for e in after)
    assert restored.snapshot() == world.router.snapshot()
    # The restored router also decides the same from here on (its indexes were rebuilt).
    later = world.now + timedelta(seconds=16)
    for router in (restored, world.router):
        for agent_id in sorted(router.state.agents):
            router.agent_presence_changed(agent_id, Presence.AVAILABLE, world.now)
    assert restored.tick(later) == world.router.tick(later)
    arrival = Arrival(contact_id="after-restart", queue_id="chat")
    assert restored.contact_arrived(arrival, later) == world.router.contact_arrived(arrival, later)
    from_scratch = Router()
    from_scratch.replay(log)
    assert from_scratch.snapshot() == snapshot_at_end


fifo_operation = st.one_of(
    st.tuples(st.just("arrive"), st.just("line"), st.just(0.0)),
    st.tuples(
        st.just("presence"),
        st.integers(0, 2),
        st.sampled_from([Presence.AVAILABLE, Presence.AVAILABLE, Presence.BREAK]),
    ),
    st.tuples(st.just("accept"), st.integers(0, 2)),
    st.tuples(st.just("end"), st.integers(0, 19)),
    st.tuples(st.just("wrap_up"), st.integers(0, 19)),
    st.tuples(st.just("tick"), st.integers(0, 20)),
)


@SETTINGS
@given(
    ops=st.lists(fifo_operation, min_size=20, max_size=80),
    credits=st.lists(st.sampled_from([0.0, 90.0]), min_size=1, max_size=20),
)
def test_first_in_first_out_among_equals_and_credit_as_earlier_arrival(
    ops: list[tuple[object, ...]], credits: list[float]
) -> None:
    """One queue, interchangeable agents, no declines: an offer always goes to the contact
    with the earliest credit-adjusted arrival (then the lowest sequence), also after offer
    timeouts, so nobody is ever overtaken."""
    line = Queue(queue_id="line", tenant_id=WOONSTAD, channel=Channel.VOICE, urgency_weight=0)
    router = Router()
    router.configure_queue(line, T0)
    for index in range(3):
        agent = Agent(agent_id=f"a{index}", tenant_ids=frozenset({WOONSTAD}))
        router.configure_agent(agent, T0)
    world = World(router=router, now=T0)
    for op in ops:
        if op[0] == "arrive":
            op = ("arrive", "line", credits[world.counter % len(credits)])
        events = run(world, op)
        state = router.state
        for event in offers(events):
            if event.offer_id not in state.offers:
                continue
            offered = state.waiting[event.contact_id]
            for other in state.waiting.values():
                if other.offer_id is None:
                    assert adjusted(offered) <= adjusted(other), "a contact was overtaken"


def adjusted(contact: WaitingContact) -> tuple[datetime, int]:
    return (
        contact.arrived_at - timedelta(seconds=contact.priority_credit_seconds),
        contact.sequence,
    )


@SETTINGS
@given(
    gaps=st.lists(st.integers(0, 30), min_size=1, max_size=10),
    credits=st.lists(st.sampled_from([0.0, 90.0]), min_size=10, max_size=10),
    timeout=st.integers(1, 30),
    urgency_weight=st.sampled_from([0.0, 1.0, 3.0]),
)
def test_offer_timeout_keeps_the_place(
    gaps: list[int], credits: list[float], timeout: int, urgency_weight: float
) -> None:
    line = Queue(
        queue_id="line",
        tenant_id=WOONSTAD,
        channel=Channel.VOICE,
        offer_timeout_seconds=timeout,
        urgency_weight=urgency_weight,
    )
    router = Router()
    router.configure_queue(line, T0)
    for agent_id in ("first", "second"):
        router.configure_agent(Agent(agent_id=agent_id, tenant_ids=frozenset({WOONSTAD})), T0)
    now = T0
    for index, gap in enumerate(gaps):
        now += timedelta(seconds=gap)
        arrival = Arrival(
            contact_id=f"c{index}", queue_id="line", priority_credit_seconds=credits[index]
        )
        router.contact_arrived(arrival, now)
    (offer,) = offers(router.agent_presence_changed("first", Presence.AVAILABLE, now))
    expiry = now + timedelta(seconds=timeout)
    # Compare at the same moment: urgency may legitimately reorder contacts as time passes.
    order_before = router.waiting_order("line", expiry)
    position_before = router.queue_position(offer.contact_id, expiry)
    events = router.tick(expiry)
    assert [e.type for e in events] == ["offer.timed_out", "agent.presence_changed"]
    assert router.waiting_order("line", expiry) == order_before
    assert router.queue_position(offer.contact_id, expiry) == position_before
    (again,) = offers(router.agent_presence_changed("second", Presence.AVAILABLE, expiry))
    assert isinstance(again, ContactOffered)
    assert again.contact_id == order_before[0]
    if line.urgency_weight == 0 or len(gaps) == 1:
        assert again.contact_id == offer.contact_id
