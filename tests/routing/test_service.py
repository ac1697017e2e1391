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


def test_outside_opening_hours_the_customer_is_told_and_the_back_office_gets_a_task(
    tenant, chat_queue, customer
):
    from symfonie.contacts.models import BackOfficeTask, Contact, Message
    from symfonie.routing.commands import queue_contact

    chat_queue.opening_hours = {"6": [["10:00", "10:01"]]}  # one minute on Sundays
    chat_queue.after_hours = "task"
    chat_queue.save()
    contact = new_chat(customer)
    if _now().weekday() == 6 and _now().strftime("%H:%M") == "10:00":
        pytest.skip("ran in the one open minute")
    queue_contact(contact, chat_queue)
    contact = Contact.objects.get(pk=contact.pk)
    assert contact.state == "closed"
    told = Message.objects.get(contact=contact, author="system").body
    assert "gesloten" in told or "closed" in told
    assert BackOfficeTask.objects.filter(case__customer=customer, team="chat").count() == 1


def test_a_waiting_customer_asks_for_a_callback_and_keeps_the_place(
    tenant, chat_queue, customer, supervisor_bram
):
    from django.test import Client

    from symfonie.routing.models import RouterLogEntry

    first, second = new_chat(customer), new_chat(customer)
    from symfonie.routing.commands import queue_contact

    queue_contact(first, chat_queue)
    queue_contact(second, chat_queue)
    client = Client()
    client.force_login(supervisor_bram)
    response = client.post(f"/api/v1/routing/contacts/{first.pk}/callback")
    assert response.status_code == 200, response.content
    assert RouterLogEntry.objects.filter(type="contact.callback_requested").count() == 1
    from symfonie.routing import runner

    order = runner.inline_service().router.waiting_order(str(chat_queue.pk), _now())
    assert order == [str(first.pk), str(second.pk)]
    # a second request for a contact no longer waiting is refused
    response = client.post("/api/v1/routing/contacts/999999/callback")
    assert response.status_code == 404


def test_the_router_writes_place_and_expected_wait_for_the_customer(
    tenant, chat_queue, anna_profile, customer, client
):
    from symfonie.connectors.webchat.conversation import snapshot
    from symfonie.routing import runner
    from symfonie.routing.commands import queue_contact, submit
    from symfonie.routing.models import WaitingEstimate

    submit("presence", {"agent": anna_profile.user_id, "presence": "available"})
    contacts = [new_chat(customer) for _ in range(3)]
    for contact in contacts:
        queue_contact(contact, chat_queue)
    service = runner.inline_service()
    assert service.refresh_estimates() == 3
    places = dict(WaitingEstimate.objects.values_list("contact_id", "position"))
    assert places == {contacts[0].pk: 1, contacts[1].pk: 2, contacts[2].pk: 3}
    first = WaitingEstimate.objects.get(contact=contacts[0])
    assert first.estimated_wait_seconds == 0  # on offer to Anna
    # Anna has 2 chat slots, 300 s expected handle time: the third waits about 3 · 300 / 2 s
    third = WaitingEstimate.objects.get(contact=contacts[2])
    assert third.estimated_wait_seconds == pytest.approx(450)
    contacts[2].refresh_from_db()
    assert snapshot(contacts[2])["estimated_wait_minutes"] == 8
    submit("end", {"contact": contacts[1].pk})  # the second gives up
    service.refresh_estimates()
    assert WaitingEstimate.objects.get(contact=contacts[2]).position == 2


def test_a_bad_command_is_refused_and_never_blocks_the_ones_behind_it(
    tenant, chat_queue, anna_profile, customer, monkeypatch
):
    from symfonie.problems import InvalidInput, NotFound
    from symfonie.routing import projection
    from symfonie.routing.commands import queue_contact, submit
    from symfonie.routing.models import AgentProfile, RouterCommand

    with pytest.raises(NotFound):
        submit("configure_queue", {"queue": 999999})
    # a projection bug for one command: refused, the router reloaded, nothing half-written
    original = projection.Projector._agent_presence_changed

    def broken(self, event):
        raise RuntimeError("a bug")

    monkeypatch.setattr(projection.Projector, "_agent_presence_changed", broken)
    with pytest.raises(InvalidInput):
        submit("presence", {"agent": anna_profile.user_id, "presence": "available"})
    assert AgentProfile.objects.get(pk=anna_profile.pk).presence == "offline"
    monkeypatch.setattr(projection.Projector, "_agent_presence_changed", original)
    submit("presence", {"agent": anna_profile.user_id, "presence": "available"})
    contact = new_chat(customer)
    queue_contact(contact, chat_queue)
    contact.refresh_from_db()
    assert contact.state == "offered"
    assert RouterCommand.objects.filter(status="pending").count() == 0
    assert RouterCommand.objects.filter(status="refused").count() == 2
