"""The service level of ``symfonie.routing.wallboard.queue_figures`` on this database, and the
board's formatting (colour, mm:ss, percent) that wallboard.js repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from symfonie.wallboard.board import clock, percent, service_level_status, skill_summary

# 12:00 in Amsterdam on a Tuesday; "today" began at 23:00 UTC the evening before
NOW = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)


def contact(tenant, customer, queue: str, queued_at: datetime, *, wait=None, state="closed"):
    """A contact queued at ``queued_at`` and answered ``wait`` seconds later (None: not)."""
    from symfonie.contacts.models import Contact

    answered = queued_at + timedelta(seconds=wait) if wait is not None else None
    return Contact.objects.create(
        tenant=tenant,
        customer=customer,
        channel="voice",
        direction="in",
        state=state,
        queue=queue,
        arrived_at=queued_at,
        queued_at=queued_at,
        answered_at=answered,
    )


@pytest.mark.django_db
def test_service_level_is_answered_within_the_threshold_of_answered_and_abandoned(tenant, customer):
    """docs/kpis.md's example, variant `offered`: T = 20 s, waits 0, 10, 20 (inclusive) and 30,
    two abandoned: 3 / 6 = 50 %."""
    from symfonie.routing.models import RoutingQueue
    from symfonie.routing.wallboard import queue_figures

    RoutingQueue.objects.create(
        tenant=tenant,
        slug="phone",
        name="Phone",
        channel="voice",
        service_level_percent=80,
        service_level_seconds=20,
    )
    # whole seconds and odd microseconds: SQLite compares the timestamps as text
    for i, wait in enumerate((0, 10, 20, 30)):
        start = NOW - timedelta(hours=2, minutes=i, microseconds=250_001 * (i % 2))
        contact(tenant, customer, "phone", start, wait=wait)
    for i in range(2):
        contact(tenant, customer, "phone", NOW - timedelta(hours=1, minutes=i), state="abandoned")
    contact(tenant, customer, "phone", NOW - timedelta(days=1), wait=99)  # yesterday: not today
    contact(tenant, customer, "phone", NOW - timedelta(seconds=75), state="queued")  # waiting
    contact(tenant, customer, "other", NOW - timedelta(hours=1), wait=99)  # another queue

    (phone,) = queue_figures(tenant, NOW)
    assert phone.service_level == pytest.approx(3 / 6)
    assert (phone.service_level_target, phone.threshold_seconds) == (0.8, 20)
    assert (phone.waiting, phone.longest_wait_seconds) == (1, 75)
    assert phone.abandoned == 2
    assert phone.handled == 0  # closed without an agent: not handled by anyone


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("wait", "in_time"),
    [(20, True), (19.999999, True), (20.000001, False), (20.5, False), (21, False)],
)
@pytest.mark.parametrize("microseconds", [0, 500_000, 999_999])
def test_a_wait_of_exactly_the_threshold_counts_to_the_microsecond(
    wait, in_time, microseconds, tenant, customer
):
    from symfonie.routing.models import RoutingQueue
    from symfonie.routing.wallboard import queue_figures

    RoutingQueue.objects.create(
        tenant=tenant, slug="phone", name="Phone", channel="voice", service_level_seconds=20
    )
    start = NOW.replace(microsecond=microseconds) - timedelta(hours=1)
    contact(tenant, customer, "phone", start, wait=wait)
    (phone,) = queue_figures(tenant, NOW)
    assert phone.service_level == (1.0 if in_time else 0.0)


@pytest.mark.django_db
def test_no_service_level_before_anything_was_answered_or_abandoned(tenant, chat_queue):
    from symfonie.routing.wallboard import queue_figures

    (chat,) = queue_figures(tenant, NOW)
    assert chat.service_level is None
    assert (chat.service_level_target, chat.threshold_seconds) == (0.9, 60)  # chat's default
    assert chat.longest_wait_seconds is None


@pytest.mark.parametrize(
    ("level", "target", "status"),
    [
        (None, 0.8, "none"),
        (0.8, 0.8, "green"),
        (1.0, 0.8, "green"),
        (0.79, 0.8, "amber"),
        (0.75, 0.8, "amber"),  # 5 points below: still amber
        (0.749, 0.8, "red"),
        (0.85, 0.9, "amber"),  # 0.9 - 0.05 is 0.8499999… in floating point
        (0.0, 0.8, "red"),
    ],
)
def test_service_level_colour(level, target, status):
    assert service_level_status(level, target) == status


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "–"), (0, "00:00"), (59.99, "00:59"), (61, "01:01"), (3599, "59:59"),
     (3600, "1:00:00"), (36061, "10:01:01"), (-3, "00:00")],
)  # fmt: skip
def test_clock(seconds, shown):
    assert clock(seconds) == shown


def test_percent_rounds_halves_up_as_the_script_does():
    assert [percent(v) for v in (None, 0, 0.125, 0.5, 0.999, 1)] == [
        "–",
        "0 %",
        "13 %",
        "50 %",
        "100 %",
        "100 %",
    ]


def test_skill_summary_in_name_order():
    names = {"huur": "Huur", "rep": "reparaties", "afval": "Afval"}
    assert (
        skill_summary({"rep": 2, "huur": 3, "afval": 1}, names) == "Afval 1 · Huur 3 · reparaties 2"
    )
    assert skill_summary({}, names) == ""
