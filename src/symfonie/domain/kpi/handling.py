"""Waiting, handling and agent time: ASA, waits, AHT, occupancy, utilisation, transfers, escalations.

Waits come from :attr:`ContactRecord.wait_seconds` (queue entry to answer, or to abandonment).
Handle time is talk + hold + wrap-up (nawerk), the usual AHT (e.g. the Genesys Cloud glossary,
"average handle time": talk + hold + after-call work per handled interaction); it is the service
time of the Erlang models in ``symfonie.domain.wfm``.
Occupancy and utilisation come from agent presence time, not from the contacts: a chat agent
with three conversations at once is busy once, not three times.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from symfonie.domain.kpi.counts import mean_or_none, ratio
from symfonie.domain.kpi.records import ContactRecord, PresenceInterval, PresenceState


def _answered_waits(records: Iterable[ContactRecord]) -> list[float]:
    waits = [record.wait_seconds for record in records if record.is_answered]
    return [wait for wait in waits if wait is not None]


def _abandoned_waits(records: Iterable[ContactRecord]) -> list[float]:
    waits = [record.wait_seconds for record in records if record.is_abandoned]
    return [wait for wait in waits if wait is not None]


def average_speed_of_answer(records: Iterable[ContactRecord]) -> float | None:
    """ASA in seconds: mean wait of the answered contacts (answered_at − queued_at; 0 unqueued).

    Abandoned contacts do not count. ``None`` when nothing was answered.
    """
    return mean_or_none(_answered_waits(records))


def average_wait_abandoned(records: Iterable[ContactRecord]) -> float | None:
    """Mean wait of the abandoned contacts in seconds (ended_at − queued_at); ``None`` if none."""
    return mean_or_none(_abandoned_waits(records))


def longest_wait(records: Iterable[ContactRecord]) -> float | None:
    """Longest wait in seconds over answered and abandoned contacts; ``None`` if there are none.

    Contacts still waiting have no wait yet and do not count.
    """
    waits = [record.wait_seconds for record in records]
    known = [wait for wait in waits if wait is not None]
    return max(known) if known else None


@dataclass(frozen=True, slots=True)
class HandleTimes:
    """Mean handle time and its parts in seconds over ``count`` answered contacts.

    ``aht_seconds`` = ``talk_seconds`` + ``hold_seconds`` + ``wrap_up_seconds`` (each a mean);
    all ``None`` when ``count`` is 0.
    """

    count: int
    aht_seconds: float | None
    talk_seconds: float | None
    hold_seconds: float | None
    wrap_up_seconds: float | None


def handle_times(records: Iterable[ContactRecord]) -> HandleTimes:
    """AHT = mean of (talk + hold + wrap-up) over answered contacts whose handling is known.

    Units: seconds. Talk and hold come from the measured ``talk_seconds``/``hold_seconds`` or
    else from ``ended_at − answered_at``; wrap-up is ``wrap_up_ended_at − ended_at`` (0 when
    none was recorded). Answered contacts still in conversation are left out.
    """
    parts = [record.handle_parts_seconds for record in records]
    known = [part for part in parts if part is not None]
    if not known:
        return HandleTimes(0, None, None, None, None)
    count = len(known)
    talk = math.fsum(part[0] for part in known) / count
    hold = math.fsum(part[1] for part in known) / count
    wrap_up = math.fsum(part[2] for part in known) / count
    total = math.fsum(part[0] + part[1] + part[2] for part in known) / count
    return HandleTimes(count, total, talk, hold, wrap_up)


def average_handle_time(records: Iterable[ContactRecord]) -> float | None:
    """AHT in seconds: mean (talk + hold + wrap-up) of answered contacts; see :func:`handle_times`."""
    return handle_times(records).aht_seconds


@dataclass(frozen=True, slots=True)
class PresenceTotals:
    """Agent-seconds per presence state.

    ``occupancy`` = busy / (busy + available): the share of ready time spent handling contacts,
    the quantity Erlang C predicts as A/N. ``utilisation`` = busy / (busy + available +
    not ready): the share of time at work (as presence shows it) spent handling contacts.
    Offline time counts in neither. Both are ``None`` when their denominator is 0.
    """

    busy_seconds: float
    available_seconds: float
    not_ready_seconds: float
    offline_seconds: float

    @property
    def occupancy(self) -> float | None:
        """busy / (busy + available), a fraction in [0, 1]."""
        return ratio(self.busy_seconds, self.busy_seconds + self.available_seconds)

    @property
    def utilisation(self) -> float | None:
        """busy / (busy + available + not ready), a fraction in [0, 1]."""
        at_work = self.busy_seconds + self.available_seconds + self.not_ready_seconds
        return ratio(self.busy_seconds, at_work)


def presence_totals(
    intervals: Iterable[PresenceInterval],
    *,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> PresenceTotals:
    """Sum agent-seconds per state, clipping each interval to [window_start, window_end).

    Without a window the intervals count whole. Units: seconds (agent-seconds).
    """
    totals = dict.fromkeys(PresenceState, 0.0)
    # In UTC: same-zone datetimes subtract by wall clock (an hour off on DST change days).
    window_start = None if window_start is None else window_start.astimezone(UTC)
    window_end = None if window_end is None else window_end.astimezone(UTC)
    for interval in intervals:
        start = interval.start if window_start is None else max(interval.start, window_start)
        end = interval.end if window_end is None else min(interval.end, window_end)
        if end > start:
            totals[interval.state] += (end - start).total_seconds()
    return PresenceTotals(
        busy_seconds=totals[PresenceState.BUSY],
        available_seconds=totals[PresenceState.AVAILABLE],
        not_ready_seconds=totals[PresenceState.NOT_READY],
        offline_seconds=totals[PresenceState.OFFLINE],
    )


def occupancy(intervals: Iterable[PresenceInterval]) -> float | None:
    """Occupancy (fraction): busy time / (busy + available time), from presence intervals.

    Convention: Genesys' and Call Centre Helper's definitions (handling time against ready
    logged-in time; not-ready and offline time excluded). ``None`` without busy or available time.
    """
    return presence_totals(intervals).occupancy


def utilisation(intervals: Iterable[PresenceInterval]) -> float | None:
    """Utilisation (fraction): busy time / (busy + available + not-ready time), from presence.

    Convention: utilisation counts all time at work, including breaks, meetings and training
    (Genesys, "call centre agent utilisation"); offline time is not at work. A paid-time
    utilisation needs the roster and belongs to workforce management.
    """
    return presence_totals(intervals).utilisation


def transfer_rate(records: Iterable[ContactRecord]) -> float | None:
    """Transfer rate (fraction): answered contacts with ``transferred`` / answered contacts."""
    answered = [record for record in records if record.is_answered]
    return ratio(sum(record.transferred for record in answered), len(answered))


def escalation_rate(records: Iterable[ContactRecord]) -> float | None:
    """Escalation rate (fraction): answered contacts with ``escalated`` / answered contacts."""
    answered = [record for record in records if record.is_answered]
    return ratio(sum(record.escalated for record in answered), len(answered))
