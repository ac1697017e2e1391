"""The state machine of a contact (one interaction on one channel).

    new → queued → offered → active → wrap_up → closed
    queued/offered/new → abandoned          (the customer left before an answer)
    active/queued → transferred → queued/offered
    offered → queued                        (declined or offer timed out: back in the queue)
    new/queued → active                     (an agent takes it directly: outbound, e-mail pick)
    new → closed                            (ended before any queue: menu, bot, self-service)

Each state records a timestamp the first time it is reached (``offered_at`` records the latest
offer), which is what the KPI definitions count on: the wait runs from the first queue entry.
"""

from __future__ import annotations

from enum import StrEnum


class ContactState(StrEnum):
    NEW = "new"
    QUEUED = "queued"
    OFFERED = "offered"
    ACTIVE = "active"
    WRAP_UP = "wrap_up"
    CLOSED = "closed"
    ABANDONED = "abandoned"
    TRANSFERRED = "transferred"


S = ContactState

ALLOWED: dict[ContactState, frozenset[ContactState]] = {
    S.NEW: frozenset({S.QUEUED, S.OFFERED, S.ACTIVE, S.ABANDONED, S.CLOSED}),
    S.QUEUED: frozenset({S.OFFERED, S.ACTIVE, S.ABANDONED, S.TRANSFERRED}),
    S.OFFERED: frozenset({S.ACTIVE, S.QUEUED, S.ABANDONED}),
    S.ACTIVE: frozenset({S.WRAP_UP, S.TRANSFERRED, S.CLOSED}),
    S.WRAP_UP: frozenset({S.CLOSED}),
    S.TRANSFERRED: frozenset({S.QUEUED, S.OFFERED, S.ACTIVE}),
    S.CLOSED: frozenset(),
    S.ABANDONED: frozenset(),
}

TERMINAL: frozenset[ContactState] = frozenset({S.CLOSED, S.ABANDONED})


class IllegalTransition(Exception):
    """A transition the state machine does not allow (the API answers 409)."""

    def __init__(self, current: ContactState, target: ContactState) -> None:
        allowed = ", ".join(sorted(ALLOWED[current])) or "none (final state)"
        super().__init__(
            f"a contact in state '{current}' cannot go to '{target}'; allowed: {allowed}"
        )
        self.current = current
        self.target = target


def check_transition(current: ContactState, target: ContactState) -> None:
    """Raise ``IllegalTransition`` unless ``current → target`` is allowed."""
    if target not in ALLOWED[current]:
        raise IllegalTransition(current, target)


def timestamp_fields(
    current: ContactState, target: ContactState, already_set: frozenset[str]
) -> tuple[str, ...]:
    """Names of the timestamp fields that the transition ``current → target`` sets.

    A field is set only the first time (``offered_at`` every time: the latest offer counts).
    Closing from wrap-up sets ``wrap_up_ended_at``; closing or abandoning otherwise sets
    ``ended_at``; entering wrap-up sets ``ended_at`` (the conversation itself ended).
    """
    fields: list[str]
    if target is S.QUEUED:
        fields = ["queued_at"]
    elif target is S.OFFERED:
        return ("offered_at",)
    elif target is S.ACTIVE:
        fields = ["answered_at"]
    elif target is S.WRAP_UP:
        fields = ["ended_at"]
    elif target is S.CLOSED:
        fields = ["wrap_up_ended_at"] if current is S.WRAP_UP else ["ended_at"]
    elif target is S.ABANDONED:
        fields = ["ended_at"]
    else:
        fields = []
    return tuple(f for f in fields if f not in already_set)
