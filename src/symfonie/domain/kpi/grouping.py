"""Every KPI per time bucket and per group: :func:`group_by`.

Contacts go to the bucket of their **arrival** (``arrived_at``: when they entered the center,
menu/VRU included), in local time of ``tz`` (``Europe/Amsterdam`` by default; see
:mod:`~symfonie.domain.kpi.periods` for days, weeks, months, intervals and DST). A contact whose
answer or abandonment falls in the next interval still counts where it arrived, so counts add
up: the buckets of one grouping partition the contacts (except by topic, below).

Groups: ``tenant``, ``queue``, ``channel``, ``team`` (the handling agent's team), ``agent``
(the handling agent), ``topic`` (a contact counts in each of its topics, so topic buckets may
add up to more than the total), or any function of a record. A missing team, agent or topic is
the group ``""`` (unassigned: e.g. abandoned contacts have no agent).

Agent presence is split over the time buckets it overlaps (clipped to each) and attributed by
``agent`` or ``team``, or to every bucket when there is no group; grouped by anything else,
occupancy and utilisation are ``None``. Back-office tasks go to the bucket of their due time and
are attributed by ``tenant``, ``queue``, ``team`` or ``agent``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from symfonie.domain.kpi.kpiset import KpiSet, KpiSettings, compute_kpis
from symfonie.domain.kpi.periods import AMSTERDAM, Bucketing, Period, make_bucketing
from symfonie.domain.kpi.quality import ContactHistory
from symfonie.domain.kpi.records import BackOfficeTask, ContactRecord, PresenceInterval

GroupName = Literal["tenant", "queue", "channel", "team", "agent", "topic"]
GroupKey = GroupName | Callable[[ContactRecord], str]
UNASSIGNED = ""


@dataclass(frozen=True, slots=True)
class KpiBucket:
    """The KPIs of one (time bucket, group).

    ``start``/``end``: local times in ``tz`` (end exclusive), ``None`` without time bucketing;
    ``group``: the group's value, ``None`` without grouping.
    """

    start: datetime | None
    end: datetime | None
    group: str | None
    kpis: KpiSet


@dataclass
class _Parts:
    start: datetime | None
    end: datetime | None
    records: list[ContactRecord] = field(default_factory=list)
    presence: list[PresenceInterval] = field(default_factory=list)
    tasks: list[BackOfficeTask] = field(default_factory=list)


def _record_groups(record: ContactRecord, key: GroupKey | None) -> list[str | None]:
    if key is None:
        return [None]
    if callable(key):
        return [key(record)]
    if key == "topic":
        topics: list[str | None] = [*sorted(set(record.topic_keys))]
        return topics or [UNASSIGNED]
    values: dict[str, str | None] = {
        "tenant": record.tenant,
        "queue": record.queue,
        "channel": record.channel,
        "team": record.team,
        "agent": record.agent_id,
    }
    return [values[key] or UNASSIGNED]


def _presence_group(interval: PresenceInterval, key: GroupKey | None) -> list[str | None]:
    if key is None:
        return [None]
    if key == "agent":
        return [interval.agent_id]
    if key == "team":
        return [interval.team or UNASSIGNED]
    return []  # agent time cannot be attributed to a queue, channel, topic or tenant


def _task_group(task: BackOfficeTask, key: GroupKey | None) -> list[str | None]:
    if key is None:
        return [None]
    if key == "tenant":
        return [task.tenant]
    if key in ("queue", "team", "agent"):
        value = {"queue": task.queue, "team": task.team, "agent": task.agent_id}[key]
        return [value or UNASSIGNED]
    return []


class _Buckets:
    def __init__(self, bucketing: Bucketing | None) -> None:
        self.bucketing = bucketing
        self.parts: dict[tuple[datetime | None, str | None], _Parts] = {}

    def at(self, start: datetime | None, group: str | None) -> _Parts:
        # Keyed by the UTC instant: the two local 02:00s of the autumn DST change compare equal.
        key = (None if start is None else start.astimezone(UTC), group)
        if key not in self.parts:
            end = None
            if start is not None and self.bucketing is not None:
                end = self.bucketing.end_of(start)
            self.parts[key] = _Parts(start, end)
        return self.parts[key]

    def starts_for(self, instant: datetime) -> list[datetime | None]:
        if self.bucketing is None:
            return [None]
        return [self.bucketing.start_of(instant)]

    def starts_overlapping(self, start: datetime, end: datetime) -> list[datetime | None]:
        if self.bucketing is None:
            return [None]
        return list(self.bucketing.starts_overlapping(start, end))


def group_by(
    records: Iterable[ContactRecord],
    *,
    key: GroupKey | None = None,
    interval_minutes: int | None = None,
    period: Period | str | None = None,
    tz: str = AMSTERDAM,
    settings: KpiSettings | None = None,
    presence: Iterable[PresenceInterval] = (),
    tasks: Iterable[BackOfficeTask] = (),
    as_of: datetime | None = None,
    data_until: datetime | None = None,
) -> list[KpiBucket]:
    """A :class:`KpiSet` per (time bucket, group), in time order and then group order.

    Time buckets: ``interval_minutes`` (15, 30, 60, … dividing a day) or ``period`` (``"day"``,
    ``"week"``, ``"month"``) in local time of ``tz``, by arrival; neither gives one bucket for
    all time. ``key`` groups as the module doc says. Only buckets holding a contact, a presence
    interval or a task appear. FCR looks for repeat contacts among all ``records``, across
    buckets; ``as_of`` judges open back-office tasks; ``data_until`` marks FCR windows that are
    still open as pending.
    """
    settings = settings or KpiSettings()
    selected = list(records)
    buckets = _Buckets(make_bucketing(interval_minutes=interval_minutes, period=period, tz=tz))
    for record in selected:
        for start in buckets.starts_for(record.arrived_at):
            for group in _record_groups(record, key):
                buckets.at(start, group).records.append(record)
    for interval in presence:
        for start in buckets.starts_overlapping(interval.start, interval.end):
            for group in _presence_group(interval, key):
                buckets.at(start, group).presence.append(interval)
    for task in tasks:
        for start in buckets.starts_for(task.due_at):
            for group in _task_group(task, key):
                buckets.at(start, group).tasks.append(task)
    history = ContactHistory(selected, window=settings.repeat_window)
    result: list[KpiBucket] = []
    for (_, group), parts in sorted(buckets.parts.items(), key=_order):
        kpis = compute_kpis(
            parts.records,
            settings=settings,
            presence=parts.presence,
            tasks=parts.tasks,
            as_of=as_of,
            history=history,
            data_until=data_until,
            window_start=parts.start,
            window_end=parts.end,
        )
        result.append(KpiBucket(parts.start, parts.end, group, kpis))
    return result


def _order(item: tuple[tuple[datetime | None, str | None], _Parts]) -> tuple[float, str]:
    (start, group), _ = item
    return (start.timestamp() if start is not None else 0.0, group or "")
