"""Builders for the routing-core tests: a fixed clock start, queues, agents and personas.

Personas as in the rest of the suite: Anna is an agent of tenant ``woonstad``, Bram its
supervisor (highest proficiency), Olga an outsider who works only for ``ovregio``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from symfonie.domain.routing import (
    Agent,
    Capacity,
    Channel,
    Presence,
    Queue,
    Router,
    RoutingEvent,
    SkillRequirement,
)
from symfonie.domain.routing.events import ContactOffered

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Amsterdam
WOONSTAD = "woonstad"
OVREGIO = "ovregio"


def at(seconds: float) -> datetime:
    """The fake clock: ``seconds`` after T0."""
    return T0 + timedelta(seconds=seconds)


def make_queue(
    queue_id: str = "chat", channel: Channel = Channel.CHAT, **settings: object
) -> Queue:
    settings.setdefault("tenant_id", WOONSTAD)
    return Queue(queue_id=queue_id, channel=channel, **settings)


def billing_queue(queue_id: str = "billing", **settings: object) -> Queue:
    """A voice queue that needs skill ``billing`` at proficiency 4 or better."""
    settings.setdefault("required_skills", (SkillRequirement(skill="billing", min_proficiency=4),))
    return make_queue(queue_id, Channel.VOICE, **settings)


def make_agent(
    agent_id: str,
    *,
    tenants: Iterable[str] = (WOONSTAD,),
    skills: dict[str, int] | None = None,
    languages: Iterable[str] = ("nl",),
    voice: bool = True,
    chats: int = 0,
    messages: int = 0,
) -> Agent:
    return Agent(
        agent_id=agent_id,
        tenant_ids=frozenset(tenants),
        skills=skills or {},
        languages=frozenset(languages),
        capacity=Capacity(voice=voice, chats=chats, messages=messages),
    )


def agent_anna(**overrides: object) -> Agent:
    settings: dict[str, object] = {"skills": {"billing": 4}, "chats": 2, "messages": 3}
    settings.update(overrides)
    return make_agent("anna", **settings)


def supervisor_bram(**overrides: object) -> Agent:
    settings: dict[str, object] = {"skills": {"billing": 5, "complaints": 5}, "chats": 2}
    settings.update(overrides)
    return make_agent("bram", **settings)


def outsider_olga(**overrides: object) -> Agent:
    settings: dict[str, object] = {"tenants": (OVREGIO,), "skills": {"billing": 5}, "chats": 3}
    settings.update(overrides)
    return make_agent("olga", **settings)


def make_router(
    queues: Iterable[Queue], agents: Iterable[Agent], available: Iterable[str] = ()
) -> Router:
    """A router at T0 with the queues and agents configured and ``available`` agents ready."""
    router = Router()
    for queue in queues:
        router.configure_queue(queue, T0)
    for agent in agents:
        router.configure_agent(agent, T0)
    for agent_id in available:
        router.agent_presence_changed(agent_id, Presence.AVAILABLE, T0)
    return router


def offers(events: Iterable[RoutingEvent]) -> list[ContactOffered]:
    return [event for event in events if isinstance(event, ContactOffered)]


def offered_pairs(events: Iterable[RoutingEvent]) -> list[tuple[str, str]]:
    """(contact_id, agent_id) of each offer in ``events``."""
    return [(event.contact_id, event.agent_id) for event in offers(events)]


def types(events: Iterable[RoutingEvent]) -> list[str]:
    return [event.type for event in events]
