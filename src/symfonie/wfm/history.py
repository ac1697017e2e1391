"""History per interval for the forecast (:class:`~symfonie.domain.wfm.forecast.SeriesHistory`).

Two sources:

* the Anonymous Bank file (:func:`bank_history`, :func:`read_bank_history`): PHANTOM rows
  dropped (virtual calls), arrival = ``vru_entry`` on the record's date, handle time =
  ``ser_time`` of AGENT calls (the file has no wrap-up), queue = call type, clock Asia/Jerusalem;
* stored contacts (:func:`contact_history`): ``contacts.Contact`` of a tenant, optionally one
  queue and one channel, arriving on local dates ``start`` … ``end`` of the tenant's time zone;
  handle time = ``ended_at − answered_at``, plus ``wrap_up_ended_at − ended_at`` when set.

Both count a contact in the wall-clock interval of its arrival and attribute its handle time to
that interval (the workload the arrivals of an interval bring). No Django at import time: the
bank path runs without a database.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np

from symfonie.datasets.anonymous_bank import (
    BankCall,
    HourlyWorkload,
    Outcome,
    exclude_phantom,
    read_calls,
    weekday_index,
)
from symfonie.domain.wfm.forecast import SeriesHistory

if TYPE_CHECKING:
    from symfonie.tenants.models import Tenant

__all__ = [
    "bank_history",
    "contact_history",
    "contact_hourly_workload",
    "read_bank_history",
]


class _Bins:
    """Counts and handle times per (day, slot), filled one contact at a time."""

    def __init__(self, days: int, interval_minutes: int) -> None:
        slots = 24 * 60 // interval_minutes
        self.interval_minutes = interval_minutes
        self.contacts = np.zeros((days, slots))
        self.handle_seconds = np.zeros((days, slots))
        self.handled_contacts = np.zeros((days, slots))

    def add(self, day: int, clock: time, handle_seconds: float | None) -> None:
        slot = (clock.hour * 60 + clock.minute) // self.interval_minutes
        self.contacts[day, slot] += 1
        if handle_seconds is not None:
            self.handle_seconds[day, slot] += handle_seconds
            self.handled_contacts[day, slot] += 1

    def history(self, series: str, first_day: date, time_zone: str) -> SeriesHistory:
        return SeriesHistory(
            series=series,
            first_day=first_day,
            interval_minutes=self.interval_minutes,
            time_zone=time_zone,
            contacts=self.contacts,
            handle_seconds=self.handle_seconds,
            handled_contacts=self.handled_contacts,
        )


def bank_history(
    calls: Iterable[BankCall], *, queue: str | None = None, interval_minutes: int = 30
) -> SeriesHistory:
    """The bank calls of call type ``queue`` (all types when ``None``) per interval.

    Covers every date from the first to the last date in the file. ``ValueError`` when no
    non-PHANTOM call has that type.
    """
    from symfonie.datasets.bank_kpi import BANK_TIME_ZONE  # the one mapping of the bank's clock

    selected = [call for call in exclude_phantom(calls) if queue is None or call.call_type == queue]
    if not selected:
        raise ValueError(f"no calls of type {queue!r}" if queue else "no calls")
    first = min(call.date for call in selected)
    last = max(call.date for call in selected)
    bins = _Bins((last - first).days + 1, interval_minutes)
    for call in selected:
        handle = float(call.ser_time_seconds) if call.outcome is Outcome.AGENT else None
        bins.add((call.date - first).days, call.vru_entry, handle)
    return bins.history(queue or "all call types", first, BANK_TIME_ZONE.key)


def read_bank_history(
    path: str | Path, *, queue: str | None = None, interval_minutes: int = 30
) -> SeriesHistory:
    """:func:`bank_history` of a bank file (``OSError``/``BankFileError`` when unreadable)."""
    return bank_history(read_calls(path), queue=queue, interval_minutes=interval_minutes)


def _handle_seconds(
    answered_at: datetime | None, ended_at: datetime | None, wrap_up_ended_at: datetime | None
) -> float | None:
    """Talk (answered → ended) plus wrap-up (ended → wrap-up ended), or ``None`` if unhandled."""
    if answered_at is None or ended_at is None or ended_at < answered_at:
        return None
    seconds = (ended_at - answered_at).total_seconds()
    if wrap_up_ended_at is not None and wrap_up_ended_at > ended_at:
        seconds += (wrap_up_ended_at - ended_at).total_seconds()
    return seconds


def contact_history(
    tenant: Tenant,
    *,
    start: date,
    end: date,
    queue: str | None = None,
    channel: str | None = None,
    interval_minutes: int = 30,
) -> SeriesHistory:
    """The tenant's contacts arriving on local dates ``start`` … ``end`` (inclusive) per interval.

    One query, only the four timestamps fetched; binning on the tenant's clock happens here,
    so it is the same on SQLite and PostgreSQL. ``ValueError`` for a reversed range.
    """
    from symfonie.contacts.models import Contact

    if end < start:
        raise ValueError(f"the range is reversed: end {end} is before start {start}")
    zone = ZoneInfo(tenant.time_zone)
    first = datetime.combine(start, time(0), tzinfo=zone)
    after = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone)
    rows = Contact.objects.filter(tenant=tenant, arrived_at__gte=first, arrived_at__lt=after)
    if queue:
        rows = rows.filter(queue=queue)
    if channel:
        rows = rows.filter(channel=channel)
    columns = rows.order_by().values_list(
        "arrived_at", "answered_at", "ended_at", "wrap_up_ended_at"
    )
    bins = _Bins((end - start).days + 1, interval_minutes)
    for arrived_at, answered_at, ended_at, wrap_up_ended_at in columns.iterator(chunk_size=5000):
        local = arrived_at.astimezone(zone)
        handle = _handle_seconds(answered_at, ended_at, wrap_up_ended_at)
        bins.add((local.date() - start).days, local.time(), handle)
    series = f"{tenant.slug}/{queue or '*'}/{channel or '*'}"
    return bins.history(series, start, tenant.time_zone)


def contact_hourly_workload(
    tenant: Tenant, *, weekday: str | None = None, queue: str | None = None
) -> HourlyWorkload:
    """The hourly workload of a tenant's stored contacts, as the bank exercise aggregates it
    (:func:`symfonie.datasets.anonymous_bank.hourly_workload`): contacts arriving in each hour of
    the tenant's clock / number of distinct dates, and the mean talk time of the contacts an
    agent took in that hour (of all of them where an hour has none). ``weekday``: English name."""
    from symfonie.contacts.models import Contact

    zone = ZoneInfo(tenant.time_zone)
    contacts = Contact.objects.filter(tenant=tenant)
    if queue:
        contacts = contacts.filter(queue=queue)
    wanted = None if weekday is None else weekday_index(weekday)
    counts = [0] * 24
    service: list[list[float]] = [[] for _ in range(24)]
    dates: set[date] = set()
    rows = contacts.values_list("arrived_at", "agent_id", "talk_seconds")
    for arrived, agent, talk in rows.iterator(chunk_size=10_000):
        local = arrived.astimezone(zone)
        if wanted is not None and local.weekday() != wanted:
            continue
        dates.add(local.date())
        counts[local.hour] += 1
        if agent is not None and talk is not None:
            service[local.hour].append(talk)
    if not dates:
        raise ValueError(f"no contacts of {tenant.slug} on {weekday or 'any day'}")
    everything = [seconds for hour in service for seconds in hour]
    if not everything:
        raise ValueError(f"no contacts of {tenant.slug} with a talk time to measure")
    overall = statistics.fmean(everything)
    return HourlyWorkload(
        dates=tuple(sorted(dates)),
        calls_per_hour=tuple(count / len(dates) for count in counts),
        mean_service_seconds=tuple(statistics.fmean(h) if h else overall for h in service),
    )
