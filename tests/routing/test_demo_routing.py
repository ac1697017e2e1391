"""The demo's routing set-up routes a chat to an available agent, once."""

from __future__ import annotations

from datetime import date

import pytest

pytestmark = pytest.mark.django_db


def test_demo_routing_routes_a_chat_and_loads_once():
    from symfonie.contacts.actions.interactions import do_create_contact
    from symfonie.contacts.models import Customer
    from symfonie.demo.loader import load_demo
    from symfonie.demo.routing import load_routing_demo
    from symfonie.routing.commands import queue_contact, submit
    from symfonie.routing.models import Offer, RoutingQueue
    from symfonie.tenants.models import User

    load_demo(scale=0.02, today=date(2026, 11, 23))
    assert load_routing_demo() is True
    assert load_routing_demo() is False
    anna = User.objects.get(email="anna@symfonie.example")
    submit("presence", {"agent": anna.pk, "presence": "available"})
    queue = RoutingQueue.objects.get(tenant__slug="woonstad", slug="woning-chat")
    customer = Customer.objects.filter(tenant=queue.tenant).first()
    contact = do_create_contact(customer, channel="webchat")
    queue_contact(contact, queue)
    assert Offer.objects.get(contact=contact).agent.user == anna


def test_the_web_chat_of_the_demo_goes_to_the_chat_queue_not_the_escalation_queue():
    from symfonie.connectors.webchat.conversation import chat_queue
    from symfonie.demo.loader import load_demo
    from symfonie.demo.routing import load_routing_demo
    from symfonie.tenants.models import Tenant

    load_demo(scale=0.02, today=date(2026, 11, 23))
    load_routing_demo()
    for slug, expected in (("woonstad", "woning-chat"), ("ovregio", "ov-chat")):
        assert chat_queue(Tenant.objects.get(slug=slug)).slug == expected
