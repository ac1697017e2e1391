"""The event log and the state agree: replaying the log rebuilds the tables' state."""

from __future__ import annotations

from datetime import date

from symfonie.contacts.actions.cases import (
    do_add_note,
    do_complete_task,
    do_create_task,
    do_open_case,
    do_update_case,
)
from symfonie.contacts.actions.customers import (
    do_add_identity,
    do_create_customer,
    do_update_customer,
)
from symfonie.contacts.actions.interactions import (
    do_add_message,
    do_create_contact,
    do_record_satisfaction,
    do_set_contact_topics,
    do_transition_contact,
)
from symfonie.contacts.actions.merges import do_merge_customers, do_undo_merge
from symfonie.contacts.models import Topic
from symfonie.contacts.snapshot import state_of
from symfonie.demo.loader import load_demo
from symfonie.events.models import Event
from symfonie.events.replay import replay
from symfonie.events.schemas import EVENT_TYPES, parse
from symfonie.tenants.models import Tenant
from symfonie.tenants.scoping import Tenancy


def replayed(tenant):
    return replay(
        parse(e.type, e.payload) for e in Event.objects.filter(tenant=tenant).order_by("id")
    )


def test_replaying_the_log_rebuilds_the_state(tenant, supervisor_bram, agent_anna):
    tenancy = Tenancy(tenant=tenant, user=supervisor_bram, role="supervisor")
    topic = Topic.objects.create(tenant=tenant, name="betalingsregeling", slug="betalingsregeling")
    jan = do_create_customer(
        tenant, name="Jan", birth_date=date(1940, 1, 2), identities=[("phone", "0612345678")]
    )
    piet = do_create_customer(tenant, name="Piet", identities=[("email", "piet@voorbeeld.nl")])
    do_update_customer(jan, {"tags": ["75+"], "language": "en"})
    do_add_identity(piet, "postal", "1234AB, 5")
    case = do_open_case(jan, subject="Regeling", topic=topic)
    contact = do_create_contact(jan, channel="voice", queue="telefoon", case=case)
    for state in ("queued", "offered", "queued", "offered"):
        do_transition_contact(contact, state)
    do_transition_contact(contact, "active", agent=agent_anna)
    do_add_message(contact, author="agent", body="Goedemiddag", author_user=agent_anna)
    do_transition_contact(contact, "wrap_up")
    do_transition_contact(contact, "closed", outcome="resolved")
    do_set_contact_topics(contact, [topic])
    do_record_satisfaction(contact, 4, "prima")
    abandoned = do_create_contact(piet, channel="webchat")
    do_transition_contact(abandoned, "queued")
    do_transition_contact(abandoned, "abandoned")
    task = do_create_task(case, team="Incasso", title="Regeling vastleggen")
    do_complete_task(task)
    do_update_case(case, {"status": "resolved", "escalation_level": 1})
    do_add_note(jan, "Belt terug", case=case)
    merge = do_merge_customers(tenancy, piet, jan, "zelfde")
    assert replayed(tenant) == state_of(tenant)
    do_undo_merge(tenancy, merge, "toch niet")
    assert replayed(tenant) == state_of(tenant)


def test_every_stored_event_matches_its_schema(tenant):
    do_create_customer(tenant, name="Jan", identities=[("phone", "0612345678")])
    types = set()
    for event in Event.objects.all():
        parse(event.type, event.payload)
        types.add(event.type)
    assert types <= set(EVENT_TYPES)


def test_the_demo_history_replays_to_its_state(db):
    load_demo(scale=0.02, today=date(2026, 11, 23))
    for tenant in Tenant.objects.all():
        assert replayed(tenant) == state_of(tenant)


def test_events_are_append_only(tenant):
    do_create_customer(tenant, name="Jan")
    event = Event.objects.first()
    event.payload = {}
    try:
        event.save()
    except Exception as exc:
        assert "append-only" in str(exc)
    else:
        raise AssertionError("an event could be changed")
