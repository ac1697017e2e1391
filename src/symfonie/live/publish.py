"""Publish committed events to the tenant's Channels group.

Events are committed by request threads and by the router thread. The WebSocket consumers
wait on the server's event loop; a plain thread must hand the send to that loop
(``run_coroutine_threadsafe``), or an in-memory channel layer's queue is filled from the wrong
loop and the waiting consumer is not woken until something else stirs its loop.
"""

from __future__ import annotations

import asyncio
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


_server_loop: asyncio.AbstractEventLoop | None = None


def remember_server_loop() -> None:
    """Called on the server's event loop (by the consumers): where live sends must run."""
    global _server_loop
    _server_loop = asyncio.get_running_loop()


def publish_event(row: Event) -> None:
    """Send to the live group; a failing channel layer must never fail the committed change."""
    layer = get_channel_layer()
    if layer is None:
        return
    group = tenant_group(row.tenant_id)
    message = {"type": "event.message", "event": event_message(row)}
    try:
        loop = _server_loop
        if loop is not None and loop.is_running() and not _on_loop(loop):
            # a thread outside the server's loop (the router): hand it over, do not wait
            future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
            future.add_done_callback(lambda f: _log_failure(f, row.pk))
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception:  # the change is committed; live clients resync from the log on reconnect
        logger.exception("live publish of event %s failed", row.pk)


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _log_failure(future: object, event_id: int) -> None:
    exception = future.exception() if hasattr(future, "exception") else None
    if exception is not None:
        logger.error("live publish of event %s failed: %s", event_id, exception)
