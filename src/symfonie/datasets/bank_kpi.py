"""Anonymous Bank calls as KPI contact records (:class:`~symfonie.domain.kpi.ContactRecord`).

The mapping, field by field (file fields as in ``shared/data/anonymous-bank/SOURCE.md``):

* ``contact_id`` = ``"<vru+line>-<call_id>"`` (the call id repeats across the lines of one VRU;
  with the line it is unique in the February file); ``queue`` = ``type`` (PS, NW, NE, IN, TT,
  PE); ``channel`` = ``"voice"``; ``agent_id`` = ``server`` (``None`` for ``NO_SERVER``);
  ``customer_key`` = ``customer_id`` (``None`` for ``0``, the unidentified caller; the 18 ids
  in float notation keep their lossy text); ``priority`` = ``priority``; no topics.
* Times are local clock times in Israel without a zone: they become aware datetimes in
  ``Asia/Jerusalem`` (no DST change in February 1999). A time of day is placed on the date of the
  call or the day before or after, whichever is nearest its predecessor (calls cross midnight).
* The call **queued** when ``q_start`` is not ``0:00:00`` (one call did queue at exactly
  midnight: its ``q_time`` is > 0, which also counts). ``queued_at`` = ``q_start``.
* **AGENT** calls are answered: ``answered_at`` = ``queued_at + q_time`` (= ``q_exit``), or
  ``vru_exit`` when the call went from the VRU straight to an agent (wait 0);
  ``talk_seconds`` = ``ser_time``, ``ended_at`` = ``answered_at + ser_time``. The file has no
  hold or wrap-up time, so AHT here is service time only.
* **HANG** calls that queued are abandoned: ``ended_at`` = ``queued_at + q_time`` (they left the
  queue then; 97 of them carry a ``ser_start`` without an agent, ignored). HANG calls that never
  queued ended in the VRU: ``ended_in_self_service``, not offered.
* Durations come from the ``*_time`` fields rather than from subtracting clock times: the VRU,
  the queue and the agents' switch run on clocks a second or two apart (``ser_start`` is often
  one or two seconds before ``q_exit``), and the published facts use the durations.
* ``vru_time`` < 0 (25 rows; the VRU's clock ran ahead): ``vru_exit`` is before ``vru_entry``, so
  the arrival is taken as the earlier of the two, keeping the record in order. These rows are
  mapped, not refused: SOURCE.md's facts include them; an import that rejects them filters with
  :func:`~symfonie.datasets.anonymous_bank.exclude_negative_vru_time` first.

PHANTOM calls (virtual, to be ignored) and negative ``q_time``/``ser_time`` raise ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from symfonie.datasets.anonymous_bank import BankCall, Outcome
from symfonie.domain.kpi.records import ContactRecord

BANK_TIME_ZONE = ZoneInfo("Asia/Jerusalem")
BANK_TENANT = "anonymous-bank"
VOICE = "voice"
_NOT_HAPPENED = time(0, 0, 0)
_SURELY_NEAREST = timedelta(hours=11)


def _instant(day: date, clock: time, near: datetime) -> datetime:
    """``clock`` on ``day`` − 1, ``day`` or ``day`` + 1, whichever is nearest ``near`` (UTC)."""
    same_day = datetime.combine(day, clock, tzinfo=BANK_TIME_ZONE).astimezone(UTC)
    if abs(same_day - near) < _SURELY_NEAREST:
        return same_day  # the other days are ≥ 23 h away, so farther: skip them (speed)
    candidates = (
        datetime.combine(day + timedelta(days=offset), clock, tzinfo=BANK_TIME_ZONE).astimezone(UTC)
        for offset in (-1, 0, 1)
    )
    return min(candidates, key=lambda candidate: abs(candidate - near))


def call_to_record(call: BankCall, *, tenant: str = BANK_TENANT) -> ContactRecord:
    """One bank call as a :class:`ContactRecord` (the mapping is in the module doc)."""
    if call.outcome is Outcome.PHANTOM:
        raise ValueError(f"call {call.call_id}: PHANTOM calls are virtual and must be left out")
    if call.q_time_seconds < 0 or call.ser_time_seconds < 0:
        raise ValueError(f"call {call.call_id}: negative q_time or ser_time")
    entered = datetime.combine(call.date, call.vru_entry, tzinfo=BANK_TIME_ZONE).astimezone(UTC)
    left_vru = _instant(call.date, call.vru_exit, entered)
    queued = call.q_start != _NOT_HAPPENED or call.q_time_seconds > 0
    queued_at = _instant(call.date, call.q_start, left_vru) if queued else None
    queue_seconds = timedelta(seconds=call.q_time_seconds)
    answered_at = ended_at = None
    talk_seconds = None
    if call.outcome is Outcome.AGENT:
        answered_at = left_vru if queued_at is None else queued_at + queue_seconds
        ended_at = answered_at + timedelta(seconds=call.ser_time_seconds)
        talk_seconds = float(call.ser_time_seconds)
    else:
        ended_at = left_vru if queued_at is None else queued_at + queue_seconds
    return ContactRecord(
        contact_id=f"{call.vru_line}-{call.call_id}",
        tenant=tenant,
        queue=call.call_type,
        channel=VOICE,
        arrived_at=min(entered, left_vru),
        agent_id=call.server if call.served_by_agent else None,
        customer_key=None if call.customer_id == "0" else call.customer_id,
        queued_at=queued_at,
        answered_at=answered_at,
        ended_at=ended_at,
        abandoned=call.outcome is Outcome.HANG and queued,
        ended_in_self_service=call.outcome is Outcome.HANG and not queued,
        talk_seconds=talk_seconds,
        priority=call.priority,
    )


def calls_to_records(
    calls: Iterable[BankCall], *, tenant: str = BANK_TENANT
) -> list[ContactRecord]:
    """Map every call with :func:`call_to_record` (leave PHANTOM calls out first)."""
    return [call_to_record(call, tenant=tenant) for call in calls]
