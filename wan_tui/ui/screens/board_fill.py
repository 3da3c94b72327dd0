"""Filling the board's table from its rows under the filters: the first screenful at once,
the rest REST_CHUNK rows a frame after it (a newer filter stops an older one's rows).

`BoardFill` sits between `BoardActions` and `BoardScreen`: it needs the rows, the filters
and the cells; `BoardScreen` owns the widgets around the table and what the app sends down."""

from __future__ import annotations

import gc
import heapq
from collections.abc import Callable, Iterable

from wan_tui.api.state import FINAL_STATES
from wan_tui.store.rows import Row

from ..widgets.cells import SPINNING
from .board_actions import BoardActions
from .board_filters import Haystacks, StateFilter
from .board_sort import SortOrder

REST_CHUNK = 500  # rows added a frame after the first screenful (~50 ms of work)


SMALL_HEIGHT = 32  # below: the detail pane shrinks so the table keeps 12 rows or more
# The board's lines that never hold a row (app.tcss): the top bar, the table's border (two)
# and header, the status line and the footer; and the detail pane, 13 lines high (5 below
# SMALL_HEIGHT), or more when expanded. A test holds these against the board as laid out.
AROUND_THE_ROWS = 6
DETAIL_LINES, DETAIL_LINES_SMALL = 13, 5


def first_screen(lines: int) -> int:
    """Rows built before the first frame in a terminal `lines` high: no more can show."""
    detail = DETAIL_LINES_SMALL if lines < SMALL_HEIGHT else DETAIL_LINES
    return max(lines - AROUND_THE_ROWS - detail, 1)


def freeze_long_lived() -> None:
    """What is alive now lives as long as the app: out of the cyclic GC's full scans."""
    gc.collect()
    gc.freeze()


class BoardFill(BoardActions):
    """Which rows the table shows, and how they get there."""

    truncated: bool  # the history holds more than the board was given
    haystacks: Haystacks
    hide_finished: bool
    state_filter: StateFilter
    text_filter: str
    _spinning: set[int]  # shown rows whose state mark spins
    _rest_generation = 0  # bumped by each filter: older rows still to add stop
    _rest_done = 0  # the generation whose rows are all in
    _rest_unordered = False  # rows were put in order while the rest came in

    def fill(self) -> None:
        """The first screenful first: the rest (up to a thousand rows) after the first frame."""
        first = first_screen(self.app.size.height)
        if self._rebuild(first=first) > first:
            self.call_after_refresh(self._show_rest, self._next_rest(), self._rest_built)
        else:
            self.call_after_refresh(freeze_long_lived)  # after the first frame, too

    def _visible(self, row: Row) -> bool:
        return bool(self._matching([row]))

    def _matching(self, rows: Iterable[Row]) -> list[Row]:
        """The rows the filters let through, in their order (one pass per filter: at 10,000
        rows a call per row per filter was most of a keystroke's work)."""
        if self.hide_finished:
            rows = [row for row in rows if row.state not in FINAL_STATES]
        states = self.state_filter.states
        if states:
            rows = [row for row in rows if row.state in states]
        words = self.text_filter.lower().split()
        return self.haystacks.matching(rows, words) if words else list(rows)

    def add_loaded(self, rows: Iterable[Row], *, truncated: bool) -> None:
        """The rest of the board's rows, read after its first frame (a row the tracker has
        sent meanwhile stays as it sent it)."""
        for row in rows:
            self.rows.setdefault(row.id, row)
        self.truncated = truncated
        self._show_rest(self._next_rest(), self._rest_built)

    def _rest_built(self) -> None:
        self.haystacks.prepare(self.rows.values())
        # The rows and their cells live as long as the app: out of the cyclic collector's
        # full scans, which walk every object (at 10,000 rows one stalled the event loop for
        # ~150 ms, once every few seconds; bench_board_scale.py). Acyclic garbage among them
        # is still freed at once; what is garbage already is collected first, not frozen.
        freeze_long_lived()

    def _refilter(self) -> None:
        """A filter changed: the first screenful of what it shows at once, the rest after
        that frame (with 1,000 rows the whole rebuild takes a few hundred ms)."""
        first = self.table.size.height or first_screen(self.app.size.height)
        generation = self._next_rest()  # rows still coming for an older filter: not now
        if self._rebuild(first=first) > first:
            self.call_after_refresh(self._show_rest, generation)
        else:
            self._rest_done = generation

    def _next_rest(self) -> int:
        self._rest_generation += 1
        return self._rest_generation

    @property
    def filling(self) -> bool:
        """Whether rows the filters let through are still being added (`_show_rest`)."""
        return self._rest_done != self._rest_generation

    def _show_rest(self, generation: int, done: Callable[[], None] | None = None) -> None:
        """Add what the filters let through beyond the first screenful, REST_CHUNK rows a
        frame (10,000 rows in one go held every key for a second): a newer filter stops it
        (`generation`), keys are answered between chunks."""
        if generation != self._rest_generation:
            return
        matching = sorted(self._matching(self.rows.values()), key=self.row_sort.key)
        self._rest_unordered = False
        self._add_rest(generation, [row.id for row in matching], self.row_sort, done)

    def _add_rest(self, generation: int, pending: list[int], order: SortOrder,
                  done: Callable[[], None] | None) -> None:
        if generation != self._rest_generation:
            return
        table, now = self.table, self.clock()
        chunk, pending = pending[:REST_CHUNK], pending[REST_CHUNK:]
        rows = [row for row in map(self.rows.get, chunk)  # as they are now, if still there
                if row is not None and not table.has(str(row.id)) and self._visible(row)]
        table.add_below([(str(row.id), self.cells(row, now)) for row in rows])
        self._spinning.update(row.id for row in rows if row.state in SPINNING)
        self.update_title()
        if pending:
            self.call_after_refresh(self._add_rest, generation, pending, order, done)
            return
        if self._rest_unordered or order is not self.row_sort:
            table.resort()  # rows came in elsewhere, or the sort changed, meanwhile
        self._rest_done = generation
        if done is not None:
            done()

    def _rebuild(self, first: int) -> int:
        """Show the first `first` rows the filters let through (`_show_rest` adds the others);
        how many they let through."""
        now = self.clock()
        matching = self._matching(self.rows.values())
        shown = heapq.nsmallest(first, matching, key=self.row_sort.key)
        self._spinning = {row.id for row in shown if row.state in SPINNING}
        self.table.replace_all([(str(row.id), self.cells(row, now))
                                for row in shown])
        self.update_title()
        self._show_detail()
        self.refresh_targets()
        return len(matching)

    def update_title(self) -> None:
        shown, loaded = self.table.row_count, len(self.rows)
        title = (f"Generations · {shown:,}" if shown == loaded
                 else f"Generations · {shown:,} of {loaded:,}")
        if self.truncated:
            title += " newest (h: the whole history)"
        self.table.border_title = (title + self.sort_note() + self.marks_note()
                                   + self.above_note())

    def _show_detail(self) -> None:
        raise NotImplementedError

