"""The common inbound path: store raw items durably, then process them in provider order.

``accept`` runs in the webhook request: one transaction, one row per item, the dedup key unique
per account, so a redelivery adds nothing. ``process_pending`` runs in the background task:
each event in its own transaction, under a lock on its account, so two workers never open two
contacts for one customer. Work that talks to the provider (media download) happens before the
transaction, never while holding a database lock.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from symfonie.connectors.models import ChannelAccount, InboundEvent
from symfonie.connectors.registry import Item, connector_for
from symfonie.contacts.actions.customers import do_add_identity, resolve_identity
from symfonie.contacts.actions.interactions import (
    do_add_attachment,
    do_add_message,
    do_create_contact,
    do_transition_contact,
)
from symfonie.contacts.identities import normalise_phone
from symfonie.contacts.models import Contact, Customer, Identity, Message
from symfonie.domain.contacts.lifecycle import ContactState
from symfonie.problems import Problem
from symfonie.routing.commands import queue_contact
from symfonie.routing.models import RoutingQueue

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
OPEN_STATES = (
    ContactState.NEW,
    ContactState.QUEUED,
    ContactState.OFFERED,
    ContactState.ACTIVE,
    ContactState.WRAP_UP,
)


def accept(account: ChannelAccount, raw: bytes, items: list[Item]) -> int:
    """Store the items of one webhook body; the number of new events (0 for a duplicate)."""
    keys = [item.external_key for item in items]
    with transaction.atomic():
        known = set(
            InboundEvent.objects.filter(account=account, external_key__in=keys).values_list(
                "external_key", flat=True
            )
        )
        fresh = [i for i in items if i.external_key not in known]
        # ignore_conflicts: a concurrent redelivery may insert the same key between our look-up
        # and this insert; the unique constraint then keeps exactly one row
        InboundEvent.objects.bulk_create(
            [
                InboundEvent(
                    tenant_id=account.tenant_id,
                    account=account,
                    external_key=item.external_key[:255],
                    item_type=item.item_type,
                    provider_timestamp=item.provider_timestamp,
                    raw_body=raw,
                    payload=item.payload,
                    status=InboundEvent.Status.REVIEW
                    if item.item_type == "unhandled"
                    else InboundEvent.Status.PENDING,
                )
                for item in fresh
            ],
            ignore_conflicts=True,
        )
        if any(i.item_type != "unhandled" for i in fresh):
            transaction.on_commit(lambda: _enqueue(account.pk))
    return len(fresh)


def _enqueue(account_id: int) -> None:
    from symfonie.connectors.tasks import process_inbound

    process_inbound.enqueue(account_id)


def process_pending(account: ChannelAccount, limit: int = 1000) -> int:
    """Process the account's pending events, oldest provider timestamp first; the number done."""
    done = 0
    pending = InboundEvent.objects.filter(
        account=account, status=InboundEvent.Status.PENDING
    ).order_by("provider_timestamp", "id")
    for event_id in list(pending.values_list("id", flat=True)[:limit]):
        if process_event(account, event_id):
            done += 1
    return done


def process_event(account: ChannelAccount, event_id: int) -> bool:
    """Process one event; False when it stays pending (to be retried) or was taken by another."""
    connector = connector_for(account.kind)
    event = InboundEvent.objects.get(pk=event_id)
    if connector is None or event.status != InboundEvent.Status.PENDING:
        return False
    try:
        prepared = connector.prepare(account, event)
    except Exception as exc:
        return _failed_attempt(event, exc)
    try:
        with transaction.atomic():
            # the per-account lock: one worker at a time attaches this account's messages
            ChannelAccount.objects.select_for_update().get(pk=account.pk)
            event = InboundEvent.objects.select_for_update().get(pk=event_id)
            if event.status != InboundEvent.Status.PENDING:
                return False
            status = connector.apply(account, event, prepared)
            event.attempts += 1
            if status == InboundEvent.Status.PENDING and event.attempts >= MAX_ATTEMPTS:
                status = InboundEvent.Status.REVIEW
            event.status = status
            event.processed_at = timezone.now() if status != InboundEvent.Status.PENDING else None
            event.save(update_fields=["status", "attempts", "error", "processed_at"])
            return status != InboundEvent.Status.PENDING
    except Problem as exc:
        # our own validation refused the content (an identity, a text too long): a human looks
        InboundEvent.objects.filter(pk=event_id).update(
            status=InboundEvent.Status.REVIEW, error=f"{exc.title}: {exc.detail}"[:2000]
        )
        return True
    except Exception as exc:
        return _failed_attempt(event, exc)


def _failed_attempt(event: InboundEvent, exc: Exception) -> bool:
    attempts = event.attempts + 1
    status = InboundEvent.Status.FAILED if attempts >= MAX_ATTEMPTS else InboundEvent.Status.PENDING
    logger.warning(
        "inbound event %s of account %s failed (attempt %s): %s",
        event.pk,
        event.account_id,
        attempts,
        type(exc).__name__,
    )
    InboundEvent.objects.filter(pk=event.pk).update(
        status=status, attempts=attempts, error=f"{type(exc).__name__}: {exc}"[:2000]
    )
    return status == InboundEvent.Status.FAILED


def customer_for(account: ChannelAccount, kind: str, raw: str, name: str = "") -> Customer:
    """The customer of a channel identity. A WhatsApp id or SMS number that matches a known
    phone identity joins that customer, so calls and messages from one number meet."""
    tenant = account.tenant
    existing = Identity.objects.filter(tenant=tenant, kind=kind, value=raw.lstrip("+")).first()
    if existing is None and kind == "whatsapp":
        try:
            phone = normalise_phone("+" + raw.lstrip("+"), tenant.default_region)
        except Problem:
            phone = ""
        owner = Identity.objects.filter(tenant=tenant, kind="phone", value=phone).first()
        if owner is not None:
            do_add_identity(owner.customer, kind, raw)
            return owner.customer
    customer, _created = resolve_identity(tenant, kind, raw, name=name)
    return customer


def open_contact(account: ChannelAccount, customer: Customer, at: datetime) -> Contact:
    """The customer's open contact on this account, or a new one for the default queue (routed
    when the router serves a queue of that slug)."""
    contact = (
        Contact.objects.filter(
            tenant_id=account.tenant_id,
            customer=customer,
            channel=account.kind,
            state__in=OPEN_STATES,
            messages__channel_account=account.message_key,
        )
        .order_by("-arrived_at", "-id")
        .first()
    )
    if contact is not None:
        return contact
    contact = do_create_contact(
        customer, channel=account.kind, queue=account.default_queue, arrived_at=at
    )
    queue = RoutingQueue.objects.filter(
        tenant_id=account.tenant_id, slug=account.default_queue
    ).first()
    if queue is None:  # a queue the router does not serve: the contact waits there
        return do_transition_contact(
            contact, ContactState.QUEUED, at=at, queue=account.default_queue
        )
    # the arrival is written in this transaction, so it exists exactly when the contact does;
    # the router carries it out after the commit
    queue_contact(contact, queue, wait=False)
    return contact


def store_customer_message(
    account: ChannelAccount,
    event: InboundEvent,
    *,
    identity_kind: str,
    sender_id: str,
    name: str,
    text: str,
    external_id: str,
    media: tuple[str, str, bytes] | None,
) -> str:
    """Put an inbound message on the sender's timeline (with its file, if any) and return the
    event's new status: a refused file keeps the message and flags the event for a human."""
    customer = customer_for(account, identity_kind, sender_id, name=name)
    at = event.provider_timestamp or event.received_at
    contact = open_contact(account, customer, at)
    stored, created = do_add_message(
        contact,
        author=Message.Author.CUSTOMER,
        body=text,
        external_id=external_id,
        channel_account=account.message_key,
        created_at=at,
    )
    if created and media:
        filename, mime, data = media
        try:
            do_add_attachment(stored, filename, mime, data)
        except Problem as exc:
            event.error = f"attachment not stored: {exc.detail}"
            return InboundEvent.Status.REVIEW
    return InboundEvent.Status.PROCESSED
