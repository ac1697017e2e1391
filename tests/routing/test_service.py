"""The router behind the database: commands in, decisions logged and projected, refusals."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def new_chat(customer):
    from symfonie.contacts.actions.interactions import do_create_contact

    return do_create_contact(customer, channel="webchat")


def test_a_chat_is_offered_accepted_handled_and_closed(tenant, chat_queue, anna_profile, customer):
    from symfonie.contacts.models import Contact
    from symfonie.events.models import Event
    from symfonie.routing.commands import queue_contact, submit
    from symfonie.routing.models import AgentProfile, Offer, RouterLogEntry

    submit("presence", {"agent": anna_profile.user_id, "presence": "available"})
    assert AgentProfile.objects.get(pk=anna_profile.pk).presence == "available"
    contact = new_chat(customer)
    queue_contact(contact, chat_queue)
    offer = Offer.objects.get(contact=contact)
    assert offer.agent_id == anna_profile.pk
    assert Contact.objects.get(pk=contact.pk).state == "offered"

    submit("accept", {"offer_id": offer.offer_id, "agent": anna_profile.user_id})
    contact.refresh_from_db()
    assert (contact.state, contact.agent_id, contact.queue) == (
        "active",
        anna_profile.user_id,
        "chat",
    )
    assert not Offer.objects.filter(contact=contact).exists()

    submit("end", {"contact": contact.pk})
    assert Contact.objects.get(pk=contact.pk).state == "wrap_up"
    submit("wrap_up_done", {"contact": contact.pk})
    contact.refresh_from_db()
    assert contact.state == "closed"
    assert contact.queued_at <= contact.offered_at <= contact.answered_at <= contact.ended_at
    types = list(RouterLogEntry.objects.values_list("type", flat=True))
    assert types.count("contact.offered") == 1 and "contact.released" in types
    live = set(Event.objects.filter(tenant=tenant).values_list("type", flat=True))
    assert {"routing.offered", "routing.offer_ended", "agent.presence_changed"} <= live


def test_accepting_someone_elses_offer_is_refused_with_409(
    tenant, chat_queue, anna_profile, customer, supervisor_bram, skills
):
    from symfonie.problems import Conflict
    from symfonie.routing.commands import queue_contact, submit
    from symfonie.routing.models import Offer, RouterCommand
    from tests.routing.conftest import make_profile

    make_profile(supervisor_bram, skills)
    submit("configure_agent", {"agent": supervisor_bram.pk})
    submit("presence", {"agent": anna_profile.user_id, "presence": "available"})
    contact = new_chat(customer)
    queue_contact(contact, chat_queue)
    offer = Offer.objects.get(contact=contact)
    with pytest.raises(Conflict):
        submit("accept", {"offer_id": offer.offer_id, "agent": supervisor_bram.pk})
    assert RouterCommand.objects.filter(status="refused").count() == 1
    assert Offer.objects.get(contact=contact).agent_id == anna_profile.pk


def test_a_retried_arrival_queues_once(tenant, chat_queue, customer):
    from symfonie.routing.commands import queue_contact
    from symfonie.routing.models import RouterCommand, RouterLogEntry

    contact = new_chat(customer)
    queue_contact(contact, chat_queue)
    queue_contact(contact, chat_queue)
    assert RouterCommand.objects.filter(kind="arrive").count() == 1
    assert RouterLogEntry.objects.filter(type="contact.queued").count() == 1


def test_restart_restores_the_waiting_order_and_reoffers_offers_in_flight(
    tenant, chat_queue, anna_profile, customer
):
    from symfonie.routing import runner
    from symfonie.routing.commands import queue_contact, submit
    from symfonie.routing.models import Offer

    submit("presence", {"agent": anna_profile.user_id, "presence": "available"})
    contacts = [new_chat(customer) for _ in range(4)]
    for contact in contacts:
        queue_contact(contact, chat_queue)
    before = runner.inline_service().router.waiting_order(str(chat_queue.pk), _now())
    offered_before = set(Offer.objects.values_list("contact_id", flat=True))
    runner.reset_inline()  # the process died: a new router loads from the database
    service = runner.inline_service()
    after = service.router.waiting_order(str(chat_queue.pk), _now())
    assert after == before and len(after) == 4  # one of them is on offer to Anna
    # the offers were withdrawn and made again, to the same contacts
    assert set(Offer.objects.values_list("contact_id", flat=True)) == offered_before


def _now():
    from django.utils import timezone

    return timezone.now()
