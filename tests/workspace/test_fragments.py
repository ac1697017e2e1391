"""What the script loads into a tab: the conversation, new messages, the customer panel, and
canned responses — each only for the request's own tenant."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.workspace.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(customer):
    from symfonie.contacts.actions.interactions import do_add_message, do_create_contact

    contact = do_create_contact(
        customer, channel="webchat", arrived_at=datetime(2026, 3, 2, 9, tzinfo=UTC)
    )
    for minute, (author, body) in enumerate(
        [("customer", "Goedemorgen"), ("agent", "Waarmee kan ik helpen?"), ("customer", "Lekkage")]
    ):
        do_add_message(
            contact,
            author=author,
            body=body,
            created_at=datetime(2026, 3, 2, 9, minute + 1, tzinfo=UTC),
        )
    return contact


@pytest.fixture
def anonymous_call(tenant):
    from symfonie.contacts.models import Contact

    return Contact.objects.create(
        tenant=tenant, channel="voice", direction="in", arrived_at=datetime.now(UTC)
    )


@pytest.fixture
def canned(tenant):
    from symfonie.workspace.models import CannedResponse

    return CannedResponse.objects.create(
        tenant=tenant,
        title="Groet",
        shortcut="/groet",
        body="Beste {klant}, u spreekt met {agent} over contact {contact} op {datum}. {x} {klant",
    )


def test_the_panel_shows_the_timeline_newest_first_and_the_open_case(
    tenant, agent_anna, customer, chat
):
    from symfonie.contacts.actions.cases import do_open_case
    from symfonie.contacts.actions.interactions import do_create_contact
    from symfonie.tenants.models import AuditRecord

    do_create_contact(customer, channel="email", arrived_at=datetime(2026, 3, 1, 9, tzinfo=UTC))
    case = do_open_case(
        customer, subject="Lekkage badkamer", opened_at=datetime(2026, 3, 3, 9, tzinfo=UTC)
    )
    response = signed_in(agent_anna).get(f"/werkplek/contacts/{chat.pk}/panel/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Geertje Jansen" in html
    assert f'data-case-id="{case.pk}"' in html and "Lekkage badkamer" in html
    times = re.findall(r'<time datetime="([^"]+)"', html)
    assert len(times) == 6  # email contact, chat contact, three messages, the case
    assert times == sorted(times, reverse=True)  # newest first
    assert re.findall(r'data-channel="(\w*)"', html)[-1] == "email"  # across channels
    assert AuditRecord.objects.filter(
        action="timeline.view", actor=agent_anna, subject_id=customer.pk
    ).exists()


def test_an_anonymous_contact_has_an_unknown_customer(agent_anna, anonymous_call):
    client = signed_in(agent_anna)
    panel = client.get(f"/werkplek/contacts/{anonymous_call.pk}/panel/").content.decode()
    assert '<span class="unknown-customer">unknown customer</span>' in panel
    tab = client.get(f"/werkplek/contacts/{anonymous_call.pk}/conversation/")
    assert tab.status_code == 200
    assert 'data-reply-route="none"' in tab.content.decode()  # a call has no written reply


def test_a_tab_lists_the_messages_and_the_tenants_choices(tenant, other_tenant, agent_anna, chat):
    from symfonie.contacts.models import Topic
    from symfonie.routing.models import RoutingQueue

    Topic.objects.create(tenant=tenant, name="Reparatie", slug="reparatie")
    Topic.objects.create(tenant=other_tenant, name="Dienstregeling", slug="dienstregeling")
    RoutingQueue.objects.create(tenant=other_tenant, slug="reizen", name="Reizen", channel="chat")
    html = signed_in(agent_anna).get(f"/werkplek/contacts/{chat.pk}/conversation/").content
    html = html.decode()
    assert re.findall(r'data-author="(\w+)"', html) == ["customer", "agent", "customer"]
    assert 'textarea name="reply"' in html and 'data-reply-route="messages"' in html
    assert 'value="reparatie"' in html and "dienstregeling" not in html
    assert "Reizen" not in html


def test_new_messages_come_after_the_last_one_shown(agent_anna, chat):
    from symfonie.contacts.models import Message

    first = Message.objects.filter(contact=chat).order_by("id").first()
    client = signed_in(agent_anna)
    html = client.get(f"/werkplek/contacts/{chat.pk}/messages/?after={first.pk}").content.decode()
    assert re.findall(r'data-author="(\w+)"', html) == ["agent", "customer"]
    assert client.get(f"/werkplek/contacts/{chat.pk}/messages/?after=x").status_code == 400


def test_another_tenants_contact_is_not_found(outsider_olga, chat, canned):
    client = signed_in(outsider_olga)
    for path in ("panel/", "conversation/", "messages/", f"canned/{canned.pk}/"):
        response = client.get(f"/werkplek/contacts/{chat.pk}/{path}")
        assert response.status_code == 404, path
        assert "Geertje" not in response.content.decode()


def test_another_tenants_canned_response_is_not_found(other_tenant, agent_anna, chat):
    from symfonie.workspace.models import CannedResponse

    theirs = CannedResponse.objects.create(tenant=other_tenant, title="Hallo", body="Geheim")
    response = signed_in(agent_anna).get(f"/werkplek/contacts/{chat.pk}/canned/{theirs.pk}/")
    assert response.status_code == 404
    assert response.json()["detail"] == "canned response not found"


def test_canned_variables_are_filled_and_unknown_ones_kept(agent_anna, chat, canned):
    agent_anna.first_name, agent_anna.last_name = "Anna", "de Boer"
    agent_anna.save()
    amsterdam = ZoneInfo("Europe/Amsterdam")  # the tenant's clock
    before = timezone.localdate(timezone=amsterdam)
    response = signed_in(agent_anna).get(f"/werkplek/contacts/{chat.pk}/canned/{canned.pk}/")
    after = timezone.localdate(timezone=amsterdam)
    assert response.status_code == 200
    texts = {
        f"Beste Geertje Jansen, u spreekt met Anna de Boer over contact {chat.pk} "
        f"op {day:%d-%m-%Y}. {{x}} {{klant"
        for day in (before, after)  # the same day, unless the request crossed midnight
    }
    assert response.json()["text"] in texts


def test_the_tenants_time_zone_gives_the_date(tenant, agent_anna, chat, canned):
    tenant.time_zone = "Pacific/Kiritimati"  # UTC+14: a day ahead of UTC most of the day
    tenant.save()
    zone = ZoneInfo("Pacific/Kiritimati")
    before = timezone.localdate(timezone=zone)
    text = signed_in(agent_anna).get(f"/werkplek/contacts/{chat.pk}/canned/{canned.pk}/")
    after = timezone.localdate(timezone=zone)
    assert any(f"op {day:%d-%m-%Y}." in text.json()["text"] for day in (before, after))


def test_an_anonymous_contact_keeps_the_customer_variable(agent_anna, anonymous_call, canned):
    text = (
        signed_in(agent_anna)
        .get(f"/werkplek/contacts/{anonymous_call.pk}/canned/{canned.pk}/")
        .json()["text"]
    )
    assert text.startswith("Beste {klant}, u spreekt met anna@example.nl")


def test_the_page_lists_the_tenants_canned_responses(tenant, other_tenant, agent_anna, canned):
    from symfonie.workspace.models import CannedResponse

    CannedResponse.objects.create(tenant=other_tenant, title="Vreemd", body="x")
    CannedResponse.objects.create(tenant=tenant, title="Oud", body="x", active=False)
    html = signed_in(agent_anna).get("/werkplek/").content.decode()
    assert '"shortcut": "/groet"' in html
    assert "Vreemd" not in html and '"Oud"' not in html


def test_the_datum_is_the_tenants_local_date():
    from symfonie.contacts.models import Contact
    from symfonie.tenants.models import User
    from symfonie.workspace.canned import values_for

    contact = Contact(pk=7)
    values = values_for(contact, User(email="a@b.nl"), date(2026, 12, 31))
    assert values == {"klant": "", "agent": "a@b.nl", "contact": "7", "datum": "31-12-2026"}


@pytest.mark.parametrize(
    ("channel", "route"),
    [("whatsapp", "replies"), ("telegram", "replies"), ("email", "messages"), ("voice", "none")],
)
def test_a_tab_replies_the_way_its_channel_needs(tenant, customer, agent_anna, channel, route):
    from symfonie.contacts.models import Contact

    contact = Contact.objects.create(
        tenant=tenant, customer=customer, channel=channel, direction="in", arrived_at=timezone.now()
    )
    html = signed_in(agent_anna).get(f"/werkplek/contacts/{contact.pk}/conversation/")
    html = html.content.decode()
    assert f'data-reply-route="{route}"' in html
    assert ('<div class="templates" hidden>' in html) == (route == "replies")
    assert ('textarea name="reply"' in html) == (route != "none")
