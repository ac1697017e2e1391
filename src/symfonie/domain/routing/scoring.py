"""The waiting order: which waiting contact is offered first.

    score_seconds = wait_seconds + priority credits + urgency_seconds

``wait_seconds`` runs from the first queue entry (kept through offers, overflow and callback).
The credits are the customer's (``priority_credit_seconds`` of the arrival, e.g. 90 s for
priority customers: the Anonymous Bank rule "1.5 minutes of waiting time credited when they
join the queue") plus the queue's. ``urgency_seconds`` grows as the contact nears its queue's
service-level threshold T: from ``urgency_start_fraction``·T on, every second waited counts
``urgency_weight`` extra, until T; past T it stays at its maximum (the target is missed; the
wait itself keeps growing, so nobody starves).

Order: higher queue ``priority`` tier first, then higher score, then lower arrival sequence
(first in, first out among equals).
"""

from __future__ import annotations

from datetime import datetime

from symfonie.domain.routing.model import Queue
from symfonie.domain.routing.state import WaitingContact

OrderKey = tuple[int, float, int]


def urgency_seconds(queue: Queue, service_level_elapsed_seconds: float) -> float:
    """Extra score (seconds) for a contact ``service_level_elapsed_seconds`` into its target.

    ``weight · clamp(elapsed − f·T, 0, (1 − f)·T)`` with T the threshold, f the start fraction.
    """
    threshold = queue.target.threshold_seconds
    start = queue.urgency_start_fraction * threshold
    ramp = min(max(0.0, service_level_elapsed_seconds - start), threshold - start)
    return queue.urgency_weight * ramp


def service_level_elapsed_seconds(queue: Queue, arrived_at: datetime, now: datetime) -> float:
    """Seconds counted against the target: wall clock, or opening hours only for targets
    "within N working hours" on a queue with a calendar."""
    if queue.target.working_hours and queue.calendar is not None:
        return queue.calendar.working_seconds_between(arrived_at, now)
    return max(0.0, (now - arrived_at).total_seconds())


def score_seconds(contact: WaitingContact, queue: Queue, now: datetime) -> float:
    """The score of a waiting contact at ``now``, in seconds (see the module docstring)."""
    wait_seconds = max(0.0, (now - contact.arrived_at).total_seconds())
    elapsed = service_level_elapsed_seconds(queue, contact.arrived_at, now)
    return (
        wait_seconds
        + contact.priority_credit_seconds
        + queue.priority_credit_seconds
        + urgency_seconds(queue, elapsed)
    )


def order_key(contact: WaitingContact, queue: Queue, now: datetime) -> OrderKey:
    """Sort key: ascending order = the order in which contacts are offered."""
    return (-queue.priority, -score_seconds(contact, queue, now), contact.sequence)
