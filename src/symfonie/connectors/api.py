"""Replies on a messaging channel and the workspace's view of the 24-hour window.

Mounted in ``symfonie.api.v1``. Tenant isolation through ``request.auth`` (a ``Tenancy``).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from symfonie.api.schemas import Problem
from symfonie.connectors.actions import do_queue_reply
from symfonie.connectors.models import ChannelAccount
from symfonie.connectors.registry import sender_for
from symfonie.contacts.models import Contact, Message
from symfonie.problems import Conflict, InvalidInput
from symfonie.tenants.scoping import Tenancy

router = Router(tags=["channels"])
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


class ReplyIn(Schema):
    text: str | None = Field(None, max_length=4096)
    template: str | None = Field(None, max_length=512)
    language: str | None = Field(None, max_length=15)
    parameters: list[str] = Field(default_factory=list, max_length=20)
    idempotency_key: str | None = Field(None, max_length=64)


class ReplyOut(Schema):
    message_id: int
    idempotency_key: str
    delivery_status: str
    outbound_status: str


class TemplateOut(Schema):
    name: str
    language: str
    body: str = ""
    parameters: int = 0


class ReplyOptionsOut(Schema):
    account_id: int
    window_open: bool
    window_closes_at: datetime | None
    templates: list[TemplateOut]


def account_of(tenancy: Tenancy, contact: Contact) -> ChannelAccount:
    """The account the customer wrote to on this contact, else the tenant's only one."""
    accounts = tenancy.scope(ChannelAccount).filter(kind=contact.channel, active=True)
    used = (
        Message.objects.filter(contact=contact, author=Message.Author.CUSTOMER)
        .exclude(channel_account="")
        .order_by("-created_at")
        .values_list("channel_account", flat=True)
        .first()
    )
    if used and ":" in used:
        account = accounts.filter(pk=used.split(":", 1)[1]).first()
        if account is not None:
            return account
    if accounts.count() == 1:
        return accounts.get()
    raise InvalidInput(
        "this contact has no messaging channel account to reply on", field="contact_id"
    )


@router.get("/contacts/{contact_id}/reply-options", response={200: ReplyOptionsOut, **ERRORS})
def reply_options(request, contact_id: int):
    """Whether free text may be sent now, and the approved templates for when it may not."""
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    contact = tenancy.get(Contact, contact_id)
    account = account_of(tenancy, contact)
    sender = sender_for(account.kind)
    if sender is None:
        raise Conflict(f"replies on {account.kind} cannot be sent yet", field="contact_id")
    closes = sender.window_closes_at(account, contact.customer)
    return {
        "account_id": account.pk,
        # channels without a customer-service window (SMS, Telegram) always take free text
        "window_open": not getattr(sender, "HAS_WINDOW", True)
        or (closes is not None and timezone.now() < closes),
        "window_closes_at": closes,
        "templates": sender.approved_templates(account),
    }


@router.post("/contacts/{contact_id}/replies", response={202: ReplyOut, 200: ReplyOut, **ERRORS})
def send_reply(request, contact_id: int, payload: ReplyIn):
    """Queue a reply: free text inside the 24-hour window (else 409), or an approved template.

    Answers 202 once the reply is stored; delivery status follows from the provider. Repeating
    an ``idempotency_key`` (or the ``Idempotency-Key`` header) answers 200 and sends nothing.
    """
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    contact = tenancy.get(Contact, contact_id)
    account = account_of(tenancy, contact)
    outbound, created = do_queue_reply(
        contact,
        account,
        text=payload.text,
        template=payload.template,
        language=payload.language,
        parameters=payload.parameters,
        idempotency_key=payload.idempotency_key or request.headers.get("Idempotency-Key"),
        actor=tenancy.user,
    )
    body = {
        "message_id": outbound.message_id,
        "idempotency_key": outbound.idempotency_key,
        "delivery_status": outbound.message.delivery_status,
        "outbound_status": outbound.status,
    }
    return Status(202 if created else 200, body)
