"""Agent choice: who may take a contact, and who gets it.

An agent can take a contact when all hold:
- the agent works for the queue's tenant and speaks the queue's language (if it has one);
- every required skill is at or above the minimum proficiency, relaxed by the queue's steps
  for the time the contact has waited in this queue (the skill itself stays required);
- the agent has a free slot for the channel: voice only with no other contact at all, chat
  and messages only without a voice contact and below the agent's count (and the queue's
  ``max_per_agent``);
- the agent did not decline this contact within the queue's cooldown.

Among those who can (AVAILABLE, no offer in flight), the reserved agent (sticky or transfer
target) first; otherwise the highest summed proficiency in the required skills, then the
longest idle, then the agent id (so the choice is deterministic).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from symfonie.domain.routing.model import (
    SLOT_OF_CHANNEL,
    WORKING,
    Agent,
    Presence,
    Queue,
    SlotKind,
)
from symfonie.domain.routing.state import AgentState, WaitingContact


def required_proficiency(queue: Queue, skill_minimum: int, wait_in_queue_seconds: float) -> int:
    """The minimum proficiency still required after ``wait_in_queue_seconds`` in ``queue``.

    The lowest level of every relaxation step already reached, never above ``skill_minimum``.
    """
    level = skill_minimum
    for step in queue.relaxation:
        if wait_in_queue_seconds >= step.after_seconds:
            level = min(level, step.min_proficiency)
    return level


def is_qualified(agent: Agent, queue: Queue, wait_in_queue_seconds: float = 0.0) -> bool:
    """True if ``agent`` may serve ``queue`` at all: tenant, language, channel, relaxed skills."""
    if queue.tenant_id not in agent.tenant_ids:
        return False
    if queue.language is not None and queue.language not in agent.languages:
        return False
    if agent.capacity.slots(queue.slot) == 0:
        return False
    return all(
        agent.skills.get(requirement.skill, 0)
        >= required_proficiency(queue, requirement.min_proficiency, wait_in_queue_seconds)
        for requirement in queue.required_skills
    )


def has_free_slot(agent_state: AgentState, kind: SlotKind, max_per_agent: int | None) -> bool:
    """True if the agent can take one more contact of ``kind`` (voice is exclusive)."""
    capacity = agent_state.agent.capacity
    if kind is SlotKind.VOICE:
        return capacity.voice and not agent_state.assignments
    voice, chat, message = _counts(agent_state)
    if voice:
        return False
    held, limit = (chat, capacity.chats) if kind is SlotKind.CHAT else (message, capacity.messages)
    if max_per_agent is not None and max_per_agent < limit:
        limit = max_per_agent
    return held < limit


def has_any_free_slot(agent_state: AgentState) -> bool:
    """True if the agent can take one more contact of some kind."""
    capacity = agent_state.agent.capacity
    if not agent_state.assignments:
        return capacity.voice or capacity.chats > 0 or capacity.messages > 0
    voice, chat, message = _counts(agent_state)
    return not voice and (chat < capacity.chats or message < capacity.messages)


def _counts(agent_state: AgentState) -> tuple[int, int, int]:
    # A plain loop: at most a handful of assignments, and this runs for every candidate.
    voice = chat = message = 0
    for assignment in agent_state.assignments.values():
        kind = SLOT_OF_CHANNEL[assignment.channel]
        if kind is SlotKind.VOICE:
            voice += 1
        elif kind is SlotKind.CHAT:
            chat += 1
        else:
            message += 1
    return voice, chat, message


def working_presence(agent_state: AgentState) -> Presence:
    """The presence of an agent at work, from the load: AVAILABLE while any slot is free (or
    no contact at all), else BUSY while any contact is in conversation, else WRAP_UP."""
    if not agent_state.assignments or has_any_free_slot(agent_state):
        return Presence.AVAILABLE
    if any(a.wrap_up_since is None for a in agent_state.assignments.values()):
        return Presence.BUSY
    return Presence.WRAP_UP


def can_take(agent_state: AgentState, contact: WaitingContact, queue: Queue, now: datetime) -> bool:
    """True if this agent, if offered nothing else, may be offered ``contact`` now."""
    if agent_state.presence is not Presence.AVAILABLE or agent_state.offer_id is not None:
        return False
    declined_until = contact.declined_until.get(agent_state.agent.agent_id)
    if declined_until is not None and now < declined_until:
        return False
    if not has_free_slot(agent_state, queue.slot, queue.max_per_agent):
        return False
    wait_in_queue_seconds = (now - contact.entered_queue_at).total_seconds()
    return is_qualified(agent_state.agent, queue, wait_in_queue_seconds)


def is_held_for_reserved_agent(
    contact: WaitingContact, queue: Queue, agents: Mapping[str, AgentState], now: datetime
) -> bool:
    """True while the contact waits for its reserved agent: before ``reserved_until``, and
    only if that agent is at work (available, busy or in wrap-up) and qualified."""
    agent_id = contact.reserved_agent_id
    if agent_id is None or contact.reserved_until is None or now >= contact.reserved_until:
        return False
    agent_state = agents.get(agent_id)
    if agent_state is None or agent_state.presence not in WORKING:
        return False
    wait_in_queue_seconds = (now - contact.entered_queue_at).total_seconds()
    return is_qualified(agent_state.agent, queue, wait_in_queue_seconds)


def proficiency_sum(agent: Agent, queue: Queue) -> int:
    """The agent's summed proficiency in the queue's required skills (0 without requirements)."""
    return sum(agent.skills.get(r.skill, 0) for r in queue.required_skills)


def choose_agent(
    contact: WaitingContact,
    queue: Queue,
    ranked: Iterable[tuple[int, AgentState]],
    agents: Mapping[str, AgentState],
    now: datetime,
) -> AgentState | None:
    """The agent to offer ``contact`` to now, or None (nobody can, or it waits for its
    reserved agent).

    ``ranked`` holds (proficiency sum, agent) for the free agents who may ever serve the
    queue, highest proficiency first, then agent id; agents offered something earlier in the
    same pass have an offer in flight, so ``can_take`` skips them.
    """
    reserved = agents.get(contact.reserved_agent_id) if contact.reserved_agent_id else None
    if reserved is not None and can_take(reserved, contact, queue, now):
        return reserved
    if is_held_for_reserved_agent(contact, queue, agents, now):
        return None
    best: AgentState | None = None
    best_proficiency = 0
    for proficiency, agent_state in ranked:
        if best is not None and proficiency < best_proficiency:
            break  # sorted: nobody further down is as proficient
        if not can_take(agent_state, contact, queue, now):
            continue
        if best is None or idle_key(agent_state) < idle_key(best):
            best, best_proficiency = agent_state, proficiency
    return best


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def idle_key(agent_state: AgentState) -> tuple[datetime, str]:
    """The longest-idle order: idle since (else presence since, else the epoch), agent id."""
    idle_since = agent_state.idle_since or agent_state.presence_since or _EPOCH
    return (idle_since, agent_state.agent.agent_id)
