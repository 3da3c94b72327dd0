"""The whole history, newest first, searched and paged from the store 100 rows at a time.

Enter dismisses with the row to show on the board, `r` with the row to re-run. The table holds
only the pages read so far; the next page is read when the cursor nears the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from wan_tui.store.rows import Row

from ..actions import bindings
from ..widgets.cells import Palette, local_time, one_line, plain, state_cell
from ..widgets.tables import highlighted_key, set_column_width

PAGE = 100
PREFETCH = 20  # read the next page when the cursor is this close to the end
COLUMNS = (("created", "Created", 19), ("state", "State", 12), ("model", "Model", 16),
           ("prompt", "Prompt", 60), ("id", "#", 6))


class HistoryReader(Protocol):
    """The queries the screen pages with (the session offers them)."""

    def search(self, text: str | None = None, **filters: Any) -> list[Row]: ...

    def count(self, text: str | None = None, **filters: Any) -> int: ...


@dataclass(frozen=True)
class HistoryChoice:
    action: str  # "show" or "rerun"
    row: Row


class HistoryTable(DataTable[Text]):
    BINDINGS = bindings("history", widget="table")

    class NearEnd(Message):
        """Scrolled close to the last row read: time for the next page."""

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new > old and new >= self.max_scroll_y - PREFETCH:
            self.post_message(self.NearEnd())


class HistoryScreen(Screen[HistoryChoice | None]):
    BINDINGS = bindings("history")

    def __init__(self, history: HistoryReader) -> None:
        super().__init__(id="history")
        self.history = history
        self.palette = Palette()
        self.text = ""
        self.total = 0
        self.rows: dict[int, Row] = {}
        self._offset = 0
        self._exhausted = False
        self._search_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/ search prompts (full text)…", id="history-search")
        yield HistoryTable(id="history-table", cursor_type="row")
        yield Static(id="history-status")
        yield Footer()

    @property
    def table(self) -> HistoryTable:
        return self.query_one("#history-table", HistoryTable)

    def _prompt_width(self) -> int:
        # margins 2, border 2, scrollbar 1, cell padding 2 per column
        fixed = sum(width for key, _, width in COLUMNS if key != "prompt")
        return max(30, self.app.size.width - fixed - 2 * len(COLUMNS) - 5)

    def on_mount(self) -> None:
        self.palette = Palette.from_variables(self.app.theme_variables)
        table = self.table
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=self._prompt_width() if key == "prompt" else width)
        self.reload()
        table.focus()

    def on_resize(self) -> None:
        set_column_width(self.table, "prompt", self._prompt_width())

    def reload(self) -> None:
        self.rows = {}
        self._offset = 0
        self._exhausted = False
        self.table.clear()
        text = self.text or None
        self.total = self.history.count(text)
        self.load_page()

    def load_page(self) -> None:
        if self._exhausted:
            return
        page = self.history.search(self.text or None, limit=PAGE, offset=self._offset)
        self._offset += len(page)
        self._exhausted = len(page) < PAGE
        table = self.table
        for row in page:
            if row.id in self.rows:  # a row added meanwhile shifted the pages
                continue
            self.rows[row.id] = row
            table.add_row(
                plain(local_time(row.created_at)),
                state_cell(row.state, self.palette),
                plain(row.model),
                Text(one_line(row.prompt), no_wrap=True, overflow="ellipsis", end=""),
                Text(str(row.id), style="dim", justify="right", end=""),
                key=str(row.id),
            )
        self._show_status()

    def _show_status(self) -> None:
        what = f"matching {self.text!r}" if self.text else "in the history"
        self.query_one("#history-status", Static).update(Text.assemble(
            (f"{len(self.rows):,} of {self.total:,} generations {what}", "bold"),
            ("   newest first · more load as you scroll", "dim")))
        self.table.border_title = "History"

    @on(DataTable.RowHighlighted, "#history-table")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.table.row_count - PREFETCH:
            self.load_page()

    @on(HistoryTable.NearEnd)
    def _scrolled_near_end(self) -> None:
        self.load_page()

    @on(Input.Changed, "#history-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(0.25, lambda: self._search(event.value))

    @on(Input.Submitted, "#history-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search(event.value)
        self.table.focus()

    def _search(self, value: str) -> None:
        if value.strip() != self.text:
            self.text = value.strip()
            self.reload()

    def highlighted(self) -> Row | None:
        key = highlighted_key(self.table)
        return self.rows.get(int(key)) if key is not None else None

    def action_choose(self, action: str) -> None:
        row = self.highlighted()
        if row is not None:
            self.dismiss(HistoryChoice(action, row))

    def action_search(self) -> None:
        self.query_one("#history-search", Input).focus()

    def action_back(self) -> None:
        if self.focused is self.query_one("#history-search", Input):
            self.table.focus()
        else:
            self.dismiss(None)
