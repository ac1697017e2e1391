"""A supervisor changes an agent's state and skills from the board; the router agrees."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import make_user
from tests.wallboard.helpers import agent_items

pytestmark = pytest.mark.django_db


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def presence_url(user_id: int) -> str:
    return f"/wallboard/agents/{user_id}/presence/"


def skills_url(user_id: int) -> str:
    return f"/wallboard/agents/{user_id}/skills/"


def flashes(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def profile(user):
    from symfonie.routing.models import AgentProfile

    return AgentProfile.objects.get(user=user)


def levels(user) -> dict[str, int]:
    from symfonie.routing.models import AgentSkill

    rows = AgentSkill.objects.filter(agent__user=user).values_list("skill__code", "proficiency")
    return dict(rows)


def new_chat(customer):
    from symfonie.contacts.actions.interactions import do_create_contact

    return do_create_contact(customer, channel="webchat")


def test_a_supervisor_sets_an_agent_available_and_the_router_offers_her_a_chat(
    tenant, chat_queue, anna_profile, supervisor_bram, customer
):
    from symfonie.routing.commands import queue_contact
    from symfonie.routing.models import Offer

    client = signed_in(supervisor_bram)
    response = client.post(presence_url(anna_profile.user_id), {"presence": "available"})
    assert response.status_code == 302
    assert response["Location"] == f"/wallboard/#agent-{anna_profile.user_id}"
    assert profile(anna_profile.user).presence == "available"
    contact = new_chat(customer)
    queue_contact(contact, chat_queue)
    assert Offer.objects.get(contact=contact).agent_id == anna_profile.pk  # the router agrees

    page = client.get("/wallboard/")
    assert [level for level, _text in flashes(page)] == ["success"]
    assert agent_items(page.content.decode())[anna_profile.user_id]["group"] == "available"


def test_break_with_a_reason_then_offline(tenant, anna_profile, supervisor_bram):
    from symfonie.routing.models import BreakReason

    BreakReason.objects.create(tenant=tenant, code="lunch", name="Lunch")
    client = signed_in(supervisor_bram)
    client.post(presence_url(anna_profile.user_id), {"presence": "break", "reason": "lunch"})
    anna = profile(anna_profile.user)
    assert (anna.presence, anna.presence_reason) == ("break", "lunch")
    client.post(presence_url(anna_profile.user_id), {"presence": "offline", "reason": "lunch"})
    anna = profile(anna_profile.user)
    assert (anna.presence, anna.presence_reason) == ("offline", "")


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        ({"presence": "break"}, "a break needs a reason"),
        ({"presence": "break", "reason": "golf"}, "reason must be one of lunch"),
        ({"presence": "busy"}, "presence must be one of"),
        ({}, "presence must be one of"),
    ],
)
def test_a_refused_state_is_an_error_message_and_changes_nothing(
    data, detail, tenant, anna_profile, supervisor_bram
):
    from symfonie.routing.models import BreakReason

    BreakReason.objects.create(tenant=tenant, code="lunch", name="Lunch")
    response = signed_in(supervisor_bram).post(
        presence_url(anna_profile.user_id), data, follow=True
    )
    assert response.status_code == 200
    ((level, text),) = flashes(response)
    assert level == "error" and detail in text and "anna@example.nl" in text
    assert profile(anna_profile.user).presence == "offline"


def test_a_free_text_break_reason_longer_than_the_column_is_refused(
    tenant, anna_profile, supervisor_bram
):
    client = signed_in(supervisor_bram)
    data = {"presence": "break", "reason": "x" * 65}
    response = client.post(presence_url(anna_profile.user_id), data, follow=True)
    ((level, text),) = flashes(response)
    assert level == "error" and "64" in text
    assert profile(anna_profile.user).presence == "offline"
    client.post(presence_url(anna_profile.user_id), {**data, "reason": "x" * 64})
    anna = profile(anna_profile.user)
    assert (anna.presence, anna.presence_reason) == ("break", "x" * 64)


def test_a_supervisor_sets_skills_and_the_router_routes_by_them(
    tenant, chat_queue, anna_profile, supervisor_bram, customer
):
    from symfonie.routing.commands import queue_contact, submit
    from symfonie.routing.models import Offer

    client = signed_in(supervisor_bram)
    response = client.post(
        skills_url(anna_profile.user_id), {"skill.huur": "0", "skill.reparaties": "4"}
    )
    assert response.status_code == 302
    assert levels(anna_profile.user) == {"reparaties": 4}
    # the chat queue needs huur ≥ 2: an available Anna without it is not offered the chat
    submit("presence", {"agent": anna_profile.user_id, "presence": "available"})
    contact = new_chat(customer)
    queue_contact(contact, chat_queue)
    assert not Offer.objects.filter(contact=contact).exists()

    client.post(skills_url(anna_profile.user_id), {"skill.huur": "2", "skill.reparaties": "4"})
    assert levels(anna_profile.user) == {"huur": 2, "reparaties": 4}
    assert Offer.objects.get(contact=contact).agent_id == anna_profile.pk

    data = client.get("/wallboard/data.json").json()
    (anna,) = [a for a in data["agents"] if a["user_id"] == anna_profile.user_id]
    assert anna["skills"] == {"huur": 2, "reparaties": 4}


def test_skills_for_an_agent_without_a_profile_make_one(tenant, skills, supervisor_bram):
    carla = make_user("carla@example.nl", tenant, "agent")
    signed_in(supervisor_bram).post(skills_url(carla.pk), {"skill.huur": "5"})
    assert levels(carla) == {"huur": 5}


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        ({"skill.golf": "3"}, "unknown skill 'golf'"),
        ({"skill.huur": "9"}, "a level is 1–5, or 0 to remove"),
        ({"skill.huur": "-1"}, "a level is 1–5, or 0 to remove"),
        ({"skill.huur": "drie"}, "geheel getal"),
    ],
)
def test_a_refused_skill_is_an_error_message_and_changes_nothing(
    data, detail, tenant, anna_profile, supervisor_bram
):
    response = signed_in(supervisor_bram).post(skills_url(anna_profile.user_id), data, follow=True)
    assert response.status_code == 200
    ((level, text),) = flashes(response)
    assert level == "error" and detail in text
    assert levels(anna_profile.user) == {"huur": 3}


def test_another_tenants_agent_is_not_found(
    tenant, anna_profile, supervisor_bram, outsider_olga, other_tenant
):
    ov_agent = make_user("piet@example.nl", other_tenant, "agent")
    bram = signed_in(supervisor_bram)
    olga = signed_in(outsider_olga)
    cases = [(bram, ov_agent.pk), (olga, anna_profile.user_id), (bram, 999999), (bram, 2**64)]
    for client, user_id in cases:
        assert client.post(presence_url(user_id), {"presence": "available"}).status_code == 404
        assert client.post(skills_url(user_id), {"skill.huur": "1"}).status_code == 404
    assert profile(anna_profile.user).presence == "offline"
    assert levels(anna_profile.user) == {"huur": 3}


def test_an_admin_is_not_an_agent_here(tenant, supervisor_bram):
    admin = make_user("admin@example.nl", tenant, "admin")
    response = signed_in(supervisor_bram).post(presence_url(admin.pk), {"presence": "available"})
    assert response.status_code == 404


def test_agents_may_not_use_the_forms(tenant, anna_profile, agent_anna):
    colleague = make_user("cees@example.nl", tenant, "agent")
    client = signed_in(agent_anna)
    for user_id in (colleague.pk, agent_anna.pk):
        assert client.post(presence_url(user_id), {"presence": "available"}).status_code == 403
        assert client.post(skills_url(user_id), {"skill.huur": "5"}).status_code == 403
    assert levels(agent_anna) == {"huur": 3}
    assert profile(agent_anna).presence == "offline"


def test_the_forms_need_post_and_the_csrf_token(tenant, anna_profile, supervisor_bram):
    assert signed_in(supervisor_bram).get(presence_url(anna_profile.user_id)).status_code == 405
    strict = signed_in(supervisor_bram, enforce_csrf_checks=True)
    response = strict.post(presence_url(anna_profile.user_id), {"presence": "available"})
    assert response.status_code == 403
    assert profile(anna_profile.user).presence == "offline"
    # with the token the board's form carries, it works
    page = strict.get("/wallboard/")
    token = page.context["csrf_token"]
    response = strict.post(
        presence_url(anna_profile.user_id),
        {"presence": "available", "csrfmiddlewaretoken": str(token)},
    )
    assert response.status_code == 302
    assert profile(anna_profile.user).presence == "available"
