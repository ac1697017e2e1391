"""The state of a tenant's contacts context, read from the tables in the shape of
``symfonie.events.replay``, so the two can be compared."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from symfonie.contacts.models import (
    BackOfficeTask,
    Case,
    Contact,
    Customer,
    Identity,
    Message,
    Note,
)
from symfonie.events.replay import KINDS, State
from symfonie.tenants.models import Tenant


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(qs: Any, fields: tuple[str, ...]) -> dict[int, dict[str, Any]]:
    return {row["id"]: {f: _json(row[f]) for f in fields} for row in qs.values("id", *fields)}


def state_of(tenant: Tenant) -> State:
    state: State = {kind: {} for kind in KINDS}
    state["customers"] = _rows(
        Customer.objects.filter(tenant=tenant),
        ("name", "birth_date", "language", "tags", "is_active", "merged_into"),
    )
    state["identities"] = _rows(
        Identity.objects.filter(tenant=tenant), ("customer_id", "kind", "value")
    )
    contacts = _rows(
        Contact.objects.filter(tenant=tenant),
        (
            "customer_id",
            "case_id",
            "channel",
            "direction",
            "state",
            "queue",
            "agent_id",
            "outcome",
            "arrived_at",
            "queued_at",
            "offered_at",
            "answered_at",
            "ended_at",
            "wrap_up_ended_at",
            "csat_score",
            "csat_comment",
        ),
    )
    for contact in contacts.values():
        contact["topic_ids"] = []
    for contact_id, topic_id in Contact.topics.through.objects.filter(
        contact__tenant=tenant
    ).values_list("contact_id", "topic_id"):
        contacts[contact_id]["topic_ids"].append(topic_id)
    for contact in contacts.values():
        contact["topic_ids"].sort()
    state["contacts"] = contacts
    state["cases"] = _rows(
        Case.objects.filter(tenant=tenant),
        (
            "customer_id",
            "subject",
            "status",
            "priority",
            "topic_id",
            "escalation_level",
            "owner_id",
        ),
    )
    state["tasks"] = _rows(
        BackOfficeTask.objects.filter(tenant=tenant),
        ("case_id", "team", "status", "due_at", "completed_at", "breached"),
    )
    state["notes"] = _rows(Note.objects.filter(tenant=tenant), ("customer_id", "case_id"))
    state["messages"] = _rows(
        Message.objects.filter(tenant=tenant), ("contact_id", "author", "external_id")
    )
    return state
