"""Publish committed events to the tenant's Channels group."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from symfonie.events.models import Event

logger = logging.getLogger(__name__)


def tenant_group(tenant_id: int) -> str:
    return f"tenant.{tenant_id}"


def event_message(row: Event) -> dict[str, object]:
    return {
        "id": row.pk,
        "type": row.type,
        "occurred_at": row.occurred_at.isoformat(),
        "subject": {"type": row.subject_type, "id": row.subject_id},
        "customer_id": row.customer_id,
        "data": row.payload,
    }


def publish_event(row: Event) -> None:
    """Send to the live group; a failing channel layer must never fail the committed change."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            tenant_group(row.tenant_id), {"type": "event.message", "event": event_message(row)}
        )
    except Exception:  # the change is committed; live clients resync from the log on reconnect
        logger.exception("live publish of event %s failed", row.pk)
