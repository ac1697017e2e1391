"""The pages: sign-in with throttling, the customer timeline, merge review and undo."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.test import Client

from symfonie.contacts.actions.customers import do_create_customer
from symfonie.contacts.actions.interactions import do_create_contact
from symfonie.contacts.models import Customer, CustomerMerge, MergeSuggestion
from symfonie.tenants.models import AuditRecord

CHANNELS = ["letter", "voice", "webchat", "email", "whatsapp", "webform", "sms"]


def test_login_page_signs_in_and_throttles(supervisor_bram):
    client = Client()
    assert client.get("/login/").status_code == 200
    ok = client.post(
        "/login/", {"username": "bram@example.nl", "password": "correct horse battery"}
    )
    assert ok.status_code == 302
    other = Client()
    for _ in range(5):
        other.post("/login/", {"username": "bram@example.nl", "password": "fout"})
    locked = other.post(
        "/login/", {"username": "bram@example.nl", "password": "correct horse battery"}
    )
    assert locked.status_code == 429


def test_pages_require_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_customer_page_shows_every_channel_in_time_order_and_is_audited(tenant, agent_anna):
    customer = do_create_customer(tenant, name="Truus Jansen", identities=[("phone", "0612345678")])
    for day, channel in enumerate(CHANNELS, start=1):
        do_create_contact(
            customer, channel=channel, arrived_at=datetime(2026, 10, day, 9, tzinfo=UTC)
        )
    client = Client()
    client.force_login(agent_anna)
    response = client.get(f"/customers/{customer.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    shown = re.findall(r'data-channel="(\w+)"', html)
    assert shown == list(reversed(CHANNELS))  # newest first
    assert (
        AuditRecord.objects.filter(
            action="timeline.view", actor=agent_anna, subject_id=customer.pk
        ).count()
        == 1
    )


def test_the_dutch_interface_is_the_default(agent_anna):
    client = Client()
    client.force_login(agent_anna)
    assert "Klant zoeken" in client.get("/").content.decode()


def test_merge_suggestion_merge_and_undo_in_the_ui(tenant, supervisor_bram):
    a = do_create_customer(tenant, name="Jan de Vries", identities=[("postal", "1234AB, 1")])
    b = do_create_customer(tenant, name="Jan de Vries", identities=[("postal", "1234AB, 9")])
    suggestion = MergeSuggestion.objects.get()
    client = Client()
    client.force_login(supervisor_bram)
    assert "Jan de Vries" in client.get("/merges/suggestions/").content.decode()
    response = client.post(
        f"/merges/suggestions/{suggestion.pk}/",
        {"action": "merge", "target_id": b.pk, "reason": "zelfde adres"},
    )
    merge = CustomerMerge.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/merges/{merge.pk}/"
    assert not Customer.objects.get(pk=a.pk).is_active
    page = client.get(f"/merges/{merge.pk}/").content.decode()
    assert "zelfde adres" in page
    client.post(f"/merges/{merge.pk}/", {"reason": "twee personen"})
    assert Customer.objects.get(pk=a.pk).is_active
    trail = list(
        AuditRecord.objects.filter(subject_type="merge")
        .order_by("id")
        .values_list("action", "reason")
    )
    assert trail == [("customer.merge", "zelfde adres"), ("customer.unmerge", "twee personen")]


def test_agents_cannot_merge_in_the_ui(tenant, agent_anna):
    do_create_customer(tenant, name="Jan", identities=[("email", "jan+a@voorbeeld.nl")])
    b = do_create_customer(tenant, name="Jan", identities=[("email", "jan@voorbeeld.nl")])
    suggestion = MergeSuggestion.objects.get()
    client = Client()
    client.force_login(agent_anna)
    response = client.post(
        f"/merges/suggestions/{suggestion.pk}/",
        {"action": "merge", "target_id": b.pk, "reason": "x"},
    )
    assert not CustomerMerge.objects.exists()
    assert response.status_code == 200
    assert "supervisors" in response.content.decode()


def test_another_tenants_customer_is_404(tenant, outsider_olga):
    customer = do_create_customer(tenant, name="Jan")
    client = Client()
    client.force_login(outsider_olga)
    assert client.get(f"/customers/{customer.pk}/").status_code == 404


def test_dutch_even_for_an_english_browser_until_english_is_chosen(agent_anna):
    client = Client(headers={"Accept-Language": "en-US,en;q=0.9"})
    client.force_login(agent_anna)
    assert "Klant zoeken" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Find a customer" in client.get("/").content.decode()


def test_home_lists_anonymous_contacts_without_a_customer_link(tenant, agent_anna):
    from symfonie.contacts.models import Contact

    Contact.objects.create(
        tenant=tenant, channel="voice", direction="in", queue="PS", state="closed",
        arrived_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )  # fmt: skip
    client = Client()
    client.force_login(agent_anna)
    response = client.get("/")
    assert response.status_code == 200
    assert "anoniem" in response.content.decode()
