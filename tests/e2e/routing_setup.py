"""Set up a tenant for routing in a server's data directory: users, a skill, a chat queue,
an agent profile and a wrap-up topic (the same rows an admin makes in the admin site)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.server import run_cli

PASSWORD = "correct horse battery"

SETUP = """
from symfonie.contacts.models import Topic
from symfonie.routing.models import AgentProfile, AgentSkill, RoutingQueue, Skill
from symfonie.tenants.models import Tenant, User

tenant = Tenant.objects.get(slug="woonstad")
skill = Skill.objects.create(tenant=tenant, code="huur", name="Huur")
RoutingQueue.objects.create(
    tenant=tenant, slug="woning-chat", name="Chat", channel="chat",
    required_skills=[{"skill": "huur", "min_proficiency": 1}],
)
for email in ("anna@example.nl", "bram@example.nl"):
    profile = AgentProfile.objects.create(
        user=User.objects.get(email=email), languages=["nl"], chats=2
    )
    AgentSkill.objects.create(agent=profile, skill=skill, proficiency=3)
Topic.objects.create(tenant=tenant, name="Betalingsregeling", slug="betalingsregeling")
"""


def set_up_routing(data_dir: Path) -> None:
    run_cli(data_dir, "createtenant", "woonstad", "--name", "Woonstad")
    for email, role in (("anna@example.nl", "agent"), ("bram@example.nl", "supervisor")):
        run_cli(
            data_dir,
            "createuser",
            email,
            "--role",
            role,
            "--tenant",
            "woonstad",
            "--password",
            PASSWORD,
        )
    run_cli(data_dir, "manage", "shell", "-c", SETUP)
