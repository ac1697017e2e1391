"""Request and response schemas of the REST API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, Field

from symfonie.contacts.models import Channel, IdentityKind
from symfonie.domain.contacts.lifecycle import ContactState


def _clean_text(value: str) -> str:
    # PostgreSQL refuses NUL in text and UTF-8 cannot encode lone surrogates: refuse both here,
    # as a 422 naming the field, instead of a database error later.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
ShortText = Annotated[str, Field(max_length=255), AfterValidator(_clean_text)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
IdentityKindName = Literal[tuple(IdentityKind.values)]  # type: ignore[valid-type]
ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
StateName = Literal[tuple(s.value for s in ContactState)]  # type: ignore[valid-type]
Language = Literal["nl", "en", "fr", "de"]
Priority = Literal["low", "normal", "high", "urgent"]
TaskStatus = Literal["open", "in_progress", "done", "cancelled"]
SuggestionStatus = Literal["open", "merged", "dismissed"]


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None


class IdentityIn(Schema):
    kind: IdentityKindName
    value: ShortText


class IdentityOut(Schema):
    id: int
    kind: str
    value: str
    display_value: str


class CustomerIn(Schema):
    name: Annotated[str, Field(max_length=200), AfterValidator(_clean_text)] = ""
    birth_date: date | None = None
    language: Language = "nl"
    tags: list[Annotated[str, Field(min_length=1, max_length=50), AfterValidator(_clean_text)]] = []
    identities: list[IdentityIn] = Field(default_factory=list, max_length=50)


class CustomerPatch(Schema):
    name: Annotated[str, Field(max_length=200), AfterValidator(_clean_text)] | None = None
    birth_date: date | None = None
    language: Language | None = None
    tags: (
        list[Annotated[str, Field(min_length=1, max_length=50), AfterValidator(_clean_text)]] | None
    ) = None
    do_not_call: bool | None = None
    opt_out_marketing: bool | None = None
    deceased: bool | None = None


class CustomerOut(Schema):
    id: int
    name: str
    birth_date: date | None
    language: str
    tags: list[str]
    do_not_call: bool
    opt_out_marketing: bool
    deceased: bool
    is_active: bool
    merged_into_id: int | None
    identities: list[IdentityOut]
    created_at: datetime


class TimelineItemOut(Schema):
    id: int
    kind: str
    occurred_at: datetime
    channel: str
    direction: str
    title: str
    body: str
    contact_id: int | None
    message_id: int | None
    case_id: int | None
    task_id: int | None
    note_id: int | None


class TimelinePage(Schema):
    customer_id: int
    items: list[TimelineItemOut]
    next_cursor: str | None


class ContactIn(Schema):
    customer_id: Id
    channel: ChannelName
    direction: Literal["in", "out"] = "in"
    queue: Annotated[str, Field(max_length=64), AfterValidator(_clean_text)] = ""
    subject: ShortText = ""
    case_id: Id | None = None
    arrived_at: AwareDatetime | None = None


class TransitionIn(Schema):
    to_state: StateName
    agent_id: Id | None = None
    queue: Annotated[str, Field(max_length=64), AfterValidator(_clean_text)] | None = None
    outcome: Literal["resolved", "follow_up", "escalated", "transferred"] | None = None


class ContactOut(Schema):
    id: int
    customer_id: int | None
    case_id: int | None
    channel: str
    direction: str
    state: str
    queue: str
    agent_id: int | None
    outcome: str
    subject: str
    arrived_at: datetime
    queued_at: datetime | None
    offered_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    wrap_up_ended_at: datetime | None
    csat_score: int | None


class TopicsIn(Schema):
    topic_ids: list[Id] = Field(max_length=20)


class SatisfactionIn(Schema):
    score: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=2000), AfterValidator(_clean_text)] = ""


class MessageIn(Schema):
    author: Literal["customer", "agent", "bot", "system"]
    body: Annotated[str, Field(max_length=100_000), AfterValidator(_clean_text)]
    external_id: ShortText | None = None
    channel_account: Annotated[str, Field(max_length=100), AfterValidator(_clean_text)] = ""


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str


class MessageOut(Schema):
    id: int
    contact_id: int
    author: str
    body: str
    external_id: str | None
    delivery_status: str
    created_at: datetime
    attachments: list[AttachmentOut] = []


class CaseIn(Schema):
    customer_id: Id
    subject: ShortText
    priority: Priority = "normal"
    topic_id: Id | None = None


class CasePatch(Schema):
    subject: ShortText | None = None
    status: Literal["open", "pending", "resolved", "closed"] | None = None
    priority: Priority | None = None
    escalation_level: Annotated[int, Field(ge=0, le=3)] | None = None
    owner_id: Id | None = None
    topic_id: Id | None = None


class CaseOut(Schema):
    id: int
    reference: str
    customer_id: int
    subject: str
    status: str
    priority: str
    topic_id: int | None
    escalation_level: int
    owner_id: int | None
    first_response_due: datetime | None
    resolution_due: datetime | None
    resolved_at: datetime | None
    opened_at: datetime


class TaskIn(Schema):
    case_id: Id
    team: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_clean_text)]
    title: ShortText
    description: Annotated[str, Field(max_length=10_000), AfterValidator(_clean_text)] = ""


class TaskCompleteIn(Schema):
    status: Literal["done", "cancelled"] = "done"


class TaskOut(Schema):
    id: int
    case_id: int
    team: str
    title: str
    description: str
    status: str
    created_at: datetime
    due_at: datetime
    completed_at: datetime | None
    breached: bool


class NoteIn(Schema):
    body: Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(_clean_text)]
    case_id: Id | None = None


class NoteOut(Schema):
    id: int
    customer_id: int
    case_id: int | None
    body: str
    created_at: datetime


class TopicOut(Schema):
    id: int
    name: str
    slug: str
    parent_id: int | None


class SuggestionOut(Schema):
    id: int
    customer_a_id: int
    customer_b_id: int
    reason: str
    detail: str
    status: str
    created_at: datetime


class MergeIn(Schema):
    source_id: Id
    target_id: Id
    reason: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_clean_text)]
    suggestion_id: Id | None = None


class ReasonIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_clean_text)]


class MergeOut(Schema):
    id: int
    source_id: int
    target_id: int
    suggestion_id: int | None
    reason: str
    moved: dict[str, list[int]]
    merged_at: datetime
    merged_by_id: int | None
    undone_at: datetime | None
    undone_by_id: int | None
    undo_reason: str


class EventOut(Schema):
    id: int
    type: str
    occurred_at: datetime
    subject_type: str
    subject_id: int
    customer_id: int | None
    payload: dict


class EventPage(Schema):
    items: list[EventOut]
    last_id: int | None
