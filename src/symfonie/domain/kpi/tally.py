"""Additive KPI tallies: the sums behind the figures, so that buckets can be stored and added.

A :class:`KpiTally` holds counts and sums only (times as integer microseconds, so adding is
exact and order-free). Tallies of disjoint sets of contacts add up (``a + b``) to the tally of
their union; :func:`summarise` turns a tally into the figures of ``docs/kpis.md``. The reports
store one tally per 15-minute interval, queue, channel and agent and add them up for any range;
``tests/domain/kpi/test_tally.py`` checks that the figures equal :func:`compute_kpis` over the
same contacts.

Only figures that are sums of per-contact parts can be tallied: volumes, service level, waits,
handle times, transfers, escalations, CSAT and NPS. First-contact resolution, repeat contacts,
topics and occupancy need the contacts (or presence) themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import timedelta

from symfonie.domain.kpi.counts import ratio
from symfonie.domain.kpi.kpiset import KpiSettings
from symfonie.domain.kpi.records import ContactRecord
from symfonie.domain.kpi.service_level import ServiceLevel, ServiceLevelVariant

MICROSECONDS = 1_000_000
_ONE_MICROSECOND = timedelta(microseconds=1)


def microseconds(seconds: float) -> int:
    """Seconds as a whole number of microseconds (the resolution of a datetime)."""
    return round(seconds * MICROSECONDS)


@dataclass(frozen=True, slots=True)
class KpiTally:
    """Counts and sums of one set of contacts; every field adds up over disjoint sets.

    ``*_us`` are sums in microseconds; ``longest_wait_us`` is a maximum (−1: no wait known).
    ``answered_within_threshold`` counts with the threshold T of each contact's queue.
    """

    contacts: int = 0
    self_service: int = 0
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandons: int = 0
    answered_within_threshold: int = 0
    answered_waits: int = 0
    answered_wait_us: int = 0
    abandoned_waits: int = 0
    abandoned_wait_us: int = 0
    longest_wait_us: int = -1
    handled: int = 0
    talk_us: int = 0
    hold_us: int = 0
    wrap_up_us: int = 0
    transfers: int = 0
    escalations: int = 0
    csat_responses: int = 0
    csat_satisfied: int = 0
    nps_responses: int = 0
    nps_promoters: int = 0
    nps_detractors: int = 0

    def __add__(self, other: KpiTally) -> KpiTally:
        values = {}
        for item in fields(self):
            mine, theirs = getattr(self, item.name), getattr(other, item.name)
            values[item.name] = (
                max(mine, theirs) if item.name == "longest_wait_us" else mine + theirs
            )
        return KpiTally(**values)

    def as_dict(self) -> dict[str, int]:
        """The fields by name (for storage)."""
        return {item.name: getattr(self, item.name) for item in fields(self)}


TALLY_FIELDS: tuple[str, ...] = tuple(item.name for item in fields(KpiTally))


def _wait_us(record: ContactRecord) -> int | None:
    if record.answered_at is not None:
        if record.queued_at is None:
            return 0
        return (record.answered_at - record.queued_at) // _ONE_MICROSECOND
    if record.is_abandoned and record.queued_at is not None and record.ended_at is not None:
        return (record.ended_at - record.queued_at) // _ONE_MICROSECOND
    return None


def _handle_parts_us(record: ContactRecord) -> tuple[int, int, int] | None:
    # the same rules as ContactRecord.handle_parts_seconds, in whole microseconds
    if record.answered_at is None:
        return None
    hold = microseconds(record.hold_seconds or 0.0)
    if record.talk_seconds is not None:
        talk = microseconds(record.talk_seconds)
    elif record.ended_at is not None:
        talk = max(0, (record.ended_at - record.answered_at) // _ONE_MICROSECOND - hold)
    else:
        return None
    wrap_up = 0
    if record.wrap_up_ended_at is not None and record.ended_at is not None:
        wrap_up = (record.wrap_up_ended_at - record.ended_at) // _ONE_MICROSECOND
    return talk, hold, wrap_up


def tally_records(
    records: Iterable[ContactRecord], settings: KpiSettings | None = None
) -> KpiTally:
    """The :class:`KpiTally` of ``records`` with the tenant's ``settings`` (T per queue, short
    abandons ≤ ``short_abandon_seconds``, both inclusive). Definitions: ``docs/kpis.md``."""
    settings = settings or KpiSettings()
    short_limit_us = microseconds(settings.short_abandon_seconds)
    counts = dict.fromkeys(TALLY_FIELDS, 0)
    counts["longest_wait_us"] = -1
    for record in records:
        counts["contacts"] += 1
        counts["self_service"] += record.ended_in_self_service
        counts["offered"] += record.is_offered
        wait = _wait_us(record)
        if wait is not None:
            counts["longest_wait_us"] = max(counts["longest_wait_us"], wait)
        if record.is_answered:
            counts["answered"] += 1
            counts["transfers"] += record.transferred
            counts["escalations"] += record.escalated
            if wait is not None:
                counts["answered_waits"] += 1
                counts["answered_wait_us"] += wait
                threshold_us = microseconds(settings.threshold.for_queue(record.queue))
                counts["answered_within_threshold"] += record.is_offered and wait <= threshold_us
            parts = _handle_parts_us(record)
            if parts is not None:
                counts["handled"] += 1
                counts["talk_us"] += parts[0]
                counts["hold_us"] += parts[1]
                counts["wrap_up_us"] += parts[2]
        elif record.is_abandoned:
            counts["abandoned"] += 1
            if wait is not None:
                counts["abandoned_waits"] += 1
                counts["abandoned_wait_us"] += wait
                counts["short_abandons"] += wait <= short_limit_us
        if record.csat_score is not None:
            counts["csat_responses"] += 1
            counts["csat_satisfied"] += record.csat_score >= 4
        if record.nps_score is not None:
            counts["nps_responses"] += 1
            counts["nps_promoters"] += record.nps_score >= 9
            counts["nps_detractors"] += record.nps_score <= 6
    return KpiTally(**counts)


@dataclass(frozen=True, slots=True)
class KpiSummary:
    """The tallied figures of ``docs/kpis.md``: rates are fractions, times seconds, NPS points.

    A figure is ``None`` where its denominator is 0.
    """

    contacts: int
    self_service: int
    offered: int
    answered: int
    abandoned: int
    short_abandons: int
    abandonment_rate: float | None
    abandonment_rate_excluding_short_abandons: float | None
    service_level: ServiceLevel
    service_level_variant: ServiceLevelVariant
    asa_seconds: float | None
    avg_wait_abandoned_seconds: float | None
    longest_wait_seconds: float | None
    handled_with_known_time: int
    aht_seconds: float | None
    avg_talk_seconds: float | None
    avg_hold_seconds: float | None
    avg_wrap_up_seconds: float | None
    transfers: int
    transfer_rate: float | None
    escalations: int
    escalation_rate: float | None
    csat_responses: int
    csat: float | None
    nps_responses: int
    nps: float | None

    @property
    def headline_service_level(self) -> float | None:
        """The service level of the tenant's chosen variant (fraction, or ``None``)."""
        return self.service_level.value(self.service_level_variant)


def _mean_seconds(total_us: int, count: int) -> float | None:
    return None if count == 0 else total_us / count / MICROSECONDS


def summarise(
    tally: KpiTally,
    settings: KpiSettings | None = None,
    *,
    thresholds_seconds: tuple[float, ...] | None = None,
) -> KpiSummary:
    """The figures of ``tally``; ``thresholds_seconds`` are the T values that applied (for the
    label; default: the tenant's default T)."""
    settings = settings or KpiSettings()
    within = tally.answered_within_threshold
    level = ServiceLevel(
        within_threshold_count=within,
        answered_count=tally.answered,
        offered_count=tally.offered,
        short_abandon_count=tally.short_abandons,
        thresholds_seconds=thresholds_seconds or (settings.threshold.seconds,),
        answered=ratio(within, tally.answered),
        offered=ratio(within, tally.offered),
        excluding_short_abandons=ratio(within, tally.offered - tally.short_abandons),
    )
    handled = tally.handled
    total_handle_us = tally.talk_us + tally.hold_us + tally.wrap_up_us
    nps = None
    if tally.nps_responses:
        nps = 100.0 * (tally.nps_promoters - tally.nps_detractors) / tally.nps_responses
    return KpiSummary(
        contacts=tally.contacts,
        self_service=tally.self_service,
        offered=tally.offered,
        answered=tally.answered,
        abandoned=tally.abandoned,
        short_abandons=tally.short_abandons,
        abandonment_rate=ratio(tally.abandoned, tally.offered),
        abandonment_rate_excluding_short_abandons=ratio(
            tally.abandoned - tally.short_abandons, tally.offered - tally.short_abandons
        ),
        service_level=level,
        service_level_variant=settings.service_level_variant,
        asa_seconds=_mean_seconds(tally.answered_wait_us, tally.answered_waits),
        avg_wait_abandoned_seconds=_mean_seconds(tally.abandoned_wait_us, tally.abandoned_waits),
        longest_wait_seconds=None
        if tally.longest_wait_us < 0
        else tally.longest_wait_us / MICROSECONDS,
        handled_with_known_time=handled,
        aht_seconds=_mean_seconds(total_handle_us, handled),
        avg_talk_seconds=_mean_seconds(tally.talk_us, handled),
        avg_hold_seconds=_mean_seconds(tally.hold_us, handled),
        avg_wrap_up_seconds=_mean_seconds(tally.wrap_up_us, handled),
        transfers=tally.transfers,
        transfer_rate=ratio(tally.transfers, tally.answered),
        escalations=tally.escalations,
        escalation_rate=ratio(tally.escalations, tally.answered),
        csat_responses=tally.csat_responses,
        csat=ratio(tally.csat_satisfied, tally.csat_responses),
        nps_responses=tally.nps_responses,
        nps=nps,
    )
