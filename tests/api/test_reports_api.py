"""GET /api/v1/reports/kpis: the figures of `symfonie report kpis`, per tenant and role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
URL = "/api/v1/reports/kpis"


@pytest.fixture
def calls(tenant, agent_anna):
    from symfonie.contacts.models import Contact

    # three calls on 2 March: answered after 10 s and 30 s, abandoned after 4 s (short)
    for minute, wait, answered in ((0, 10, True), (20, 30, True), (40, 4, False)):
        queued = START + timedelta(minutes=minute)
        Contact.objects.create(
            tenant=tenant, channel="voice", direction="in", queue="service", state="closed",
            arrived_at=queued - timedelta(seconds=5), queued_at=queued,
            answered_at=queued + timedelta(seconds=wait) if answered else None,
            ended_at=queued + timedelta(seconds=wait + (120 if answered else 0)),
            agent=agent_anna if answered else None,
        )  # fmt: skip


def test_supervisor_gets_the_figures_per_interval(api_bram, calls) -> None:
    response = api_bram.get(URL, {"start": "2026-03-02", "end": "2026-03-02", "interval": "60m"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["offered"], body["answered"], body["abandoned"]) == (3, 2, 1)
    assert body["short_abandons"] == 1
    assert body["service_level"] == {
        "answered": 0.5,
        "offered": 0.33333,
        "excluding_short_abandons": 0.5,
    }
    assert body["asa_seconds"] == 20.0 and body["aht_seconds"] == 120.0
    assert len(body["intervals"]) == 24 and sum(i["offered"] for i in body["intervals"]) == 3


def test_other_tenant_and_agents(api_olga, api_anna, calls) -> None:
    olga = api_olga.get(URL, {"start": "2026-03-02", "end": "2026-03-02"})
    assert olga.status_code == 200 and olga.json()["offered"] == 0
    assert api_anna.get(URL, {"start": "2026-03-02", "end": "2026-03-02"}).status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-03-05", "end": "2026-03-02"}, "end"),
        ({"start": "2026-03-02", "end": "2026-03-02", "queue": "nope"}, "queue"),
    ],
)
def test_bad_input_is_422_naming_the_field(api_bram, calls, params, field) -> None:
    response = api_bram.get(URL, params)
    assert response.status_code == 422
    assert field in str(response.json())
