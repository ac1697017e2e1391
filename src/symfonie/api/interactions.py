"""Contacts, their transitions, topics, satisfaction, messages and attachments."""

from __future__ import annotations

from django.conf import settings
from ninja import File, Router, Status, UploadedFile

from symfonie.api.schemas import (
    AttachmentOut,
    ContactIn,
    ContactOut,
    MessageIn,
    MessageOut,
    Problem,
    SatisfactionIn,
    TopicOut,
    TopicsIn,
    TransitionIn,
)
from symfonie.contacts.actions.interactions import (
    do_add_attachment,
    do_add_message,
    do_create_contact,
    do_record_satisfaction,
    do_set_contact_topics,
    do_transition_contact,
)
from symfonie.contacts.models import Case, Contact, Customer, Message, Topic
from symfonie.problems import InvalidInput, PayloadTooLarge
from symfonie.tenants.models import User
from symfonie.tenants.scoping import Tenancy

router = Router(tags=["contacts"])
ERRORS = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    413: Problem,
    422: Problem,
}


@router.post("/contacts", response={201: ContactOut, **ERRORS})
def create_contact(request, payload: ContactIn):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    customer = tenancy.get(Customer, payload.customer_id)
    case = tenancy.get(Case, payload.case_id) if payload.case_id else None
    contact = do_create_contact(
        customer,
        channel=payload.channel,
        direction=payload.direction,
        queue=payload.queue,
        subject=payload.subject,
        case=case,
        arrived_at=payload.arrived_at,
        actor=tenancy.user,
    )
    return Status(201, contact)


@router.get("/contacts/{contact_id}", response={200: ContactOut, **ERRORS})
def get_contact(request, contact_id: int):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    return tenancy.get(Contact, contact_id)


@router.post("/contacts/{contact_id}/transitions", response={200: ContactOut, **ERRORS})
def transition_contact(request, contact_id: int, payload: TransitionIn):
    """Move the contact through its life cycle; an illegal transition answers 409."""
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    contact = tenancy.get(Contact, contact_id)
    agent = None
    if payload.agent_id is not None:
        agent = User.objects.filter(pk=payload.agent_id, memberships__tenant=tenancy.tenant).first()
        if agent is None:
            raise InvalidInput("no such agent in this tenant", field="agent_id")
    return do_transition_contact(
        contact,
        payload.to_state,
        agent=agent,
        queue=payload.queue,
        outcome=payload.outcome,
        actor=tenancy.user,
    )


@router.put("/contacts/{contact_id}/topics", response={200: list[TopicOut], **ERRORS})
def set_topics(request, contact_id: int, payload: TopicsIn):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    contact = tenancy.get(Contact, contact_id)
    topics = list(tenancy.scope(Topic).filter(pk__in=payload.topic_ids))
    if len(topics) != len(set(payload.topic_ids)):
        raise InvalidInput("unknown topic id", field="topic_ids")
    do_set_contact_topics(contact, topics, actor=tenancy.user)
    return list(contact.topics.order_by("name"))


@router.post("/contacts/{contact_id}/satisfaction", response={200: ContactOut, **ERRORS})
def record_satisfaction(request, contact_id: int, payload: SatisfactionIn):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    return do_record_satisfaction(tenancy.get(Contact, contact_id), payload.score, payload.comment)


@router.get("/contacts/{contact_id}/messages", response={200: list[MessageOut], **ERRORS})
def list_messages(request, contact_id: int):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    contact = tenancy.get(Contact, contact_id)
    return list(
        contact.messages.prefetch_related("attachments").order_by("created_at", "id")[:1000]
    )


@router.post(
    "/contacts/{contact_id}/messages", response={200: MessageOut, 201: MessageOut, **ERRORS}
)
def add_message(request, contact_id: int, payload: MessageIn):
    """Add a message; repeating a delivery with the same ``external_id`` returns 200, not a copy."""
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    contact = tenancy.get(Contact, contact_id)
    message, created = do_add_message(
        contact,
        author=payload.author,
        body=payload.body,
        external_id=payload.external_id,
        channel_account=payload.channel_account,
        author_user=tenancy.user if payload.author == "agent" else None,
    )
    return Status(201 if created else 200, message)


@router.post("/messages/{message_id}/attachments", response={201: AttachmentOut, **ERRORS})
def add_attachment(request, message_id: int, file: File[UploadedFile]):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    message = tenancy.get(Message, message_id)
    if file.size is not None and file.size > settings.MAX_ATTACHMENT_BYTES:
        # refuse before reading the upload into memory
        raise PayloadTooLarge(
            f"attachments are at most {settings.MAX_ATTACHMENT_BYTES} bytes", field="file"
        )
    return Status(
        201,
        do_add_attachment(message, file.name or "bijlage", file.content_type or "", file.read()),
    )
