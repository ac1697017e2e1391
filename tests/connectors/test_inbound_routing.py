"""An inbound WhatsApp message in a routed queue reaches an available agent as an offer."""

from __future__ import annotations

import pytest

from symfonie.connectors.inbound import process_pending
from symfonie.contacts.models import Contact
from tests.connectors.conftest import fixture

pytestmark = pytest.mark.django_db


def test_a_whatsapp_message_is_routed_to_an_available_agent_once(hooks, account, agent_anna):
    from symfonie.routing.commands import submit
    from symfonie.routing.models import AgentProfile, AgentSkill, Offer, RoutingQueue, Skill

    skill = Skill.objects.create(tenant=account.tenant, code="berichten", name="Berichten")
    RoutingQueue.objects.create(
        tenant=account.tenant,
        slug=account.default_queue,
        name="WhatsApp",
        channel="message",
        required_skills=[{"skill": "berichten", "min_proficiency": 1}],
    )
    profile = AgentProfile.objects.create(user=agent_anna, messages=3)
    AgentSkill.objects.create(agent=profile, skill=skill, proficiency=2)
    submit("presence", {"agent": agent_anna.pk, "presence": "available"})

    hooks.post(fixture("text", id="wamid.1", timestamp="1749416100"))
    process_pending(account)
    contact = Contact.objects.get()
    assert contact.state == "offered"
    assert Offer.objects.get(contact=contact).agent == profile
    # a second message of the same conversation joins the contact; no second arrival
    hooks.post(fixture("text", id="wamid.2", timestamp="1749416200"))
    process_pending(account)
    assert Contact.objects.count() == 1
    assert contact.messages.count() == 2
    assert Offer.objects.count() == 1
