"""Small hand-made contact records for the KPI unit tests (no I/O).

Times are offsets in seconds from ``START`` (Monday 3 March 2025, 09:00 in Amsterdam); every
contact spends ``MENU_SECONDS`` in the menu before it queues.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from symfonie.domain.kpi.records import ContactRecord

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
START = datetime(2025, 3, 3, 9, 0, tzinfo=AMSTERDAM)
MENU_SECONDS = 10


def at(seconds: float) -> datetime:
    """``START`` plus ``seconds``."""
    return START + timedelta(seconds=seconds)


def answered(
    contact_id: str,
    wait: float,
    *,
    arrive: float = 0,
    talk: float = 120,
    wrap_up: float | None = None,
    **fields: Any,
) -> ContactRecord:
    """Queued after the menu, answered after ``wait`` s, talked ``talk`` s, optional wrap-up."""
    queued = at(arrive + MENU_SECONDS)
    answer = queued + timedelta(seconds=wait)
    end = answer + timedelta(seconds=talk)
    fields.setdefault("queue", "sales")
    fields.setdefault("agent_id", "anna")
    return ContactRecord(
        contact_id=contact_id,
        tenant=fields.pop("tenant", "acme"),
        channel=fields.pop("channel", "voice"),
        arrived_at=at(arrive),
        queued_at=queued,
        answered_at=answer,
        ended_at=end,
        wrap_up_ended_at=None if wrap_up is None else end + timedelta(seconds=wrap_up),
        **fields,
    )


def abandoned(contact_id: str, wait: float, *, arrive: float = 0, **fields: Any) -> ContactRecord:
    """Queued after the menu and left the queue unanswered after ``wait`` s."""
    queued = at(arrive + MENU_SECONDS)
    return ContactRecord(
        contact_id=contact_id,
        tenant=fields.pop("tenant", "acme"),
        queue=fields.pop("queue", "sales"),
        channel=fields.pop("channel", "voice"),
        arrived_at=at(arrive),
        queued_at=queued,
        ended_at=queued + timedelta(seconds=wait),
        **fields,
    )


def self_service(contact_id: str, *, arrive: float = 0, **fields: Any) -> ContactRecord:
    """Ended in the menu/VRU or a bot after 30 s, never queued."""
    return ContactRecord(
        contact_id=contact_id,
        tenant=fields.pop("tenant", "acme"),
        queue=fields.pop("queue", "sales"),
        channel=fields.pop("channel", "voice"),
        arrived_at=at(arrive),
        ended_at=at(arrive + 30),
        ended_in_self_service=True,
        **fields,
    )
