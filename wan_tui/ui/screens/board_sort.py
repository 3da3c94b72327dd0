"""The board's sort orders, stepped with a key: newest first (the default), then by each
column. Every order ends with newest first, so ties keep a stable, familiar order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from wan_tui.api.state import State
from wan_tui.store.rows import Row

from ..widgets.cells import resolution_text
from ..widgets.task_table import input_word, row_order

_STATE_RANK: dict[str, int] = {state: rank for rank, state in enumerate(
    (State.SUBMITTING, State.PENDING, State.RUNNING, State.UNKNOWN, State.FAILED,
     State.SUCCEEDED, State.EXPIRED, State.LOST))}


def _duration(row: Row) -> int:
    value = row.params.get("duration")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _resolution(row: Row) -> int:
    text = resolution_text(row) or ""
    return int(text[:-1]) if text[:-1].isdigit() else 0


class SortOrder(NamedTuple):  # not a frozen dataclass: ~0.4 ms less start-up
    label: str  # said in the table's title
    column: str  # the column whose header carries the arrow
    key: Callable[[Row], Any]
    descending: bool = False


SORTS: tuple[SortOrder, ...] = (
    SortOrder("newest first", "time", lambda r: row_order(r), descending=True),
    SortOrder("oldest first", "time", lambda r: (r.created_at, r.id)),
    SortOrder("state", "state", lambda r: (_STATE_RANK.get(r.state, 99), *row_order(r))),
    SortOrder("model", "model", lambda r: (r.model, *row_order(r))),
    SortOrder("input", "action", lambda r: (input_word(r), *row_order(r))),
    SortOrder("length", "duration", lambda r: (-_duration(r), *row_order(r)),
              descending=True),
    SortOrder("resolution", "resolution", lambda r: (-_resolution(r), *row_order(r)),
              descending=True),
    SortOrder("prompt", "prompt", lambda r: (r.prompt.casefold(), *row_order(r))),
)
DEFAULT_SORT = SORTS[0]


def next_sort(current: SortOrder) -> SortOrder:
    return SORTS[(SORTS.index(current) + 1) % len(SORTS)]
