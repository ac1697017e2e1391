"""The inputs of the KPI formulas: contact records, agent presence intervals, back-office tasks.

One :class:`ContactRecord` per contact (a call, chat, e-mail, …), holding only what the KPIs
need, so that the Django side can map its ``Contact`` rows and a data set such as the
Anonymous Bank file can map its records (``symfonie.datasets.bank_kpi``). Every datetime must
be timezone-aware and is stored in UTC; the records check their own consistency on construction and raise
``ValueError`` naming the field, so a KPI never has to guess what a contradictory record means.

The derived notions every KPI uses are defined here once (see ``docs/kpis.md``):

* **offered** — the contact reached a queue or an agent (``queued_at`` or ``answered_at`` is
  set). A contact that ended in the menu, the VRU or a bot before queueing is not offered.
* **answered** — an agent took it (``answered_at`` is set).
* **abandoned** — it left the queue unanswered. Derived when ``abandoned`` is ``None``: queued,
  not answered, and ended.
* **wait** — ``answered_at − queued_at`` for an answered contact, ``ended_at − queued_at`` for an
  abandoned one, and 0 for a contact answered without queueing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from itertools import pairwise


class ContactOutcome(StrEnum):
    """How the handling agent closed the contact ("" when nobody said)."""

    RESOLVED = "resolved"
    FOLLOW_UP = "follow_up"
    ESCALATED = "escalated"
    TRANSFERRED = "transferred"
    UNKNOWN = ""


class PresenceState(StrEnum):
    """Agent presence, reduced to the four states the occupancy formulas need.

    ``BUSY`` is handling contacts (talk, hold and wrap-up / nawerk); ``AVAILABLE`` is logged in,
    ready and idle; ``NOT_READY`` is logged in but not taking contacts (break, meeting,
    training); ``OFFLINE`` is logged out.
    """

    AVAILABLE = "available"
    BUSY = "busy"
    NOT_READY = "not_ready"
    OFFLINE = "offline"


def _check_aware(name: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


def _store_utc(instance: object, names: tuple[str, ...]) -> None:
    # Python subtracts and compares two datetimes of the same zone by wall clock, which is an
    # hour off across a daylight-saving change; in UTC the arithmetic is exact.
    for name in names:
        value = getattr(instance, name)
        _check_aware(name, value)
        if value is not None:
            object.__setattr__(instance, name, value.astimezone(UTC))


def _check_order(earlier_name: str, earlier: datetime, later_name: str, later: datetime) -> None:
    if later < earlier:
        raise ValueError(f"{later_name} ({later.isoformat()}) is before {earlier_name}")


def _check_seconds(name: str, value: float | None) -> None:
    if value is not None and (not math.isfinite(value) or value < 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """One contact as the KPI formulas see it.

    Times: ``arrived_at`` (entered the center: the menu/VRU, the bot, the inbox), ``queued_at``
    (entered a queue, or was offered to an agent by routing), ``answered_at`` (an agent took
    it), ``ended_at`` (the conversation ended, or the contact left the queue), and
    ``wrap_up_ended_at`` (the agent finished the after-contact work; ``None`` = no wrap-up
    recorded). They must be aware and in this order where present; they are stored in UTC.

    ``talk_seconds`` / ``hold_seconds``: when the source measures them. If ``talk_seconds`` is
    ``None``, the connected time ``ended_at − answered_at`` is talk plus hold, and
    ``hold_seconds`` (if known) is the part of it on hold.

    ``abandoned``: ``None`` derives it (queued, unanswered, ended); ``True`` requires a queued,
    unanswered, ended contact; ``False`` with a queued unanswered ended contact means it left
    the queue another way (overflow to another center, a callback request).

    ``transferred`` / ``escalated`` are the facts the rates count; an ``outcome`` of
    ``"transferred"`` or ``"escalated"`` requires the matching flag (a contact can be
    transferred and still end ``"resolved"``). ``csat_score`` is 1–5, ``nps_score`` 0–10.
    ``team`` is the handling agent's team at the time; ``customer_key`` is ``None`` for an
    anonymous contact.
    """

    contact_id: str
    tenant: str
    queue: str
    channel: str
    arrived_at: datetime
    agent_id: str | None = None
    team: str | None = None
    customer_key: str | None = None
    topic_keys: tuple[str, ...] = ()
    queued_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    wrap_up_ended_at: datetime | None = None
    abandoned: bool | None = None
    ended_in_self_service: bool = False
    talk_seconds: float | None = None
    hold_seconds: float | None = None
    outcome: ContactOutcome = ContactOutcome.UNKNOWN
    transferred: bool = False
    escalated: bool = False
    csat_score: int | None = None
    nps_score: int | None = None
    priority: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome", ContactOutcome(self.outcome))
        self._check_times()
        _check_seconds("talk_seconds", self.talk_seconds)
        _check_seconds("hold_seconds", self.hold_seconds)
        self._check_states()
        if self.csat_score is not None and not 1 <= self.csat_score <= 5:
            raise ValueError(f"csat_score must be 1–5, got {self.csat_score!r}")
        if self.nps_score is not None and not 0 <= self.nps_score <= 10:
            raise ValueError(f"nps_score must be 0–10, got {self.nps_score!r}")
        if self.outcome == ContactOutcome.TRANSFERRED and not self.transferred:
            raise ValueError("outcome 'transferred' requires transferred=True")
        if self.outcome == ContactOutcome.ESCALATED and not self.escalated:
            raise ValueError("outcome 'escalated' requires escalated=True")

    def _check_times(self) -> None:
        names = ("arrived_at", "queued_at", "answered_at", "ended_at", "wrap_up_ended_at")
        _store_utc(self, names)
        stamps = [(name, getattr(self, name)) for name in names]
        present = [(name, value) for name, value in stamps if value is not None]
        for (earlier_name, earlier), (later_name, later) in pairwise(present):
            _check_order(earlier_name, earlier, later_name, later)
        if self.wrap_up_ended_at is not None and self.ended_at is None:
            raise ValueError("wrap_up_ended_at requires ended_at")

    def _check_states(self) -> None:
        reached = self.queued_at is not None or self.answered_at is not None
        if self.ended_in_self_service and reached:
            raise ValueError("a contact that ended in self-service cannot have queued or answered")
        unqueued_or_open = self.queued_at is None or self.ended_at is None
        if self.abandoned and (unqueued_or_open or self.answered_at is not None):
            raise ValueError("abandoned=True requires queued_at and ended_at, no answered_at")

    @property
    def is_offered(self) -> bool:
        """Reached a queue or an agent (self-service endings never do)."""
        return self.queued_at is not None or self.answered_at is not None

    @property
    def is_answered(self) -> bool:
        """An agent took the contact."""
        return self.answered_at is not None

    @property
    def is_abandoned(self) -> bool:
        """Left the queue unanswered (explicit ``abandoned``, or derived when it is ``None``)."""
        if self.abandoned is not None:
            return self.abandoned
        return self.queued_at is not None and self.answered_at is None and self.ended_at is not None

    @property
    def wait_seconds(self) -> float | None:
        """Seconds in queue of an answered or abandoned contact; 0 if answered unqueued; else None."""
        if self.answered_at is not None:
            if self.queued_at is None:
                return 0.0
            return (self.answered_at - self.queued_at).total_seconds()
        if self.is_abandoned and self.queued_at is not None and self.ended_at is not None:
            return (self.ended_at - self.queued_at).total_seconds()
        return None

    @property
    def handle_parts_seconds(self) -> tuple[float, float, float] | None:
        """(talk, hold, wrap-up) seconds of an answered contact, or None when not known yet.

        Talk and hold come from ``talk_seconds``/``hold_seconds`` when the source measured them,
        otherwise from the connected time ``ended_at − answered_at`` (minus known hold); wrap-up
        is ``wrap_up_ended_at − ended_at``, 0 when none was recorded.
        """
        if self.answered_at is None:
            return None
        hold = self.hold_seconds or 0.0
        if self.talk_seconds is not None:
            talk = self.talk_seconds
        elif self.ended_at is not None:
            talk = max(0.0, (self.ended_at - self.answered_at).total_seconds() - hold)
        else:
            return None
        wrap_up = 0.0
        if self.wrap_up_ended_at is not None and self.ended_at is not None:
            wrap_up = (self.wrap_up_ended_at - self.ended_at).total_seconds()
        return talk, hold, wrap_up


@dataclass(frozen=True, slots=True)
class PresenceInterval:
    """An agent in one presence state from ``start`` (inclusive) to ``end`` (exclusive).

    Intervals of one agent should not overlap; ``team`` is the agent's team during it.
    """

    agent_id: str
    state: PresenceState
    start: datetime
    end: datetime
    team: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", PresenceState(self.state))
        _store_utc(self, ("start", "end"))
        _check_order("start", self.start, "end", self.end)


@dataclass(frozen=True, slots=True)
class BackOfficeTask:
    """A back-office task (an e-mail to answer, a letter, a case step) with a due time.

    ``completed_at`` is ``None`` while it is open. Grouping fields are optional.
    """

    task_id: str
    tenant: str
    created_at: datetime
    due_at: datetime
    completed_at: datetime | None = None
    queue: str | None = None
    team: str | None = None
    agent_id: str | None = None

    def __post_init__(self) -> None:
        _store_utc(self, ("created_at", "due_at", "completed_at"))
        _check_order("created_at", self.created_at, "due_at", self.due_at)
        if self.completed_at is not None:
            _check_order("created_at", self.created_at, "completed_at", self.completed_at)
