"""Fold the event log back into state.

``replay(events)`` rebuilds customers, identities, contacts, cases, tasks and notes from the
payloads alone; ``symfonie.contacts.snapshot.state_of`` reads the same shape from the tables.
The test suite checks both agree, which is what lets KPIs, the live UI and webhooks rely on
the log as their single source.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from symfonie.domain.contacts.lifecycle import ContactState, timestamp_fields
from symfonie.events.schemas import (
    CaseOpened,
    CaseUpdated,
    ContactCreated,
    ContactTransitioned,
    ContactUpdated,
    CustomerCreated,
    CustomersMerged,
    CustomerUpdated,
    EventSchema,
    IdentityAdded,
    MergeUndone,
    MessageAdded,
    MessageDeliveryUpdated,
    NoteAdded,
    TaskCompleted,
    TaskCreated,
)

State = dict[str, dict[int, dict[str, Any]]]
KINDS = ("customers", "identities", "contacts", "cases", "tasks", "notes", "messages")


def _move(state: State, key: str, ids: list[int], customer_id: int) -> None:
    for pk in ids:
        state[key][pk]["customer_id"] = customer_id


def apply(state: State, event: EventSchema) -> None:
    """Apply one event to ``state`` in place."""
    if isinstance(event, CustomerCreated):
        state["customers"][event.customer_id] = {
            "name": event.name,
            "birth_date": event.birth_date,
            "language": event.language,
            "tags": list(event.tags),
            "is_active": True,
            "merged_into": None,
        }
    elif isinstance(event, CustomerUpdated):
        state["customers"][event.customer_id].update(event.changes)
    elif isinstance(event, IdentityAdded):
        state["identities"][event.identity_id] = {
            "customer_id": event.customer_id,
            "kind": event.kind,
            "value": event.value,
        }
    elif isinstance(event, CustomersMerged | MergeUndone):
        merged = isinstance(event, CustomersMerged)
        to = event.target_id if merged else event.source_id
        for key, ids in (
            ("identities", event.identity_ids),
            ("contacts", event.contact_ids),
            ("cases", event.case_ids),
            ("notes", event.note_ids),
        ):
            _move(state, key, ids, to)
        state["customers"][event.source_id].update(
            is_active=not merged, merged_into=event.target_id if merged else None
        )
    elif isinstance(event, ContactCreated):
        state["contacts"][event.contact_id] = {
            "customer_id": event.customer_id,
            "case_id": event.case_id,
            "channel": event.channel,
            "direction": event.direction,
            "state": event.state,
            "queue": event.queue,
            "agent_id": None,
            "outcome": "",
            "arrived_at": event.arrived_at,
            "queued_at": None,
            "offered_at": None,
            "answered_at": None,
            "ended_at": None,
            "wrap_up_ended_at": None,
            "topic_ids": [],
            "csat_score": None,
            "csat_comment": "",
        }
    elif isinstance(event, ContactTransitioned):
        contact = state["contacts"][event.contact_id]
        already = frozenset(
            k for k in ("queued_at", "answered_at", "ended_at", "wrap_up_ended_at") if contact[k]
        )
        for field in timestamp_fields(
            ContactState(event.from_state), ContactState(event.to_state), already
        ):
            contact[field] = event.at
        contact.update(
            state=event.to_state, queue=event.queue, agent_id=event.agent_id, outcome=event.outcome
        )
    elif isinstance(event, ContactUpdated):
        state["contacts"][event.contact_id].update(event.changes)
    elif isinstance(event, MessageAdded):
        state["messages"][event.message_id] = {
            "contact_id": event.contact_id,
            "author": event.author,
            "external_id": event.external_id,
        }
    elif isinstance(event, MessageDeliveryUpdated):
        state["messages"][event.message_id]["external_id"] = event.external_id
    elif isinstance(event, CaseOpened):
        state["cases"][event.case_id] = {
            "customer_id": event.customer_id,
            "subject": event.subject,
            "status": event.status,
            "priority": event.priority,
            "topic_id": event.topic_id,
            "escalation_level": 0,
            "owner_id": None,
        }
    elif isinstance(event, CaseUpdated):
        state["cases"][event.case_id].update(event.changes)
    elif isinstance(event, TaskCreated):
        state["tasks"][event.task_id] = {
            "case_id": event.case_id,
            "team": event.team,
            "status": "open",
            "due_at": event.due_at,
            "completed_at": None,
            "breached": False,
        }
    elif isinstance(event, TaskCompleted):
        state["tasks"][event.task_id].update(
            status=event.status, completed_at=event.completed_at, breached=event.breached
        )
    elif isinstance(event, NoteAdded):
        state["notes"][event.note_id] = {"customer_id": event.customer_id, "case_id": event.case_id}


def replay(events: Iterable[EventSchema]) -> State:
    state: State = {kind: {} for kind in KINDS}
    for event in events:
        apply(state, event)
    return state
