"""Write an event: the log row, the webhook outbox rows, and the live publish after commit.

Only ``record`` writes events. It must run inside the caller's transaction (every action in
Symfonie does ``with transaction.atomic()``), so the event exists exactly when the change does.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from symfonie.events.models import Event, WebhookDelivery, WebhookEndpoint
from symfonie.events.schemas import EventSchema
from symfonie.tenants.models import Tenant, User


def record(
    tenant: Tenant,
    event: EventSchema,
    *,
    customer_id: int | None = None,
    actor: User | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """Append ``event`` to the log and queue its webhooks and live publish for after commit."""
    row = Event.objects.create(
        tenant=tenant,
        type=event.type,
        occurred_at=occurred_at or timezone.now(),
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        customer_id=customer_id,
        actor=actor if actor is not None and actor.pk else None,
        payload=event.payload(),
    )
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(tenant=tenant, active=True) if e.wants(event.type)
    ]
    if endpoints:
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(endpoint=e, event=row, next_attempt_at=row.recorded_at)
            for e in endpoints
        )
        transaction.on_commit(_enqueue_webhook_delivery)
    transaction.on_commit(lambda: _publish(row))
    return row


def _enqueue_webhook_delivery() -> None:
    from symfonie.events.tasks import deliver_webhooks

    deliver_webhooks.enqueue()


def _publish(row: Event) -> None:
    from symfonie.live.publish import publish_event

    publish_event(row)
