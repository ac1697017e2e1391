"""The parts of the fast path on their own: a queue's waiting line reads its contacts in
``order_key`` order as time passes, a queue's pool picks the agent ``choose_agent`` picks, the
first microsecond a relaxation step applies, and the working-hours clock."""

from __future__ import annotations

import math
import random
from datetime import time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symfonie.domain.routing import (
    Agent,
    BusinessCalendar,
    Capacity,
    Channel,
    Presence,
    Queue,
    RelaxationStep,
    Router,
    ServiceLevel,
    SkillRequirement,
    weekday_hours,
)
from symfonie.domain.routing.index import first_moment
from symfonie.domain.routing.lines import WaitingLine, WorkingClock
from symfonie.domain.routing.scoring import order_key
from symfonie.domain.routing.selection import (
    choose_agent,
    is_qualified,
    proficiency_sum,
)
from symfonie.domain.routing.state import RouterState, WaitingContact
from tests.domain.routing import T0, WOONSTAD

OFFICE = BusinessCalendar(hours=weekday_hours(time(8, 0), time(17, 0)))


# -- the waiting line on its own ----------------------------------------------------------------


@st.composite
def urgent_queues(draw: st.DrawFn) -> Queue:
    threshold = draw(st.sampled_from([10.0, 20.0, 45.5, 3600.0]))
    working = draw(st.booleans())
    return Queue(
        queue_id="line",
        tenant_id=WOONSTAD,
        channel=Channel.EMAIL,
        priority_credit_seconds=draw(st.sampled_from([0.0, 30.0])),
        urgency_weight=draw(st.sampled_from([0.0, 0.5, 1.0, 3.0, 10.0])),
        urgency_start_fraction=draw(st.sampled_from([0.0, 0.3, 0.5, 1.0])),
        service_level=ServiceLevel(percent=90, threshold_seconds=threshold, working_hours=working),
        calendar=OFFICE if working else None,
    )


@settings(max_examples=300, deadline=None)
@given(
    queue=urgent_queues(),
    steps=st.lists(
        st.tuples(
            st.sampled_from([0, 1, 2, 3, 7, 19, 60, -4, 4 * 3600, 13 * 3600]),  # clock step
            st.lists(st.sampled_from([0.0, 0.0, 5.0, 10.0, 90.0, 2.5, 1e-7]), max_size=3),
            st.integers(0, 3),  # how many to take out
        ),
        min_size=1,
        max_size=25,
    ),
)
def test_the_waiting_line_reads_contacts_in_order_key_order(
    queue: Queue, steps: list[tuple[int, list[float], int]]
) -> None:
    """Contacts arrive with credits, some leave, the clock moves (also back, also over
    closing time): the line yields exactly the ``order_key`` order at every moment."""
    line = WaitingLine(queue)
    contacts: dict[str, WaitingContact] = {}
    now = T0
    sequence = 0
    rng = random.Random(len(steps))
    for step, credits, leaving in steps:
        now += timedelta(seconds=step)
        for credit in credits:
            sequence += 1
            contact = WaitingContact(
                contact_id=f"c{sequence}",
                queue_id="line",
                arrived_at=now - timedelta(microseconds=rng.choice([0, 0, 1, 500_000])),
                entered_queue_at=now,
                sequence=sequence,
                priority_credit_seconds=credit,
            )
            contacts[contact.contact_id] = contact
            line.add(contact)
            if rng.random() < 0.5:
                line.commit(contact.contact_id, now)
        for contact_id in rng.sample(sorted(contacts), min(leaving, len(contacts))):
            del contacts[contact_id]
            line.remove(contact_id)
        expected = sorted(contacts.values(), key=lambda c: order_key(c, queue, now))
        line.begin(now)
        seen = []
        while (head := line.head()) is not None:
            assert head[0] == order_key(head[1], queue, now)
            seen.append(head[1].contact_id)
            line.take()
        line.end()
        assert seen == [c.contact_id for c in expected]


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False), st.integers(-5, 5))
def test_first_moment_is_the_first_microsecond_the_comparison_holds(
    seconds: float, offset: int
) -> None:
    moment = first_moment(T0, seconds)
    assert moment is not None
    assert (moment - T0).total_seconds() >= seconds
    assert (moment - timedelta(microseconds=1) - T0).total_seconds() < seconds
    assert ((moment + timedelta(microseconds=abs(offset))) - T0).total_seconds() >= seconds


@given(
    st.integers(-10 * 86400, 10 * 86400),
    st.integers(0, 4 * 86400),
    st.sampled_from(["Europe/Amsterdam", "America/New_York", "Asia/Kolkata"]),
)
def test_the_working_clock_counts_as_working_seconds_between(
    start_seconds: int, length_seconds: int, timezone: str
) -> None:
    calendar = BusinessCalendar(
        timezone=timezone,
        hours=weekday_hours(time(8, 0), time(17, 30)),
        holidays=frozenset({(T0 + timedelta(days=2)).date()}),
    )
    clock = WorkingClock(calendar)
    start = T0 + timedelta(seconds=start_seconds)
    end = start + timedelta(seconds=length_seconds)
    assert clock(end) - clock(start) == pytest.approx(
        calendar.working_seconds_between(start, end), abs=1e-6
    )


# -- the pool on its own ------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    levels=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=8),
    idle=st.lists(st.integers(0, 3), min_size=8, max_size=8),
    declined=st.lists(st.booleans(), min_size=8, max_size=8),
    wait=st.sampled_from([0.0, 19.9, 20.0, 45.0, 1e9]),
    requirement=st.tuples(st.integers(1, 5), st.integers(1, 5)),
)
def test_the_pool_picks_the_agent_choose_agent_picks(
    levels: list[tuple[int, int]],
    idle: list[int],
    declined: list[bool],
    wait: float,
    requirement: tuple[int, int],
) -> None:
    queue = Queue(
        queue_id="q",
        tenant_id=WOONSTAD,
        channel=Channel.CHAT,
        required_skills=(
            SkillRequirement(skill="billing", min_proficiency=requirement[0]),
            SkillRequirement(skill="complaints", min_proficiency=requirement[1]),
        ),
        relaxation=(
            RelaxationStep(after_seconds=20, min_proficiency=3),
            RelaxationStep(after_seconds=45, min_proficiency=1),
        ),
    )
    router = Router()
    router.configure_queue(queue, T0)
    for index, (billing, complaints) in enumerate(levels):
        skills = {k: v for k, v in (("billing", billing), ("complaints", complaints)) if v}
        agent = Agent(
            agent_id=f"a{index}",
            tenant_ids=frozenset({WOONSTAD}),
            skills=skills,
            capacity=Capacity(voice=False, chats=1),
        )
        router.configure_agent(agent, T0)
        router.agent_presence_changed(
            agent.agent_id, Presence.AVAILABLE, T0 + timedelta(seconds=idle[index])
        )
    now = T0 + timedelta(seconds=10)
    contact = WaitingContact(
        contact_id="c",
        queue_id="q",
        arrived_at=now - timedelta(seconds=wait) if wait < 1e6 else T0,
        entered_queue_at=now - timedelta(seconds=wait) if wait < 1e6 else T0,
        sequence=1,
        declined_until={f"a{i}": now + timedelta(seconds=1) for i, d in enumerate(declined) if d},
    )
    state: RouterState = router.state
    ranked = [
        (proficiency_sum(a.agent, queue), a)
        for a in state.agents.values()
        if is_qualified(a.agent, queue, math.inf)
    ]
    ranked.sort(key=lambda pair: (-pair[0], pair[1].agent.agent_id))
    expected = choose_agent(contact, queue, ranked, state.agents, now)
    wait_in_queue = (now - contact.entered_queue_at).total_seconds()
    chosen = router._index.pools["q"].best(contact, wait_in_queue, now)
    assert chosen == (expected.agent.agent_id if expected else None)
    # Asking again gives the same answer: agents set aside for the cooldown are put back.
    assert router._index.pools["q"].best(contact, wait_in_queue, now) == chosen
