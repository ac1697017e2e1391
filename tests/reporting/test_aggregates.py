"""Stored KPI tallies, updated as contacts change, equal a full recomputation from contacts."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def _stored(tenant) -> list[tuple]:
    from symfonie.domain.kpi.tally import TALLY_FIELDS
    from symfonie.reporting.models import KpiInterval

    rows = KpiInterval.objects.filter(tenant=tenant).exclude(contacts=0)
    return sorted(rows.values_list("start", "queue", "channel", *TALLY_FIELDS))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_updates_equal_a_rebuild(tenant, agent_anna, seed) -> None:
    from symfonie.contacts.actions.interactions import do_create_contact, do_transition_contact
    from symfonie.contacts.models import Contact, Customer
    from symfonie.reporting.aggregates import catch_up, rebuild

    rng = random.Random(seed)
    customer = Customer.objects.create(tenant=tenant, name="Geertje")
    contacts: list = []
    for step in range(60):
        action = rng.random()
        at = START + timedelta(minutes=rng.randrange(0, 600), seconds=rng.randrange(60))
        if action < 0.45 or not contacts:
            contacts.append(
                do_create_contact(
                    customer, channel=rng.choice(["voice", "webchat"]),
                    queue=rng.choice(["service", "sales"]), arrived_at=at,
                )
            )  # fmt: skip
            continue
        contact = rng.choice(contacts)
        contact.refresh_from_db()
        moment = contact.arrived_at + timedelta(seconds=rng.randrange(1, 90))
        nexts = {
            "new": ["queued"],
            "queued": ["offered", "abandoned"],
            "offered": ["active"],
            "active": ["wrap_up"],
            "wrap_up": ["closed"],
        }.get(contact.state)
        if action < 0.85 and nexts:
            stamps = (contact.queued_at, contact.offered_at, contact.answered_at, contact.ended_at)
            moment = max([moment, *(t for t in stamps if t)])
            do_transition_contact(
                contact, rng.choice(nexts), at=moment + timedelta(seconds=rng.randrange(1, 40)),
                agent=agent_anna, outcome=rng.choice([None, "resolved", "escalated"]),
            )  # fmt: skip
        elif action < 0.93:
            Contact.objects.filter(pk=contact.pk).first().delete()
            contacts.remove(contact)
        else:
            contact.csat_score = rng.randint(1, 5)
            contact.save()
        if step % 15 == 0:
            catch_up(tenant)  # a report in between
    catch_up(tenant)
    incremental = _stored(tenant)
    assert incremental, "the scenario must leave contacts to count"
    rebuild(tenant)
    assert incremental == _stored(tenant)


def test_report_reads_changes_made_since_the_last_report(tenant, agent_anna) -> None:
    from symfonie.contacts.actions.interactions import do_create_contact, do_transition_contact
    from symfonie.contacts.models import Customer
    from symfonie.reporting.report import ReportFilter, kpi_report

    tenant.time_zone = "Europe/Amsterdam"
    customer = Customer.objects.create(tenant=tenant, name="Hendrik")
    day = date(2026, 3, 2)
    contact = do_create_contact(customer, channel="voice", queue="service", arrived_at=START)
    report_filter = ReportFilter(tenant, day, day)
    assert kpi_report(report_filter).total.offered == 0
    do_transition_contact(contact, "queued", at=START + timedelta(seconds=5))
    do_transition_contact(contact, "offered", at=START + timedelta(seconds=20))
    do_transition_contact(contact, "active", at=START + timedelta(seconds=25), agent=agent_anna)
    total = kpi_report(report_filter).total
    assert (total.offered, total.answered, total.asa_seconds) == (1, 1, 20.0)
    assert total.service_level.answered == 1.0  # waited exactly 20 s: T = 20 s is inclusive
    by_agent = kpi_report(ReportFilter(tenant, day, day, agent_id=agent_anna.pk)).total
    assert by_agent.answered == 1


def test_rebuild_command_applies_new_kpi_settings(tenant, capsys) -> None:
    from symfonie.cli import main
    from symfonie.contacts.models import Contact
    from symfonie.reporting.models import KpiConfig, KpiInterval

    queued = START + timedelta(seconds=5)
    Contact.objects.create(
        tenant=tenant, channel="voice", direction="in", queue="service", state="closed",
        arrived_at=START, queued_at=queued, answered_at=queued + timedelta(seconds=15),
        ended_at=queued + timedelta(seconds=100),
    )  # fmt: skip
    from symfonie.reporting.aggregates import catch_up

    catch_up(tenant)
    assert KpiInterval.objects.get(tenant=tenant).answered_within_threshold == 1  # T = 20 s
    KpiConfig.objects.create(tenant=tenant, threshold_seconds=10)
    assert main(["report", "rebuild", "--tenant", tenant.slug]) == 0
    assert KpiInterval.objects.get(tenant=tenant).answered_within_threshold == 0  # T = 10 s
    assert main(["report", "rebuild", "--tenant", "nope"]) == 2
