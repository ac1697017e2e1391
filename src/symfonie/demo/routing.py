"""The demo's routing set-up: skills, queues, agent profiles and break reasons per tenant.

Opening hours are left open (a demo works at any hour); the router reads this configuration
when it starts, so ``symfonie demo`` needs no running server.
"""

from __future__ import annotations

import random

from django.db import transaction

from symfonie.routing.models import (
    AgentProfile,
    AgentSkill,
    BreakReason,
    RoutingQueue,
    RoutingSettings,
    Skill,
)
from symfonie.tenants.models import Membership, Tenant

SKILLS = {
    "woonstad": {
        "huur": "Huur en betalingen",
        "reparaties": "Reparaties en onderhoud",
        "wonen": "Wonen en verhuizen",
        "escalaties": "Escalaties (supervisor)",
    },
    "ovregio": {
        "reizen": "Reizen en storingen",
        "abonnementen": "Abonnementen",
        "restituties": "Restituties",
        "escalaties": "Escalaties (supervisor)",
    },
}
# slug, name, channel, priority tier, required skill, minimum proficiency
QUEUES = {
    "woonstad": [
        ("woning-telefoon", "Telefoon", "voice", 3, "huur", 1),
        ("woning-chat", "Chat", "chat", 2, "huur", 2),
        ("woning-digitaal", "E-mail en berichten", "message", 1, "wonen", 1),
        ("woning-reparaties", "Reparatieverzoeken", "message", 1, "reparaties", 2),
        ("woning-escalatie", "Escalaties", "chat", 4, "escalaties", 1),
    ],
    "ovregio": [
        ("ov-telefoon", "Telefoon", "voice", 3, "reizen", 1),
        ("ov-chat", "Chat", "chat", 2, "reizen", 2),
        ("ov-digitaal", "E-mail en berichten", "message", 1, "abonnementen", 1),
        ("ov-klachten", "Klachten", "message", 1, "restituties", 2),
        ("ov-escalatie", "Escalaties", "chat", 4, "escalaties", 1),
    ],
}
BREAKS = {"lunch": "Lunch", "pauze": "Pauze", "coaching": "Coaching", "overleg": "Werkoverleg"}
SEED = 1975


def load_routing_demo() -> bool:
    """Set up routing for the demo tenants once; False when it was there already."""
    tenants = list(Tenant.objects.filter(slug__in=list(SKILLS)))
    if not tenants or RoutingQueue.objects.filter(tenant__in=tenants).exists():
        return False
    rng = random.Random(SEED)
    with transaction.atomic():
        for tenant in tenants:
            _tenant(tenant, rng)
    return True


def _tenant(tenant: Tenant, rng: random.Random) -> None:
    skills = {
        code: Skill.objects.create(tenant=tenant, code=code, name=name)
        for code, name in SKILLS[tenant.slug].items()
    }
    queues = {}
    for slug, name, channel, priority, skill, level in QUEUES[tenant.slug]:
        queues[slug] = RoutingQueue.objects.create(
            tenant=tenant,
            slug=slug,
            name=name,
            channel=channel,
            priority=priority,
            required_skills=[{"skill": skill, "min_proficiency": level}],
            relaxation=[{"after_seconds": 30, "min_proficiency": 1}] if level > 1 else [],
            sticky_window_seconds=7 * 24 * 3600 if channel == "message" else 0,
            sticky_wait_seconds=60 if channel == "message" else 0,
        )
    escalation = next(q for s, q in queues.items() if s.endswith("-escalatie"))
    RoutingQueue.objects.filter(tenant=tenant, channel="chat").exclude(pk=escalation.pk).update(
        escalation_queue=escalation
    )
    for code, name in BREAKS.items():
        BreakReason.objects.create(tenant=tenant, code=code, name=name)
    RoutingSettings.objects.create(tenant=tenant, wrap_up_topic_required=True)
    ordinary = [code for code in skills if code != "escalaties"]
    for membership in Membership.objects.filter(
        tenant=tenant, role__in=("agent", "supervisor")
    ).select_related("user"):
        profile, _ = AgentProfile.objects.get_or_create(
            user=membership.user,
            defaults={"languages": ["nl", "en"] if rng.random() < 0.5 else ["nl"]},
        )
        levels = {code: rng.randint(2, 5) for code in ordinary}
        if membership.role == "supervisor":
            levels["escalaties"] = 5
        for code, level in levels.items():
            AgentSkill.objects.create(agent=profile, skill=skills[code], proficiency=level)
