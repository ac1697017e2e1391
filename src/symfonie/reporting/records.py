"""``Contact`` rows as the domain's :class:`~symfonie.domain.kpi.ContactRecord` (docs/kpis.md).

Only the columns the KPIs need are fetched (``values_list``), so a month of contacts maps
without building model instances. Topics are fetched in one extra query when asked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import QuerySet

from symfonie.contacts.models import Contact
from symfonie.domain.kpi.records import ContactRecord

COLUMNS = (
    "id",
    "queue",
    "channel",
    "arrived_at",
    "agent_id",
    "customer_id",
    "queued_at",
    "answered_at",
    "ended_at",
    "wrap_up_ended_at",
    "ended_in_self_service",
    "talk_seconds",
    "hold_seconds",
    "outcome",
    "transferred",
    "escalated",
    "csat_score",
    "nps_score",
    "priority",
)


def contact_records(
    contacts: QuerySet[Contact], *, tenant_key: str = "", with_topics: bool = False
) -> Iterator[ContactRecord]:
    """One record per contact of ``contacts``; ``customer_key`` is the customer's id (``None``
    when anonymous), ``agent_id`` the user's id, ``topic_keys`` topic names if asked for."""
    topics: dict[int, list[str]] = defaultdict(list)
    if with_topics:
        through = Contact.topics.through.objects.filter(contact__in=contacts.values("id"))
        for contact_id, name in through.values_list("contact_id", "topic__name"):
            topics[contact_id].append(name)
    for row in contacts.values_list(*COLUMNS).iterator(chunk_size=5000):
        (pk, queue, channel, arrived, agent, customer, queued, answered, ended, wrapped,
         self_service, talk, hold, outcome, transferred, escalated, csat, nps, priority) = row  # fmt: skip
        yield ContactRecord(
            contact_id=str(pk),
            tenant=tenant_key,
            queue=queue,
            channel=channel,
            arrived_at=arrived,
            agent_id=None if agent is None else str(agent),
            customer_key=None if customer is None else str(customer),
            topic_keys=tuple(sorted(topics.get(pk, ()))),
            queued_at=queued,
            answered_at=answered,
            ended_at=ended,
            wrap_up_ended_at=wrapped,
            ended_in_self_service=self_service,
            talk_seconds=talk,
            hold_seconds=hold,
            outcome=outcome,
            transferred=transferred or outcome == "transferred",
            escalated=escalated or outcome == "escalated",
            csat_score=csat,
            nps_score=nps,
            priority=priority,
        )
