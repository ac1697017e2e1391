"""The wallboard's figures, read from the projected rows (any process can answer).

Per queue: waiting now, longest wait now, and of today (the tenant's local day) the service
level, handled and abandoned. Per agent: presence, time in it, contacts in hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone

from symfonie.contacts.models import Contact
from symfonie.domain.routing.model import DEFAULT_SERVICE_LEVELS, Channel
from symfonie.routing.config import ROUTABLE_ROLES
from symfonie.routing.models import AgentProfile, RoutingQueue
from symfonie.tenants.models import Tenant

WAITING_STATES = ("queued", "offered")
IN_HAND_STATES = ("active", "wrap_up")


@dataclass(frozen=True)
class QueueFigures:
    slug: str
    name: str
    channel: str
    waiting: int
    longest_wait_seconds: float | None
    service_level: float | None  # today, 0–1; None before anything was answered or abandoned
    service_level_target: float  # 0–1
    threshold_seconds: float
    handled: int
    abandoned: int


@dataclass(frozen=True)
class AgentFigures:
    user_id: int
    name: str
    presence: str
    reason: str
    since: datetime | None
    seconds_in_state: float | None
    in_hand: int


def start_of_today(tenant: Tenant, now: datetime) -> datetime:
    local = now.astimezone(ZoneInfo(tenant.time_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def queue_figures(tenant: Tenant, now: datetime | None = None) -> list[QueueFigures]:
    now = now or timezone.now()
    today = start_of_today(tenant, now)
    rows = []
    for queue in RoutingQueue.objects.filter(tenant=tenant):
        target = DEFAULT_SERVICE_LEVELS[Channel(queue.channel)]
        percent = queue.service_level_percent or target.percent
        threshold = queue.service_level_seconds or target.threshold_seconds
        contacts = Contact.objects.filter(tenant=tenant, queue=queue.slug)
        waiting = contacts.filter(state__in=WAITING_STATES)
        oldest = waiting.order_by("queued_at").values_list("queued_at", flat=True).first()
        todays = contacts.filter(queued_at__gte=today)
        counts = todays.aggregate(
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            in_time=Count(
                "pk",
                filter=Q(answered_at__isnull=False) & Q(answered_at__lte=_plus(threshold)),
            ),
            handled=Count("pk", filter=Q(state="closed", agent__isnull=False)),
            abandoned=Count("pk", filter=Q(state="abandoned")),
        )
        offered = counts["answered"] + counts["abandoned"]
        rows.append(
            QueueFigures(
                slug=queue.slug,
                name=queue.name,
                channel=queue.channel,
                waiting=waiting.count(),
                longest_wait_seconds=(now - oldest).total_seconds() if oldest else None,
                service_level=counts["in_time"] / offered if offered else None,
                service_level_target=percent / 100,
                threshold_seconds=threshold,
                handled=counts["handled"],
                abandoned=counts["abandoned"],
            )
        )
    return rows


def _plus(seconds: float):  # queued_at + threshold, as a database expression
    from django.db.models import DateTimeField, ExpressionWrapper, F, Value

    return ExpressionWrapper(
        F("queued_at") + Value(timedelta(seconds=seconds)), output_field=DateTimeField()
    )


def agent_figures(tenant: Tenant, now: datetime | None = None) -> list[AgentFigures]:
    now = now or timezone.now()
    profiles = (
        AgentProfile.objects.filter(
            user__memberships__tenant=tenant, user__memberships__role__in=ROUTABLE_ROLES
        )
        .select_related("user")
        .order_by("user__email")
    )
    in_hand = dict(
        Contact.objects.filter(tenant=tenant, state__in=IN_HAND_STATES, agent__isnull=False)
        .values("agent_id")
        .annotate(n=Count("pk"))
        .values_list("agent_id", "n")
    )
    return [
        AgentFigures(
            user_id=p.user_id,
            name=p.user.get_full_name() or p.user.email,
            presence=p.presence,
            reason=p.presence_reason,
            since=p.presence_since,
            seconds_in_state=(now - p.presence_since).total_seconds() if p.presence_since else None,
            in_hand=in_hand.get(p.user_id, 0),
        )
        for p in profiles
    ]
