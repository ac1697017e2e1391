"""Agent choice: qualification, relaxation, capacity per channel, tenancy, best then longest idle."""

from __future__ import annotations

from symfonie.domain.routing import (
    Arrival,
    Channel,
    Presence,
    RelaxationStep,
    Router,
    RoutingEvent,
    SkillRequirement,
)
from symfonie.domain.routing.selection import is_qualified, required_proficiency
from tests.domain.routing import (
    T0,
    agent_anna,
    at,
    billing_queue,
    make_agent,
    make_queue,
    make_router,
    offered_pairs,
    outsider_olga,
    supervisor_bram,
)

RELAXING = billing_queue(
    relaxation=(
        RelaxationStep(after_seconds=30, min_proficiency=2),
        RelaxationStep(after_seconds=60, min_proficiency=1),
    )
)


def arrive_events(
    router: Router, contact_id: str, queue_id: str, seconds: float = 0
) -> list[RoutingEvent]:
    return router.contact_arrived(Arrival(contact_id=contact_id, queue_id=queue_id), at(seconds))


def accept_all(router: Router, seconds: float) -> None:
    for offer in list(router.state.offers.values()):
        router.offer_accepted(offer.offer_id, offer.agent_id, at(seconds))


def test_best_proficiency_wins() -> None:
    router = make_router([billing_queue()], [agent_anna(), supervisor_bram()], ["anna", "bram"])
    events = router.contact_arrived(Arrival(contact_id="c1", queue_id="billing"), at(1))
    assert offered_pairs(events) == [("c1", "bram")]


def test_longest_idle_among_equal_proficiency() -> None:
    first = make_agent("first", skills={"billing": 4})
    second = make_agent("second", skills={"billing": 4})
    router = make_router([billing_queue()], [second, first])
    router.agent_presence_changed("second", Presence.AVAILABLE, at(0))
    router.agent_presence_changed("first", Presence.AVAILABLE, at(5))
    events = router.contact_arrived(Arrival(contact_id="c1", queue_id="billing"), at(10))
    assert offered_pairs(events) == [("c1", "second")]


def test_an_agent_gets_only_contacts_of_their_tenants() -> None:
    router = make_router([billing_queue()], [outsider_olga()], ["olga"])
    events = router.contact_arrived(Arrival(contact_id="c1", queue_id="billing"), at(1))
    assert offered_pairs(events) == []
    assert not is_qualified(outsider_olga(), billing_queue())


def test_the_queue_language_is_required() -> None:
    english = make_queue("english", language="en")
    dutch_only = make_agent("dutch", languages=("nl",), chats=1)
    bilingual = make_agent("both", languages=("nl", "en"), chats=1)
    router = make_router([english], [dutch_only, bilingual], ["dutch", "both"])
    assert offered_pairs(arrive_events(router, "c1", "english")) == [("c1", "both")]


def test_required_proficiency_relaxes_in_steps() -> None:
    assert required_proficiency(RELAXING, 4, 0) == 4
    assert required_proficiency(RELAXING, 4, 29.9) == 4
    assert required_proficiency(RELAXING, 4, 30) == 2
    assert required_proficiency(RELAXING, 4, 60) == 1
    # A step never raises the bar above the requirement.
    assert required_proficiency(RELAXING, 1, 30) == 1


def test_relaxation_over_wait_time_but_the_skill_stays_required() -> None:
    junior = make_agent("junior", skills={"billing": 2})
    novice = make_agent("novice", skills={"billing": 1})
    stranger = make_agent("stranger", skills={"complaints": 5})
    router = make_router([RELAXING], [junior, novice, stranger], ["junior", "novice", "stranger"])
    assert offered_pairs(arrive_events(router, "c1", "billing")) == []
    assert offered_pairs(router.tick(at(29))) == []
    assert offered_pairs(router.tick(at(30))) == [("c1", "junior")]
    accept_all(router, 31)
    assert offered_pairs(arrive_events(router, "c2", "billing", 31)) == []
    assert offered_pairs(router.tick(at(90))) == []
    assert offered_pairs(router.tick(at(91))) == [("c2", "novice")]
    assert not is_qualified(stranger, RELAXING, 10_000)


def test_multiple_required_skills_sum_their_proficiency() -> None:
    queue = make_queue(
        "complex",
        required_skills=(
            SkillRequirement(skill="billing", min_proficiency=2),
            SkillRequirement(skill="complaints", min_proficiency=2),
        ),
    )
    wide = make_agent("wide", skills={"billing": 3, "complaints": 3}, chats=1)
    deep = make_agent("deep", skills={"billing": 5, "complaints": 2}, chats=1)
    router = make_router([queue], [wide, deep], ["wide", "deep"])
    assert offered_pairs(arrive_events(router, "c1", "complex")) == [("c1", "deep")]


def test_chat_capacity_is_n_at_once() -> None:
    router = make_router([make_queue("chat")], [make_agent("a", chats=2, voice=False)], ["a"])
    for index in range(3):
        arrive_events(router, f"c{index}", "chat")
        accept_all(router, 1)
    assert set(router.state.agents["a"].assignments) == {"c0", "c1"}
    assert "c2" in router.state.waiting
    assert router.state.agents["a"].presence is Presence.BUSY


def test_emails_and_messages_share_the_message_slots_beside_the_chats() -> None:
    queues = [
        make_queue("chat"),
        make_queue("email", Channel.EMAIL),
        make_queue("whatsapp", Channel.MESSAGE),
    ]
    router = make_router(queues, [make_agent("a", voice=False, chats=1, messages=2)], ["a"])
    for contact_id, queue_id in [
        ("m1", "email"),
        ("w1", "whatsapp"),
        ("m2", "email"),
        ("c1", "chat"),
    ]:
        arrive_events(router, contact_id, queue_id)
        accept_all(router, 1)
    assert set(router.state.agents["a"].assignments) == {"m1", "w1", "c1"}
    assert set(router.state.waiting) == {"m2"}


def test_voice_is_exclusive() -> None:
    voice = make_queue("voice", Channel.VOICE)
    router = make_router([voice, make_queue("chat")], [make_agent("a", chats=3)], ["a"])
    arrive_events(router, "chat1", "chat")
    accept_all(router, 1)
    # Holding a chat, the agent is not offered a call...
    assert offered_pairs(arrive_events(router, "call1", "voice", 2)) == []
    router.contact_ended("chat1", at(3))
    router.wrap_up_completed("chat1", at(4))  # ...until the chat is fully done.
    assert router.state.agents["a"].offer_id is not None
    accept_all(router, 5)
    # On a call, nothing else is offered although chat slots are free.
    assert offered_pairs(arrive_events(router, "chat2", "chat", 6)) == []
    assert router.state.agents["a"].presence is Presence.BUSY


def test_queue_max_per_agent_limits_load_of_that_kind() -> None:
    simple = make_queue("simple")
    complex_chat = make_queue("complex", max_per_agent=1)
    router = make_router([simple, complex_chat], [make_agent("a", chats=3)], ["a"])
    arrive_events(router, "s1", "simple")
    accept_all(router, 1)
    assert offered_pairs(arrive_events(router, "x1", "complex", 2)) == []
    assert offered_pairs(arrive_events(router, "s2", "simple", 3)) == [("s2", "a")]


def test_an_agent_without_the_channel_is_not_qualified() -> None:
    chat_only = make_agent("a", voice=False, chats=2)
    assert not is_qualified(chat_only, make_queue("voice", Channel.VOICE))
    assert is_qualified(chat_only, make_queue("chat"))


def test_nothing_is_offered_to_agents_who_are_not_available() -> None:
    router = make_router([make_queue("chat")], [make_agent("a", chats=1)])
    assert offered_pairs(arrive_events(router, "c1", "chat")) == []  # offline
    router.agent_presence_changed("a", Presence.BREAK, T0, reason="lunch")
    assert router.state.agents["a"].offer_id is None
    events = router.agent_presence_changed("a", Presence.AVAILABLE, at(1))
    assert offered_pairs(events) == [("c1", "a")]
