"""The intraday view: one day's actual contacts beside its forecast and its schedule.

Per 30-minute interval: offered and the service level measured (the reporting's figures, on the
tenant's service-level definition), the forecast contacts, the agents the forecast needs
(scheduled agents, with shrinkage) and the agents the schedule has on the queue. An interval is
*at risk* when its measured service level is below the target, or when more contacts arrived
than forecast by more than ``margin`` (and by at least :data:`MIN_EXCESS_CONTACTS`, so a single
extra call in a quiet half hour raises no alarm): the staffing was planned for fewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from symfonie.wfm.planner import Plan

MIN_EXCESS_CONTACTS = 2


@dataclass(frozen=True)
class Actual:
    """Measured figures of one interval (from the KPI report's buckets)."""

    start: datetime
    offered: int
    answered: int
    service_level: float | None


@dataclass(frozen=True)
class IntradayRow:
    start: datetime
    offered: int | None
    answered: int | None
    service_level: float | None
    forecast: float
    required_agents: int
    scheduled_agents: int | None
    low_service_level: bool
    volume_above_forecast: bool

    @property
    def at_risk(self) -> bool:
        return self.low_service_level or self.volume_above_forecast

    @property
    def under_staffed(self) -> bool:
        return self.scheduled_agents is not None and self.scheduled_agents < self.required_agents


def intraday_rows(
    plan: Plan, day_index: int, actuals: Iterable[Actual], *, margin: float
) -> list[IntradayRow]:
    """The rows of horizon day ``day_index``; ``actuals`` are matched on their start instant
    (so the repeated autumn hour keeps its two intervals apart)."""
    measured = {actual.start.astimezone(UTC): actual for actual in actuals}
    target = plan.settings.service_level
    rows = []
    for index, interval in enumerate(plan.staffed.intervals):
        if interval.day != day_index:
            continue
        actual = measured.get(interval.start.astimezone(UTC))
        offered = actual.offered if actual else None
        level = actual.service_level if actual else None
        excess = (offered or 0) - interval.contacts
        rows.append(
            IntradayRow(
                start=interval.start,
                offered=offered,
                answered=actual.answered if actual else None,
                service_level=level,
                forecast=interval.contacts,
                required_agents=interval.scheduled_agents,
                scheduled_agents=plan.scheduled_by_interval[index],
                low_service_level=level is not None and level < target - 1e-12,
                volume_above_forecast=offered is not None
                and excess > margin * interval.contacts
                and excess >= MIN_EXCESS_CONTACTS,
            )
        )
    return rows


def active_rows(rows: list[IntradayRow]) -> list[IntradayRow]:
    """The rows from the first to the last with contacts, forecast or agents (the open day)."""
    busy = [
        i
        for i, row in enumerate(rows)
        if (row.offered or 0) > 0
        or row.forecast >= 0.05
        or row.required_agents
        or (row.scheduled_agents or 0) > 0
    ]
    return rows[busy[0] : busy[-1] + 1] if busy else []
