"""Actions of the connectors: delivery status updates and queueing outbound replies."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from symfonie.connectors.models import ChannelAccount, OutboundMessage
from symfonie.contacts.actions.interactions import do_add_message
from symfonie.contacts.models import Contact, Identity, Message
from symfonie.events.actions import record
from symfonie.events.schemas import MessageDeliveryUpdated
from symfonie.problems import Conflict, InvalidInput
from symfonie.tenants.models import User

# a status only moves forward: a late "delivered" never overwrites "read"
RANK = {
    Message.Delivery.PENDING: 0,
    Message.Delivery.SENT: 1,
    Message.Delivery.FAILED: 2,
    Message.Delivery.DELIVERED: 3,
    Message.Delivery.READ: 4,
}


def do_update_delivery_status(
    message: Message,
    status: str,
    *,
    external_id: str | None = None,
    error: str = "",
    at: datetime | None = None,
) -> bool:
    """Record the provider's delivery status of an outbound message; True when it changed.

    Out-of-order reports are folded by rank (pending < sent < failed < delivered < read): a
    stale report changes nothing and writes no event. ``external_id`` sets the provider's id
    on a message that did not have one yet (the send response, or reconciliation from a
    status webhook after a lost response).
    """
    if status not in RANK:
        raise ValueError(f"unknown delivery status {status!r}")
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        new_id = message.external_id is None and bool(external_id)
        forward = RANK.get(message.delivery_status, -1) < RANK[status]
        if not (new_id or forward):
            return False
        fields = []
        if new_id:
            message.external_id = external_id
            fields.append("external_id")
        if forward:
            message.delivery_status = status
            fields.append("delivery_status")
        message.save(update_fields=fields)
        record(
            message.contact.tenant,
            MessageDeliveryUpdated(
                message_id=message.pk,
                contact_id=message.contact_id,
                delivery_status=message.delivery_status,
                external_id=message.external_id,
                error=error[:500],
            ),
            customer_id=message.contact.customer_id,
            occurred_at=at,
        )
    return True


def do_queue_reply(
    contact: Contact,
    account: ChannelAccount,
    *,
    text: str | None = None,
    template: str | None = None,
    language: str | None = None,
    parameters: list[str] | None = None,
    idempotency_key: str | None = None,
    actor: User | None = None,
) -> tuple[OutboundMessage, bool]:
    """Persist an agent's reply as a pending message with its send intent; the provider is
    called after commit by ``deliver_outbound``. (outbound, created); a repeated idempotency
    key returns the stored intent and sends nothing."""
    from symfonie.connectors.registry import sender_for

    sender = sender_for(account.kind)
    if sender is None:
        raise Conflict(f"replies on {account.kind} cannot be sent yet", field="contact_id")
    if contact.channel != account.kind or contact.tenant_id != account.tenant_id:
        raise InvalidInput("the contact is not on this channel account", field="contact_id")
    key = idempotency_key or uuid.uuid4().hex
    if len(key) > 64:
        raise InvalidInput("at most 64 characters", field="idempotency_key")
    existing = OutboundMessage.objects.filter(account=account, idempotency_key=key).first()
    if existing is not None:
        return existing, False
    identity = (
        Identity.objects.filter(tenant_id=contact.tenant_id, customer_id=contact.customer_id)
        .filter(kind=sender.IDENTITY_KIND)
        .first()
    )
    if identity is None:
        raise Conflict(
            f"the customer has no {sender.IDENTITY_KIND} identity to answer", field="contact_id"
        )
    request, body = sender.build_request(
        account,
        recipient=identity.value,
        now=timezone.now(),
        window_closes=sender.window_closes_at(account, contact.customer),
        idempotency_key=key,
        text=text,
        template=template,
        language=language,
        parameters=parameters,
    )
    try:
        with transaction.atomic():
            message, _created = do_add_message(
                contact,
                author=Message.Author.AGENT,
                body=body,
                author_user=actor,
                channel_account=account.message_key,
                delivery_status=Message.Delivery.PENDING,
            )
            outbound = OutboundMessage.objects.create(
                tenant_id=contact.tenant_id,
                account=account,
                message=message,
                idempotency_key=key,
                recipient=identity.value,
                request=request,
            )
            transaction.on_commit(lambda: _enqueue_delivery(outbound.pk))
    except IntegrityError:
        # the same key submitted twice at once: the other request won
        return OutboundMessage.objects.get(account=account, idempotency_key=key), False
    return outbound, True


def _enqueue_delivery(outbound_id: int) -> None:
    from symfonie.connectors.tasks import deliver_outbound

    deliver_outbound.enqueue(outbound_id)
