"""The letter's state rules, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agreements.rules import FINAL, TRANSITIONS, Action, State, next_state, reminder_due

ALLOWED = {
    (state, action): target for action, moves in TRANSITIONS.items() for state, target in moves.items()
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
def test_each_step_goes_where_the_table_says_or_nowhere(state, action):
    assert next_state(state, action) == ALLOWED.get((state, action))


@pytest.mark.parametrize("state", sorted(FINAL))
def test_final_states_accept_no_step(state):
    assert all(next_state(state, action) is None for action in Action)


def test_the_happy_path():
    state = State.DRAFT
    for action in (Action.SEND, Action.VIEW, Action.SIGN, Action.COUNTERSIGN):
        state = next_state(state, action)
    assert state == State.COUNTERSIGNED


SENT = datetime(2026, 9, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(("days", "so_far", "due"), [
    (6.9, 0, None), (7, 0, 1), (8, 1, None), (14, 1, 2), (15, 2, None), (30, 0, 4),  # an outage folds steps into one
])  # fmt: skip
def test_reminder_steps_fall_every_n_days_once(days, so_far, due):
    assert (
        reminder_due(sent_at=SENT, now=SENT + timedelta(days=days), every_days=7, sent_so_far=so_far) == due
    )


def test_no_reminders_when_turned_off():
    assert reminder_due(sent_at=SENT, now=SENT + timedelta(days=99), every_days=0, sent_so_far=0) is None
