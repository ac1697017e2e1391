"""The report pages with the personas: dashboard, drill-down, exports, roles, weekly e-mail."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import make_user

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WEEK_10 = {"start": "2026-03-02", "end": "2026-03-08"}  # Monday–Sunday, ISO week 2026-W10
WEEK_09 = date(2026, 2, 23)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM).astimezone(UTC)


def _contact(tenant, customer, arrived, *, wait=None, answered=True, self_service=False,
             queue="service", channel="voice", agent=None, escalated=False, topics=(),
             csat=None):  # fmt: skip
    """A finished contact: answered after ``wait`` s (None: straight to an agent), abandoned
    after ``wait`` s, or ended in the menu."""
    from symfonie.contacts.models import Contact, Topic

    fields: dict = {"state": "closed"}
    if self_service:
        fields |= {"ended_in_self_service": True, "ended_at": arrived + timedelta(seconds=30)}
    elif answered:
        queued = None if wait is None else arrived + timedelta(seconds=10)
        answered_at = (queued or arrived) + timedelta(seconds=wait or 0)
        fields |= {
            "queued_at": queued,
            "answered_at": answered_at,
            "ended_at": answered_at + timedelta(seconds=200),
            "agent": agent,
            "escalated": escalated,
            "outcome": "escalated" if escalated else "resolved",
            "csat_score": csat,
        }
    else:
        queued = arrived + timedelta(seconds=10)
        fields |= {"state": "abandoned", "queued_at": queued,
                   "ended_at": queued + timedelta(seconds=wait)}  # fmt: skip
    contact = Contact.objects.create(
        tenant=tenant, customer=customer, channel=channel, direction="in", queue=queue,
        arrived_at=arrived, **fields,
    )  # fmt: skip
    for name in topics:
        topic, _ = Topic.objects.get_or_create(tenant=tenant, slug=name[:40] or "x",
                                               defaults={"name": name})  # fmt: skip
        contact.topics.add(topic)
    return contact


@pytest.fixture
def history(tenant, other_tenant, agent_anna):
    """Week 10: 5 answered (waits 0, 10, 20, 21, 45 s; 2 escalated), 2 abandoned (3 and 40 s),
    1 ended in the menu. Week 9: 4 answered (1 escalated), 1 abandoned. The other tenant: a
    busier week 10 that must never show up in the first tenant's figures."""
    from symfonie.contacts.models import Customer

    ann = Customer.objects.create(tenant=tenant, name="Ann de Wit")
    day = date(2026, 3, 2)
    for n, wait in enumerate([None, 10, 20, 21, 45]):
        _contact(tenant, ann if n % 2 == 0 else None, _at(day + timedelta(days=n), 9, 5 * n),
                 wait=wait, agent=agent_anna, escalated=n in (1, 4),
                 topics=["klacht"] if n in (1, 4) else ["huurachterstand"], csat=5 - n % 3)  # fmt: skip
    _contact(tenant, None, _at(day, 10), wait=3, answered=False)
    _contact(tenant, ann, _at(day + timedelta(days=2), 11), wait=40, answered=False)
    _contact(tenant, ann, _at(day + timedelta(days=3), 12), self_service=True)
    for n, wait in enumerate([5, 30, 50, 60]):
        _contact(tenant, ann, _at(WEEK_09 + timedelta(days=n), 14), wait=wait,
                 agent=agent_anna, escalated=n == 0, topics=["klacht"])  # fmt: skip
    _contact(tenant, None, _at(WEEK_09, 15), wait=20, answered=False)
    bob = Customer.objects.create(tenant=other_tenant, name="Bob Buiten")
    for n in range(30):
        _contact(other_tenant, bob, _at(day, 8, n), wait=n, escalated=n % 2 == 0)
    return ann


def _client(user, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


def _tile_counts(page: str) -> dict[str, tuple[int, str]]:
    """figure → (count, drill-down href) of the dashboard's tiles."""
    found = re.findall(r'<a href="([^"]+)" data-figure="(\w+)" data-count="(\d+)"', page)
    return {figure: (int(count), html.unescape(href)) for href, figure, count in found}


def _total(client: Client, href: str) -> int:
    response = client.get(href)
    assert response.status_code == 200, response.content.decode()[:500]
    return int(re.search(r'data-total="(\d+)"', response.content.decode())[1])


def test_supervisor_sees_the_dashboard_with_charts_and_figures(history, supervisor_bram):
    client = _client(supervisor_bram)
    response = client.get("/reports/", WEEK_10 | {"interval": "day"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") >= 4  # volumes, service level, channel mix, escalations, topics
    assert 'class="target"' in page  # the 80 % line on the service-level chart
    counts = _tile_counts(page)
    assert counts["offered"][0] == 7
    assert counts["answered"][0] == 5
    assert counts["abandoned"][0] == 2
    assert counts["within_threshold"][0] == 3  # waits 0, 10 and 20 s: T = 20 s is inclusive
    assert counts["escalated"][0] == 2
    # the headline (answered within T / answered = 3/5) and the previous week (1 of 4 within)
    assert "60,0 %" in page and "25,0 %" in page


@pytest.mark.parametrize(
    "figure",
    ["offered", "abandoned", "within_threshold", "answered", "escalated", "csat", "fcr_eligible",
     "repeat_contacts"],
)  # fmt: skip
def test_drill_down_count_equals_the_tile(history, supervisor_bram, figure):
    client = _client(supervisor_bram)
    page = client.get("/reports/", WEEK_10).content.decode()
    count, href = _tile_counts(page)[figure]
    assert _total(client, href) == count


def test_the_bars_of_an_interval_add_up_to_the_tile(history, supervisor_bram):
    client = _client(supervisor_bram)
    page = client.get("/reports/", WEEK_10 | {"interval": "60m"}).content.decode()
    offered = _tile_counts(page)["offered"][0]
    bars = {
        html.unescape(href)
        for href in re.findall(r'<a href="([^"]+)"><rect class="s-(?:answered|abandoned)', page)
    }
    assert bars and all("bucket_start" in href for href in bars)
    assert sum(_total(client, href) for href in bars) == offered  # no one still waiting here


def test_xlsx_export_opens_and_has_a_row_per_day_and_a_total(history, supervisor_bram):
    from openpyxl import load_workbook

    response = _client(supervisor_bram).get("/reports/export.xlsx", WEEK_10 | {"interval": "day"})
    assert response.status_code == 200
    assert "woonstad" in response["Content-Disposition"]
    assert "2026-03-02-2026-03-08.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["kpis"].iter_rows(values_only=True))
    header, days, total = rows[0], rows[1:-1], rows[-1]
    offered = header.index("offered")
    assert len(days) == 7
    assert [row[offered] for row in days] == [2, 1, 2, 1, 1, 0, 0]
    assert total[offered] == 7
    assert total[header.index("answered_within_threshold")] == 3
    assert dict(book["about"].iter_rows(values_only=True))["tenant"] == "woonstad"


def test_csv_export_has_the_same_figures(history, supervisor_bram):
    response = _client(supervisor_bram).get("/reports/export.csv", WEEK_10 | {"interval": "week"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["offered"] for row in rows] == ["7", "7"]  # the week, then the total
    assert rows[0]["start"].startswith("2026-03-02T00:00:00+01:00")
    assert rows[-1]["service_level_answered"] == "0.6"


def test_drill_down_exports_list_the_contacts(history, supervisor_bram):
    from openpyxl import load_workbook

    client = _client(supervisor_bram)
    query = WEEK_10 | {"figure": "abandoned"}
    rows = list(csv.DictReader(io.StringIO(
        client.get("/reports/contacts/export.csv", query).content.decode()
    )))  # fmt: skip
    assert sorted(float(row["wait_seconds"]) for row in rows) == [3.0, 40.0]
    response = client.get("/reports/contacts/export.xlsx", query)
    assert "contacts-abandoned" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["contacts"]
    assert sheet.max_row == 3  # header + 2 contacts


def test_a_formula_in_a_customer_name_is_exported_as_text(tenant, supervisor_bram):
    from symfonie.contacts.models import Customer

    evil = Customer.objects.create(tenant=tenant, name='=HYPERLINK("http://x")')
    _contact(tenant, evil, _at(date(2026, 3, 2), 9), wait=5)
    response = _client(supervisor_bram).get("/reports/contacts/export.csv", WEEK_10)
    assert "'=HYPERLINK" in response.content.decode()


def test_client_viewer_sees_only_its_own_tenant_and_no_customer_pages(
    history, tenant, other_tenant, outsider_olga
):
    from symfonie.contacts.models import Contact, CustomerMerge

    viewer = make_user("rapportage@woonstad.example", tenant, "client-viewer")
    client = _client(viewer)
    page = client.get("/reports/", WEEK_10).content.decode()
    assert _tile_counts(page)["offered"][0] == 7  # not the other tenant's 30
    drill = client.get("/reports/contacts/", WEEK_10 | {"figure": "contacts"}).content.decode()
    shown = {int(pk) for pk in re.findall(r'data-contact="(\d+)"', drill)}
    assert shown == set(Contact.objects.filter(tenant=tenant, arrived_at__gte=_at(date(2026, 3, 2), 0)).values_list("pk", flat=True))  # fmt: skip
    assert "Ann de Wit" in drill and "/customers/" not in drill
    # another tenant's agent id, wherever it is passed: not found
    for url in ("/reports/", "/reports/contacts/", "/reports/export.csv", "/reports/escalations/"):
        assert client.get(url, WEEK_10 | {"agent": outsider_olga.pk}).status_code == 404
    # staff pages refuse a client viewer; the home page sends it to the reports
    assert client.get(f"/customers/{history.pk}/").status_code == 403
    assert client.get("/merges/").status_code == 403
    assert client.get("/merges/suggestions/").status_code == 403
    assert client.get("/").url == "/reports/"
    assert not CustomerMerge.objects.exists()
    assert "Ann de Wit" not in client.get("/?q=Ann").content.decode()


def test_the_other_tenants_supervisor_sees_its_own_figures(history, outsider_olga):
    page = _client(outsider_olga).get("/reports/", WEEK_10).content.decode()
    assert _tile_counts(page)["offered"][0] == 30


def test_agents_may_not_see_reports(history, agent_anna):
    client = _client(agent_anna)
    for url in ("/reports/", "/reports/contacts/", "/reports/export.xlsx", "/reports/escalations/",
                "/reports/contacts/export.csv"):  # fmt: skip
        assert client.get(url, WEEK_10).status_code == 403
    assert "/reports/" not in client.get("/merges/").content.decode()  # no link in the nav


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-03-08", "end": "2026-03-02"}, "before the start date"),
        ({"start": "8 maart"}, "Enter a valid date"),
        ({"start": "0001-01-01"}, "Choose a date between"),
        ({"interval": "7m"}, "Select a valid choice"),
        ({"start": "2025-01-01", "end": "2026-03-01", "interval": "15m"}, "Too many intervals"),
        ({"agent": "abc"}, "Enter a whole number"),
    ],
)
def test_bad_query_input_is_a_message_not_a_500(history, supervisor_bram, query, message):
    response = _client(supervisor_bram, "en").get("/reports/", query)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert 'name="start"' in response.content.decode()  # the filter, to correct it


@pytest.mark.parametrize(
    "query",
    [{"figure": "nonsense"}, {"figure": "offered", "bucket_start": "gisteren"},
     {"order": "random"}, {"end": "2026-02-30"}],
)  # fmt: skip
def test_bad_drill_down_input_is_422(history, supervisor_bram, query):
    for url in ("/reports/contacts/", "/reports/contacts/export.xlsx"):
        assert _client(supervisor_bram).get(url, WEEK_10 | query).status_code == 422


def test_the_escalation_report_counts_per_week_and_answers_the_question(history, supervisor_bram):
    client = _client(supervisor_bram, "en")
    response = client.get("/reports/escalations/", {"start": "2026-02-23", "end": "2026-03-08"})
    assert response.status_code == 200
    page = response.content.decode()
    weeks = dict(re.findall(r'data-week="([\d-]+)" data-escalations="(\d+)"', page))
    assert weeks == {"2026-02-23": "1", "2026-03-02": "2"}
    # 2 of 5 (40 %) against 1 of 4 (25 %)
    assert "Yes: in week 10" in page and "2 of 5 answered conversations escalated" in page
    assert "klacht</a> (2)" in page


def test_topics_are_escaped_in_the_charts(tenant, supervisor_bram):
    from symfonie.contacts.models import Customer

    customer = Customer.objects.create(tenant=tenant, name="X")
    _contact(
        tenant, customer, _at(date(2026, 3, 2), 9), wait=5, topics=["<script>alert(1)</script>"]
    )
    page = _client(supervisor_bram).get("/reports/", WEEK_10).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


def test_weekly_report_mail_goes_to_report_roles_with_the_weeks_figures(
    history, tenant, supervisor_bram, agent_anna, outsider_olga
):
    from symfonie.reporting.weekly import send_weekly_reports

    viewer = make_user("rapportage@woonstad.example", tenant, "client-viewer")
    admin = make_user("beheer@woonstad.example", tenant, "admin")
    sent = send_weekly_reports(
        datetime(2026, 3, 11, 8, tzinfo=UTC), tenant_slug="woonstad"
    )  # last week on Wednesday 11 March is week 10
    assert [(t.slug, monday, n) for t, monday, n in sent] == [("woonstad", date(2026, 3, 2), 3)]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [viewer.email, admin.email, supervisor_bram.email]
    )
    message = mail.outbox[0]
    assert "week 10" in message.subject
    body = message.body
    # Dutch by default: this week, the week before and the change
    assert "Aangeboden: 7 (week ervoor: 5, +2 (+40,0 %))" in body
    assert "Escalaties: 2 (week ervoor: 1" in body
    html_part, kind = message.alternatives[0]
    assert kind == "text/html" and "<table" in html_part


def test_weekly_report_command_and_task(history, supervisor_bram, capsys):
    from symfonie.cli import main
    from symfonie.reporting.tasks import send_weekly_report_mails

    assert main(["report", "weekly", "--tenant", "woonstad", "--week", "2026-W09"]) == 0
    assert "woonstad 2026-W09: 1 e-mail(s) sent" in capsys.readouterr().out
    assert "Aangeboden: 5 (week ervoor: 0" in mail.outbox[0].body
    assert send_weekly_report_mails.call(week="2026-W10", tenant="woonstad") == 1
    assert main(["report", "weekly", "--week", "2026-W99"]) == 2
    assert main(["report", "weekly", "--tenant", "nope"]) == 2


def test_an_empty_tenant_shows_empty_charts_not_errors(tenant, supervisor_bram):
    from symfonie.reporting.weekly import build_weekly_report

    client = _client(supervisor_bram)
    for url in ("/reports/", "/reports/escalations/", "/reports/contacts/", "/reports/export.xlsx"):
        assert client.get(url).status_code == 200
    assert "Geen contacten in deze periode." in client.get("/reports/").content.decode()
    assert "Aangeboden: 0" in build_weekly_report(tenant, date(2026, 3, 2)).text


def test_charts_escape_text_and_link_bars():
    from symfonie.reporting import charts

    assert [charts.nice_ceiling(v) for v in (0, 0.7, 3, 13, 26, 80)] == [1, 1, 5, 20, 50, 100]
    svg = charts.stacked_bars(
        "Volumes <b>",
        [charts.Series("answered", 'a"b')],
        [charts.Point("09:00", "<i>", (3,), ("/reports/contacts/?a=1&b=2",))],
    )
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "a&quot;b" in svg
    assert '<a href="/reports/contacts/?a=1&amp;b=2"><rect class="s-answered"' in svg


def test_a_range_too_large_for_contact_figures_keeps_the_tallied_ones(
    history, supervisor_bram, monkeypatch
):
    from symfonie.reporting import dashboard

    monkeypatch.setattr(dashboard, "CONTACT_FIGURES_LIMIT", 5)
    page = _client(supervisor_bram).get("/reports/", WEEK_10 | {"interval": "day"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="limited"' in text
    counts = _tile_counts(text)
    assert (counts["offered"][0], counts["answered"][0], counts["escalated"][0]) == (7, 5, 2)
    assert "Telefoon" in text or "telefoon" in text  # the channel mix from the tallies
