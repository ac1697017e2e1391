"""Deliver queued outbound messages: claim, call the provider once, record the outcome.

The claim is a conditional UPDATE (queued → sending): a second worker or a retried task finds
nothing to claim, so one intent is posted at most once per claim. Only an answer that proves the
provider did not take the message (connection refused, rate limit, 5xx) puts it back in the
queue with backoff; an ambiguous outcome (timeout) waits for the status webhook instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from symfonie.connectors.actions import do_update_delivery_status
from symfonie.connectors.models import OutboundMessage
from symfonie.contacts.models import Message

MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (5, 30, 120, 600, 1800)


def deliver(outbound_id: int) -> str:
    """Send one outbound message; returns its new status."""
    from symfonie.connectors.registry import sender_for

    claimed = OutboundMessage.objects.filter(
        pk=outbound_id, status=OutboundMessage.Status.QUEUED
    ).update(status=OutboundMessage.Status.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return OutboundMessage.objects.get(pk=outbound_id).status
    outbound = OutboundMessage.objects.select_related("account", "message").get(pk=outbound_id)
    sender = sender_for(outbound.account.kind)
    assert sender is not None  # do_queue_reply stores intents only for kinds that can send
    result = sender.send(outbound.account, outbound.request)
    with transaction.atomic():
        outbound.error_code, outbound.error = result.error_code, result.error
        if result.outcome == "accepted":
            outbound.status = OutboundMessage.Status.ACCEPTED
            outbound.provider_message_id = result.message_id
            do_update_delivery_status(
                outbound.message, Message.Delivery.SENT, external_id=result.message_id
            )
        elif result.outcome == "retry" and outbound.attempts < MAX_ATTEMPTS:
            delay = BACKOFF_SECONDS[min(outbound.attempts, len(BACKOFF_SECONDS)) - 1]
            # the provider's own wait (Telegram's retry_after, an HTTP Retry-After) wins
            delay = max(delay, getattr(result, "retry_after", None) or 0)
            outbound.status = OutboundMessage.Status.QUEUED
            outbound.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            when = outbound.next_attempt_at
            transaction.on_commit(lambda: _retry(outbound.pk, when))
        elif result.outcome == "unknown":
            outbound.status = OutboundMessage.Status.UNKNOWN
        else:
            outbound.status = OutboundMessage.Status.FAILED
            do_update_delivery_status(outbound.message, Message.Delivery.FAILED, error=result.error)
        outbound.save()
    return outbound.status


def _retry(outbound_id: int, when: datetime) -> None:
    from symfonie.connectors.tasks import deliver_outbound

    deliver_outbound.using(run_after=when).enqueue(outbound_id)
