"""Anna at work: available, one chat in conversation, one in wrap-up and one offered to her."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.routing.conftest import anna_profile, chat_queue, customer, skills  # noqa: F401


def signed_in(user) -> Client:
    """A browser session of ``user`` with the English interface (stable texts to assert on)."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def new_chat(customer):  # noqa: F811 - the fixture's value is passed in
    from symfonie.contacts.actions.interactions import do_create_contact

    return do_create_contact(customer, channel="webchat")


@pytest.fixture
def anna_at_work(tenant, chat_queue, anna_profile, customer):  # noqa: F811
    from symfonie.contacts.actions.interactions import do_add_message
    from symfonie.routing.commands import queue_contact, submit
    from symfonie.routing.models import AgentProfile, Offer

    AgentProfile.objects.filter(pk=anna_profile.pk).update(chats=3)
    submit("configure_agent", {"agent": anna_profile.user_id})
    submit("presence", {"agent": anna_profile.user_id, "presence": "available"})

    def take(contact):
        queue_contact(contact, chat_queue)
        offer = Offer.objects.get(contact=contact)
        submit("accept", {"offer_id": offer.offer_id, "agent": anna_profile.user_id})

    talking, finishing, offered = new_chat(customer), new_chat(customer), new_chat(customer)
    take(talking)
    do_add_message(talking, author="customer", body="Mijn verwarming doet het niet")
    take(finishing)
    submit("end", {"contact": finishing.pk})
    queue_contact(offered, chat_queue)
    for contact in (talking, finishing, offered):
        contact.refresh_from_db()
    assert (talking.state, finishing.state, offered.state) == ("active", "wrap_up", "offered")
    return {
        "talking": talking,
        "finishing": finishing,
        "offered": offered,
        "offer": Offer.objects.get(contact=offered),
    }
