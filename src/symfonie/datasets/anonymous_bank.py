"""Reader of the "Anonymous Bank" call-center records (Technion SEE Center, Guedj & Mandelbaum).

One TAB-separated file per month, one header line, 17 fields per record (see
``shared/data/anonymous-bank/SOURCE.md``); the published copy is gzip-compressed. The reader keeps
every record, typed, in file order: filtering is a separate, explicit step
(:func:`exclude_phantom`, :func:`exclude_negative_vru_time`, :func:`on_weekday`).

Field names follow the file, with two changes: ``vru+line`` becomes ``vru_line`` and ``type``
becomes ``call_type``; durations carry their unit (``vru_time_seconds``). Times of day are
naive ``datetime.time`` values: the file has no time zone (local time in Israel, 1999), and
``0:00:00`` also means "did not happen" for ``q_start``/``q_exit``/``ser_start``/``ser_exit``,
so we keep it as it is rather than guess. ``customer_id`` stays a string: some ids are in float
notation (``6.02157E+11``) with the digits already lost at the source.

Standard library only, no Django: usable from the domain, the CLI and the KPI code alike.
"""

from __future__ import annotations

import functools
import gzip
import os
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from pathlib import Path

HEADER = (
    "vru+line",
    "call_id",
    "customer_id",
    "priority",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "vru_time",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
)
NO_SERVER = "NO_SERVER"
CALL_TYPES = ("PS", "PE", "IN", "NE", "NW", "TT")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class BankFileError(ValueError):
    """A line of the file does not follow the documented format (the message names the line)."""


class Outcome(StrEnum):
    """How a call ended: served by an agent, hung up (abandoned), or a virtual call to ignore."""

    AGENT = "AGENT"
    HANG = "HANG"
    PHANTOM = "PHANTOM"


@dataclass(frozen=True, slots=True)
class BankCall:
    """One record of the file, all 17 fields typed."""

    vru_line: str
    call_id: int
    customer_id: str
    priority: int
    call_type: str
    date: date
    vru_entry: time
    vru_exit: time
    vru_time_seconds: int
    q_start: time
    q_exit: time
    q_time_seconds: int
    outcome: Outcome
    ser_start: time
    ser_exit: time
    ser_time_seconds: int
    server: str

    @property
    def served_by_agent(self) -> bool:
        """True when an agent is named (``server`` is not ``NO_SERVER``)."""
        return self.server != NO_SERVER


@functools.lru_cache(maxsize=100_000)  # a month has at most 86,400 distinct times
def parse_time_of_day(text: str) -> time:
    """Parse ``H:MM:SS`` (hours 0–23) into a ``datetime.time``; raise ``ValueError`` otherwise."""
    parts = text.split(":")
    well_formed = (
        len(parts) == 3
        and all(part.isascii() and part.isdigit() for part in parts)
        and len(parts[0]) <= 2
        and len(parts[1]) == len(parts[2]) == 2
    )
    if not well_formed:
        raise ValueError(f"time of day must be H:MM:SS, got {text!r}")
    return time(int(parts[0]), int(parts[1]), int(parts[2]))


def parse_date(text: str) -> date:
    """Parse the file's ``YYMMDD`` date; the data are from 1999, so ``YY`` is 19YY."""
    if len(text) != 6 or not text.isdigit():
        raise ValueError(f"date must be YYMMDD, got {text!r}")
    return date(1900 + int(text[:2]), int(text[2:4]), int(text[4:]))


def parse_record(fields: list[str]) -> BankCall:
    """One record from its 17 fields; ``ValueError`` when a field does not parse."""
    return BankCall(
        vru_line=fields[0],
        call_id=int(fields[1]),
        customer_id=fields[2],
        priority=int(fields[3]),
        call_type=fields[4],
        date=parse_date(fields[5]),
        vru_entry=parse_time_of_day(fields[6]),
        vru_exit=parse_time_of_day(fields[7]),
        vru_time_seconds=int(fields[8]),
        q_start=parse_time_of_day(fields[9]),
        q_exit=parse_time_of_day(fields[10]),
        q_time_seconds=int(fields[11]),
        outcome=Outcome(fields[12]),
        ser_start=parse_time_of_day(fields[13]),
        ser_exit=parse_time_of_day(fields[14]),
        ser_time_seconds=int(fields[15]),
        server=fields[16],
    )


def parse_calls(lines: Iterable[str]) -> Iterator[BankCall]:
    """Parse the header line and then one :class:`BankCall` per line, in order.

    Raises :class:`BankFileError` naming the line number for a wrong header, a wrong field
    count or a field that does not parse. Nothing is dropped.
    """
    iterator = iter(lines)
    header = next(iterator, None)
    if header is None or tuple(header.rstrip("\r\n").split("\t")) != HEADER:
        raise BankFileError(f"line 1: expected the header {' '.join(HEADER)!r}")
    for number, line in enumerate(iterator, start=2):
        text = line.rstrip("\r\n")
        if not text:
            continue  # a trailing empty line is not a record
        fields = text.split("\t")
        if len(fields) != len(HEADER):
            raise BankFileError(f"line {number}: expected {len(HEADER)} fields, got {len(fields)}")
        try:
            yield parse_record(fields)
        except ValueError as exc:
            raise BankFileError(f"line {number}: {exc}") from None


def read_calls(path: str | os.PathLike[str]) -> list[BankCall]:
    """Read a whole file (gzip-compressed or plain text, told apart by its first bytes)."""
    file_path = Path(path)
    with file_path.open("rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
    if compressed:
        with gzip.open(file_path, "rt", encoding="ascii", newline="") as text:
            return list(parse_calls(text))
    with file_path.open(encoding="ascii", newline="") as text:
        return list(parse_calls(text))


def exclude_phantom(calls: Iterable[BankCall]) -> list[BankCall]:
    """The calls whose outcome is not PHANTOM (virtual calls that the source says to ignore)."""
    return [call for call in calls if call.outcome is not Outcome.PHANTOM]


def exclude_negative_vru_time(calls: Iterable[BankCall]) -> list[BankCall]:
    """The calls whose ``vru_time_seconds`` is >= 0 (a negative VRU time marks a bad row)."""
    return [call for call in calls if call.vru_time_seconds >= 0]


def on_weekday(calls: Iterable[BankCall], weekday: str) -> list[BankCall]:
    """The calls on ``weekday`` (English name, any case, e.g. ``"wednesday"``)."""
    index = weekday_index(weekday)
    return [call for call in calls if call.date.weekday() == index]


def weekday_index(weekday: str) -> int:
    """Monday = 0 … Sunday = 6 for an English weekday name; ``ValueError`` for anything else."""
    name = weekday.strip().lower()
    if name not in WEEKDAYS:
        raise ValueError(f"weekday must be one of {', '.join(WEEKDAYS)}, got {weekday!r}")
    return WEEKDAYS.index(name)


@dataclass(frozen=True, slots=True)
class HourlyWorkload:
    """Mean workload per hour of the day (index 0 = 00:00–00:59) over ``dates``.

    ``calls_per_hour``: calls entering the VRU in that hour, divided by the number of dates;
    ``mean_service_seconds``: mean ``ser_time`` of the calls an agent served in that hour, or
    of all of them when the hour has none (so that every hour has a value).
    """

    dates: tuple[date, ...]
    calls_per_hour: tuple[float, ...]
    mean_service_seconds: tuple[float, ...]

    def service_rate_per_hour(self, wrap_up_seconds: float) -> tuple[float, ...]:
        """Calls one agent can serve per hour: ``3600 / (mean service + wrap-up)``, per hour."""
        return tuple(3600.0 / (seconds + wrap_up_seconds) for seconds in self.mean_service_seconds)


def hourly_workload(calls: Iterable[BankCall]) -> HourlyWorkload:
    """Hourly arrival rate and mean service time of ``calls`` (already filtered by the caller).

    The hour is that of ``vru_entry`` (when the call reached the center); a call counts as
    served when an agent is named (``server`` != ``NO_SERVER``). This is the aggregation of the
    published exercise (T. W. Miller, *Modeling Techniques in Predictive Analytics*, chapter
    "Workforce scheduling"); the arrival rate is calls in the hour / number of distinct dates.
    """
    selected = list(calls)
    dates = tuple(sorted({call.date for call in selected}))
    if not dates:
        raise ValueError("no calls to aggregate")
    counts = [0] * 24
    service: list[list[int]] = [[] for _ in range(24)]
    for call in selected:
        hour = call.vru_entry.hour
        counts[hour] += 1
        if call.served_by_agent:
            service[hour].append(call.ser_time_seconds)
    all_service = [seconds for hour_service in service for seconds in hour_service]
    if not all_service:
        raise ValueError("no served calls to measure service times from")
    overall = statistics.fmean(all_service)
    return HourlyWorkload(
        dates=dates,
        calls_per_hour=tuple(count / len(dates) for count in counts),
        mean_service_seconds=tuple(
            statistics.fmean(hour_service) if hour_service else overall for hour_service in service
        ),
    )
