"""The board: every recent generation, live, with the highlighted one in detail below.

The board is given the newest rows of the history when it opens (older ones are paged in the
history screen) and follows what the app sends down: `RowsChanged` (a changed row updates only
its changed cells; a new row is put in its place, newest on top, without moving the cursor's
task or the view), `StatusChanged` and `ShowRow`. What it wants done it posts up:
`NewGeneration`, `Download`, `OpenHistory`. One timer spins the state marks of running rows;
another ticks the age column once a second. Which rows the table shows, and how they get
there after a filter, is `BoardFill` (board_fill.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.theme import Theme
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from wan_tui.api.state import State
from wan_tui.session import TrackerStatus
from wan_tui.store.rows import Row

from ..compat import Footer, forget_closed_widgets
from ..actions import bindings
from ..messages import RowsChanged, RowsGone, ShowRow, StatusChanged
from ..widgets.cells import SPINNING, Palette, state_cell, time_cell, time_text
from ..widgets.detail import DetailPane
from ..widgets.key_hint import KeyHint
from ..widgets.downloads import DownloadBars
from ..widgets.status import StatusLine, status_text
from ..widgets.task_table import TaskTable
from .board_commands import BoardCommands
from .board_fill import SMALL_HEIGHT, BoardFill
from .row_keys import RowKeys
from .board_filters import ALL_STATES, Haystacks, StateFilter, next_state_filter

# Spinners turn with the once-a-second tick: each table update re-renders every visible line
# (DataTable's line cache is keyed by its update count), so one pass a second for both the
# spinners and the ages keeps an idle board with 1,000 running tasks under 3% of a core
# (bench/bench_board_scale.py); a 4 Hz spinner alone cost 16%.
NARROW_WIDTH = 140  # below: the compact key hint instead of the footer, whose default keys
# need 138 columns (? Help and q Quit came last and were cut off at 120)


class BoardScreen(BoardFill):
    """The main screen."""

    BINDINGS = bindings("board")
    COMMANDS: ClassVar = {BoardCommands}

    def __init__(self, rows: Iterable[Row] = (), *, truncated: bool = False,
                 clock: Callable[[], float], spin: bool = True, demo: bool = False) -> None:
        super().__init__(id="board")
        self.rows: dict[int, Row] = {row.id: row for row in rows}  # shown or filtered out
        self.truncated = truncated  # the history holds more than the board was given
        self.clock = clock
        self.spin = spin
        self.demo = demo
        self.palette = Palette()
        self.status = TrackerStatus()
        self.counts: dict[str, int] = {}
        self.connected = False
        self.notes: list[str] = []  # today's spend, freshness: from the app
        self._spinning: set[int] = set()  # shown rows whose state mark spins
        self.frame = 0
        self.text_filter = ""
        self.haystacks = Haystacks()
        self.state_filter = ALL_STATES
        self._filter_timer: Timer | None = None
        self.marked: set[int] = set()  # rows marked for a bulk action
        self.row_keys = RowKeys()
        self.hide_finished = False  # F: only what is still going on (the history keeps all)

    # -- building ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Static(Text("wan-tui", style="bold"), id="brand")
            yield Input(placeholder="/ filter by prompt, model, task id, state…", id="filter")
            yield Static(id="state-filter")
        yield TaskTable(width=self.app.size.width, id="tasks")
        yield DetailPane(id="detail")
        yield StatusLine(id="status")
        yield DownloadBars(id="board-downloads")
        yield KeyHint(id="key-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.palette = Palette.from_variables(self.app.theme_variables)
        self.app.theme_changed_signal.subscribe(self, self._restyle)
        self.table.border_title = "Generations"
        self.fill()
        self.table.focus()
        self.set_interval(1.0, self.tick)
        self._show_state_filter()
        self.show_sort()
        self.refresh_status()

    def on_screen_resume(self) -> None:
        forget_closed_widgets()  # the screen above it (history, a form) is gone

    def on_resize(self) -> None:
        size = self.app.size
        self.table.fit(size.width)
        # A small terminal: the detail pane shrinks (enter expands it) and a one-line key hint
        # that always shows ? and q stands in for the footer.
        self.set_class(size.height < SMALL_HEIGHT, "-short")
        self.set_class(size.width < NARROW_WIDTH, "-narrow")

    # -- what the app sends down -------------------------------------------------------------

    def on_rows_changed(self, message: RowsChanged) -> None:
        self.apply_rows(message.rows.values())

    def on_rows_gone(self, message: RowsGone) -> None:
        self.remove_rows(message.local_ids)

    def remove_rows(self, local_ids: Iterable[int]) -> None:
        """These rows left the history: they leave the board."""
        local_ids = list(local_ids)
        self.forget_marks(set(local_ids))
        self.haystacks.forget(local_ids)
        for local_id in local_ids:
            self.rows.pop(local_id, None)
            self._spinning.discard(local_id)
            self.table.drop(str(local_id))
        self.update_title()
        self._show_detail()
        self.refresh_targets()

    def on_status_changed(self, message: StatusChanged) -> None:
        self.status, self.counts, self.connected = message.status, message.counts, message.connected
        self.notes = message.notes
        self.refresh_status()

    def on_show_row(self, message: ShowRow) -> None:
        self.show_row(message.row)
        if message.rerun:
            self.action_rerun()

    def apply_rows(self, rows: Iterable[Row]) -> None:
        """Show what changed: update cells in place, add new rows, drop filtered ones."""
        now = self.clock()
        table = self.table
        at_top = table.highlighted_key() is None or table.cursor_row == 0
        new: list[Row] = []
        mine: Row | None = None  # a submission of ours, new here
        changed: set[int] = set()
        for row in rows:
            changed.add(row.id)
            old = self.rows.get(row.id)
            self.rows[row.id] = row
            key = str(row.id)
            visible = self._visible(row)
            if table.has(key) and not visible:
                table.drop(key)
            elif table.has(key):
                table.update_row(key, self.cells(row, now))
            elif visible:
                new.append(row)
                if old is None and row.state == State.SUBMITTING:
                    mine = row
            if row.state in SPINNING and visible:
                self._spinning.add(row.id)
            else:
                self._spinning.discard(row.id)
        table.add_in_order([(str(row.id), self.cells(row, now))
                            for row in new])
        self._rest_unordered = self._rest_unordered or bool(new)
        if not new and changed and self.row_sort.column not in ("time", "prompt"):
            table.resort()  # a state (say) changed: its row may belong elsewhere now
        if new and at_top:  # the user is at the top: the top follows the newest (tail -f)
            table.move_cursor(row=table.get_row_index(str(mine.id)) if mine is not None else 0)
        elif new:  # the cursor and the view stay: say that rows came above them
            cursor = table.cursor_row
            self.new_above += sum(1 for row in new if table.get_row_index(str(row.id)) < cursor)
        detail_row = self.detail.row
        if detail_row is not None and detail_row.id in changed:
            self._show_detail()
        self.update_title()

    def _spin(self) -> None:
        if not self._spinning or not self.is_active:
            return
        self.frame += 1
        table = self.table
        # Only rows on screen: with 1,000 running tasks, turning every spinner costs a frame's
        # worth of CPU eight times a second; a row scrolled into view catches up next frame.
        for key in table.visible_keys():
            if int(key) in self._spinning:
                row = self.rows[int(key)]
                table.update_row(key, {"state": state_cell(row.state, self.palette, self.frame)})

    def tick(self) -> None:
        """Once a second: spinners, ages and stopwatches, the status line, the detail."""
        if self.spin:
            self._spin()
        now = self.clock()
        table = self.table
        if table.scroll_y == 0:
            self.saw_top()
        for key in table.visible_keys():  # rows off screen catch up when they come into view
            row = self.rows.get(int(key))
            shown = table.shown_cell(key, "time")
            if row is not None and (shown is None or shown.plain != time_text(row, now)):
                table.update_row(key, {"time": time_cell(row, now, self.palette)})
        self.detail.tick(now)  # ages of finished tasks move too
        self.refresh_status()

    def _restyle(self, theme: Theme) -> None:
        """The theme changed: recolour every shown row."""
        self.palette = Palette.from_variables(self.app.theme_variables)
        now = self.clock()
        for key in self.table.keys_in_order():
            row = self.rows.get(int(key))
            if row is not None:
                self.table.update_row(key, self.cells(row, now))
        self._show_detail()
        self.refresh_status()

    def refresh_status(self) -> None:
        self.query_one("#status", StatusLine).show(status_text(
            self.counts, self.status, self.clock(), self.palette, demo=self.demo,
            filter_label=self.filter_label(), connected=self.connected, notes=self.notes))

    # -- the highlighted row ---------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#tasks")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        self.refresh_targets()

    def _show_detail(self) -> None:
        self.detail.show(self.highlighted(), self.palette, self.clock())

    def show_row(self, row: Row) -> None:
        """Put the cursor on this row (from the history screen), loading it if need be."""
        if not self._visible(row):
            self.clear_filters()
        self.apply_rows([row])
        self.table.move_cursor(row=self.table.get_row_index(str(row.id)))
        self.table.focus()

    # -- filters -----------------------------------------------------------------------------

    def filter_label(self) -> str | None:
        parts = []
        if self.text_filter:
            parts.append(repr(self.text_filter))
        if self.state_filter.states:
            parts.append(f"state {self.state_filter.label}")
        if self.hide_finished:
            parts.append("finished hidden (F)")
        return " · ".join(parts) or None

    def set_state_filter(self, state_filter: StateFilter) -> None:
        self.state_filter = state_filter
        self._show_state_filter()
        self._refilter()
        self.refresh_status()

    def _show_state_filter(self) -> None:
        label = Text.assemble(("state ", "dim"), (self.state_filter.label, "bold"))
        self.query_one("#state-filter", Static).update(label)

    def clear_filters(self) -> None:
        self.text_filter = ""
        self.hide_finished = False
        self.query_one("#filter", Input).value = ""
        self.set_state_filter(ALL_STATES)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(0.15, lambda: self._apply_text(event.value))

    def _apply_text(self, value: str) -> None:
        if value.strip() != self.text_filter:
            self.text_filter = value.strip()
            self._refilter()
            self.refresh_status()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._apply_text(event.value)
        self.table.focus()

    # -- actions -----------------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_cycle_state(self) -> None:
        self.set_state_filter(next_state_filter(self.state_filter))

    def action_toggle_finished(self) -> None:
        self.hide_finished = not self.hide_finished
        self._refilter()
        self.refresh_status()

    def action_cycle_state_back(self) -> None:
        self.set_state_filter(next_state_filter(self.state_filter, -1))

    def action_details(self) -> None:
        detail = self.detail
        if detail.has_class("-expanded") and detail.has_focus:
            self.action_back()
            return
        detail.add_class("-expanded")
        detail.focus()

    def action_back(self) -> None:
        detail = self.detail
        if self.focused is self.query_one("#filter", Input):
            self.table.focus()
        elif detail.has_class("-expanded") or detail.has_focus:
            detail.remove_class("-expanded")
            self.table.focus()
        elif self.clear_marks():
            pass
        elif self.text_filter or self.state_filter.states or self.hide_finished:
            self.clear_filters()
