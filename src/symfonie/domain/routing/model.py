"""What the router is configured with and what it is told: queues, agents, arrivals.

Plain frozen dataclasses, no behaviour beyond validation. Ids are opaque strings (the Django
side passes ``str(pk)``), so snapshots stay JSON-ready and the simulator can use its own ids.
Datetimes are timezone-aware; the router stores them in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from symfonie.domain.routing.calendar import BusinessCalendar

MIN_PROFICIENCY = 1
MAX_PROFICIENCY = 5


def _check_proficiency(level: int) -> None:
    if not MIN_PROFICIENCY <= level <= MAX_PROFICIENCY:
        raise ValueError(f"proficiency must be 1–5, got {level}")


def _check_positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")


def _check_non_negative(name: str, value: float) -> None:
    if not value >= 0:
        raise ValueError(f"{name} must be >= 0, got {value}")


class Channel(StrEnum):
    """How the customer reaches us; it decides which capacity slot a contact takes.

    Voice is exclusive. Chat takes one of the agent's chat slots. E-mail and asynchronous
    messages (WhatsApp, Messenger, Telegram, SMS, web forms, letters) share the message slots.
    """

    VOICE = "voice"
    CHAT = "chat"
    EMAIL = "email"
    MESSAGE = "message"


class SlotKind(StrEnum):
    """The capacity an assignment occupies."""

    VOICE = "voice"
    CHAT = "chat"
    MESSAGE = "message"


SLOT_OF_CHANNEL: dict[Channel, SlotKind] = {
    Channel.VOICE: SlotKind.VOICE,
    Channel.CHAT: SlotKind.CHAT,
    Channel.EMAIL: SlotKind.MESSAGE,
    Channel.MESSAGE: SlotKind.MESSAGE,
}


class Presence(StrEnum):
    """An agent's state. Agents choose AVAILABLE, BREAK (with a reason code) and OFFLINE.

    The router sets the others: BUSY (no free slot, at least one contact in conversation),
    WRAP_UP (nawerk: every occupied slot is in wrap-up and none is free) and NOT_RESPONDING
    (an offer timed out; only the agent's own choice ends it). Only AVAILABLE agents get offers.
    """

    AVAILABLE = "available"
    BUSY = "busy"
    WRAP_UP = "wrap_up"
    BREAK = "break"
    NOT_RESPONDING = "not_responding"
    OFFLINE = "offline"


# States in which an agent is at work and will free up by itself (a sticky wait makes sense).
WORKING = frozenset({Presence.AVAILABLE, Presence.BUSY, Presence.WRAP_UP})
# States an agent (or a supervisor for the agent) may choose.
CHOOSABLE = frozenset({Presence.AVAILABLE, Presence.BREAK, Presence.OFFLINE})


class AfterHoursAction(StrEnum):
    """What happens to a contact that arrives while its queue is closed."""

    MESSAGE = "message"  # tell the customer the opening hours; the contact is not queued
    CALLBACK = "callback"  # offer a callback at the next opening; not queued now
    TASK = "task"  # turn it into a back-office task; not queued
    WAIT = "wait"  # queue it anyway (usual for e-mail): agents at work may take it


@dataclass(frozen=True, kw_only=True)
class SkillRequirement:
    """A skill a queue needs, at ``min_proficiency`` 1–5 (before relaxation)."""

    skill: str
    min_proficiency: int = MIN_PROFICIENCY

    def __post_init__(self) -> None:
        _check_proficiency(self.min_proficiency)


@dataclass(frozen=True, kw_only=True)
class RelaxationStep:
    """After ``after_seconds`` in the queue, accept agents at ``min_proficiency`` or better.

    The skill itself stays required: proficiency 1 means "any agent with the skill".
    """

    after_seconds: float
    min_proficiency: int

    def __post_init__(self) -> None:
        _check_non_negative("after_seconds", self.after_seconds)
        _check_proficiency(self.min_proficiency)


@dataclass(frozen=True, kw_only=True)
class ServiceLevel:
    """``percent`` % of contacts answered within ``threshold_seconds``.

    With ``working_hours`` the threshold counts only the queue calendar's opening hours
    (e-mail: 90 % within 8 working hours = ``ServiceLevel(90, 8 * 3600, working_hours=True)``).
    """

    percent: float
    threshold_seconds: float
    working_hours: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.percent <= 100:
            raise ValueError(f"percent must be in (0, 100], got {self.percent}")
        _check_positive("threshold_seconds", self.threshold_seconds)


DEFAULT_SERVICE_LEVELS: dict[Channel, ServiceLevel] = {
    Channel.VOICE: ServiceLevel(percent=80, threshold_seconds=20),
    Channel.CHAT: ServiceLevel(percent=90, threshold_seconds=60),
    Channel.EMAIL: ServiceLevel(percent=90, threshold_seconds=8 * 3600, working_hours=True),
    Channel.MESSAGE: ServiceLevel(percent=90, threshold_seconds=8 * 3600, working_hours=True),
}


@dataclass(frozen=True, kw_only=True)
class OverflowRule:
    """Move contacts to ``to_queue_id`` after ``after_wait_seconds`` in this queue, and/or send
    a new arrival there directly when ``max_waiting`` contacts already wait here."""

    to_queue_id: str
    after_wait_seconds: float | None = None
    max_waiting: int | None = None

    def __post_init__(self) -> None:
        if self.after_wait_seconds is None and self.max_waiting is None:
            raise ValueError("an overflow rule needs after_wait_seconds or max_waiting")
        if self.after_wait_seconds is not None:
            _check_non_negative("after_wait_seconds", self.after_wait_seconds)
        if self.max_waiting is not None and self.max_waiting < 0:
            raise ValueError(f"max_waiting must be >= 0, got {self.max_waiting}")


@dataclass(frozen=True, kw_only=True)
class Queue:
    """A waiting queue of one tenant on one channel.

    ``priority`` is a strict tier: a waiting contact of a higher-priority queue is always
    offered before one of a lower-priority queue (use it to put voice before e-mail); the score
    orders contacts within a tier. ``priority_credit_seconds`` is added to the score of every
    contact of this queue. ``service_level=None`` takes the channel default.

    ``max_per_agent`` caps, for this queue's contacts, the agent's load in the slot kind of the
    channel: an agent takes a contact from this queue only with fewer than that many of that
    kind. Sticky routing: a returning customer served less than ``sticky_window_seconds`` ago
    waits up to ``sticky_wait_seconds`` for that agent. ``wrap_up_limit_seconds`` ends nawerk
    automatically; ``expected_handle_seconds`` seeds the handle-time estimate for waiting times.
    """

    queue_id: str
    tenant_id: str
    channel: Channel
    name: str = ""
    priority: int = 0
    priority_credit_seconds: float = 0.0
    required_skills: tuple[SkillRequirement, ...] = ()
    language: str | None = None
    service_level: ServiceLevel | None = None
    urgency_weight: float = 1.0
    urgency_start_fraction: float = 0.5
    relaxation: tuple[RelaxationStep, ...] = ()
    max_per_agent: int | None = None
    offer_timeout_seconds: float = 15.0
    decline_cooldown_seconds: float = 60.0
    sticky_window_seconds: float = 0.0
    sticky_wait_seconds: float = 0.0
    transfer_wait_seconds: float = 60.0
    calendar: BusinessCalendar | None = None
    after_hours: AfterHoursAction = AfterHoursAction.MESSAGE
    overflow: OverflowRule | None = None
    escalation_queue_id: str | None = None
    wrap_up_required: bool = True
    wrap_up_limit_seconds: float | None = None
    expected_handle_seconds: float = 300.0

    def __post_init__(self) -> None:
        if self.service_level is None:
            object.__setattr__(self, "service_level", DEFAULT_SERVICE_LEVELS[self.channel])
        _check_positive("offer_timeout_seconds", self.offer_timeout_seconds)
        _check_positive("expected_handle_seconds", self.expected_handle_seconds)
        for name in (
            "priority_credit_seconds",
            "urgency_weight",
            "decline_cooldown_seconds",
            "sticky_window_seconds",
            "sticky_wait_seconds",
            "transfer_wait_seconds",
        ):
            _check_non_negative(name, getattr(self, name))
        if not 0 <= self.urgency_start_fraction <= 1:
            raise ValueError("urgency_start_fraction must be in [0, 1]")
        if self.max_per_agent is not None and self.max_per_agent < 1:
            raise ValueError(f"max_per_agent must be >= 1, got {self.max_per_agent}")
        if self.wrap_up_limit_seconds is not None:
            _check_non_negative("wrap_up_limit_seconds", self.wrap_up_limit_seconds)
        if self.overflow is not None and self.overflow.to_queue_id == self.queue_id:
            raise ValueError("a queue cannot overflow to itself")
        if self.escalation_queue_id == self.queue_id:
            raise ValueError("a queue cannot escalate to itself")
        skills = [requirement.skill for requirement in self.required_skills]
        if len(skills) != len(set(skills)):
            raise ValueError("each skill may be required once per queue")

    @property
    def target(self) -> ServiceLevel:
        """The service-level target (the channel default if none was configured)."""
        assert self.service_level is not None  # set in __post_init__
        return self.service_level

    @property
    def slot(self) -> SlotKind:
        """The capacity slot a contact of this queue occupies."""
        return SLOT_OF_CHANNEL[self.channel]


@dataclass(frozen=True, kw_only=True)
class Capacity:
    """How much an agent handles at once: voice (exclusive), up to ``chats`` chats plus up to
    ``messages`` e-mails and messages. A voice contact is offered only to an agent without any
    other contact, and an agent on voice is offered nothing else."""

    voice: bool = True
    chats: int = 0
    messages: int = 0

    def __post_init__(self) -> None:
        if self.chats < 0 or self.messages < 0:
            raise ValueError("chats and messages must be >= 0")

    def slots(self, kind: SlotKind) -> int:
        """How many contacts of ``kind`` the agent handles at once."""
        if kind is SlotKind.VOICE:
            return 1 if self.voice else 0
        return self.chats if kind is SlotKind.CHAT else self.messages


@dataclass(frozen=True, kw_only=True)
class Agent:
    """An agent: skills at proficiency 1–5, spoken languages, the tenants (opdrachtgevers)
    the agent works for, and the channel capacity."""

    agent_id: str
    tenant_ids: frozenset[str]
    skills: dict[str, int] = field(default_factory=dict)
    languages: frozenset[str] = frozenset()
    capacity: Capacity = Capacity()
    name: str = ""

    def __post_init__(self) -> None:
        for level in self.skills.values():
            _check_proficiency(level)


@dataclass(frozen=True, kw_only=True)
class Arrival:
    """A contact that enters a queue.

    ``priority_credit_seconds`` is the customer's head start (priority customers: 90 s, as in
    the Anonymous Bank data). ``last_agent_id``/``last_served_at`` name the agent who last
    served this customer or case (sticky routing). ``callback`` marks a scheduled callback.
    """

    contact_id: str
    queue_id: str
    priority_credit_seconds: float = 0.0
    last_agent_id: str | None = None
    last_served_at: datetime | None = None
    callback: bool = False

    def __post_init__(self) -> None:
        _check_non_negative("priority_credit_seconds", self.priority_credit_seconds)
