"""The customer's side of a web chat: start, wait, chat with the agent, send, end."""

# ruff: noqa: F811

from __future__ import annotations

import json
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

# the routing fixtures, imported to be used here (their parameters "redefine" them: F811)
from tests.routing.conftest import anna_profile, chat_queue, make_profile, skills  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()  # the start counter lives in the cache, which outlives a test's database
    yield
    cache.clear()


@pytest.fixture
def customer_client() -> Client:
    return Client()


def start(client: Client, slug: str = "woonstad", **fields: str):
    data = {"name": "Geertje Jansen", "email": "", "question": "Mijn kraan lekt", **fields}
    return client.post(reverse("webchat:begin", args=[slug]), data)


def started(client: Client, **fields: str):
    """Start a chat; (contact, conversation url, messages url, end url)."""
    from symfonie.connectors.webchat.conversation import contact_for
    from symfonie.tenants.models import Tenant

    response = start(client, **fields)
    assert response.status_code == 302, response.content.decode()
    url = response["Location"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    contact = contact_for(Tenant.objects.get(slug="woonstad"), token)
    assert contact is not None
    return contact, url, url + "messages", url + "end"


def available(user):
    from symfonie.routing.commands import submit

    submit("presence", {"agent": user.pk, "presence": "available"})


def poll(client: Client, url: str, after: int = 0) -> dict:
    response = client.get(url, {"after": after})
    assert response.status_code == 200, response.content.decode()
    return response.json()


def send(client: Client, url: str, body: str, client_message_id: str | None = None):
    payload = {"body": body, "client_message_id": client_message_id or str(uuid.uuid4())}
    return client.post(url, json.dumps(payload), content_type="application/json")


# -- the start page -------------------------------------------------------------------------


def test_the_start_page_shows_the_form_in_dutch(customer_client, tenant, chat_queue):
    response = customer_client.get(reverse("webchat:start", args=["woonstad"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="chat-start"' in page
    for name in ("name", "email", "question"):
        assert f'name="{name}"' in page
    assert response["Content-Language"] == "nl"


def test_an_unknown_tenant_is_a_404_page(customer_client, tenant, chat_queue):
    assert customer_client.get(reverse("webchat:start", args=["nobody"])).status_code == 404
    assert start(customer_client, slug="nobody").status_code == 404


def test_a_tenant_without_a_chat_queue_says_chat_is_not_available(customer_client, tenant):
    response = customer_client.get(reverse("webchat:start", args=["woonstad"]))
    assert response.status_code == 404
    assert "webchat/notice.html" in [t.name for t in response.templates]


def test_the_queue_parameter_chooses_the_queue(customer_client, tenant, chat_queue):
    from symfonie.routing.models import RoutingQueue

    RoutingQueue.objects.create(tenant=tenant, slug="vip", name="VIP", channel="chat", priority=-1)
    url = reverse("webchat:start", args=["woonstad"])
    assert customer_client.get(url, {"queue": "vip"}).status_code == 200
    assert customer_client.get(url, {"queue": "nope"}).status_code == 404
    contact, *_ = started(customer_client, queue="vip", question="Voor de VIP")
    assert contact.queue == "vip"
    contact, *_ = started(customer_client, question="Standaard")
    assert contact.queue == "chat"  # the highest priority chat queue


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"question": "   "}, "question"),
        ({"question": "x" * 2001}, "question"),
        ({"email": "geen-adres"}, "email"),
    ],
)
def test_bad_start_input_is_shown_again_with_422_and_nothing_stored(
    customer_client, tenant, chat_queue, fields, field
):
    from symfonie.contacts.models import Contact, Customer

    response = start(customer_client, **fields)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert 'id="chat-start"' in response.content.decode()
    assert not Contact.objects.exists() and not Customer.objects.exists()


def test_a_filled_honeypot_is_refused_and_nothing_stored(customer_client, tenant, chat_queue):
    from symfonie.contacts.models import Contact, Customer
    from symfonie.routing.models import RouterCommand

    response = start(customer_client, website="http://spam.example")
    assert response.status_code == 400
    assert not Contact.objects.exists() and not Customer.objects.exists()
    assert not RouterCommand.objects.filter(kind="arrive").exists()


def test_starts_are_rate_limited_per_address(tenant, chat_queue):
    from symfonie.connectors.webchat.throttle import STARTS_PER_MINUTE
    from symfonie.contacts.models import Contact

    bot = Client(REMOTE_ADDR="203.0.113.7")
    # invalid starts count too: the limit is on attempts (an empty question stores nothing)
    for _ in range(STARTS_PER_MINUTE):
        assert start(bot, question="").status_code == 422
    assert start(bot).status_code == 429
    assert not Contact.objects.exists()
    assert start(Client(REMOTE_ADDR="198.51.100.2")).status_code == 302  # another address


def test_the_same_email_twice_is_the_same_customer(customer_client, tenant, chat_queue):
    first, *_ = started(customer_client, email="geertje@example.nl", question="Eerste vraag")
    second, *_ = started(customer_client, email=" Geertje@Example.NL", question="Tweede vraag")
    third, *_ = started(customer_client, question="Zonder adres")
    assert first.pk != second.pk
    assert first.customer_id == second.customer_id
    assert third.customer_id != first.customer_id
    assert third.customer.name == "Geertje Jansen" and not third.customer.identities.exists()
    assert first.customer.identities.get().value == "geertje@example.nl"


# -- the conversation -----------------------------------------------------------------------


def test_a_chat_is_offered_accepted_and_the_customer_sees_the_reply(
    customer_client, tenant, chat_queue, anna_profile, agent_anna
):
    from symfonie.contacts.actions.interactions import do_add_message
    from symfonie.routing.commands import submit
    from symfonie.routing.models import Offer

    agent_anna.first_name = "Anna"
    agent_anna.save()
    available(agent_anna)
    contact, url, messages_url, _end = started(customer_client)
    assert (contact.channel, contact.direction, contact.state) == ("webchat", "in", "offered")

    page = customer_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for selector in (
        'id="messages"',
        'id="chat-input"',
        'id="chat-send"',
        'id="chat-status"',
        'id="chat-end"',
        'data-author="customer"',
    ):
        assert selector in html
    assert "Mijn kraan lekt" in html

    data = poll(customer_client, messages_url)
    assert data["state"] == "offered" and data["position"] == 1 and data["agent"] is None
    assert [(m["author"], m["body"]) for m in data["messages"]] == [("customer", "Mijn kraan lekt")]
    first_id = data["messages"][0]["id"]

    offer = Offer.objects.get(contact=contact)
    submit("accept", {"offer_id": offer.offer_id, "agent": agent_anna.pk})
    contact.refresh_from_db()
    do_add_message(contact, author="agent", body="Ik kijk het na", author_user=agent_anna)

    data = poll(customer_client, messages_url, after=first_id)
    assert data["state"] == "active" and data["position"] is None and data["agent"] == "Anna"
    assert [(m["author"], m["body"]) for m in data["messages"]] == [("agent", "Ik kijk het na")]
    assert "anna@example.nl" not in json.dumps(data)  # the customer never sees the address
    assert "Anna" in customer_client.get(url).content.decode()

    assert send(customer_client, messages_url, "Dank je").status_code == 201
    # the agent ends it: wrap-up starts and the customer can no longer write
    submit("end", {"contact": contact.pk})
    assert poll(customer_client, messages_url)["state"] == "wrap_up"
    assert send(customer_client, messages_url, "Nog iets").status_code == 409


def test_the_position_counts_the_contacts_ahead_in_the_same_queue(
    tenant, chat_queue, customer_client
):
    urls = [started(Client(), question=f"Vraag {i}")[2] for i in range(3)]
    assert [poll(customer_client, u)["position"] for u in urls] == [1, 2, 3]
    assert poll(customer_client, urls[0])["state"] == "queued"


def test_a_retried_send_stores_one_message(customer_client, tenant, chat_queue):
    from symfonie.contacts.models import Message

    contact, _url, messages_url, _end = started(customer_client)
    key = str(uuid.uuid4())
    first = send(customer_client, messages_url, "Hallo?", key)
    again = send(customer_client, messages_url, "Hallo?", key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["message"] == again.json()["message"]
    assert contact.messages.filter(body="Hallo?").count() == 1
    assert Message.objects.get(body="Hallo?").external_id == f"webchat:{key}"


def test_a_client_message_id_of_another_chat_is_refused(customer_client, tenant, chat_queue):
    _c1, _u1, first_url, _e1 = started(customer_client, question="Eerste")
    other, _u2, second_url, _e2 = started(customer_client, question="Tweede")
    key = str(uuid.uuid4())
    assert send(customer_client, first_url, "Van de eerste", key).status_code == 201
    response = send(customer_client, second_url, "Kaping", key)
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "client_message_id"
    assert not other.messages.filter(body__in=["Van de eerste", "Kaping"]).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": 5}, "body"),
        ({"body": "hoi", "client_message_id": "geen-uuid"}, "client_message_id"),
        ({"body": "hoi", "client_message_id": None}, "client_message_id"),
    ],
)
def test_a_bad_message_is_a_422_problem_naming_the_field(
    customer_client, tenant, chat_queue, payload, field
):
    contact, _url, messages_url, _end = started(customer_client)
    payload = {"client_message_id": str(uuid.uuid4()), **payload}
    response = customer_client.post(
        messages_url, json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field
    assert contact.messages.count() == 1  # only the question


def test_malformed_json_and_a_bad_after_are_4xx(customer_client, tenant, chat_queue):
    _contact, _url, messages_url, _end = started(customer_client)
    response = customer_client.post(messages_url, "{not json", content_type="application/json")
    assert response.status_code == 400
    response = customer_client.post(messages_url, "[1]", content_type="application/json")
    assert response.status_code == 400
    response = customer_client.get(messages_url, {"after": "-1"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "after"


def test_a_bad_token_is_a_404(customer_client, tenant, chat_queue, other_tenant):
    from symfonie.connectors.webchat.conversation import token_for
    from symfonie.routing.models import RoutingQueue

    contact, url, _messages, _end = started(customer_client)
    token = token_for(contact)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    bad = reverse("webchat:conversation", args=["woonstad", forged])
    assert customer_client.get(bad).status_code == 404
    assert customer_client.get(bad + "messages").status_code == 404
    assert send(customer_client, bad + "messages", "hoi").status_code == 404
    assert customer_client.post(bad + "end").status_code == 404
    # a valid token under another tenant's address finds nothing either
    RoutingQueue.objects.create(tenant=other_tenant, slug="chat", name="Chat", channel="chat")
    foreign = reverse("webchat:conversation", args=["ovregio", token])
    assert customer_client.get(foreign).status_code == 404
    assert customer_client.get(foreign + "messages").status_code == 404
    assert customer_client.get(url).status_code == 200


def test_ending_while_waiting_abandons_the_chat(customer_client, tenant, chat_queue):
    from symfonie.contacts.models import Contact

    contact, _url, messages_url, end_url = started(customer_client)
    assert Contact.objects.get(pk=contact.pk).state == "queued"
    response = customer_client.post(end_url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["state"] == "abandoned"
    assert Contact.objects.get(pk=contact.pk).state == "abandoned"
    response = send(customer_client, messages_url, "Toch nog")
    assert response.status_code == 409
    # ending again changes nothing; the plain form post returns to the page
    again = customer_client.post(end_url)
    assert again.status_code == 302 and again["Location"].endswith("/")
    assert "Toch nog" not in customer_client.get(again["Location"]).content.decode()


def test_ending_an_offered_chat_withdraws_the_offer(
    customer_client, tenant, chat_queue, anna_profile, agent_anna
):
    from symfonie.contacts.models import Contact
    from symfonie.routing.models import Offer

    available(agent_anna)
    contact, _url, _messages, end_url = started(customer_client)
    assert Offer.objects.filter(contact=contact).exists()
    customer_client.post(end_url, HTTP_ACCEPT="application/json")
    assert Contact.objects.get(pk=contact.pk).state == "abandoned"
    assert not Offer.objects.filter(contact=contact).exists()


def test_an_agent_without_the_skill_is_not_offered_the_chat(
    customer_client, tenant, chat_queue, skills, supervisor_bram
):
    make_profile(supervisor_bram, skills, reparaties=5)
    available(supervisor_bram)
    contact, *_ = started(customer_client)
    assert contact.state == "queued"
