"""Volumes: offered, answered, abandoned, short abandons, abandonment rates and the channel mix.

Definitions (``docs/kpis.md``; they follow the usual contact-center conventions, e.g. ICMI's
glossary and Koole, *Call Center Optimization*, 2013):

* offered = contacts that reached a queue or an agent; contacts that ended in the menu/VRU or a
  bot before queueing are not offered (:attr:`ContactRecord.is_offered`);
* answered = offered contacts an agent took; abandoned = offered contacts that left the queue
  unanswered, so answered + abandoned ≤ offered;
* a short abandon is an abandoned contact whose wait is ≤ ``short_abandon_seconds`` (5 s by
  default, inclusive): the caller hung up before anyone could have answered.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from symfonie.domain.kpi.records import ContactRecord

DEFAULT_SHORT_ABANDON_SECONDS = 5.0


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or ``None`` when the denominator is 0 (undefined, not 0)."""
    if denominator == 0:
        return None
    return numerator / denominator


def mean_or_none(values: Iterable[float]) -> float | None:
    """Arithmetic mean (``math.fsum`` / count), or ``None`` for no values."""
    items = list(values)
    if not items:
        return None
    return math.fsum(items) / len(items)


def check_short_abandon_seconds(value: float) -> float:
    """Return ``value`` if it is a finite number of seconds >= 0, else raise ``ValueError``."""
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"short_abandon_seconds must be a finite number >= 0, got {value!r}")
    return float(value)


def is_short_abandon(
    record: ContactRecord, short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS
) -> bool:
    """True for an abandoned contact whose wait is ≤ ``short_abandon_seconds`` (inclusive)."""
    if not record.is_abandoned:
        return False
    wait = record.wait_seconds
    return wait is not None and wait <= short_abandon_seconds


@dataclass(frozen=True, slots=True)
class VolumeCounts:
    """Counts of one set of contacts (see the module doc for what each one counts).

    ``contacts`` counts every record; ``self_service`` those that ended in the menu/VRU or a bot
    before queueing; the rest follow the definitions above.
    """

    contacts: int
    self_service: int
    offered: int
    answered: int
    abandoned: int
    short_abandons: int

    @property
    def abandonment_rate(self) -> float | None:
        """abandoned / offered (fraction); ``None`` when nothing was offered."""
        return ratio(self.abandoned, self.offered)

    @property
    def abandonment_rate_excluding_short_abandons(self) -> float | None:
        """(abandoned − short abandons) / (offered − short abandons); ``None`` if undefined."""
        return ratio(self.abandoned - self.short_abandons, self.offered - self.short_abandons)


def count_volumes(
    records: Iterable[ContactRecord],
    *,
    short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS,
) -> VolumeCounts:
    """Count contacts, self-service endings, offered, answered, abandoned and short abandons.

    Short abandons: abandoned with wait ≤ ``short_abandon_seconds`` (seconds, inclusive).
    """
    short_abandon_seconds = check_short_abandon_seconds(short_abandon_seconds)
    contacts = self_service = offered = answered = abandoned = short = 0
    for record in records:
        contacts += 1
        self_service += record.ended_in_self_service
        offered += record.is_offered
        answered += record.is_answered
        if record.is_abandoned:
            abandoned += 1
            short += is_short_abandon(record, short_abandon_seconds)
    return VolumeCounts(contacts, self_service, offered, answered, abandoned, short)


def abandonment_rate(
    records: Iterable[ContactRecord],
    *,
    short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS,
    exclude_short_abandons: bool = False,
) -> float | None:
    """Abandonment rate (fraction): abandoned / offered.

    With ``exclude_short_abandons`` the short abandons (wait ≤ ``short_abandon_seconds``,
    inclusive) leave both sides: (abandoned − short) / (offered − short). ``None`` when the
    denominator is 0.
    """
    counts = count_volumes(records, short_abandon_seconds=short_abandon_seconds)
    if exclude_short_abandons:
        return counts.abandonment_rate_excluding_short_abandons
    return counts.abandonment_rate


def channel_counts(records: Iterable[ContactRecord]) -> dict[str, int]:
    """Contacts per channel (every contact, offered or not), sorted by channel name."""
    counter = Counter(record.channel for record in records)
    return dict(sorted(counter.items()))


def channel_mix(records: Iterable[ContactRecord]) -> dict[str, float]:
    """Share of contacts per channel: contacts on the channel / all contacts (fractions, sum 1).

    Every contact counts, including those that ended in self-service, because the mix
    describes where customers come in; empty input gives an empty mapping.
    """
    counts = channel_counts(records)
    total = sum(counts.values())
    return {channel: count / total for channel, count in counts.items()}
