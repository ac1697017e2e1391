import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symfonie.domain.contacts.lifecycle import (
    ALLOWED,
    TERMINAL,
    ContactState,
    IllegalTransition,
    check_transition,
    timestamp_fields,
)

S = ContactState


def test_the_happy_path_is_allowed():
    path = [S.NEW, S.QUEUED, S.OFFERED, S.ACTIVE, S.WRAP_UP, S.CLOSED]
    for current, target in itertools.pairwise(path):
        check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [(S.CLOSED, S.ACTIVE), (S.ABANDONED, S.QUEUED), (S.NEW, S.WRAP_UP), (S.WRAP_UP, S.ACTIVE)],
)
def test_illegal_transitions_are_refused_with_the_allowed_ones_named(current, target):
    with pytest.raises(IllegalTransition, match=f"cannot go to '{target}'"):
        check_transition(current, target)


def test_terminal_states_allow_nothing():
    assert all(not ALLOWED[s] for s in TERMINAL)


@given(st.lists(st.sampled_from(list(ContactState)), max_size=12))
def test_any_walk_either_follows_the_table_or_raises(walk):
    current = S.NEW
    for target in walk:
        if target in ALLOWED[current]:
            check_transition(current, target)
            current = target
        else:
            with pytest.raises(IllegalTransition):
                check_transition(current, target)


def test_timestamps_are_set_once_except_the_latest_offer():
    assert timestamp_fields(S.NEW, S.QUEUED, frozenset()) == ("queued_at",)
    assert timestamp_fields(S.TRANSFERRED, S.QUEUED, frozenset({"queued_at"})) == ()
    assert timestamp_fields(S.QUEUED, S.OFFERED, frozenset({"queued_at"})) == ("offered_at",)
    assert timestamp_fields(S.WRAP_UP, S.CLOSED, frozenset({"ended_at"})) == ("wrap_up_ended_at",)
    assert timestamp_fields(S.ACTIVE, S.CLOSED, frozenset()) == ("ended_at",)
