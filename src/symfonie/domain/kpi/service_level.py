"""Service level: the share of contacts answered within a threshold T, in three labelled variants.

A contact is *answered within T* when an agent took it and its wait is ≤ T seconds (inclusive:
a wait of exactly T counts). T is set per queue (:class:`ServiceLevelThreshold`). The three
common variants differ only in the denominator (ICMI, "Service Level Calculations", 2002, lists
them among the five formulas in use; Genesys Cloud's "Configure the service level calculation"
offers the same switches for abandons and short abandons):

* ``answered``: answered within T / answered — abandoned contacts do not count at all;
* ``offered``: answered within T / offered — every abandon counts against the service level;
* ``excluding_short_abandons``: answered within T / (offered − short abandons) — abandons after
  more than the short-abandon limit count against it, short ones do not.

Because answered ≤ offered − abandoned ≤ offered − short abandons ≤ offered, the variants are
always ordered: ``answered`` ≥ ``excluding_short_abandons`` ≥ ``offered`` (where defined).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from symfonie.domain.kpi.counts import (
    DEFAULT_SHORT_ABANDON_SECONDS,
    check_short_abandon_seconds,
    count_volumes,
    ratio,
)
from symfonie.domain.kpi.records import ContactRecord

DEFAULT_THRESHOLD_SECONDS = 20.0


class ServiceLevelVariant(StrEnum):
    """Which contacts the denominator counts; the value is the label used in reports and JSON."""

    ANSWERED = "answered"
    OFFERED = "offered"
    EXCLUDING_SHORT_ABANDONS = "excluding_short_abandons"


def _check_threshold(name: str, value: float) -> float:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number of seconds >= 0, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class ServiceLevelThreshold:
    """T in seconds: ``seconds`` for every queue unless ``per_queue`` names the queue."""

    seconds: float = DEFAULT_THRESHOLD_SECONDS
    per_queue: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_threshold("seconds", self.seconds)
        for queue, seconds in self.per_queue.items():
            _check_threshold(f"per_queue[{queue!r}]", seconds)
        object.__setattr__(self, "per_queue", MappingProxyType(dict(self.per_queue)))

    def for_queue(self, queue: str) -> float:
        """The threshold of ``queue`` in seconds."""
        return self.per_queue.get(queue, self.seconds)


def answered_within(record: ContactRecord, threshold_seconds: float) -> bool:
    """True when an agent took ``record`` after a wait ≤ ``threshold_seconds`` (inclusive)."""
    wait = record.wait_seconds
    return record.is_answered and wait is not None and wait <= threshold_seconds


@dataclass(frozen=True, slots=True)
class ServiceLevel:
    """The three service-level variants of one set of contacts, with the counts behind them.

    ``answered``, ``offered`` and ``excluding_short_abandons`` are fractions in [0, 1], or
    ``None`` when their denominator is 0. ``thresholds_seconds`` lists the distinct T values
    that applied (one value unless queues with different thresholds are mixed).
    """

    within_threshold_count: int
    answered_count: int
    offered_count: int
    short_abandon_count: int
    thresholds_seconds: tuple[float, ...]
    answered: float | None
    offered: float | None
    excluding_short_abandons: float | None

    def value(self, variant: ServiceLevelVariant) -> float | None:
        """The service level of ``variant`` (fraction, or ``None`` when undefined)."""
        if variant is ServiceLevelVariant.ANSWERED:
            return self.answered
        if variant is ServiceLevelVariant.OFFERED:
            return self.offered
        return self.excluding_short_abandons

    def label(self, variant: ServiceLevelVariant) -> str:
        """A human label such as ``"answered within 20 s / offered"``."""
        if len(self.thresholds_seconds) == 1:
            threshold = f"{self.thresholds_seconds[0]:g} s"
        else:
            threshold = "T (per queue)"
        denominators = {
            ServiceLevelVariant.ANSWERED: "answered",
            ServiceLevelVariant.OFFERED: "offered",
            ServiceLevelVariant.EXCLUDING_SHORT_ABANDONS: "(offered − short abandons)",
        }
        return f"answered within {threshold} / {denominators[variant]}"


def service_level(
    records: Iterable[ContactRecord],
    threshold: float | ServiceLevelThreshold = DEFAULT_THRESHOLD_SECONDS,
    *,
    short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS,
) -> ServiceLevel:
    """All three service-level variants (fractions) for threshold T in seconds.

    Numerator: answered contacts with wait ≤ T of their queue (inclusive). Denominators:
    answered; offered; offered − short abandons (wait ≤ ``short_abandon_seconds``, inclusive).
    Sources: ICMI, "Service Level Calculations" (2002), formulas 2 and 3; the third is Genesys
    Cloud's calculation with short abandons excluded (ICMI's formula 4 with the short-abandon
    limit in place of T).
    """
    if not isinstance(threshold, ServiceLevelThreshold):
        threshold = ServiceLevelThreshold(seconds=threshold)
    check_short_abandon_seconds(short_abandon_seconds)
    selected = list(records)
    within = 0
    used: set[float] = set()
    for record in selected:
        if not record.is_offered:
            continue
        seconds = threshold.for_queue(record.queue)
        used.add(seconds)
        within += answered_within(record, seconds)
    counts = count_volumes(selected, short_abandon_seconds=short_abandon_seconds)
    if not used:
        used.add(threshold.seconds)
    return ServiceLevel(
        within_threshold_count=within,
        answered_count=counts.answered,
        offered_count=counts.offered,
        short_abandon_count=counts.short_abandons,
        thresholds_seconds=tuple(sorted(used)),
        answered=ratio(within, counts.answered),
        offered=ratio(within, counts.offered),
        excluding_short_abandons=ratio(within, counts.offered - counts.short_abandons),
    )
