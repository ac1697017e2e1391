"""The waiting line of one queue: its un-offered contacts in waiting order, without sorting them.

The routing pass wants a queue's contacts best first (``scoring.order_key``), but usually looks
at one or two of them. The score moves with time, yet only through a few linear pieces:

    score = wait + credits + weight · clamp(elapsed − f·T, 0, (1 − f)·T)

with ``wait`` = now − arrived_at and ``elapsed`` the same, or on a working-hours target
X(now) − X(arrived_at) for X the working seconds of the queue calendar since a base instant.
So every contact is in one of three regimes, each with a score of the form
``lift(now) + static(contact)``:

    0 (elapsed < f·T)   now − a + k                          static = k − a
    1 (in the ramp)     now − a + k + w·(X(now) − X(a) − f·T)  static = k − a − w·X(a)
    2 (elapsed ≥ T)     now − a + k + w·(1 − f)·T            static = k − a

(a = arrived_at in seconds, k = the customer's credit, w = the weight; the queue credit is in
the lift). Within a regime the order never changes, so each regime is a heap on ``static``;
a contact moves 0 → 1 → 2 at known clock positions (two more heaps). To keep the result exactly
that of sorting with ``order_key`` (float rounding included), the heaps only propose: the exact
key is computed for every contact whose estimate comes within ``_eps`` of the best exact score
found, and the best exact key wins (ties: the lower sequence, FIFO). Removals are lazy: each
heap entry carries a stamp that must match the contact's current one.

A clock that goes backwards (the router allows it) rebuilds the line; contacts that arrived after
``now`` are kept aside and always scored exactly. New contacts are only staged until a pass has
seen them (``commit``): most are offered at once and never need the heaps.
"""

from __future__ import annotations

import heapq
import math
from datetime import UTC, date, datetime, time
from itertools import count
from zoneinfo import ZoneInfo

from symfonie.domain.routing.calendar import BusinessCalendar
from symfonie.domain.routing.model import Queue
from symfonie.domain.routing.scoring import OrderKey, score_seconds
from symfonie.domain.routing.state import WaitingContact

_REFERENCE = datetime(2000, 1, 1, tzinfo=UTC)
_PENDING = -1  # arrived after the ``now`` it was filed at (a clock that went backwards)

# (−static, sequence, stamp, contact): heaps pop the highest static first, then FIFO.
_Entry = tuple[float, int, int, WaitingContact]
# (−exact score, sequence, stamp, regime, contact, heap entry or None for a pending contact);
# stamps are unique, so tuples never compare past them.
_Scored = tuple[float, int, int, int, WaitingContact, _Entry | None]
_stamps = count(1)


def seconds_since_reference(moment: datetime) -> float:
    """``moment`` in seconds since 2000-01-01 UTC (the wall clock of the static keys)."""
    return (moment - _REFERENCE).total_seconds()


class WorkingClock:
    """Working seconds of one calendar since a base instant: X(b) − X(a) equals
    ``calendar.working_seconds_between(a, b)`` (up to float rounding) for any a ≤ b.

    X at each local midnight is memoised, walking one day at a time from the first day asked,
    so each X(t) costs one call over a single day."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar
        self.zone = ZoneInfo(calendar.timezone)
        self.at_midnight: dict[date, float] = {}
        self.first: date | None = None
        self.last: date | None = None

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0, 0), tzinfo=self.zone).astimezone(UTC)

    def _between(self, start: datetime, end: datetime) -> float:
        if end >= start:
            return self.calendar.working_seconds_between(start, end)
        return -self.calendar.working_seconds_between(end, start)

    def _day_value(self, day: date) -> float:
        known = self.at_midnight
        if self.first is None or self.last is None:
            self.first = self.last = day
            known[day] = 0.0
        while day > self.last:
            following = date.fromordinal(self.last.toordinal() + 1)
            known[following] = known[self.last] + self._between(
                self._midnight(self.last), self._midnight(following)
            )
            self.last = following
        while day < self.first:
            previous = date.fromordinal(self.first.toordinal() - 1)
            known[previous] = known[self.first] - self._between(
                self._midnight(previous), self._midnight(self.first)
            )
            self.first = previous
        return known[day]

    def __call__(self, moment: datetime) -> float:
        day = moment.astimezone(self.zone).date()
        return self._day_value(day) + self._between(self._midnight(day), moment)


class WaitingLine:
    """The un-offered waiting contacts of one queue (see the module docstring)."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue
        target = queue.target
        self.threshold = target.threshold_seconds
        self.start = queue.urgency_start_fraction * self.threshold  # as scoring.urgency_seconds
        self.weight = queue.urgency_weight
        self.ramps = self.weight > 0 and self.threshold > self.start
        self.clock = (
            WorkingClock(queue.calendar)
            if target.working_hours and queue.calendar is not None
            else None
        )
        # Estimates and exact scores differ by float rounding (about 1e-7 s per term at these
        # magnitudes); the margin is far above that and far below any real difference.
        self._eps = 1e-4 * (1.0 + self.weight)
        self.heaps: tuple[list[_Entry], list[_Entry], list[_Entry]] = ([], [], [])
        self.ramp_due: list[tuple[float, int, str]] = []  # regime 0 → 1 at clock position
        self.flat_due: list[tuple[float, int, str]] = []  # regime 1 → 2
        self.entered: list[tuple[datetime, int, WaitingContact]] = []  # by entered_queue_at
        self.members: dict[str, tuple[int, int, WaitingContact]] = {}  # id → regime, stamp
        self.pending: dict[str, WaitingContact] = {}  # arrived after the ``now`` they were filed at
        self.staged: dict[str, WaitingContact] = {}  # added, not filed yet
        self.latest: datetime | None = None  # the latest ``now`` classified against
        self._memo: tuple[datetime, float] | None = None
        # State of the routing pass in progress (begin … end).
        self._now: datetime | None = None
        self._lifts = (0.0, 0.0, 0.0)
        self._frontier: list[_Scored] = []
        self._taken: list[_Scored] = []

    def __len__(self) -> int:
        return len(self.members) + len(self.staged)

    def _x(self, moment: datetime) -> float:
        if self.clock is None:
            return seconds_since_reference(moment)
        return self.clock(moment)

    def _x_now(self, now: datetime) -> float:
        # The same ``now`` is asked for by every insert and pass of one command.
        memo = self._memo
        if memo is None or memo[0] != now:
            memo = self._memo = (now, self._x(now))
        return memo[1]

    # -- membership --------------------------------------------------------------------------

    def add(self, contact: WaitingContact) -> None:
        """Put ``contact`` in the line (again). It is staged: most contacts are offered at once
        by the pass that follows, and ``commit`` files only those that stay."""
        self.members.pop(contact.contact_id, None)
        self.pending.pop(contact.contact_id, None)
        self.staged[contact.contact_id] = contact

    def commit(self, contact_id: str, now: datetime) -> None:
        """File a staged contact in the heaps, classified at ``now``."""
        contact = self.staged.pop(contact_id, None)
        if contact is None:
            return
        self._catch_up(now)
        self._place(contact, now)

    def _catch_up(self, now: datetime) -> None:
        # A clock that went backwards invalidates the classification: redo it at ``now``.
        # (X never decreases with the wall clock, so this covers working-hours clocks too.)
        if self.latest is not None and now < self.latest:
            self._reclassify(now)
        self.latest = now

    def remove(self, contact_id: str) -> None:
        """Take the contact out (offered, assigned, moved, ended); heap entries go stale."""
        self.members.pop(contact_id, None)
        self.pending.pop(contact_id, None)
        self.staged.pop(contact_id, None)

    def _place(self, contact: WaitingContact, now: datetime) -> None:
        stamp = next(_stamps)
        contact_id = contact.contact_id
        self.pending.pop(contact_id, None)
        if contact.arrived_at > now:
            self.members[contact_id] = (_PENDING, stamp, contact)
            self.pending[contact_id] = contact
            return
        arrived = seconds_since_reference(contact.arrived_at)
        static = contact.priority_credit_seconds - arrived
        regime = 0
        if self.ramps:
            # Compared exactly as the due heaps are, so a move always lands in a later regime.
            position = self._x(contact.arrived_at) if self.clock is not None else arrived
            current = self._x_now(now)
            if current >= position + self.threshold:
                regime = 2
            elif current >= position + self.start:
                regime = 1
                static -= self.weight * position
                heapq.heappush(self.flat_due, (position + self.threshold, stamp, contact_id))
            else:
                heapq.heappush(self.ramp_due, (position + self.start, stamp, contact_id))
        self.members[contact_id] = (regime, stamp, contact)
        heap = self.heaps[regime]
        heapq.heappush(heap, (-static, contact.sequence, stamp, contact))
        heapq.heappush(self.entered, (contact.entered_queue_at, stamp, contact))
        limit = 2 * len(self.members) + 32
        if len(heap) > limit:
            # Bounded memory: drop the stale entries (moved, offered or gone contacts).
            heap[:] = [entry for entry in heap if self._live(entry, regime)]
            heapq.heapify(heap)
        if len(self.entered) > limit:
            self.entered[:] = [entry for entry in self.entered if self._current(entry)]
            heapq.heapify(self.entered)

    def _current(self, entry: tuple[datetime, int, WaitingContact]) -> bool:
        member = self.members.get(entry[2].contact_id)
        return member is not None and member[1] == entry[1]

    def waited_at_least(self, now: datetime, seconds: float) -> list[WaitingContact]:
        """The contacts in line that have waited ``seconds`` or more in this queue at ``now``
        (as ``can_take`` counts the wait), and any not classified yet."""
        entered = self.entered
        found: list[tuple[datetime, int, WaitingContact]] = []
        while entered:
            entry = entered[0]
            if not self._current(entry):
                heapq.heappop(entered)
            elif (now - entry[0]).total_seconds() >= seconds:
                found.append(heapq.heappop(entered))
            else:
                break
        for entry in found:
            heapq.heappush(entered, entry)
        staged = [
            contact
            for contact in self.staged.values()
            if (now - contact.entered_queue_at).total_seconds() >= seconds
        ]
        return [entry[2] for entry in found] + list(self.pending.values()) + staged

    def _live(self, entry: _Entry, regime: int) -> bool:
        member = self.members.get(entry[3].contact_id)
        return member is not None and member[0] == regime and member[1] == entry[2]

    def _reclassify(self, now: datetime) -> None:
        contacts = [contact for _, _, contact in self.members.values()]
        self.members.clear()
        self.pending.clear()
        for heap in (*self.heaps, self.ramp_due, self.flat_due, self.entered):
            heap.clear()
        for contact in contacts:
            self._place(contact, now)

    def _advance(self, now: datetime) -> None:
        """Move contacts whose elapsed time crossed f·T or T into the next regime."""
        self._catch_up(now)
        if self.ramps:
            position = self._x_now(now)
            for due, regime in ((self.ramp_due, 0), (self.flat_due, 1)):
                while due and due[0][0] <= position:
                    _, stamp, contact_id = heapq.heappop(due)
                    member = self.members.get(contact_id)
                    if member is not None and member[0] == regime and member[1] == stamp:
                        self._place(member[2], now)
        for contact in list(self.pending.values()):
            if contact.arrived_at <= now:
                self._place(contact, now)

    # -- the routing pass --------------------------------------------------------------------

    def begin(self, now: datetime) -> None:
        """Start a pass at ``now``: the line is read with ``head``/``take`` until ``end``."""
        for contact_id in list(self.staged):
            self.commit(contact_id, now)
        self._advance(now)
        self._now = now
        lift = seconds_since_reference(now) + self.queue.priority_credit_seconds
        ramp_lift = lift
        if self.ramps:
            ramp_lift += self.weight * (self._x_now(now) - self.start)
        self._lifts = (lift, ramp_lift, lift + self.weight * (self.threshold - self.start))
        self._frontier = []
        self._taken = []
        for contact in self.pending.values():
            regime, stamp, _ = self.members[contact.contact_id]
            score = score_seconds(contact, self.queue, now)
            self._frontier.append((-score, contact.sequence, stamp, regime, contact, None))
        heapq.heapify(self._frontier)

    def _fill(self) -> None:
        """Score exactly every contact that could come before, or tie with, the best so far."""
        frontier, heaps = self._frontier, self.heaps
        assert self._now is not None
        while True:
            best_regime, best_estimate = -1, -math.inf
            for regime in (0, 1, 2):
                heap = heaps[regime]
                while heap and not self._live(heap[0], regime):
                    heapq.heappop(heap)  # stale: moved, offered or gone
                if heap:
                    estimate = self._lifts[regime] - heap[0][0]
                    if estimate > best_estimate:
                        best_regime, best_estimate = regime, estimate
            if best_regime < 0:
                return
            if frontier:
                best_score = -frontier[0][0]
                if best_estimate + self._eps + 1e-12 * abs(best_score) < best_score:
                    return
            entry = heapq.heappop(heaps[best_regime])
            contact = entry[3]
            score = score_seconds(contact, self.queue, self._now)
            heapq.heappush(
                frontier, (-score, contact.sequence, entry[2], best_regime, contact, entry)
            )

    def head(self) -> tuple[OrderKey, WaitingContact] | None:
        """The next contact in waiting order and its ``order_key``, or None."""
        self._fill()
        if not self._frontier:
            return None
        negative_score, sequence, _, _, contact, _ = self._frontier[0]
        return (-self.queue.priority, negative_score, sequence), contact

    def take(self) -> None:
        """The head has been looked at; ``end`` puts it back unless it was offered meanwhile."""
        self._taken.append(heapq.heappop(self._frontier))

    def end(self) -> None:
        """Finish the pass: contacts scored but not offered go back to their heaps."""
        for _, _, _, regime, _, entry in (*self._frontier, *self._taken):
            # Pending contacts (no entry) never left ``pending``.
            if entry is not None and self._live(entry, regime):
                heapq.heappush(self.heaps[regime], entry)
        self._frontier = []
        self._taken = []
        self._now = None
