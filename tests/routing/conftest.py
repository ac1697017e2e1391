"""A chat queue and a phone queue of Woonstad, and agent Anna with the skills for both."""

from __future__ import annotations

import pytest


@pytest.fixture
def skills(tenant):
    from symfonie.routing.models import Skill

    return {
        code: Skill.objects.create(tenant=tenant, code=code, name=code)
        for code in ("huur", "reparaties")
    }


@pytest.fixture
def chat_queue(tenant, skills):
    from symfonie.routing.models import RoutingQueue

    return RoutingQueue.objects.create(
        tenant=tenant,
        slug="chat",
        name="Chat",
        channel="chat",
        required_skills=[{"skill": "huur", "min_proficiency": 2}],
    )


@pytest.fixture
def anna_profile(agent_anna, skills):
    return make_profile(agent_anna, skills, huur=3)


def make_profile(user, skills, **levels):
    from symfonie.routing.models import AgentProfile, AgentSkill

    profile = AgentProfile.objects.create(user=user, languages=["nl"], chats=2, messages=2)
    for code, level in levels.items():
        AgentSkill.objects.create(agent=profile, skill=skills[code], proficiency=level)
    return profile


@pytest.fixture
def customer(tenant):
    from symfonie.contacts.models import Customer

    return Customer.objects.create(tenant=tenant, name="Geertje Jansen")
