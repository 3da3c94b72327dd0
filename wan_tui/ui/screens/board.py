"""The board: every recent generation, live, with the highlighted one in detail below.

The board shows the newest `board_limit` rows of the history (older ones are paged in the
history screen) and follows the tracker's events: a changed row updates only its changed cells;
a new row is inserted in its place (newest on top) without moving the cursor's task or the view.
One timer spins the state marks of running rows; another ticks the age column once a second.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from wan_tui.api.models import InvalidRequest, is_http_url
from wan_tui.api.state import State
from wan_tui.store.rows import Row

from ..widgets.cells import SPINNING, Palette, state_cell, time_cell, time_text
from ..widgets.detail import DetailPane
from ..widgets.status import StatusLine
from ..widgets.task_table import FIXED_WIDTH, MIN_PROMPT_WIDTH, COLUMNS, TaskTable, row_cells

if TYPE_CHECKING:
    from ..app import WanApp

# Each frame re-renders every visible line of the table (DataTable's line cache is keyed by its
# update count): 4 Hz animates clearly at half the CPU of 8 Hz (bench/bench_board.py).
SPIN_HZ = 4


@dataclass(frozen=True)
class StateFilter:
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


def _sort_key(row: Row) -> tuple[float, int]:
    return (-row.created_at, -row.id)  # ascending = newest first


def text_matches(row: Row, words: list[str]) -> bool:
    haystack = " ".join(filter(None, (row.prompt, row.negative_prompt, row.model, row.action,
                                      row.task_id, row.state, row.error_message))).lower()
    return all(word in haystack for word in words)


class BoardScreen(Screen[None]):
    """The main screen. Bindings' ids are listed in wan_tui.ui.app."""

    app: WanApp

    BINDINGS = [
        Binding("n", "new_text", "Text→video", id="board.new_text"),
        Binding("i", "new_image", "Image→video", id="board.new_image"),
        Binding("slash", "filter", "Filter", id="board.filter"),
        Binding("s", "cycle_state", "State", id="board.state"),
        Binding("r", "rerun", "Re-run", id="board.rerun"),
        Binding("c", "copy", "Copy URL", id="board.copy"),
        Binding("o", "open", "Open", id="board.open"),
        Binding("d", "download", "Save", id="board.download"),
        Binding("h", "history", "History", id="board.history"),
        Binding("escape", "back", "Back", show=False, id="board.back"),
    ]

    def __init__(self) -> None:
        super().__init__(id="board")
        self.rows: dict[int, Row] = {}  # every loaded row, shown or filtered out
        self._shown: list[tuple[float, int]] = []  # sort keys of shown rows, newest first
        self._spinning: set[int] = set()  # shown rows whose state mark spins
        self.frame = 0
        self.text_filter = ""
        self.state_filter = ALL_STATES
        self.truncated = False  # the history holds more than the board loaded
        self._spin_timer: Timer | None = None
        self._filter_timer: Timer | None = None

    # -- building ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Static(Text("wan-tui", style="bold"), id="brand")
            yield Input(placeholder="/ filter by prompt, model, task id, state…", id="filter")
            yield Static(id="state-filter")
        yield TaskTable(prompt_width=self._prompt_width(), id="tasks")
        yield DetailPane(id="detail")
        yield StatusLine(id="status")
        yield Footer()

    def _prompt_width(self) -> int:
        # table margins 2, border 2, scrollbar 1, cell padding 2 per column
        spare = self.app.size.width - FIXED_WIDTH - 2 * len(COLUMNS) - 5
        return max(MIN_PROMPT_WIDTH, spare)

    @property
    def table(self) -> TaskTable:
        return self.query_one("#tasks", TaskTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one("#detail", DetailPane)

    @property
    def palette(self) -> Palette:
        return self.app.palette

    def on_mount(self) -> None:
        self.table.border_title = "Generations"
        self.load()
        self.table.focus()
        if self.app.animate:
            self._spin_timer = self.set_interval(1 / SPIN_HZ, self._spin)
        self.set_interval(1.0, self.tick)
        self._show_state_filter()
        self.refresh_status()

    def on_resize(self) -> None:
        self.table.set_prompt_width(self._prompt_width())

    def load(self) -> None:
        """(Re)load the newest rows from the store (at start, and after a reconnect)."""
        limit = self.app.board_limit
        newest = self.app.store.search(limit=limit + 1)
        self.truncated = len(newest) > limit
        self.rows = {row.id: row for row in newest[:limit]}
        self._rebuild()

    def _visible(self, row: Row) -> bool:
        if self.state_filter.states and row.state not in self.state_filter.states:
            return False
        return not self.text_filter or text_matches(row, self.text_filter.lower().split())

    def _rebuild(self) -> None:
        now = self.app.clock()
        shown = sorted((row for row in self.rows.values() if self._visible(row)), key=_sort_key)
        self._shown = [_sort_key(row) for row in shown]
        self._spinning = {row.id for row in shown if row.state in SPINNING}
        self.table.replace_all([(str(row.id), row_cells(row, self.palette, now, self.frame))
                                for row in shown])
        self._update_title()
        self._show_detail()
        self.refresh_bindings()

    def _update_title(self) -> None:
        shown, loaded = len(self._shown), len(self.rows)
        title = f"Generations · {shown}" if shown == loaded else f"Generations · {shown} of {loaded}"
        if self.truncated:
            title += " newest (h: the whole history)"
        self.table.border_title = title

    # -- live updates ------------------------------------------------------------------------

    def row(self, local_id: int) -> Row | None:
        return self.rows.get(local_id)

    def apply_rows(self, rows: Iterable[Row], *, select: bool = False) -> None:
        """Show what changed: update cells in place, insert new rows, drop filtered ones."""
        now = self.app.clock()
        table = self.table
        highlighted = table.highlighted_key()
        for row in rows:
            old = self.rows.get(row.id)
            self.rows[row.id] = row
            key = str(row.id)
            visible = self._visible(row)
            if table.has(key):
                if not visible:
                    self._remove(row.id, old or row)
                    continue
                table.update_row(key, row_cells(row, self.palette, now, self.frame))
            elif visible:
                self._insert(row, now)
                mine = old is None and row.state == State.SUBMITTING
                if (select or mine) and (highlighted is None or table.cursor_row <= 1):
                    # A submission of ours, while the user looks at the top: show it.
                    table.move_cursor(row=table.get_row_index(key))
            if row.state in SPINNING and visible:
                self._spinning.add(row.id)
            else:
                self._spinning.discard(row.id)
            if self.detail.row is not None and self.detail.row.id == row.id:
                self._show_detail()
        self._update_title()

    def _insert(self, row: Row, now: float) -> None:
        key = _sort_key(row)
        index = bisect.bisect_left(self._shown, key)
        self._shown.insert(index, key)
        self.table.insert_row_at(index, str(row.id), row_cells(row, self.palette, now, self.frame))

    def _remove(self, local_id: int, row: Row) -> None:
        key = _sort_key(row)
        index = bisect.bisect_left(self._shown, key)
        if index < len(self._shown) and self._shown[index] == key:
            del self._shown[index]
        self._spinning.discard(local_id)
        self.table.remove(str(local_id))

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
        """Once a second: ages and stopwatches, the status line, a running task's detail."""
        now = self.app.clock()
        table = self.table
        for key in table.visible_keys():  # rows off screen catch up when they come into view
            row = self.rows.get(int(key))
            if row is not None and table._cells[key]["time"].plain != time_text(row, now):
                table.update_row(key, {"time": time_cell(row, now, self.palette)})
        detail_row = self.detail.row
        if detail_row is not None and detail_row.state in SPINNING:
            self._show_detail()
        self.refresh_status()

    def restyle(self) -> None:
        """The theme changed: recolour every shown row."""
        now = self.app.clock()
        for key in self.table.keys_in_order():
            row = self.rows.get(int(key))
            if row is not None:
                self.table.update_row(key, row_cells(row, self.palette, now, self.frame))
        self._show_detail()
        self.refresh_status()

    def refresh_status(self) -> None:
        self.query_one("#status", StatusLine).show(self.app.status_text(self.filter_label()))

    # -- the highlighted row ---------------------------------------------------------------

    def highlighted(self) -> Row | None:
        key = self.table.highlighted_key()
        return self.rows.get(int(key)) if key is not None else None

    @on(DataTable.RowHighlighted, "#tasks")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        self.detail.show(self.highlighted(), self.palette, self.app.clock())

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
        return " · ".join(parts) or None

    def set_state_filter(self, state_filter: StateFilter) -> None:
        self.state_filter = state_filter
        self._show_state_filter()
        self._rebuild()
        self.refresh_status()

    def _show_state_filter(self) -> None:
        label = Text.assemble(("state ", "dim"), (self.state_filter.label, "bold"))
        self.query_one("#state-filter", Static).update(label)

    def clear_filters(self) -> None:
        self.text_filter = ""
        self.query_one("#filter", Input).value = ""
        self.state_filter = ALL_STATES
        self._show_state_filter()
        self._rebuild()
        self.refresh_status()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(0.15, lambda: self._apply_text(event.value))

    def _apply_text(self, value: str) -> None:
        if value.strip() != self.text_filter:
            self.text_filter = value.strip()
            self._rebuild()
            self.refresh_status()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._apply_text(event.value)
        self.table.focus()

    # -- actions -----------------------------------------------------------------------------

    def action_new_text(self) -> None:
        self.app.new_generation("text2video")

    def action_new_image(self) -> None:
        self.app.new_generation("image2video")

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_cycle_state(self) -> None:
        current = self.state_filter
        index = next((i for i, f in enumerate(STATE_CYCLE) if f == current), -1)
        self.set_state_filter(STATE_CYCLE[(index + 1) % len(STATE_CYCLE)])

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
        elif self.text_filter or self.state_filter.states:
            self.clear_filters()

    def _target(self) -> Row | None:
        row = self.highlighted()
        if row is None:
            self.app.notify("No task is highlighted.", severity="warning")
        return row

    def action_rerun(self) -> None:
        row = self._target()
        if row is None:
            return
        try:
            request = row.request()
        except (InvalidRequest, TypeError) as error:
            self.app.notify(f"#{row.id} cannot be re-run as it was recorded: {error}",
                            severity="error", markup=False)
            return
        self.app.new_generation(row.action, prefill=request)

    def _video_url(self) -> tuple[Row, str] | None:
        row = self._target()
        if row is None:
            return None
        if not row.video_url:
            what = "yet" if row.state in SPINNING else f"(it is {row.state})"
            self.app.notify(f"#{row.id} has no video {what}.", severity="warning", markup=False)
            return None
        return row, row.video_url

    def action_copy(self) -> None:
        found = self._video_url()
        if found is not None:
            row, url = found
            self.app.copy_to_clipboard(url)
            self.app.notify(f"Copied the video link of #{row.id}.", markup=False)

    def action_open(self) -> None:
        found = self._video_url()
        if found is None:
            return
        row, url = found
        if not is_http_url(url):  # a URL from the service is data: only web links open
            self.app.notify(f"#{row.id}'s video link is not a web address; not opening it.",
                            severity="error", markup=False)
            return
        self.app.open_url(url)
        self.app.notify(f"Opening the video of #{row.id}…", markup=False)

    def action_download(self) -> None:
        found = self._video_url()
        if found is not None:
            self.app.download(found[0])

    def action_history(self) -> None:
        self.app.open_history()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rerun", "copy", "open", "download") and self.highlighted() is None:
            return None  # shown greyed in the footer
        return True
