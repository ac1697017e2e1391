"""The planner pages with the personas: planner, schedule, exports, what-if, intraday, roles.

The history is built here, contact by contact, so its volumes are known by construction: three
weeks of weekdays with 2 telephone contacts in every half hour from 08:00 to 14:00, each handled
in 240 s. The plan covers one day with three agents and a short solver limit; the tests read
the schedule from the page's context (the planner's result), never from timings.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import make_user

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HISTORY_END = date(2026, 3, 8)  # a Sunday: the plan is Monday 9 March 2026
PLAN_DAY = date(2026, 3, 9)
QUEUE = "service"
PARAMS = {
    "queue": QUEUE,
    "history_end": HISTORY_END.isoformat(),
    "history_weeks": "3",
    "horizon_days": "1",
    "office_seats": "1",
    "home_share": "50",
    "max_seconds": "5",
}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM).astimezone(UTC)


def _contact(tenant, arrived: datetime, *, wait_seconds: float = 5.0, queue: str = QUEUE):
    from symfonie.contacts.models import Contact

    answered = arrived + timedelta(seconds=wait_seconds)
    return Contact(
        tenant=tenant, channel="voice", direction="in", queue=queue, state="closed",
        outcome="resolved", arrived_at=arrived, queued_at=arrived, offered_at=arrived,
        answered_at=answered, ended_at=answered + timedelta(seconds=240),
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # plans are cached per tenant and settings; every test starts cold
    yield
    cache.clear()


@pytest.fixture
def history(tenant):
    """Weekdays of the three weeks up to HISTORY_END: 2 contacts per half hour, 08:00–14:00."""
    from symfonie.contacts.models import Contact

    rows = []
    for offset in range(21):
        day = HISTORY_END - timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for slot in range(12):
            start = _at(day, 8) + timedelta(minutes=30 * slot)
            rows += [_contact(tenant, start + timedelta(minutes=m)) for m in (5, 20)]
    Contact.objects.bulk_create(rows)
    return len(rows)


@pytest.fixture
def agents(tenant, agent_anna):
    """Three agents: Anna (the persona) and two more, named so the name order is fixed."""
    agent_anna.first_name = "Anna"
    agent_anna.save()
    for email, name in (("ben@example.nl", "Ben"), ("cor@example.nl", "Cor")):
        user = make_user(email, tenant, "agent")
        user.first_name = name
        user.save()
    return ["Anna", "Ben", "Cor"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_supervisor_plans_a_day_with_forecast_staffing_and_gantt(history, agents, supervisor_bram):
    response = _client(supervisor_bram).get("/wfm/", PARAMS)
    assert response.status_code == 200, response.content.decode()[:2000]
    page = response.content.decode()
    # forecast chart (actual and forecast), backtest, staffing table
    assert "<svg" in page and "s-forecast" in page and "s-actual" in page
    assert "seasonal_naive" in page and "WAPE" in page
    assert 'class="compact staffing"' in page
    staffed = response.context["staffed"]
    assert staffed.history.daily_contacts.sum() == history
    assert staffed.peak_agents >= 1
    assert len(staffed.intervals) == 48  # one day of half hours
    # the schedule: a Gantt with home and office shifts, text labels, breaks cut out
    outcome = response.context["outcome"]
    assert outcome.ok, (outcome.status, outcome.reasons, outcome.message)
    assert outcome.shifts
    assert 'class="chart wfm gantt"' in page
    assert 'rect class="shift home"' in page and 'rect class="shift office"' in page
    assert re.search(r'<text class="shift-label home"[^>]*>T ', page)  # thuis, without colour
    # office seats used never above the cap of 1, in any quarter-hour of the plan
    assert outcome.office_seats == 1
    for day in outcome.days:
        assert all(used <= 1 for used in day.office_seats_used)
        assert day.max_office_seats_used <= 1
    # only the agents who may work at home do; everyone else is at the office
    for shift in outcome.shifts:
        assert shift.location == "office" or shift.agent_id in outcome.home_allowed
    assert len(outcome.home_allowed) == 2  # 50 % of 3 agents, rounded half up
    assert "data-coverage-gap" in page and "s-required" in page  # totals and coverage chart


def test_an_impossible_plan_names_its_reasons_instead_of_failing(history, agents, supervisor_bram):
    client = _client(supervisor_bram)
    assert client.get("/wfm/", PARAMS).context["outcome"].ok  # its forecast is now cached
    params = PARAMS | {"office_seats": "0", "home_share": "0"}
    response = client.get("/wfm/", params)
    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert outcome.status == "infeasible"
    assert outcome.reasons
    page = response.content.decode()
    assert 'class="problem infeasible" role="alert"' in page
    assert "office seat capacity" in page
    assert "Anna" in outcome.reasons[0]  # the reason names the agents
    # and its export says why, with a status, not a 500
    export = _client(supervisor_bram).get("/wfm/schedule.csv", params)
    assert export.status_code == 409
    assert "office seat capacity" in export.content.decode()


def test_schedule_csv_has_a_row_per_shift(history, agents, supervisor_bram):
    client = _client(supervisor_bram)
    outcome = client.get("/wfm/", PARAMS).context["outcome"]
    response = client.get("/wfm/schedule.csv", PARAMS)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["agent", "date", "start", "end", "breaks", "location", "queue"]
    assert len(rows) - 1 == len(outcome.shifts)
    assert {row[0] for row in rows[1:]} <= set(agents)
    assert {row[1] for row in rows[1:]} == {PLAN_DAY.isoformat()}
    assert {row[5] for row in rows[1:]} <= {"home", "office"}
    assert {row[6] for row in rows[1:]} == {QUEUE}
    forecast = client.get("/wfm/forecast.csv", PARAMS)
    assert forecast.status_code == 200
    lines = list(csv.reader(io.StringIO(forecast.content.decode())))
    assert lines[0][:2] == ["interval_start", "contacts"]
    assert len(lines) - 1 == 48


def test_what_if_shows_erlang_and_simulation_side_by_side(supervisor_bram):
    # the Erlang A example: 10 Erlang, AHT 180 s, patience 5 min, 14 agents
    params = {"calls": "100", "interval_minutes": "30", "aht_seconds": "180",
              "service_level": "80", "threshold_seconds": "20", "agents": "14",
              "patience_seconds": "300"}  # fmt: skip
    response = _client(supervisor_bram).get("/wfm/what-if/", params)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Erlang A" in page
    formula = re.search(r'data-kpi="formula-sl">([^<]+)<', page)[1]
    assert formula == "91,7 %"  # 0.916792, published; Dutch decimal comma
    assert re.search(r'data-kpi="simulated-sl">\d+,\d %<', page)
    result = response.context["result"]
    assert result.erlang_a.p_abandon == pytest.approx(0.013984, abs=1e-6)
    assert 0.85 < result.simulated["service_level_all_arrivals"].mean < 0.97
    # without a patience: Erlang C
    params.pop("patience_seconds")
    page = _client(supervisor_bram).get("/wfm/what-if/", params).content.decode()
    assert "Erlang C" in page and 'data-kpi="simulated-sl"' in page


def test_intraday_alerts_where_the_service_level_is_below_target(
    history, agents, supervisor_bram, tenant
):
    # the plan day itself: at 09:00 three contacts wait a minute (target: 80 % within 20 s)
    for minute in (1, 8, 15):
        _contact(tenant, _at(PLAN_DAY, 9, minute), wait_seconds=60).save()
    _contact(tenant, _at(PLAN_DAY, 10, 3)).save()  # at 10:00 one contact answered at once
    params = PARAMS | {"day": PLAN_DAY.isoformat()}
    response = _client(supervisor_bram).get("/wfm/intraday/", params)
    assert response.status_code == 200, response.content.decode()[:2000]
    rows = {row.start.strftime("%H:%M"): row for row in response.context["rows"]}
    assert rows["09:00"].offered == 3 and rows["09:00"].service_level == 0
    assert rows["09:00"].at_risk and rows["09:00"].low_service_level
    assert rows["10:00"].offered == 1 and not rows["10:00"].at_risk
    assert rows["09:00"].forecast == pytest.approx(2.0)
    page = response.content.decode()
    assert 'class="alert" role="alert"' in page
    assert 'class="at-risk"' in page
    assert page.count("<svg") == 2


@pytest.mark.parametrize("path", ["/wfm/", "/wfm/what-if/", "/wfm/intraday/", "/wfm/schedule.csv",
                                  "/wfm/forecast.csv"])  # fmt: skip
def test_agents_and_client_viewers_get_the_403_page(path, tenant, agent_anna):
    viewer = make_user("viewer@example.nl", tenant, "client-viewer")
    for user in (agent_anna, viewer):
        response = _client(user).get(path, {"queue": QUEUE})
        assert response.status_code == 403
        assert "web/forbidden.html" in [template.name for template in response.templates]


def test_signed_out_visitors_are_sent_to_the_login(tenant):
    response = Client().get("/wfm/")
    assert response.status_code == 302


def test_another_tenants_supervisor_cannot_see_or_plan_this_tenants_queues(
    history, supervisor_bram, outsider_olga, other_tenant
):
    from symfonie.contacts.models import Contact

    Contact.objects.bulk_create([_contact(other_tenant, _at(HISTORY_END, 9), queue="elders")])
    own = _client(supervisor_bram).get("/wfm/").content.decode()
    assert f'<option value="{QUEUE}"' in own and "elders" not in own
    olga = _client(outsider_olga)
    theirs = olga.get("/wfm/").content.decode()
    assert 'value="elders"' in theirs and f'value="{QUEUE}"' not in theirs
    for path in ("/wfm/", "/wfm/schedule.csv", "/wfm/forecast.csv", "/wfm/intraday/"):
        response = olga.get(path, PARAMS)
        assert response.status_code == 422, path
        assert QUEUE in response.content.decode()  # "service is not one of the choices"
    assert "staffed" not in (olga.get("/wfm/", PARAMS).context or {})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service_level": "150"}, "service_level"),
        ({"min_week_hours": "40", "max_week_hours": "20"}, "min_week_hours"),
        ({"history_weeks": "x"}, "history_weeks"),
        ({"day": "2031-01-01"}, "day"),
        ({"history_end": "0001-01-01"}, "history_end"),
    ],
)
def test_bad_input_shows_the_field_error_with_422(change, field, tenant, history, supervisor_bram):
    response = _client(supervisor_bram).get("/wfm/", PARAMS | change)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert 'class="error" role="alert"' in response.content.decode()


def test_what_if_bad_input_is_a_422(supervisor_bram):
    response = _client(supervisor_bram).get("/wfm/what-if/", {"calls": "-1", "agents": "0"})
    assert response.status_code == 422
    assert {"calls", "agents"} <= set(response.context["form"].errors)
