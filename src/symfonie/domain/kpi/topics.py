"""Contact reasons (contactredenen): counts per topic, week-over-week change, unusual rises.

A contact counts once for each distinct topic it carries; contacts without a topic count for
none. Weeks are ISO weeks in local time (Monday 00:00, ``Europe/Amsterdam`` by default).

**Rule for an unusual rise** (:class:`TopicRiseRule`, every number configurable). A topic's count
``c`` in a week is flagged when all of these hold:

1. ``c`` ≥ ``min_count`` (10): a handful of contacts is never a trend;
2. ``c`` ≥ ``min_ratio`` × ``m`` (1.25), where ``m`` is the mean count of the topic over the
   previous ``baseline_weeks`` (4) weeks of the data (weeks without that topic count as 0);
3. under a Poisson model with mean ``max(m, baseline_floor)`` (floor 0.5, so a topic that was
   absent can still be judged), P(X ≥ c) ≤ ``max_p_value`` (0.001), a one-sided exact test.

The first week of the data has no baseline and is never flagged. Contact counts are usually
over-dispersed relative to Poisson (weekday and campaign effects), which is why rule 2 asks for
a rise that matters, not only one that is improbable. Pass whole weeks: a partial first week
makes the second look like a rise.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from symfonie.domain.kpi.counts import ratio
from symfonie.domain.kpi.periods import AMSTERDAM, Bucketing, Period
from symfonie.domain.kpi.records import ContactRecord

_TAIL_EPSILON = 1e-17


def topic_counts(records: Iterable[ContactRecord]) -> dict[str, int]:
    """Contacts per topic (a contact counts once per distinct topic), sorted by topic."""
    counter: Counter[str] = Counter()
    for record in records:
        counter.update(set(record.topic_keys))
    return dict(sorted(counter.items()))


def _log_pmf(k: int, mean: float) -> float:
    return -mean + k * math.log(mean) - math.lgamma(k + 1)


def poisson_upper_tail(count: int, mean: float) -> float:
    """P(X ≥ ``count``) for X ~ Poisson(``mean``), exact to about 1e-15 (dimensionless).

    Sums the probability terms from the mode side outward in log space, so large means do not
    underflow ``exp(−mean)``; the terms shrink geometrically, which bounds the cut-off error.
    """
    if mean < 0 or not math.isfinite(mean):
        raise ValueError(f"mean must be a finite number >= 0, got {mean!r}")
    if count <= 0:
        return 1.0
    if mean == 0:
        return 0.0
    if count > mean:
        # Upper tail directly: terms t(k+1) = t(k) · mean / (k + 1) < t(k).
        total, term, k = 0.0, 1.0, count
        while term > _TAIL_EPSILON * total or total == 0.0:
            total += term
            k += 1
            term *= mean / k
        return min(1.0, math.exp(_log_pmf(count, mean)) * total)
    # 1 − lower tail: terms t(k−1) = t(k) · k / mean ≤ t(k) going down from count − 1.
    total, term, k = 0.0, 1.0, count - 1
    while k >= 0 and (term > _TAIL_EPSILON * total or total == 0.0):
        total += term
        term *= k / mean
        k -= 1
    return max(0.0, 1.0 - math.exp(_log_pmf(count - 1, mean)) * total)


@dataclass(frozen=True, slots=True)
class TopicRiseRule:
    """When a weekly topic count is an unusual rise (see the module doc for the rule)."""

    baseline_weeks: int = 4
    min_count: int = 10
    min_ratio: float = 1.25
    max_p_value: float = 0.001
    baseline_floor: float = 0.5

    def __post_init__(self) -> None:
        if self.baseline_weeks < 1 or self.min_count < 1:
            raise ValueError("baseline_weeks and min_count must be >= 1")
        if not 0 < self.max_p_value < 1 or self.min_ratio < 1 or self.baseline_floor <= 0:
            raise ValueError("need 0 < max_p_value < 1, min_ratio >= 1, baseline_floor > 0")

    def p_value(self, count: int, baseline_mean: float) -> float:
        """P(X ≥ count) under Poisson(max(baseline_mean, baseline_floor))."""
        return poisson_upper_tail(count, max(baseline_mean, self.baseline_floor))

    def is_rise(self, count: int, baseline_mean: float) -> bool:
        """True when ``count`` against ``baseline_mean`` meets all three conditions."""
        return (
            count >= self.min_count
            and count >= self.min_ratio * baseline_mean
            and self.p_value(count, baseline_mean) <= self.max_p_value
        )


@dataclass(frozen=True, slots=True)
class TopicWeek:
    """One topic in one week.

    ``week_start``: Monday 00:00 local time; ``change``: count − previous week's count;
    ``change_ratio``: count / previous − 1 (``None`` when the previous week had none);
    ``baseline_mean``: mean of up to ``baseline_weeks`` previous weeks (``None`` in the first
    week); ``p_value``: P(X ≥ count) under the baseline (``None`` without baseline).
    """

    week_start: datetime
    topic: str
    count: int
    previous_count: int | None
    change: int | None
    change_ratio: float | None
    baseline_mean: float | None
    p_value: float | None
    rising: bool


def _weeks(records: list[ContactRecord], weeks: Bucketing) -> list[datetime]:
    if not records:
        return []
    first = min(record.arrived_at for record in records)
    last = max(record.arrived_at for record in records)
    return list(weeks.starts_overlapping(first, weeks.end_of(weeks.start_of(last))))


def topic_trends(
    records: Iterable[ContactRecord],
    *,
    tz: str = AMSTERDAM,
    rule: TopicRiseRule | None = None,
) -> list[TopicWeek]:
    """Weekly count per topic with week-over-week change and the unusual-rise flag.

    Weeks run from the week of the first to the week of the last contact (every week, zeros
    included); each topic seen anywhere gets a row in each week. Counts are contacts per topic;
    the flag follows :class:`TopicRiseRule` (documented in the module and ``docs/kpis.md``).
    """
    rule = rule or TopicRiseRule()
    selected = list(records)
    weeks = Bucketing(zone=ZoneInfo(tz), period=Period.WEEK)
    starts = _weeks(selected, weeks)
    index = {start.astimezone(UTC): position for position, start in enumerate(starts)}
    counts: defaultdict[str, list[int]] = defaultdict(lambda: [0] * len(starts))
    for record in selected:
        position = index[weeks.start_of(record.arrived_at).astimezone(UTC)]
        for topic in set(record.topic_keys):
            counts[topic][position] += 1
    rows: list[TopicWeek] = []
    for topic in sorted(counts):
        series = counts[topic]
        for position, start in enumerate(starts):
            count = series[position]
            previous = series[position - 1] if position > 0 else None
            window = series[max(0, position - rule.baseline_weeks) : position]
            baseline = math.fsum(window) / len(window) if window else None
            rows.append(
                TopicWeek(
                    week_start=start,
                    topic=topic,
                    count=count,
                    previous_count=previous,
                    change=None if previous is None else count - previous,
                    change_ratio=None if not previous else ratio(count - previous, previous),
                    baseline_mean=baseline,
                    p_value=None if baseline is None else rule.p_value(count, baseline),
                    rising=baseline is not None and rule.is_rise(count, baseline),
                )
            )
    return rows
