"""The board's filters: by state (stepped with `s`, or one state from the palette) and by text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from wan_tui.api.state import State
from wan_tui.store.rows import Row


class StateFilter(NamedTuple):  # not a frozen dataclass: ~0.4 ms less start-up
    label: str
    states: frozenset[str]


ALL_STATES = StateFilter("all", frozenset())
ACTIVE = StateFilter("active", frozenset({State.SUBMITTING, State.PENDING, State.RUNNING}))
ATTENTION = StateFilter("unknown/expired/lost",
                        frozenset({State.UNKNOWN, State.EXPIRED, State.LOST}))
# What `s` steps through; the palette also offers each single state.
STATE_CYCLE = (ALL_STATES, ACTIVE, StateFilter("succeeded", frozenset({State.SUCCEEDED})),
               StateFilter("failed", frozenset({State.FAILED})), ATTENTION)


def single_state(state: str) -> StateFilter:
    return StateFilter(state, frozenset({state}))


def next_state_filter(current: StateFilter, step: int = 1) -> StateFilter:
    """The next filter `s` steps to (`step=-1`: the one before, for `S`)."""
    index = next((i for i, f in enumerate(STATE_CYCLE) if f == current), 0 if step < 0 else -1)
    return STATE_CYCLE[(index + step) % len(STATE_CYCLE)]


def haystack(row: Row) -> str:
    """What the text filter looks in, lowercased."""
    return " ".join(filter(None, (row.prompt, row.negative_prompt, row.model, row.action,
                                  row.task_id, row.state, row.error_message))).lower()


class Haystacks:
    """Each row's haystack, made once per version of the row (a changed row is a new Row):
    a keystroke in the filter then costs a substring test per row, not a join."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[Row, str]] = {}

    def matching(self, rows: Iterable[Row], words: list[str]) -> list[Row]:
        """The rows whose haystack holds every word, in their order."""
        text_of, found = self._text, []
        for row in rows:
            text = text_of(row)
            for word in words:
                if word not in text:
                    break
            else:
                found.append(row)
        return found

    def prepare(self, rows: Iterable[Row]) -> None:
        """Make the haystacks of these rows now (after the board's first frame), so that the
        first keystroke in the filter does not make them all (~20 ms at 10,000 rows)."""
        for row in rows:
            self._text(row)

    def _text(self, row: Row) -> str:
        made = self._made.get(row.id)
        if made is None or made[0] is not row:
            made = self._made[row.id] = (row, haystack(row))
        return made[1]

    def forget(self, local_ids: Iterable[int]) -> None:
        for local_id in local_ids:
            self._made.pop(local_id, None)
