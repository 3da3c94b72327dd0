"""The whole history, newest first: search it, look at a row, act on it.

The search field is focused when the screen opens; its text is read by the history's query
syntax (`fox state:failed model:r2v since:2026-11-01 has:video saved:yes`) and each keystroke
runs the query off the UI thread (a thread worker in group "history-query"; a newer keystroke
cancels the older query). The table holds a window of the results (history_window.py), paged
by key in group "history-page". The preview shows the highlighted row and its thumbnail,
fetched once through the session. What changes the history or the outside world is posted up
(`Rerun`, `Open`, `Download`, `Delete`, `LookUp`, `Dismiss`); reading and exporting are asked
of the session directly. `enter` dismisses with the row to show on the board.
"""

from __future__ import annotations

import asyncio
import time
from functools import partial
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker, get_current_worker

from wan_tui.api.state import State
from wan_tui.session import Filters, QueryError, parse_query
from wan_tui.store.rows import Row

from ..compat import Footer
from ..actions import bindings
from ..messages import RowsChanged, RowsGone
from ..widgets.cells import Palette
from ..widgets.downloads import DownloadBars
from ..widgets.history_preview import HistoryPreview
from ..widgets.thumbnail import load_image
from .history_actions import HistoryActions, HistoryChoice, HistoryReader
from .history_filters import describe
from .history_window import PAGE, PREFETCH, HistoryTable, Keyset, RowWindow
from .row_keys import RowKeys

__all__ = ["HistoryChoice", "HistoryReader", "HistoryScreen", "first_results"]

COUNT_CAP = 1000  # counted exactly up to here, then "1,000+"
SEARCHING_AFTER = 0.2  # seconds a query runs before the status says so (most take ~10 ms)
NARROW_WIDTH = 128  # below: the preview under the rows (history.tcss); from here on every column
# of the rows beside it is whole (at 120, ids were cut), the prompt at least MIN_PROMPT wide
Results = tuple[list[Row], int]  # a first page and the (capped) count


def first_results(history: HistoryReader, filters: Filters | None = None) -> Results:
    """A query's first page and its count, capped (both bounded at any size of history).
    Blocking: called off the UI thread."""
    filters = filters or Filters()
    return (history.search(filters=filters, limit=PAGE),
            history.count(filters=filters, cap=COUNT_CAP))


class HistoryScreen(HistoryActions):
    BINDINGS = bindings("history")
    CSS_PATH = "history.tcss"

    def __init__(self, history: HistoryReader, *, clock: Any = time.time,
                 first: Results | None = None) -> None:
        """`first`: the unfiltered history's results, read before the screen opens (it then
        opens with its rows, one layout and one paint); without it the screen reads them."""
        super().__init__(id="history")
        self.history = history
        self._first = first
        self.clock = clock
        self.palette = Palette()
        self.text = ""  # the search text the results are for
        self.filters = Filters()
        self.total: int | None = None  # None: still counting
        self.window = RowWindow()
        self.generation = 0  # bumped by each new query: older answers are dropped
        self._page_worker: Worker[None] | None = None
        self.row_keys = RowKeys()

    # -- building ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search prompts · state:failed model:r2v since:2026-11-01 "
                    "has:video saved:yes", id="history-search")
        yield Static("", id="history-error", markup=False)
        with Horizontal(id="history-main"):
            yield HistoryTable(id="history-table", clock=self.clock)
            yield HistoryPreview(id="history-preview")
        yield Static(id="history-status")
        yield DownloadBars(id="history-downloads")
        yield Footer()

    @property
    def table(self) -> HistoryTable:
        return self.query_one("#history-table", HistoryTable)

    @property
    def preview(self) -> HistoryPreview:
        return self.query_one("#history-preview", HistoryPreview)

    @property
    def search_field(self) -> Input:
        return self.query_one("#history-search", Input)

    def on_mount(self) -> None:
        self.on_resize()  # the layout for this width from the first frame
        self.palette = Palette.from_variables(self.app.theme_variables)
        self.query_one("#history-error", Static).display = False
        self.search_field.focus()
        if self._first is None:
            self._run_query("")
        else:
            self.generation = 1
            self._show_results(1, *self._first)
            self._first = None

    def on_resize(self) -> None:
        self.set_class(self.app.size.width < NARROW_WIDTH, "-narrow")
        if self.total is not None:
            self.call_after_refresh(self._show_status)  # its hint for the new width

    # -- queries (off the UI thread) -----------------------------------------------------

    @on(Input.Changed, "#history-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._run_query(event.value)

    @on(Input.Submitted, "#history-search")
    def _search_submitted(self) -> None:
        self.table.focus()

    def _run_query(self, value: str) -> None:
        error = self.query_one("#history-error", Static)
        try:
            filters = parse_query(value)
        except QueryError as problem:
            error.update(Text(f"✘ {problem}", style=self.palette.error))
            error.display = True
            return
        error.display = False
        if value.strip() == self.text and self.generation:
            return
        self.text, self.filters = value.strip(), filters
        self.generation += 1
        self.total = None
        self._query(filters, self.generation)
        self.set_timer(SEARCHING_AFTER, partial(self._still_searching, self.generation))

    def _still_searching(self, generation: int) -> None:
        if generation == self.generation and self.total is None:
            self._show_status()

    @work(thread=True, exclusive=True, group="history-query", exit_on_error=False)
    def _query(self, filters: Filters, generation: int) -> None:
        rows, total = first_results(self.history, filters)  # rows and count in one update
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_results, generation, rows, total)

    def _show_results(self, generation: int, rows: list[Row], total: int) -> None:
        if generation != self.generation:
            return
        self.total = total
        self.window.reset(rows, PAGE)
        self.table.fill(self.window.rows, self.palette)
        self._show_status()
        self._show_preview()

    def _show_status(self) -> None:
        status = self.query_one("#history-status", Static)
        if self.total is None:  # a slow query: at a million rows, saved:yes or "#" read all
            status.update(Text.assemble(("searching…", "bold"), f" · {describe(self.filters)}",
                                        (" · the rows shown are the last search's", "dim")))
            return
        if self.total > COUNT_CAP:
            count = f"{COUNT_CAP:,}+ generations"
        else:
            count = f"{self.total:,} generation{'' if self.total == 1 else 's'}"
        parts: list[tuple[str, str]] = [(count, "bold"), (f" · {describe(self.filters)}", "")]
        if not self.window.rows and self.total == 0:
            hints = [" · nothing matches: try fewer words or filters"
                     if self.text else " · the history is empty"]
        elif not self.window.at_end:
            hints = [" · newest first · more as you scroll · G: the oldest",
                     " · more as you scroll · G: the oldest", " · G: the oldest"]
        else:
            hints = [" · newest first"]
        # The longest hint the line has room for (at 80 columns the first was cut mid-word).
        room = status.content_region.width  # 0 before the first layout: the whole hint
        fits = [hint for hint in hints if not room or Text.assemble(*parts, hint).cell_len <= room]
        status.update(Text.assemble(*parts, (fits[0] if fits else hints[-1], "dim")))
        self.table.border_title = "History"

    # -- paging the window ---------------------------------------------------------------

    def _paging(self) -> bool:
        return self._page_worker is not None and self._page_worker.is_running

    def _read(self, direction: str, after: Keyset | None) -> None:
        self._page_worker = self._read_page(self.filters, self.generation, direction, after)

    @work(thread=True, exclusive=True, group="history-page", exit_on_error=False)
    def _read_page(self, filters: Filters, generation: int, direction: str,
                   after: Keyset | None) -> None:
        rows = self.history.search(filters=filters, limit=PAGE, after=after,
                                   oldest_first=direction in ("up", "end"))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._apply_page, generation, direction, rows)

    def _apply_page(self, generation: int, direction: str, rows: list[Row]) -> None:
        if generation != self.generation:
            return
        window, table = self.window, self.table
        held = [str(row.id) for row in window.rows]
        known = set(held)
        if direction == "end":
            window.reset_to_end(rows, PAGE)
            table.fill(window.rows, self.palette, cursor=len(window.rows) - 1)
        elif direction == "start":
            window.reset(rows, PAGE)
            table.fill(window.rows, self.palette, cursor=0)
        elif direction == "down":
            dropped = window.extend_down(rows, PAGE)
            table.append([r for r in rows if str(r.id) not in known], held[:dropped],
                         self.palette)
        else:
            dropped = window.extend_up(rows, PAGE)
            order = {row.id: index for index, row in enumerate(window.rows)}
            table.prepend([r for r in rows if str(r.id) not in known],
                          order, held[len(held) - dropped:] if dropped else [], self.palette)
        self._show_status()

    def _near_edge(self, downward: bool) -> None:
        if self._paging():
            return
        if downward and not self.window.at_end:
            self._read("down", self.window.last_key())
        elif not downward and not self.window.at_start:
            self._read("up", self.window.first_key())

    @on(HistoryTable.NearEdge)
    def _scrolled_near_edge(self, event: HistoryTable.NearEdge) -> None:
        self._near_edge(event.downward)

    @on(DataTable.RowHighlighted, "#history-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.table.row_count - PREFETCH:
            self._near_edge(True)
        elif event.cursor_row <= PREFETCH:
            self._near_edge(False)
        self._show_preview()

    def action_last(self) -> None:
        if self.window.at_end:
            self.table.move_cursor(row=self.table.row_count - 1)
        else:
            self._read("end", None)

    def action_first(self) -> None:
        if self.window.at_start:
            self.table.move_cursor(row=0)
        else:
            self._read("start", None)

    # -- what the app sends down ---------------------------------------------------------

    def on_rows_changed(self, message: RowsChanged) -> None:
        for row in message.rows.values():
            if self.window.replace(row):
                self.table.update_row(row, self.palette)
                if self.preview.row is not None and self.preview.row.id == row.id:
                    self._show_preview()

    def on_rows_gone(self, message: RowsGone) -> None:
        for local_id in message.local_ids:
            if self.window.remove(local_id):
                self.table.remove_row(str(local_id))
        self._show_preview()

    # -- the preview ---------------------------------------------------------------------

    def highlighted(self) -> Row | None:
        key = self.table.highlighted_key()
        return next((r for r in self.window.rows if str(r.id) == key), None) if key else None

    def _show_preview(self) -> None:
        row = self.highlighted()
        self.row_keys.update(self, row is not None)
        shown = self.preview.row
        self.preview.show(row, self.palette, self.clock())
        if row is not None and shown is not None and shown.id == row.id and (
                shown.thumbnail_url == row.thumbnail_url):
            return  # the same picture
        thumbnail = self.preview.thumbnail
        if row is None or not row.thumbnail_url:
            thumbnail.show_note("no thumbnail" if row is None or row.state != State.SUCCEEDED
                                else "no thumbnail link")
            return
        thumbnail.show_note("loading…")
        self._load_thumbnail(row.id, row.thumbnail_url)

    @work(exclusive=True, group="history-thumbnail", exit_on_error=False)
    async def _load_thumbnail(self, local_id: int, url: str) -> None:
        path = await self.history.thumbnail(url)
        image = await asyncio.to_thread(load_image, path) if path is not None else None
        row = self.highlighted()
        if row is None or row.id != local_id:
            return
        if image is None:
            self.preview.thumbnail.show_note("thumbnail not available" if path is None
                                             else "thumbnail unreadable")
        else:
            self.preview.thumbnail.show_image(image)

    # -- focus ---------------------------------------------------------------------------

    def action_search(self) -> None:
        self.search_field.focus()

    def action_to_list(self) -> None:
        self.table.focus()

    def action_back(self) -> None:
        if self.focused is self.search_field and self.window.rows:
            self.table.focus()
        else:
            self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rerun", "copy_prompt", "copy", "copy_id", "open", "download", "delete",
                      "settle") and self.highlighted() is None:
            return None  # shown greyed in the footer
        return True
