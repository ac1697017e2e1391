"""Background tasks of the connectors (django-tasks, database backend)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from symfonie.connectors.inbound import process_pending
from symfonie.connectors.models import ChannelAccount, InboundEvent

RETRY_SECONDS = 30


@task()
def process_inbound(account_id: int) -> int:
    """Process the account's pending inbound events; come back later for those still pending."""
    account = ChannelAccount.objects.select_related("tenant").get(pk=account_id)
    done = process_pending(account)
    if InboundEvent.objects.filter(account=account, status=InboundEvent.Status.PENDING).exists():
        process_inbound.using(run_after=timezone.now() + timedelta(seconds=RETRY_SECONDS)).enqueue(
            account_id
        )
    return done


@task()
def deliver_outbound(outbound_id: int) -> str:
    """Send one queued outbound message (see ``whatsapp.sender.deliver``)."""
    from symfonie.connectors.outbound import deliver

    return deliver(outbound_id)
