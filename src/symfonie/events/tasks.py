"""Background tasks of the event log (django-tasks, database backend)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from symfonie.events.webhooks import deliver_due


@task()
def deliver_webhooks() -> int:
    """Send due webhook deliveries; schedule itself again for the next retry, if any."""
    delivered, upcoming = deliver_due()
    if upcoming is not None and upcoming > timezone.now():
        deliver_webhooks.using(run_after=upcoming).enqueue()
    return delivered
