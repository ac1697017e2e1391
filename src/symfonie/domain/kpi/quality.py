"""Quality: first-contact resolution, repeat contacts, CSAT, NPS and back-office SLA compliance.

First-contact resolution is measured from the contacts themselves, not from a survey or the
agent's say-so (the definition of issue 7): an answered contact of a known customer with a topic
is resolved at first contact when no other contact from the same customer on a shared topic
arrives within the window after it (7 days by default, configurable, inclusive). The
repeat-contact rate counts the other side: such contacts that follow another contact of the same
customer on a shared topic within the window before them.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from symfonie.domain.kpi.counts import ratio
from symfonie.domain.kpi.records import BackOfficeTask, ContactRecord

DEFAULT_REPEAT_WINDOW = timedelta(days=7)


def is_resolution_eligible(record: ContactRecord) -> bool:
    """Counted by FCR and the repeat rate: answered, known customer, at least one topic."""
    return record.is_answered and record.customer_key is not None and bool(record.topic_keys)


class ContactHistory:
    """Arrival times per (customer, topic) of every contact, to look for repeats.

    Build it once over all the contacts you have (before and after the period you report on)
    and query it for the contacts of each bucket. Every contact counts as a possible repeat,
    whatever became of it (answered, abandoned, self-service), because the customer came back.
    """

    def __init__(
        self, records: Iterable[ContactRecord], *, window: timedelta = DEFAULT_REPEAT_WINDOW
    ) -> None:
        if window <= timedelta(0):
            raise ValueError(f"window must be positive, got {window!r}")
        self.window = window
        arrivals: defaultdict[tuple[str, str], list[datetime]] = defaultdict(list)
        for record in records:
            if record.customer_key is None:
                continue
            for topic in set(record.topic_keys):
                arrivals[(record.customer_key, topic)].append(record.arrived_at)
        self._arrivals = {key: sorted(times) for key, times in arrivals.items()}

    def _keys(self, record: ContactRecord) -> list[list[datetime]]:
        if record.customer_key is None:
            return []
        found = (self._arrivals.get((record.customer_key, topic)) for topic in record.topic_keys)
        return [times for times in found if times]

    def has_later_contact(self, record: ContactRecord) -> bool:
        """Another contact on a shared topic arrives in (arrived_at, arrived_at + window]."""
        limit = record.arrived_at + self.window
        for times in self._keys(record):
            index = bisect.bisect_right(times, record.arrived_at)
            if index < len(times) and times[index] <= limit:
                return True
        return False

    def has_earlier_contact(self, record: ContactRecord) -> bool:
        """Another contact on a shared topic arrived in [arrived_at − window, arrived_at)."""
        limit = record.arrived_at - self.window
        for times in self._keys(record):
            index = bisect.bisect_left(times, record.arrived_at)
            if index > 0 and times[index - 1] >= limit:
                return True
        return False


@dataclass(frozen=True, slots=True)
class ResolutionCounts:
    """FCR and repeat-contact counts of one set of contacts.

    ``eligible``: answered contacts of a known customer with a topic whose window has closed;
    ``pending``: eligible but their window reaches past ``data_until`` (not judged yet);
    ``resolved``: eligible with no later contact in the window; ``repeats``: answered contacts of
    a known customer with a topic that had an earlier contact in the window (out of
    ``repeat_eligible``).
    """

    eligible: int
    resolved: int
    pending: int
    repeat_eligible: int
    repeats: int

    @property
    def first_contact_resolution(self) -> float | None:
        """resolved / eligible (fraction); ``None`` when nothing is eligible."""
        return ratio(self.resolved, self.eligible)

    @property
    def repeat_contact_rate(self) -> float | None:
        """repeats / repeat_eligible (fraction); ``None`` when nothing is eligible."""
        return ratio(self.repeats, self.repeat_eligible)


def resolution_counts(
    records: Iterable[ContactRecord],
    *,
    history: ContactHistory | None = None,
    window: timedelta = DEFAULT_REPEAT_WINDOW,
    data_until: datetime | None = None,
) -> ResolutionCounts:
    """Count FCR and repeat contacts of ``records`` (see :class:`ResolutionCounts`).

    FCR = answered contacts of a known customer with a topic and no contact from the same
    customer on a shared topic within ``window`` after (inclusive) / such contacts. Repeat-
    contact rate = those that had one within ``window`` before / such contacts. ``history``
    (default: ``records`` themselves) is where other contacts are looked for; with
    ``data_until`` a contact whose window is not over by then is ``pending``, not judged.
    """
    selected = list(records)
    if history is None:
        history = ContactHistory(selected, window=window)
    eligible = resolved = pending = repeat_eligible = repeats = 0
    for record in selected:
        if not is_resolution_eligible(record):
            continue
        repeat_eligible += 1
        repeats += history.has_earlier_contact(record)
        if data_until is not None and record.arrived_at + history.window > data_until:
            pending += 1
            continue
        eligible += 1
        resolved += not history.has_later_contact(record)
    return ResolutionCounts(eligible, resolved, pending, repeat_eligible, repeats)


def first_contact_resolution(
    records: Iterable[ContactRecord],
    *,
    window: timedelta = DEFAULT_REPEAT_WINDOW,
    data_until: datetime | None = None,
) -> float | None:
    """FCR (fraction): no new contact from the same customer on the same topic within ``window``.

    See :func:`resolution_counts`; ``None`` when no contact is eligible.
    """
    counts = resolution_counts(records, window=window, data_until=data_until)
    return counts.first_contact_resolution


def repeat_contact_rate(
    records: Iterable[ContactRecord], *, window: timedelta = DEFAULT_REPEAT_WINDOW
) -> float | None:
    """Repeat-contact rate (fraction): eligible contacts preceded within ``window`` by another.

    See :func:`resolution_counts`; ``None`` when no contact is eligible.
    """
    return resolution_counts(records, window=window).repeat_contact_rate


@dataclass(frozen=True, slots=True)
class SurveyResults:
    """Survey answers: CSAT (1–5) and NPS (0–10) counts and scores."""

    csat_responses: int
    csat_satisfied: int
    nps_responses: int
    promoters: int
    detractors: int

    @property
    def csat(self) -> float | None:
        """Share (fraction) of CSAT answers that are 4 or 5; ``None`` without answers."""
        return ratio(self.csat_satisfied, self.csat_responses)

    @property
    def nps(self) -> float | None:
        """Net Promoter Score in points (−100…100): % promoters − % detractors; ``None`` if none."""
        if self.nps_responses == 0:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.nps_responses


def survey_results(records: Iterable[ContactRecord]) -> SurveyResults:
    """Count CSAT answers (satisfied = 4 or 5) and NPS answers (promoter 9–10, detractor 0–6)."""
    csat_responses = csat_satisfied = nps_responses = promoters = detractors = 0
    for record in records:
        if record.csat_score is not None:
            csat_responses += 1
            csat_satisfied += record.csat_score >= 4
        if record.nps_score is not None:
            nps_responses += 1
            promoters += record.nps_score >= 9
            detractors += record.nps_score <= 6
    return SurveyResults(csat_responses, csat_satisfied, nps_responses, promoters, detractors)


def csat(records: Iterable[ContactRecord]) -> float | None:
    """CSAT (fraction): answers of 4 or 5 / all answers on the 1–5 scale ("top-two-box").

    Contacts without an answer do not count. ``None`` without answers.
    """
    return survey_results(records).csat


def nps(records: Iterable[ContactRecord]) -> float | None:
    """NPS in points (−100…100): 100 × (promoters 9–10 − detractors 0–6) / answers.

    Source: F. Reichheld, "The One Number You Need to Grow", *Harvard Business Review*, 2003.
    ``None`` without answers.
    """
    return survey_results(records).nps


@dataclass(frozen=True, slots=True)
class BackOfficeCompliance:
    """Back-office tasks judged against their due time at ``as_of``.

    ``met``: completed at or before ``due_at``; ``breached``: completed after it, or still open
    after it; ``open_not_due``: open and not yet due (not judged).
    """

    met: int
    breached: int
    open_not_due: int

    @property
    def compliance(self) -> float | None:
        """met / (met + breached) (fraction); ``None`` when no task could be judged."""
        return ratio(self.met, self.met + self.breached)


def back_office_compliance(
    tasks: Iterable[BackOfficeTask], *, as_of: datetime
) -> BackOfficeCompliance:
    """Back-office SLA compliance (fraction): tasks done by their due time / tasks judged.

    A task done exactly at ``due_at`` is on time. Open tasks are judged at ``as_of`` (the
    injected clock, never ``now()``): past due is a breach, not yet due is not counted.
    """
    if as_of.utcoffset() is None:
        raise ValueError(f"as_of must be a timezone-aware datetime, got {as_of!r}")
    met = breached = open_not_due = 0
    for task in tasks:
        if task.completed_at is not None:
            if task.completed_at <= task.due_at:
                met += 1
            else:
                breached += 1
        elif as_of > task.due_at:
            breached += 1
        else:
            open_not_due += 1
    return BackOfficeCompliance(met, breached, open_not_due)
