"""The fast path decides exactly as the brute force (``reference.ReferenceRouter``).

Random configurations and command sequences (hypothesis, fake clock, also going backwards, over
closing time, with reconfigurations) run on both routers and must give the same events or the
same refusal. After every command the indexes must equal a rebuild from the state, and no
un-offered contact may be offerable to a ready agent (the invariant that lets a pass look only
at what changed). Deterministic cases pin the moments a pass must not miss.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symfonie.domain.routing import (
    AfterHoursAction,
    Agent,
    Arrival,
    BusinessCalendar,
    Capacity,
    Channel,
    OverflowRule,
    Presence,
    Queue,
    RelaxationStep,
    Router,
    RoutingEvent,
    ServiceLevel,
    SkillRequirement,
    errors,
    weekday_hours,
)
from symfonie.domain.routing.events import (
    ContactOffered,
)
from symfonie.domain.routing.index import RoutingIndex
from symfonie.domain.routing.selection import (
    can_take,
    is_held_for_reserved_agent,
)
from tests.domain.routing import OVREGIO, T0, WOONSTAD
from tests.domain.routing.reference import ReferenceRouter

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OFFICE = BusinessCalendar(hours=weekday_hours(time(8, 0), time(17, 0)))


# -- random configurations --------------------------------------------------------------------

QUEUE_IDS = ["q0", "q1", "q2", "q3", "q4"]
SKILLS = ["billing", "complaints"]


@st.composite
def queues(draw: st.DrawFn) -> list[Queue]:
    made = []
    for index, queue_id in enumerate(QUEUE_IDS):
        channel = draw(st.sampled_from(list(Channel)))
        skills = draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=2))
        settings: dict[str, object] = {
            "priority": draw(st.integers(0, 2)),
            "priority_credit_seconds": draw(st.sampled_from([0.0, 30.0, 12.5])),
            "required_skills": tuple(
                SkillRequirement(skill=skill, min_proficiency=draw(st.integers(1, 5)))
                for skill in skills
            ),
            "language": draw(st.sampled_from([None, "nl", "en"])),
            "urgency_weight": draw(st.sampled_from([0.0, 1.0, 3.0, 0.5])),
            "urgency_start_fraction": draw(st.sampled_from([0.0, 0.5, 1.0])),
            "relaxation": draw(
                st.sampled_from(
                    [
                        (),
                        (RelaxationStep(after_seconds=20, min_proficiency=2),),
                        (
                            RelaxationStep(after_seconds=20, min_proficiency=2),
                            RelaxationStep(after_seconds=45.5, min_proficiency=1),
                        ),
                        (RelaxationStep(after_seconds=0, min_proficiency=1),),
                    ]
                )
            ),
            "max_per_agent": draw(st.sampled_from([None, None, 1, 2])),
            "offer_timeout_seconds": draw(st.sampled_from([5.0, 15.0])),
            "decline_cooldown_seconds": draw(st.sampled_from([0.0, 20.0, 60.0])),
            "sticky_window_seconds": draw(st.sampled_from([0.0, 3600.0])),
            "sticky_wait_seconds": draw(st.sampled_from([0.0, 30.0])),
            "wrap_up_required": draw(st.booleans()),
            "wrap_up_limit_seconds": draw(st.sampled_from([None, 30.0])),
            "transfer_wait_seconds": draw(st.sampled_from([0.0, 60.0])),
        }
        threshold = draw(st.sampled_from([None, 10.0, 60.0, 3600.0]))
        if threshold is not None:
            working = draw(st.booleans())
            settings["service_level"] = ServiceLevel(
                percent=80, threshold_seconds=threshold, working_hours=working
            )
            if working:
                settings["calendar"] = OFFICE
                settings["after_hours"] = AfterHoursAction.WAIT
        others = [q for q in QUEUE_IDS if q != queue_id]
        if draw(st.booleans()):
            after = draw(st.sampled_from([None, 0.0, 30.0]))
            max_waiting = draw(st.sampled_from([None, 0, 2]))
            settings["overflow"] = OverflowRule(
                to_queue_id=draw(st.sampled_from(others)),
                after_wait_seconds=after,
                max_waiting=1 if after is None and max_waiting is None else max_waiting,
            )
        if draw(st.booleans()):
            settings["escalation_queue_id"] = draw(st.sampled_from(others))
        tenant = OVREGIO if index == 4 and draw(st.booleans()) else WOONSTAD
        made.append(Queue(queue_id=queue_id, tenant_id=tenant, channel=channel, **settings))
    return made


agents_strategy = st.lists(
    st.builds(
        lambda tenants, billing, complaints, languages, voice, chats, messages: Agent(
            agent_id="?",
            tenant_ids=frozenset(tenants),
            skills={k: v for k, v in (("billing", billing), ("complaints", complaints)) if v},
            languages=frozenset(languages),
            capacity=Capacity(voice=voice, chats=chats, messages=messages),
        ),
        st.sampled_from([{WOONSTAD}, {WOONSTAD}, {OVREGIO}, {WOONSTAD, OVREGIO}]),
        st.integers(0, 5),
        st.integers(0, 5),
        st.sampled_from([{"nl"}, {"en"}, {"nl", "en"}]),
        st.booleans(),
        st.integers(0, 3),
        st.integers(0, 2),
    ),
    min_size=1,
    max_size=6,
)

operation = st.one_of(
    st.tuples(st.just("arrive"), st.sampled_from(QUEUE_IDS), st.sampled_from([0.0, 90.0, 7.25])),
    st.tuples(st.just("arrive"), st.sampled_from(QUEUE_IDS), st.just(0.0)),
    st.tuples(st.just("returning"), st.sampled_from(QUEUE_IDS), st.integers(0, 5)),
    st.tuples(
        st.just("presence"),
        st.integers(0, 5),
        st.sampled_from([Presence.AVAILABLE, Presence.AVAILABLE, Presence.BREAK, Presence.OFFLINE]),
    ),
    st.tuples(st.just("accept"), st.integers(0, 9)),
    st.tuples(st.just("accept"), st.integers(0, 9)),
    st.tuples(st.just("decline"), st.integers(0, 9)),
    st.tuples(st.just("end"), st.integers(0, 19)),
    st.tuples(st.just("wrap_up"), st.integers(0, 19)),
    st.tuples(st.just("tick"), st.integers(0, 40)),
    st.tuples(st.just("tick"), st.integers(0, 40)),
    st.tuples(st.just("tick"), st.sampled_from([-5, -1, 3600, 6 * 3600, 20 * 3600])),
    st.tuples(st.just("callback"), st.integers(0, 19)),
    st.tuples(st.just("transfer"), st.integers(0, 19), st.sampled_from(QUEUE_IDS)),
    st.tuples(st.just("transfer_agent"), st.integers(0, 19), st.integers(0, 5)),
    st.tuples(st.just("escalate"), st.integers(0, 19)),
    st.tuples(st.just("reconfigure_agent"), st.integers(0, 5), st.integers(0, 5)),
    st.tuples(st.just("reconfigure_queue"), st.sampled_from(QUEUE_IDS), st.integers(0, 3)),
)


@dataclass
class Pair:
    fast: Router
    slow: ReferenceRouter
    now: datetime
    counter: int = 0


def _agent(agent: Agent, index: int) -> Agent:
    return Agent(
        agent_id=f"a{index}",
        tenant_ids=agent.tenant_ids,
        skills=agent.skills,
        languages=agent.languages,
        capacity=agent.capacity,
    )


def _both(pair: Pair, command: str, *args: object) -> list[RoutingEvent]:
    """Run a command on both routers; the outcome (events or refusal) must be the same."""
    outcomes = []
    for router in (pair.fast, pair.slow):
        try:
            outcomes.append(("events", getattr(router, command)(*args)))
        except errors.RoutingError as error:
            outcomes.append(("refused", (type(error), str(error))))
    assert outcomes[0] == outcomes[1], command
    return outcomes[0][1] if outcomes[0][0] == "events" else []  # type: ignore[return-value]


def _pick(items: list[str], index: int) -> str | None:
    ordered = sorted(items)
    return ordered[index % len(ordered)] if ordered else None


def _step(pair: Pair, op: tuple[object, ...], queue_list: list[Queue]) -> None:
    kind, now = op[0], pair.now
    state = pair.fast.state
    agent_ids = sorted(state.agents)
    contacts = sorted([*state.waiting, *state.assigned_agent])
    if kind in ("arrive", "returning"):
        pair.counter += 1
        returning = kind == "returning"
        value = op[2]
        assert isinstance(value, int | float)
        arrival = Arrival(
            contact_id=f"c{pair.counter}",
            queue_id=str(op[1]),
            priority_credit_seconds=0.0 if returning else float(value),
            last_agent_id=agent_ids[int(value) % len(agent_ids)] if returning else None,
            last_served_at=now - timedelta(seconds=600) if returning else None,
        )
        _both(pair, "contact_arrived", arrival, now)
    elif kind == "presence":
        presence = op[2]
        assert isinstance(presence, Presence)
        agent_id = agent_ids[int(op[1]) % len(agent_ids)]  # type: ignore[call-overload]
        reason = "lunch" if presence is Presence.BREAK else None
        _both(pair, "agent_presence_changed", agent_id, presence, now, reason)
    elif kind in ("accept", "decline"):
        offer_id = _pick(list(state.offers), int(op[1]))  # type: ignore[call-overload]
        if offer_id is not None:
            agent_id = state.offers[offer_id].agent_id
            command = "offer_accepted" if kind == "accept" else "offer_declined"
            _both(pair, command, offer_id, agent_id, now)
    elif kind == "tick":
        pair.now = now + timedelta(seconds=int(op[1]))  # type: ignore[call-overload]
        _both(pair, "tick", pair.now)
    elif kind == "reconfigure_agent":
        agent_id = agent_ids[int(op[1]) % len(agent_ids)]  # type: ignore[call-overload]
        old = state.agents[agent_id].agent
        level = int(op[2])  # type: ignore[call-overload]
        changed = Agent(
            agent_id=agent_id,
            tenant_ids=old.tenant_ids,
            skills={"billing": level} if level else {},
            languages=old.languages | {"nl"},
            capacity=Capacity(voice=not old.capacity.voice, chats=level % 3, messages=1),
        )
        _both(pair, "configure_agent", changed, now)
    elif kind == "reconfigure_queue":
        queue = next(q for q in queue_list if q.queue_id == op[1])
        variant = int(op[2])  # type: ignore[call-overload]
        changed = Queue(
            queue_id=queue.queue_id,
            tenant_id=queue.tenant_id,
            channel=queue.channel,
            priority=variant,
            required_skills=queue.required_skills[:1] if variant % 2 else (),
            relaxation=(RelaxationStep(after_seconds=10, min_proficiency=1),) if variant else (),
            max_per_agent=variant or None,
            urgency_weight=float(variant),
            wrap_up_limit_seconds=10.0 if variant == 3 else None,
            overflow=queue.overflow,
        )
        _both(pair, "configure_queue", changed, now)
    else:
        contact_id = _pick(contacts, int(op[1]))  # type: ignore[call-overload]
        if contact_id is None:
            return
        if kind == "end":
            _both(pair, "contact_ended", contact_id, now)
        elif kind == "wrap_up":
            _both(pair, "wrap_up_completed", contact_id, now)
        elif kind == "callback":
            _both(pair, "callback_requested", contact_id, now)
        elif kind == "transfer":
            _both(pair, "transfer_to_queue", contact_id, str(op[2]), now, "note")
        elif kind == "transfer_agent":
            agent_id = agent_ids[int(op[2]) % len(agent_ids)]  # type: ignore[call-overload]
            _both(pair, "transfer_to_agent", contact_id, agent_id, now)
        else:
            _both(pair, "escalate", contact_id, now)


def assert_index_consistent(router: Router, now: datetime) -> None:
    """The incremental indexes equal a rebuild from the state; nothing offerable is left."""
    state = router.state
    index = router._index
    fresh = RoutingIndex(state)
    assert index.ready == fresh.ready
    assert {a: k for a, k in index.pushed.items() if k[0]} == {
        a: k for a, k in fresh.pushed.items() if k[0]
    }
    for queue_id, pool in index.pools.items():
        assert pool.members == fresh.pools[queue_id].members
        assert pool.ready_count == fresh.pools[queue_id].ready_count
        live = [
            entry
            for heap in pool.classes.values()
            for entry in heap
            if index.stamps.get(entry[1]) == entry[2]
        ]
        # One live entry per ready member, with the agent's current idle key.
        assert sorted(entry[1] for entry in live) == sorted(
            agent_id for agent_id in pool.members if fresh.ready_for(agent_id, pool)
        )
        for idle_since, agent_id, _ in live:
            assert index.pushed[agent_id][0] == (idle_since, agent_id)
    assert {c: t.queue_id for c, t in index.tracked.items()} == {
        c: w.queue_id for c, w in state.waiting.items()
    }
    assert +index.waiting_count == +fresh.waiting_count
    for queue_id, line in index.lines.items():
        expected = {
            c.contact_id
            for c in state.waiting.values()
            if c.queue_id == queue_id and c.offer_id is None
        }
        assert set(line.members) | set(line.staged) == expected
    # Settled: no un-offered contact can be offered to anybody now.
    for contact in state.waiting.values():
        if contact.offer_id is not None:
            continue
        queue = state.queues[contact.queue_id]
        reserved = state.agents.get(contact.reserved_agent_id or "")
        if reserved is not None:
            assert not can_take(reserved, contact, queue, now)
        if is_held_for_reserved_agent(contact, queue, state.agents, now):
            continue
        for agent_state in state.agents.values():
            assert not can_take(agent_state, contact, queue, now), (
                f"{contact.contact_id} could go to {agent_state.agent.agent_id}"
            )


@SETTINGS
@given(
    queue_list=queues(),
    agents=agents_strategy,
    ops=st.lists(operation, min_size=10, max_size=70),
)
def test_the_fast_path_decides_exactly_as_the_brute_force(
    queue_list: list[Queue], agents: list[Agent], ops: list[tuple[object, ...]]
) -> None:
    pair = Pair(fast=Router(), slow=ReferenceRouter(), now=T0)
    for queue in queue_list:
        _both(pair, "configure_queue", queue, T0)
    for index, agent in enumerate(agents):
        _both(pair, "configure_agent", _agent(agent, index), T0)
        _both(pair, "agent_presence_changed", f"a{index}", Presence.AVAILABLE, T0)
    for op in ops:
        _step(pair, op, queue_list)
        assert_index_consistent(pair.fast, pair.now)
    assert pair.fast.snapshot() == pair.slow.snapshot()


# Queues formed by few agents and many arrivals, credits and urgency reordering them.
busy_operation = st.one_of(
    st.tuples(st.just("arrive"), st.sampled_from(QUEUE_IDS), st.sampled_from([0.0, 90.0, 7.25])),
    st.tuples(st.just("arrive"), st.sampled_from(QUEUE_IDS), st.sampled_from([0.0, 3.0, 5.5])),
    st.tuples(st.just("arrive"), st.sampled_from(QUEUE_IDS), st.just(0.0)),
    st.tuples(st.just("returning"), st.sampled_from(QUEUE_IDS), st.integers(0, 5)),
    st.tuples(st.just("accept"), st.integers(0, 9)),
    st.tuples(st.just("end"), st.integers(0, 19)),
    st.tuples(st.just("wrap_up"), st.integers(0, 19)),
    st.tuples(st.just("tick"), st.integers(0, 12)),
    st.tuples(st.just("tick"), st.integers(0, 12)),
    st.tuples(
        st.just("presence"),
        st.integers(0, 5),
        st.sampled_from([Presence.AVAILABLE, Presence.BREAK]),
    ),
)


@SETTINGS
@given(
    queue_list=queues(),
    agents=agents_strategy.map(lambda agents: agents[:2]),
    ops=st.lists(busy_operation, min_size=30, max_size=120),
)
def test_the_fast_path_decides_as_the_brute_force_with_long_queues(
    queue_list: list[Queue], agents: list[Agent], ops: list[tuple[object, ...]]
) -> None:
    pair = Pair(fast=Router(), slow=ReferenceRouter(), now=T0)
    for queue in queue_list:
        _both(pair, "configure_queue", queue, T0)
    for index, agent in enumerate(agents):
        _both(pair, "configure_agent", _agent(agent, index), T0)
    for op in ops:
        _step(pair, op, queue_list)
    assert_index_consistent(pair.fast, pair.now)
    assert pair.fast.snapshot() == pair.slow.snapshot()


STICKY = Queue(
    queue_id="q0",
    tenant_id=WOONSTAD,
    channel=Channel.CHAT,
    sticky_window_seconds=3600,
    sticky_wait_seconds=30,
    transfer_wait_seconds=30,
    decline_cooldown_seconds=10,
    relaxation=(RelaxationStep(after_seconds=15, min_proficiency=1),),
    required_skills=(SkillRequirement(skill="billing", min_proficiency=3),),
)
hold_operation = st.one_of(
    st.tuples(st.just("returning"), st.just("q0"), st.integers(0, 3)),
    st.tuples(st.just("arrive"), st.just("q0"), st.just(0.0)),
    st.tuples(st.just("accept"), st.integers(0, 9)),
    st.tuples(st.just("decline"), st.integers(0, 9)),
    st.tuples(st.just("end"), st.integers(0, 19)),
    st.tuples(st.just("wrap_up"), st.integers(0, 19)),
    st.tuples(st.just("tick"), st.integers(0, 20)),
    st.tuples(st.just("transfer_agent"), st.integers(0, 19), st.integers(0, 3)),
    st.tuples(
        st.just("presence"),
        st.integers(0, 3),
        st.sampled_from([Presence.AVAILABLE, Presence.BREAK, Presence.OFFLINE]),
    ),
)


@SETTINGS
@given(
    levels=st.lists(st.integers(1, 5), min_size=2, max_size=4),
    ops=st.lists(hold_operation, min_size=20, max_size=80),
)
def test_the_fast_path_follows_sticky_holds_and_cooldowns_as_the_brute_force(
    levels: list[int], ops: list[tuple[object, ...]]
) -> None:
    pair = Pair(fast=Router(), slow=ReferenceRouter(), now=T0)
    _both(pair, "configure_queue", STICKY, T0)
    for index, level in enumerate(levels):
        agent = Agent(
            agent_id=f"a{index}",
            tenant_ids=frozenset({WOONSTAD}),
            skills={"billing": level},
            capacity=Capacity(voice=False, chats=1 + index % 2),
        )
        _both(pair, "configure_agent", agent, T0)
        _both(pair, "agent_presence_changed", agent.agent_id, Presence.AVAILABLE, T0)
    for op in ops:
        _step(pair, op, [STICKY])
        assert_index_consistent(pair.fast, pair.now)
    assert pair.fast.snapshot() == pair.slow.snapshot()


# -- moments the fast path must not miss ----------------------------------------------------


def _pair_with(queue: Queue, *agents: Agent) -> Pair:
    pair = Pair(fast=Router(), slow=ReferenceRouter(), now=T0)
    _both(pair, "configure_queue", queue, T0)
    for agent in agents:
        _both(pair, "configure_agent", agent, T0)
    return pair


def _offered(events: list[RoutingEvent]) -> list[tuple[str, str]]:
    return [(e.contact_id, e.agent_id) for e in events if isinstance(e, ContactOffered)]


def test_a_clock_that_went_back_does_not_hide_a_relaxation_step() -> None:
    relaxing = Queue(
        queue_id="q0",
        tenant_id=WOONSTAD,
        channel=Channel.VOICE,
        required_skills=(SkillRequirement(skill="billing", min_proficiency=4),),
        relaxation=(RelaxationStep(after_seconds=20, min_proficiency=1),),
    )
    junior = Agent(agent_id="junior", tenant_ids=frozenset({WOONSTAD}), skills={"billing": 1})
    pair = _pair_with(relaxing, junior)
    _both(pair, "contact_arrived", Arrival(contact_id="c1", queue_id="q0"), T0)
    _both(pair, "tick", T0 + timedelta(seconds=25))  # relaxed, but nobody is at work
    # The clock goes back: junior starts before the step, so cannot take c1 yet ...
    early = T0 + timedelta(seconds=10)
    assert (
        _offered(_both(pair, "agent_presence_changed", "junior", Presence.AVAILABLE, early)) == []
    )
    # ... and once the clock is past the step again, c1 goes to junior.
    assert _offered(_both(pair, "tick", T0 + timedelta(seconds=26))) == [("c1", "junior")]


def test_a_decline_cooldown_ends_also_for_a_contact_that_waited_before() -> None:
    line = Queue(
        queue_id="q0", tenant_id=WOONSTAD, channel=Channel.VOICE, decline_cooldown_seconds=10
    )
    agent = Agent(agent_id="a1", tenant_ids=frozenset({WOONSTAD}))
    pair = _pair_with(line, agent)
    _both(pair, "contact_arrived", Arrival(contact_id="c1", queue_id="q0"), T0)  # nobody at work
    events = _both(
        pair, "agent_presence_changed", "a1", Presence.AVAILABLE, T0 + timedelta(seconds=1)
    )
    (offer,) = [e for e in events if isinstance(e, ContactOffered)]
    _both(pair, "offer_declined", offer.offer_id, "a1", T0 + timedelta(seconds=2))
    assert _offered(_both(pair, "tick", T0 + timedelta(seconds=11))) == []
    assert _offered(_both(pair, "tick", T0 + timedelta(seconds=12))) == [("c1", "a1")]


def test_a_hold_ends_when_the_reserved_agent_leaves_work() -> None:
    sticky = Queue(
        queue_id="q0",
        tenant_id=WOONSTAD,
        channel=Channel.CHAT,
        sticky_window_seconds=3600,
        sticky_wait_seconds=300,
    )
    anna = Agent(agent_id="anna", tenant_ids=frozenset({WOONSTAD}), capacity=Capacity(chats=1))
    bram = Agent(agent_id="bram", tenant_ids=frozenset({WOONSTAD}), capacity=Capacity(chats=1))
    pair = _pair_with(sticky, anna, bram)
    _both(pair, "agent_presence_changed", "anna", Presence.AVAILABLE, T0)
    events = _both(pair, "contact_arrived", Arrival(contact_id="x", queue_id="q0"), T0)
    (offer,) = [e for e in events if isinstance(e, ContactOffered)]
    _both(pair, "offer_accepted", offer.offer_id, "anna", T0)  # anna is busy with x
    _both(pair, "agent_presence_changed", "bram", Presence.AVAILABLE, T0)
    returning = Arrival(
        contact_id="c1",
        queue_id="q0",
        last_agent_id="anna",
        last_served_at=T0 - timedelta(hours=0.5),
    )
    assert _offered(_both(pair, "contact_arrived", returning, T0 + timedelta(seconds=1))) == []
    later = T0 + timedelta(seconds=2)
    events = _both(pair, "agent_presence_changed", "anna", Presence.BREAK, later, "lunch")
    assert _offered(events) == [("c1", "bram")]
