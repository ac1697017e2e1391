"""Background tasks of the event log (django-tasks, database backend)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from symfonie.events.webhooks import deliver_due

RETRY_FLOOR_SECONDS = 5


@task()
def deliver_webhooks() -> int:
    """Send due webhook deliveries; schedule itself again for the next retry, if any."""
    delivered, upcoming = deliver_due()
    if upcoming is not None:
        # also when the next one is already due (more than one batch, or a crashed worker's
        # claim still running out): come back shortly instead of waiting for a new event
        soonest = timezone.now() + timedelta(seconds=RETRY_FLOOR_SECONDS)
        deliver_webhooks.using(run_after=max(upcoming, soonest)).enqueue()
    return delivered
