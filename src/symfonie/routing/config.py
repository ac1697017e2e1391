"""Database configuration → the routing core's dataclasses (ids are ``str(pk)``)."""

from __future__ import annotations

from datetime import date, time

import holidays

from symfonie.domain.routing import (
    AfterHoursAction,
    Agent,
    BusinessCalendar,
    Capacity,
    Channel,
    OpeningHours,
    OverflowRule,
    Queue,
    RelaxationStep,
    ServiceLevel,
    SkillRequirement,
)
from symfonie.routing.models import ROUTING_CHANNEL, AgentProfile, RoutingQueue, Skill
from symfonie.tenants.models import Membership, Role

#: Roles that take contacts (a supervisor can pick up a contact too).
ROUTABLE_ROLES = (Role.AGENT, Role.SUPERVISOR)


def routing_channel(contact_channel: str) -> Channel:
    """Voice is exclusive, web chat takes a chat slot, everything else a message slot."""
    return ROUTING_CHANNEL.get(contact_channel, Channel.MESSAGE)


def calendar_of(queue: RoutingQueue, today: date) -> BusinessCalendar | None:
    """The queue's opening hours with this year's and next year's public holidays."""
    if not queue.opening_hours:
        return None
    hours = tuple(
        OpeningHours(weekday=int(day), opens=time.fromisoformat(a), closes=time.fromisoformat(b))
        for day, intervals in sorted(queue.opening_hours.items())
        for a, b in intervals
    )
    closed: frozenset[date] = frozenset()
    if queue.holiday_region:
        years = [today.year, today.year + 1]
        closed = frozenset(holidays.country_holidays(queue.holiday_region, years=years))
    return BusinessCalendar(timezone=queue.tenant.time_zone, hours=hours, holidays=closed)


def skill_ids(queue: RoutingQueue) -> dict[str, int]:
    """Skill code → primary key for the queue's tenant."""
    return dict(Skill.objects.filter(tenant_id=queue.tenant_id).values_list("code", "pk"))


def domain_queue(queue: RoutingQueue, today: date) -> Queue:
    ids = skill_ids(queue)
    service_level = None
    if queue.service_level_percent and queue.service_level_seconds:
        service_level = ServiceLevel(
            percent=queue.service_level_percent,
            threshold_seconds=queue.service_level_seconds,
            working_hours=queue.service_level_working_hours,
        )
    overflow = None
    if queue.overflow_to_id and (
        queue.overflow_after_seconds is not None or queue.overflow_max_waiting is not None
    ):
        overflow = OverflowRule(
            to_queue_id=str(queue.overflow_to_id),
            after_wait_seconds=queue.overflow_after_seconds,
            max_waiting=queue.overflow_max_waiting,
        )
    return Queue(
        queue_id=str(queue.pk),
        tenant_id=str(queue.tenant_id),
        channel=Channel(queue.channel),
        name=queue.name,
        priority=queue.priority,
        priority_credit_seconds=queue.priority_credit_seconds,
        required_skills=tuple(
            SkillRequirement(skill=str(ids[r["skill"]]), min_proficiency=r["min_proficiency"])
            for r in queue.required_skills
            if r["skill"] in ids
        ),
        language=queue.language or None,
        service_level=service_level,
        relaxation=tuple(
            RelaxationStep(after_seconds=r["after_seconds"], min_proficiency=r["min_proficiency"])
            for r in queue.relaxation
        ),
        max_per_agent=queue.max_per_agent,
        offer_timeout_seconds=queue.offer_timeout_seconds,
        sticky_window_seconds=queue.sticky_window_seconds,
        sticky_wait_seconds=queue.sticky_wait_seconds,
        calendar=calendar_of(queue, today),
        after_hours=AfterHoursAction(queue.after_hours),
        overflow=overflow,
        escalation_queue_id=str(queue.escalation_queue_id) if queue.escalation_queue_id else None,
        wrap_up_required=queue.wrap_up_required,
        expected_handle_seconds=queue.expected_handle_seconds,
    )


def domain_agent(profile: AgentProfile) -> Agent:
    tenant_ids = Membership.objects.filter(user_id=profile.user_id, role__in=ROUTABLE_ROLES)
    return Agent(
        agent_id=str(profile.user_id),
        tenant_ids=frozenset(str(t) for t in tenant_ids.values_list("tenant_id", flat=True)),
        skills={str(s.skill_id): s.proficiency for s in profile.skills.all()},
        languages=frozenset(profile.languages),
        capacity=Capacity(voice=profile.voice, chats=profile.chats, messages=profile.messages),
        name=profile.user.get_full_name() or profile.user.email,
    )
