"""Every event type, as a documented dataclass (the payload of an ``Event`` row).

Values are JSON-ready: ids as int, datetimes and dates as ISO-8601 strings (UTC for datetimes),
``changes`` as {field: new value}. ``replay.py`` folds these back into state; the test suite
checks that replaying the log gives the same state as the database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any, ClassVar


def iso(moment: datetime | date | None) -> str | None:
    """ISO-8601; datetimes in UTC, so the log and the database read back alike."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).isoformat()
    return moment.isoformat()


@dataclass(frozen=True)
class EventSchema:
    type: ClassVar[str]
    subject_type: ClassVar[str]
    subject_field: ClassVar[str]

    @property
    def subject_id(self) -> int:
        return int(getattr(self, self.subject_field))

    def payload(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CustomerCreated(EventSchema):
    """A customer was created (by identity resolution, an agent, the API or an import)."""

    type = "customer.created"
    subject_type = "customer"
    subject_field = "customer_id"
    customer_id: int
    name: str
    birth_date: str | None
    language: str
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CustomerUpdated(EventSchema):
    """Attributes of a customer changed; ``changes`` holds the new values."""

    type = "customer.updated"
    subject_type = "customer"
    subject_field = "customer_id"
    customer_id: int
    changes: dict[str, Any]


@dataclass(frozen=True)
class IdentityAdded(EventSchema):
    """An identity (phone, e-mail, WhatsApp id, …) was linked to a customer."""

    type = "identity.added"
    subject_type = "identity"
    subject_field = "identity_id"
    identity_id: int
    customer_id: int
    kind: str
    value: str


@dataclass(frozen=True)
class _RowsMoved(EventSchema):
    """Rows that moved between the two customers of a merge (see ``CustomerMerge.moved``)."""

    subject_type = "merge"
    subject_field = "merge_id"
    merge_id: int
    source_id: int
    target_id: int
    identity_ids: list[int]
    contact_ids: list[int]
    case_ids: list[int]
    note_ids: list[int]
    reason: str


@dataclass(frozen=True)
class CustomersMerged(_RowsMoved):
    """``source`` was merged into ``target``; the listed rows moved from source to target."""

    type = "customer.merged"


@dataclass(frozen=True)
class MergeUndone(_RowsMoved):
    """A merge was undone: the listed rows moved back to the source, which is active again."""

    type = "customer.merge_undone"


@dataclass(frozen=True)
class ContactCreated(EventSchema):
    """A contact (one interaction on one channel) began."""

    type = "contact.created"
    subject_type = "contact"
    subject_field = "contact_id"
    contact_id: int
    customer_id: int
    case_id: int | None
    channel: str
    direction: str
    state: str
    queue: str
    arrived_at: str


@dataclass(frozen=True)
class ContactTransitioned(EventSchema):
    """A contact changed state (see ``symfonie.domain.contacts.lifecycle``)."""

    type = "contact.transitioned"
    subject_type = "contact"
    subject_field = "contact_id"
    contact_id: int
    from_state: str
    to_state: str
    at: str
    queue: str
    agent_id: int | None
    outcome: str


@dataclass(frozen=True)
class ContactUpdated(EventSchema):
    """Other attributes of a contact changed: topics, case, satisfaction answer."""

    type = "contact.updated"
    subject_type = "contact"
    subject_field = "contact_id"
    contact_id: int
    changes: dict[str, Any]


@dataclass(frozen=True)
class MessageAdded(EventSchema):
    """A message was added to a contact (inbound or outbound)."""

    type = "message.added"
    subject_type = "message"
    subject_field = "message_id"
    message_id: int
    contact_id: int
    author: str
    delivery_status: str
    external_id: str | None


@dataclass(frozen=True)
class MessageDeliveryUpdated(EventSchema):
    """The provider reported a message's delivery status (sent, delivered, read, failed);
    ``external_id`` is the provider's message id, known once the provider accepted it."""

    type = "message.delivery_updated"
    subject_type = "message"
    subject_field = "message_id"
    message_id: int
    contact_id: int
    delivery_status: str
    external_id: str | None
    error: str = ""


@dataclass(frozen=True)
class CaseOpened(EventSchema):
    """A case (dossier) was opened, with due dates from the tenant's SLA policy."""

    type = "case.opened"
    subject_type = "case"
    subject_field = "case_id"
    case_id: int
    customer_id: int
    subject: str
    status: str
    priority: str
    topic_id: int | None
    first_response_due: str | None
    resolution_due: str | None


@dataclass(frozen=True)
class CaseUpdated(EventSchema):
    """Status, priority, escalation level, owner or topic of a case changed."""

    type = "case.updated"
    subject_type = "case"
    subject_field = "case_id"
    case_id: int
    changes: dict[str, Any]


@dataclass(frozen=True)
class TaskCreated(EventSchema):
    """The front office handed a back-office task to a team, due under the tenant's SLA."""

    type = "task.created"
    subject_type = "task"
    subject_field = "task_id"
    task_id: int
    case_id: int
    team: str
    title: str
    due_at: str


@dataclass(frozen=True)
class TaskCompleted(EventSchema):
    """A back-office task was done or cancelled; ``breached`` when after its due time."""

    type = "task.completed"
    subject_type = "task"
    subject_field = "task_id"
    task_id: int
    status: str
    completed_at: str
    breached: bool


@dataclass(frozen=True)
class NoteAdded(EventSchema):
    """An agent wrote a note on a customer (optionally on one of their cases)."""

    type = "note.added"
    subject_type = "note"
    subject_field = "note_id"
    note_id: int
    customer_id: int
    case_id: int | None


@dataclass(frozen=True)
class ContactOfferedToAgent(EventSchema):
    """The router offered a waiting contact to an agent until ``expires_at``."""

    type = "routing.offered"
    subject_type = "contact"
    subject_field = "contact_id"
    contact_id: int
    offer_id: str
    agent_id: int
    queue_id: int
    expires_at: str


@dataclass(frozen=True)
class OfferEnded(EventSchema):
    """An offer ended: ``accepted``, ``declined``, ``timed_out`` or ``withdrawn`` (reason)."""

    type = "routing.offer_ended"
    subject_type = "contact"
    subject_field = "contact_id"
    contact_id: int
    offer_id: str
    agent_id: int
    outcome: str
    reason: str


@dataclass(frozen=True)
class AgentPresenceChanged(EventSchema):
    """An agent's presence changed (recorded in every tenant the agent works for)."""

    type = "agent.presence_changed"
    subject_type = "agent"
    subject_field = "agent_id"
    agent_id: int
    presence: str
    reason: str


EVENT_TYPES: dict[str, type[EventSchema]] = {
    cls.type: cls
    for cls in (
        CustomerCreated,
        CustomerUpdated,
        IdentityAdded,
        CustomersMerged,
        MergeUndone,
        ContactCreated,
        ContactTransitioned,
        ContactUpdated,
        MessageAdded,
        MessageDeliveryUpdated,
        CaseOpened,
        CaseUpdated,
        TaskCreated,
        TaskCompleted,
        NoteAdded,
        ContactOfferedToAgent,
        OfferEnded,
        AgentPresenceChanged,
    )
}


def parse(event_type: str, payload: dict[str, Any]) -> EventSchema:
    """Rebuild the dataclass of a stored event; raises KeyError/TypeError on a schema mismatch."""
    cls = EVENT_TYPES[event_type]
    names = {f.name for f in fields(cls)}
    if set(payload) != names:
        raise TypeError(f"{event_type}: payload keys {sorted(payload)} != schema {sorted(names)}")
    return cls(**payload)
