"""The workspace page: what an agent at work sees, who may open it, the status switch's errors."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import make_user
from tests.workspace.conftest import signed_in

pytestmark = pytest.mark.django_db


def embedded(html: str, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, f"#{element_id} is missing"
    return json.loads(match.group(1))


def test_an_agent_at_work_sees_the_offer_her_tabs_and_the_live_position(
    tenant, agent_anna, anna_at_work
):
    from symfonie.events.models import Event

    response = signed_in(agent_anna).get("/werkplek/")
    assert response.status_code == 200
    html = response.content.decode()

    talking, finishing = anna_at_work["talking"], anna_at_work["finishing"]
    offer = anna_at_work["offer"]
    offer_card = re.search(r'<section id="offer"[^>]*>', html).group(0)
    assert "hidden" not in offer_card and f'data-offer-id="{offer.offer_id}"' in offer_card
    assert 'data-action="accept"' in html and 'data-action="decline"' in html
    assert "Geertje Jansen" in html

    tabs = re.findall(r'<button type="button" class="tab"[^>]*data-contact-id="(\d+)"', html)
    assert tabs == [str(talking.pk), str(finishing.pk)]  # answered first, first
    panes = dict(re.findall(r'data-contact-id="(\d+)" data-state="(\w+)"', html))
    assert panes[str(talking.pk)] == "active" and panes[str(finishing.pk)] == "wrap_up"
    wrap_up_forms = re.findall(r'<form class="wrap-up" novalidate( hidden)?>', html)
    assert wrap_up_forms == [" hidden", ""]  # shown for the contact in wrap-up only
    assert re.search(r'class="message message-customer" data-author="customer"', html)
    assert "Mijn verwarming doet het niet" in html

    state = embedded(html, "workspace-state")
    assert state["presence"] == "available" and state["offer"]["offer_id"] == offer.offer_id
    assert state["offer"]["customer_name"] == "Geertje Jansen"
    assert [c["id"] for c in state["contacts"]] == [talking.pk, finishing.pk]
    config = embedded(html, "workspace-config")
    newest = Event.objects.filter(tenant=tenant).order_by("-id").values_list("id", flat=True)[0]
    assert config["last_event_id"] == newest and config["user_id"] == agent_anna.pk


def test_an_empty_workspace_renders_without_offer_or_tabs(agent_anna):
    response = signed_in(agent_anna).get("/werkplek/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<section id="offer"[^>]* hidden', html)
    assert 'class="tab"' not in html
    assert embedded(html, "workspace-config")["last_event_id"] == 0
    assert embedded(html, "workspace-state")["presence"] == "offline"


def test_break_reasons_of_the_tenant_are_offered(tenant, agent_anna, other_tenant):
    from symfonie.routing.models import BreakReason

    BreakReason.objects.create(tenant=tenant, code="lunch", name="Lunchpauze")
    BreakReason.objects.create(tenant=other_tenant, code="roken", name="Rookpauze")
    html = signed_in(agent_anna).get("/werkplek/").content.decode()
    assert '<select name="reason" id="break-reason"' in html
    assert "Lunchpauze" in html and "Rookpauze" not in html


def test_a_client_viewer_and_an_anonymous_visitor_are_kept_out(tenant, client):
    viewer = make_user("carla@example.nl", tenant, "client-viewer")
    assert signed_in(viewer).get("/werkplek/").status_code == 403
    assert signed_in(viewer).get("/werkplek/state/").status_code == 403
    response = client.get("/werkplek/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_supervisors_and_admins_may_open_it(tenant, supervisor_bram):
    admin = make_user("ada@example.nl", tenant, "admin")
    assert signed_in(supervisor_bram).get("/werkplek/").status_code == 200
    assert signed_in(admin).get("/werkplek/").status_code == 200


def test_the_status_switch_form_changes_presence(agent_anna, anna_profile):
    from symfonie.routing.models import AgentProfile

    response = signed_in(agent_anna).post("/werkplek/presence/", {"presence": "available"})
    assert response.status_code == 302 and response["Location"] == "/werkplek/"
    assert AgentProfile.objects.get(pk=anna_profile.pk).presence == "available"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"presence": "break", "reason": ""}, "a break needs a reason"),
        ({"presence": "dancing"}, "presence must be one of available, break, offline"),
        ({"presence": "break", "reason": "roken"}, "reason must be one of lunch"),
    ],
)
def test_a_refused_status_change_shows_the_reason(tenant, agent_anna, anna_profile, form, message):
    from symfonie.routing.models import AgentProfile, BreakReason

    BreakReason.objects.create(tenant=tenant, code="lunch", name="Lunch")
    response = signed_in(agent_anna).post("/werkplek/presence/", form)
    assert response.status_code == 422
    assert re.search(rf'<p class="flash error">{re.escape(message)}</p>', response.content.decode())
    assert AgentProfile.objects.get(pk=anna_profile.pk).presence == "offline"


def test_the_state_view_follows_the_router(agent_anna, anna_at_work):
    from symfonie.routing.commands import submit

    client = signed_in(agent_anna)
    before = client.get("/werkplek/state/").json()
    assert before["offer"]["contact_id"] == anna_at_work["offered"].pk
    submit("decline", {"offer_id": anna_at_work["offer"].offer_id, "agent": agent_anna.pk})
    submit("wrap_up_done", {"contact": anna_at_work["finishing"].pk})
    after = client.get("/werkplek/state/").json()
    assert [c["id"] for c in after["contacts"]] == [anna_at_work["talking"].pk]
    assert after["offer"] is None or after["offer"]["offer_id"] != before["offer"]["offer_id"]
