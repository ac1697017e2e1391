"""Deliver outgoing webhooks from the outbox: signed, retried with backoff, at least once.

A receiver verifies ``X-Symfonie-Signature`` = ``sha256=`` HMAC-SHA256(secret, timestamp + "." +
body) and drops repeats by ``X-Symfonie-Delivery`` (the idempotency id; a retried delivery
keeps it). A delivery is claimed with a conditional UPDATE, so two workers never send it at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from symfonie.events.models import WebhookDelivery

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 60


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def backoff_seconds(attempts: int) -> int:
    """10 s, 20 s, 40 s, … capped at one hour."""
    return int(min(3600, 10 * 2 ** max(0, attempts - 1)))


def body_of(delivery: WebhookDelivery) -> bytes:
    event = delivery.event
    document = {
        "id": event.pk,
        "type": event.type,
        "tenant": event.tenant.slug,
        "occurred_at": event.occurred_at.isoformat(),
        "subject": {"type": event.subject_type, "id": event.subject_id},
        "customer_id": event.customer_id,
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def _claim(delivery_id: int, now: datetime) -> bool:
    claimed = WebhookDelivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=delivery_id,
        status=WebhookDelivery.Status.PENDING,
    ).update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    return claimed == 1


def attempt(delivery: WebhookDelivery, now: datetime) -> bool:
    """Send one delivery; on failure schedule the next attempt. True when delivered."""
    body = body_of(delivery)
    timestamp = str(int(now.timestamp()))
    request = urllib.request.Request(  # noqa: S310 (the URL is an admin-configured http(s) URL)
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Symfonie-Webhooks/1",
            "X-Symfonie-Event": delivery.event.type,
            "X-Symfonie-Delivery": str(delivery.delivery_id),
            "X-Symfonie-Timestamp": timestamp,
            "X-Symfonie-Signature": sign(delivery.endpoint.secret, timestamp, body),
        },
    )
    delivery.attempts += 1
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            ok = 200 <= response.status < 300
            error = "" if ok else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        ok, error = False, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        ok, error = False, str(exc)[:500]
    if ok:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.last_error = ""
    else:
        delivery.last_error = error
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
        else:
            delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
    delivery.claimed_until = None
    delivery.save(
        update_fields=[
            "attempts",
            "status",
            "delivered_at",
            "last_error",
            "next_attempt_at",
            "claimed_until",
        ]
    )
    return ok


def deliver_due(now: datetime | None = None) -> tuple[int, datetime | None]:
    """Attempt every pending delivery that is due; return (delivered, next due time or None)."""
    now = now or timezone.now()
    delivered = 0
    due = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    )
    for delivery_id in list(due.values_list("pk", flat=True)[:500]):
        if not _claim(delivery_id, now):
            continue
        delivery = WebhookDelivery.objects.select_related("endpoint", "event__tenant").get(
            pk=delivery_id
        )
        delivered += attempt(delivery, now)
    upcoming = (
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return delivered, upcoming
