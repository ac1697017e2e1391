"""The wallboard page and data.json: figures driven through the real router, access, TV mode."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import make_user
from tests.wallboard.helpers import agent_items, find, queue_rows

pytestmark = pytest.mark.django_db

BOARD = "/wallboard/"
DATA = "/wallboard/data.json"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def new_chat(customer):
    from symfonie.contacts.actions.interactions import do_create_contact

    return do_create_contact(customer, channel="webchat")


@pytest.fixture
def busy_day(tenant, chat_queue, anna_profile, customer):
    """One chat handled by Anna (offered, accepted, ended, wrapped up), then one abandoned while
    waiting (Anna offline), then one still waiting."""
    from symfonie.contacts.models import Contact
    from symfonie.routing.commands import queue_contact, submit
    from symfonie.routing.models import Offer

    submit("presence", {"agent": anna_profile.user_id, "presence": "available"})
    handled = new_chat(customer)
    queue_contact(handled, chat_queue)
    offer = Offer.objects.get(contact=handled)
    submit("accept", {"offer_id": offer.offer_id, "agent": anna_profile.user_id})
    submit("end", {"contact": handled.pk})
    submit("wrap_up_done", {"contact": handled.pk})
    assert Contact.objects.get(pk=handled.pk).state == "closed"

    submit("presence", {"agent": anna_profile.user_id, "presence": "offline"})
    gave_up = new_chat(customer)
    queue_contact(gave_up, chat_queue)
    assert Contact.objects.get(pk=gave_up.pk).state == "queued"
    submit("end", {"contact": gave_up.pk})
    assert Contact.objects.get(pk=gave_up.pk).state == "abandoned"

    waiting = new_chat(customer)
    queue_contact(waiting, chat_queue)
    return {"handled": handled, "abandoned": gave_up, "waiting": waiting}


def test_a_supervisor_sees_the_queue_figures_of_the_day(busy_day, supervisor_bram, agent_anna):
    response = signed_in(supervisor_bram).get(BOARD)
    assert response.status_code == 200
    assert "wallboard/board.html" in [t.name for t in response.templates]
    html = response.content.decode()
    rows = queue_rows(html)
    assert set(rows) == {"chat"}
    chat = rows["chat"]
    assert (chat["waiting"], chat["handled"], chat["abandoned"]) == ("1", "1", "1")
    # answered within 60 s: the handled chat; of answered + abandoned = 2 → 50 %, target 90 %
    assert (chat["sl"], chat["sl-status"], chat["target"]) == ("50 %", "red", "90 %")
    minutes, seconds = chat["longest"].split(":")  # the waiting chat, mm:ss counting up
    assert len(minutes) == 2 and len(seconds) == 2
    agents = agent_items(html)
    assert agents[agent_anna.pk]["group"] == "offline"
    assert agents[agent_anna.pk]["in-hand"] == "0"
    assert agents[supervisor_bram.pk]["group"] == "offline"  # no routing profile yet
    assert find(html, "script", id_="wallboard-data", type="application/json")
    assert find(html, "nav")  # the ordinary page keeps the navigation


def test_data_json_has_the_same_figures(busy_day, supervisor_bram, agent_anna):
    from symfonie.events.models import Event

    client = signed_in(supervisor_bram)
    page = queue_rows(client.get(BOARD).content.decode())
    response = client.get(DATA)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    (queue,) = data["queues"]
    assert queue["slug"] == "chat"
    assert (queue["waiting"], queue["handled"], queue["abandoned"]) == (1, 1, 1)
    assert queue["service_level"] == pytest.approx(0.5)
    assert (queue["service_level_target"], queue["sl_status"]) == (0.9, "red")
    assert queue["longest_wait_seconds"] >= 0
    assert str(queue["waiting"]) == page["chat"]["waiting"]
    assert str(queue["handled"]) == page["chat"]["handled"]
    assert str(queue["abandoned"]) == page["chat"]["abandoned"]
    assert f"{round(queue['service_level'] * 100)} %" == page["chat"]["sl"]
    agents = {a["user_id"]: a for a in data["agents"]}
    assert agents[agent_anna.pk]["presence"] == "offline"
    assert agents[agent_anna.pk]["skills"] == {"huur": 3}
    assert agents[supervisor_bram.pk]["since"] is None
    newest = Event.objects.filter(tenant=busy_day["handled"].tenant).order_by("-pk").first()
    assert data["last_event_id"] == newest.pk  # where the page's WebSocket resumes


def test_agents_in_hand_and_in_their_state(tenant, chat_queue, anna_profile, customer):
    from symfonie.routing.commands import queue_contact, submit
    from symfonie.routing.models import Offer

    bram = make_user("bram2@example.nl", tenant, "supervisor")
    submit("presence", {"agent": anna_profile.user_id, "presence": "available"})
    contact = new_chat(customer)
    queue_contact(contact, chat_queue)
    offer = Offer.objects.get(contact=contact)
    submit("accept", {"offer_id": offer.offer_id, "agent": anna_profile.user_id})
    data = signed_in(bram).get(DATA).json()
    (anna,) = [a for a in data["agents"] if a["user_id"] == anna_profile.user_id]
    assert anna["in_hand"] == 1
    assert anna["presence"] in ("available", "busy")  # two chats at once: one slot still free
    assert anna["seconds_in_state"] >= 0
    items = agent_items(signed_in(bram).get(BOARD).content.decode())
    assert items[anna_profile.user_id]["group"] == anna["presence"]
    assert items[anna_profile.user_id]["in-hand"] == "1"


def test_a_break_shows_its_reason(tenant, anna_profile, supervisor_bram):
    from symfonie.routing.commands import submit
    from symfonie.routing.models import BreakReason

    BreakReason.objects.create(tenant=tenant, code="lunch", name="Lunchpauze")
    submit("presence", {"agent": anna_profile.user_id, "presence": "break", "reason": "lunch"})
    html = signed_in(supervisor_bram).get(BOARD).content.decode()
    anna = agent_items(html)[anna_profile.user_id]
    assert (anna["group"], anna["reason"]) == ("break", "Lunchpauze")


@pytest.mark.parametrize("path", [BOARD, DATA, f"{BOARD}?tv=1"])
def test_agents_and_client_viewers_get_403(path, tenant, agent_anna):
    viewer = make_user("viewer@example.nl", tenant, "client-viewer")
    for user in (agent_anna, viewer):
        response = signed_in(user).get(path)
        assert response.status_code == 403
        if path == DATA:
            assert response.json()["status"] == 403
        else:
            assert "web/forbidden.html" in [t.name for t in response.templates]


def test_admins_may_see_the_board(tenant):
    admin = make_user("admin@example.nl", tenant, "admin")
    assert signed_in(admin).get(BOARD).status_code == 200
    assert signed_in(admin).get(DATA).status_code == 200


def test_signed_out_visitors_are_sent_to_the_login_or_get_401(tenant):
    response = Client().get(BOARD)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Client().get(DATA).status_code == 401


def test_another_tenants_supervisor_sees_only_their_own_queues(
    busy_day, outsider_olga, other_tenant
):
    from symfonie.routing.models import RoutingQueue

    RoutingQueue.objects.create(tenant=other_tenant, slug="bus", name="Bus", channel="chat")
    data = signed_in(outsider_olga).get(DATA).json()
    assert [q["slug"] for q in data["queues"]] == ["bus"]
    assert [a["user_id"] for a in data["agents"]] == [outsider_olga.pk]
    assert data["queues"][0]["handled"] == 0


def test_tv_mode_has_no_navigation_large_dark_and_a_full_screen_button(busy_day, supervisor_bram):
    response = signed_in(supervisor_bram).get(BOARD, {"tv": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "wallboard/tv.html" in [t.name for t in response.templates]
    assert "web/base.html" not in [t.name for t in response.templates]
    assert not find(html, "nav")
    assert not find(html, "header", class_="top")
    assert find(html, "body", class_="wallboard-tv")
    assert find(html, "button", id_="wb-fullscreen", type="button")
    assert not find(html, "form")  # a TV shows the board, nobody changes agents on it
    assert queue_rows(html)["chat"]["handled"] == "1"
    assert find(html, "script", src="/static/wallboard/wallboard.js")


def test_the_static_files_are_served(supervisor_bram):
    client = signed_in(supervisor_bram)
    for name in ("wallboard.js", "wallboard.css"):
        response = client.get(f"/static/wallboard/{name}")
        assert response.status_code == 200
        assert len(b"".join(response.streaming_content)) > 1000
