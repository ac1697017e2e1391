"""The event log as a feed (for integrations that poll instead of receiving webhooks)."""

from __future__ import annotations

from ninja import Query, Router

from symfonie.api.schemas import EventPage, Problem
from symfonie.events.models import Event
from symfonie.tenants.scoping import Tenancy

router = Router(tags=["events"])


@router.get("/events", response={200: EventPage, 401: Problem, 403: Problem, 422: Problem})
def list_events(request, after_id: Query[int] = 0, limit: Query[int] = 100):
    """Events after ``after_id`` in log order; pass the returned ``last_id`` on."""
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    limit = max(1, min(limit, 1000))
    after_id = max(0, min(after_id, 2**63 - 1))
    items = list(tenancy.scope(Event).filter(pk__gt=after_id).order_by("pk")[:limit])
    return {"items": items, "last_id": items[-1].pk if items else None}
