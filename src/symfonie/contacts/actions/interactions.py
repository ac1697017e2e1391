"""Contacts, their state transitions, topics, satisfaction, messages and attachments."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from symfonie.contacts.models import (
    Attachment,
    Case,
    Channel,
    Contact,
    Customer,
    Message,
    TimelineEntry,
    Topic,
)
from symfonie.contacts.models.interactions import Direction, Outcome
from symfonie.contacts.timeline import add_entry, stored_label
from symfonie.domain.contacts.lifecycle import (
    ContactState,
    IllegalTransition,
    check_transition,
    timestamp_fields,
)
from symfonie.events.actions import record
from symfonie.events.schemas import (
    ContactCreated,
    ContactTransitioned,
    ContactUpdated,
    MessageAdded,
    iso,
)
from symfonie.problems import Conflict, InvalidInput, PayloadTooLarge
from symfonie.tenants.models import User


def do_create_contact(
    customer: Customer,
    *,
    channel: str,
    direction: str = Direction.INBOUND,
    queue: str = "",
    subject: str = "",
    case: Case | None = None,
    arrived_at: datetime | None = None,
    actor: User | None = None,
) -> Contact:
    if channel not in Channel.values:
        raise InvalidInput(f"channel must be one of {', '.join(Channel.values)}", field="channel")
    if direction not in Direction.values:
        raise InvalidInput("direction is 'in' or 'out'", field="direction")
    if case is not None and case.customer_id != customer.pk:
        raise InvalidInput("the case belongs to another customer", field="case_id")
    arrived_at = arrived_at or timezone.now()
    with transaction.atomic():
        contact = Contact.objects.create(
            tenant_id=customer.tenant_id,
            customer=customer,
            case=case,
            channel=channel,
            direction=direction,
            queue=queue,
            subject=subject[:255],
            arrived_at=arrived_at,
        )
        record(
            customer.tenant,
            ContactCreated(
                contact_id=contact.pk,
                customer_id=customer.pk,
                case_id=case.pk if case else None,
                channel=channel,
                direction=direction,
                state=contact.state,
                queue=queue,
                arrived_at=iso(arrived_at),
            ),
            customer_id=customer.pk,
            actor=actor,
            occurred_at=arrived_at,
        )
        add_entry(
            customer,
            arrived_at,
            TimelineEntry.Kind.CONTACT,
            subject or stored_label(Channel(channel).label),
            channel=channel,
            direction=direction,
            contact_id=contact.pk,
            case_id=case.pk if case else None,
        )
    return contact


def do_transition_contact(
    contact: Contact,
    to_state: str,
    *,
    at: datetime | None = None,
    agent: User | None = None,
    queue: str | None = None,
    outcome: str | None = None,
    actor: User | None = None,
) -> Contact:
    """Move a contact through its life cycle; an illegal transition → ``Conflict`` (409)."""
    try:
        target = ContactState(to_state)
    except ValueError as exc:
        raise InvalidInput(f"unknown state {to_state!r}", field="to_state") from exc
    if outcome is not None and outcome not in Outcome.values:
        raise InvalidInput(
            f"outcome must be one of {', '.join(v for v in Outcome.values if v)}", field="outcome"
        )
    at = at or timezone.now()
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        current = ContactState(contact.state)
        try:
            check_transition(current, target)
        except IllegalTransition as exc:
            raise Conflict(str(exc), field="to_state") from exc
        already = frozenset(
            f
            for f in ("queued_at", "answered_at", "ended_at", "wrap_up_ended_at")
            if getattr(contact, f)
        )
        for field in timestamp_fields(current, target, already):
            setattr(contact, field, at)
        contact.state = target
        if agent is not None:
            contact.agent = agent
        if queue is not None:
            contact.queue = queue
        if outcome is not None:
            contact.outcome = outcome
            # the KPI flags stay set when a transferred contact is later resolved
            contact.transferred |= outcome == Outcome.TRANSFERRED
            contact.escalated |= outcome == Outcome.ESCALATED
        contact.save()
        record(
            contact.tenant,
            ContactTransitioned(
                contact_id=contact.pk,
                from_state=current,
                to_state=target,
                at=iso(at),
                queue=contact.queue,
                agent_id=contact.agent_id,
                outcome=contact.outcome,
            ),
            customer_id=contact.customer_id,
            actor=actor,
            occurred_at=at,
        )
    return contact


def do_set_contact_topics(
    contact: Contact, topics: Iterable[Topic], actor: User | None = None
) -> Contact:
    topic_ids = sorted({t.pk for t in topics if t.tenant_id == contact.tenant_id})
    with transaction.atomic():
        contact.topics.set(topic_ids)
        record(
            contact.tenant,
            ContactUpdated(contact_id=contact.pk, changes={"topic_ids": topic_ids}),
            customer_id=contact.customer_id,
            actor=actor,
        )
    return contact


def do_record_satisfaction(contact: Contact, score: int, comment: str = "") -> Contact:
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput("the satisfaction score is 1 to 5", field="score")
    with transaction.atomic():
        contact.csat_score = score
        contact.csat_comment = comment[:2000]
        contact.save(update_fields=["csat_score", "csat_comment"])
        record(
            contact.tenant,
            ContactUpdated(
                contact_id=contact.pk,
                changes={"csat_score": score, "csat_comment": contact.csat_comment},
            ),
            customer_id=contact.customer_id,
        )
    return contact


def do_add_message(
    contact: Contact,
    *,
    author: str,
    body: str,
    author_user: User | None = None,
    external_id: str | None = None,
    channel_account: str = "",
    delivery_status: str | None = None,
    created_at: datetime | None = None,
) -> tuple[Message, bool]:
    """Add a message; a repeated ``external_id`` returns the stored one: (message, created)."""
    if author not in Message.Author.values:
        raise InvalidInput(
            f"author must be one of {', '.join(Message.Author.values)}", field="author"
        )
    if len(body) > 100_000:
        raise InvalidInput("at most 100,000 characters", field="body")
    if external_id is not None:
        existing = Message.objects.filter(
            tenant_id=contact.tenant_id, channel_account=channel_account, external_id=external_id
        ).first()
        if existing is not None:
            return existing, False
    status = delivery_status or (
        Message.Delivery.RECEIVED if author == Message.Author.CUSTOMER else Message.Delivery.PENDING
    )
    created_at = created_at or timezone.now()
    try:
        with transaction.atomic():
            message = Message.objects.create(
                tenant_id=contact.tenant_id,
                contact=contact,
                author=author,
                author_user=author_user,
                body=body,
                channel_account=channel_account,
                external_id=external_id,
                delivery_status=status,
                created_at=created_at,
            )
            record(
                contact.tenant,
                MessageAdded(
                    message_id=message.pk,
                    contact_id=contact.pk,
                    author=author,
                    delivery_status=status,
                    external_id=external_id,
                ),
                customer_id=contact.customer_id,
                actor=author_user,
                occurred_at=created_at,
            )
            if contact.customer is not None:  # an anonymous contact has no timeline
                add_entry(
                    contact.customer,
                    created_at,
                    TimelineEntry.Kind.MESSAGE,
                    stored_label(Message.Author(author).label),
                    body=body[:1000],
                    channel=contact.channel,
                    direction=Direction.INBOUND
                    if author == Message.Author.CUSTOMER
                    else Direction.OUTBOUND,
                    contact_id=contact.pk,
                    message_id=message.pk,
                    case_id=contact.case_id,
                )
    except IntegrityError:
        # the same provider message delivered twice at once: the other insert won
        existing = Message.objects.get(
            tenant_id=contact.tenant_id, channel_account=channel_account, external_id=external_id
        )
        return existing, False
    return message, True


def do_add_attachment(
    message: Message, filename: str, content_type: str, data: bytes
) -> Attachment:
    if len(data) > settings.MAX_ATTACHMENT_BYTES:
        raise PayloadTooLarge(
            f"attachments are at most {settings.MAX_ATTACHMENT_BYTES} bytes; this one is {len(data)}",
            field="file",
        )
    if content_type not in settings.ALLOWED_ATTACHMENT_TYPES:
        raise InvalidInput(
            f"file type {content_type!r} is not accepted; allowed: {', '.join(settings.ALLOWED_ATTACHMENT_TYPES)}",
            field="file",
        )
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        attachment = Attachment(
            tenant_id=message.tenant_id,
            message=message,
            filename=filename[:255] or "bijlage",
            content_type=content_type,
            size_bytes=len(data),
            sha256=digest,
        )
        attachment.file.save(digest, ContentFile(data), save=False)
        attachment.save()
    return attachment
