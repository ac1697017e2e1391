"""First-contact resolution, repeat contacts, CSAT, NPS and back-office SLA, by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from symfonie.domain.kpi.quality import (
    ContactHistory,
    back_office_compliance,
    csat,
    first_contact_resolution,
    nps,
    repeat_contact_rate,
    resolution_counts,
)
from symfonie.domain.kpi.records import BackOfficeTask
from tests.domain.kpi.builders import abandoned, answered, at, self_service

DAY = 86_400


def test_fcr_by_hand() -> None:
    contacts = [
        # Ann calls about a refund and again exactly 7 days later: not resolved; the second is
        # a repeat (and, with nothing after it, resolved).
        answered("ann1", wait=0, customer_key="ann", topic_keys=("refund",)),
        answered("ann2", wait=0, arrive=7 * DAY, customer_key="ann", topic_keys=("refund",)),
        # Bob comes back after 7 days and 1 second: outside the window, resolved.
        answered("bob1", wait=0, customer_key="bob", topic_keys=("refund",)),
        answered("bob2", wait=0, arrive=7 * DAY + 1, customer_key="bob", topic_keys=("refund",)),
        # Cas calls about two topics, then about a different one: resolved.
        answered("cas1", wait=0, customer_key="cas", topic_keys=("refund", "address")),
        self_service("cas2", arrive=DAY, customer_key="cas", topic_keys=("invoice",)),
        # Dee's later contact shares one topic and ended in the bot: it still counts as a repeat.
        answered("dee1", wait=0, customer_key="dee", topic_keys=("refund", "address")),
        self_service("dee2", arrive=DAY, customer_key="dee", topic_keys=("address",)),
        # Not eligible: anonymous, no topic, abandoned.
        answered("anon", wait=0, topic_keys=("refund",)),
        answered("notopic", wait=0, customer_key="eve"),
        abandoned("gone", wait=50, customer_key="fay", topic_keys=("refund",)),
    ]
    counts = resolution_counts(contacts)
    # eligible: ann1, ann2, bob1, bob2, cas1, dee1; resolved: ann2, bob1, bob2, cas1
    assert (counts.eligible, counts.resolved, counts.pending) == (6, 4, 0)
    assert (counts.repeat_eligible, counts.repeats) == (6, 1)  # ann2
    assert first_contact_resolution(contacts) == pytest.approx(4 / 6)
    assert repeat_contact_rate(contacts) == pytest.approx(1 / 6)


def test_fcr_window_is_configurable() -> None:
    contacts = [
        answered("b1", wait=0, customer_key="bob", topic_keys=("refund",)),
        answered("b2", wait=0, arrive=2 * DAY, customer_key="bob", topic_keys=("refund",)),
    ]
    assert first_contact_resolution(contacts, window=timedelta(days=1)) == 1.0
    assert first_contact_resolution(contacts, window=timedelta(days=3)) == pytest.approx(1 / 2)


def test_fcr_windows_still_open_are_pending() -> None:
    contacts = [
        answered("b1", wait=0, customer_key="bob", topic_keys=("refund",)),
        answered("b2", wait=0, arrive=5 * DAY, customer_key="bob", topic_keys=("refund",)),
    ]
    counts = resolution_counts(contacts, data_until=at(10 * DAY))
    assert (counts.eligible, counts.resolved, counts.pending) == (1, 0, 1)


def test_history_finds_repeats_outside_the_reported_contacts() -> None:
    first = answered("b1", wait=0, customer_key="bob", topic_keys=("refund",))
    later = answered("b2", wait=0, arrive=DAY, customer_key="bob", topic_keys=("refund",))
    history = ContactHistory([first, later])
    assert resolution_counts([first], history=history).resolved == 0
    assert resolution_counts([first]).resolved == 1


def test_csat_is_the_share_of_four_and_five() -> None:
    contacts = [answered(f"a{score}", wait=0, csat_score=score) for score in (5, 4, 3, 1)]
    contacts.append(answered("none", wait=0))
    assert csat(contacts) == pytest.approx(2 / 4)
    assert csat([answered("none", wait=0)]) is None


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ((10, 9, 8, 7, 6, 0), 0.0),  # 2 promoters, 2 detractors of 6
        ((10, 10, 6), 100 / 3),  # (2 − 1) / 3
        ((9, 9), 100.0),
        ((0, 6, 8), -200 / 3),
    ],
)
def test_nps_is_percent_promoters_minus_percent_detractors(
    scores: tuple[int, ...], expected: float
) -> None:
    contacts = [answered(f"a{i}", wait=0, nps_score=score) for i, score in enumerate(scores)]
    assert nps(contacts) == pytest.approx(expected)


def test_nps_undefined_without_answers() -> None:
    assert nps([answered("a", wait=0)]) is None


def test_back_office_compliance() -> None:
    due = at(DAY)
    tasks = [
        BackOfficeTask("on-time", "acme", created_at=at(0), due_at=due, completed_at=at(100)),
        BackOfficeTask("at-due", "acme", created_at=at(0), due_at=due, completed_at=due),
        BackOfficeTask("late", "acme", created_at=at(0), due_at=due, completed_at=at(DAY + 1)),
        BackOfficeTask("overdue", "acme", created_at=at(0), due_at=due),
        BackOfficeTask("open", "acme", created_at=at(0), due_at=at(3 * DAY)),
    ]
    result = back_office_compliance(tasks, as_of=at(2 * DAY))
    assert (result.met, result.breached, result.open_not_due) == (2, 2, 1)
    assert result.compliance == pytest.approx(2 / 4)
    # Judged at the due time itself, the open task due then is not late yet.
    assert back_office_compliance(tasks[3:4], as_of=due).compliance is None


def test_back_office_needs_an_aware_clock() -> None:
    with pytest.raises(ValueError, match="as_of"):
        back_office_compliance([], as_of=at(0).replace(tzinfo=None))
