"""A bounded window onto one result set of the history, and the table that shows it.

The history can hold a million rows; the table holds at most WINDOW of them, a contiguous
slice of the results (newest first). Scrolling near the window's bottom reads the next page by
key (`after=` the last row's (created_at, id)) and drops as many rows from the top; near its
top, the page before (oldest first from the first row, reversed) and drops from the bottom.
Jumping to the end reads the oldest page. Memory stays the same wherever the user scrolls.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rich.text import Text
from textual.message import Message

from wan_tui.store.rows import Row

from ..actions import bindings
from ..compat import FastCells
from ..widgets.cells import Palette, plain, prompt_cell_text, state_cell
from ..widgets.tables import highlighted_key, set_column_width

PAGE = 100  # rows read at a time
WINDOW = 300  # rows held at most (three pages: the one in view and one each side)
MIN_PROMPT = 16
PREFETCH = 25  # read on when the cursor or the view is this close to the window's edge
COLUMNS = (("created", "Created", 11), ("state", "State", 12), ("model", "Model", 16),
           ("prompt", "Prompt", 40), ("id", "#", 7))

Keyset = tuple[float, int]


def key_of(row: Row) -> Keyset:
    return (row.created_at, row.id)


@dataclass
class RowWindow:
    """Which slice of the results is held: `rows` newest first, and whether it reaches the
    first (`at_start`) and the last (`at_end`) result. No Textual: the rules alone."""

    size: int = WINDOW
    rows: list[Row] = field(default_factory=list)
    at_start: bool = True
    at_end: bool = True

    def reset(self, page: Sequence[Row], limit: int) -> None:
        """The first page of a new result set."""
        self.rows = list(page)
        self.at_start, self.at_end = True, len(page) < limit

    def reset_to_end(self, oldest_first: Sequence[Row], limit: int) -> None:
        """The last page (read oldest first)."""
        self.rows = list(reversed(oldest_first))
        self.at_start, self.at_end = len(oldest_first) < limit, True

    def extend_down(self, page: Sequence[Row], limit: int) -> int:
        """Rows after the last one; how many were dropped from the top."""
        known = {row.id for row in self.rows}
        self.rows += [row for row in page if row.id not in known]
        self.at_end = len(page) < limit
        drop = max(0, len(self.rows) - self.size)
        if drop:
            del self.rows[:drop]
            self.at_start = False
        return drop

    def extend_up(self, oldest_first: Sequence[Row], limit: int) -> int:
        """Rows before the first one (read oldest first); how many were dropped from the
        bottom. The rows added on top are `len(self.rows) - before + dropped`."""
        known = {row.id for row in self.rows}
        self.rows = [row for row in reversed(oldest_first) if row.id not in known] + self.rows
        self.at_start = len(oldest_first) < limit
        drop = max(0, len(self.rows) - self.size)
        if drop:
            del self.rows[-drop:]
            self.at_end = False
        return drop

    def first_key(self) -> Keyset | None:
        return key_of(self.rows[0]) if self.rows else None

    def last_key(self) -> Keyset | None:
        return key_of(self.rows[-1]) if self.rows else None

    def replace(self, row: Row) -> bool:
        """A held row changed (the tracker, a download); whether it is held."""
        for index, held in enumerate(self.rows):
            if held.id == row.id:
                self.rows[index] = row
                return True
        return False

    def remove(self, local_id: int) -> bool:
        before = len(self.rows)
        self.rows = [row for row in self.rows if row.id != local_id]
        return len(self.rows) < before


def flags_text(row: Row) -> str:
    """Marks before the prompt: ↓ the video is saved here, ⌫ the task was deleted on the
    service."""
    return ("↓ " if row.local_path else "") + ("⌫ " if row.remote_deleted_at else "")


def created_text(created_at: float, now: float) -> str:
    """"11-14 22:13" in this year, "2024-10-27" in another (the Created column is 11 wide):
    a row from two years ago must not read as this year's."""
    made = datetime.fromtimestamp(created_at)
    same_year = made.year == datetime.fromtimestamp(now).year
    return made.strftime("%m-%d %H:%M" if same_year else "%Y-%m-%d")


def row_cells(row: Row, palette: Palette, now: float) -> list[Text]:
    prompt = Text(no_wrap=True, overflow="ellipsis", end="")
    prompt.append(flags_text(row), style=palette.success)
    prompt.append(prompt_cell_text(row.prompt))
    return [plain(created_text(row.created_at, now)),
            state_cell(row.state, palette), plain(row.model), prompt,
            Text(str(row.id), style="dim", justify="right", end="")]


class HistoryTable(FastCells):
    """The window's rows. Posts `NearEdge` when the cursor or the view nears either end."""

    BINDINGS = bindings("history", widget="table")

    class NearEdge(Message):
        def __init__(self, downward: bool) -> None:
            super().__init__()
            self.downward = downward

    def __init__(self, *, id: str | None = None, clock: Callable[[], float] = time.time) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.clock = clock  # the app's: what "this year" is

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(Text(label), key=key, width=width)  # a str: read as markup

    def on_resize(self) -> None:
        """The prompt column takes what the others leave (fixed widths: never measured)."""
        fixed = sum(width for key, _, width in COLUMNS if key != "prompt")
        spare = self.size.width - fixed - 2 * len(COLUMNS) - 1  # cell padding, scrollbar
        set_column_width(self, "prompt", max(MIN_PROMPT, spare))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new > old and new >= self.max_scroll_y - PREFETCH:
            self.post_message(self.NearEdge(True))
        elif new < old and new <= PREFETCH:
            self.post_message(self.NearEdge(False))

    def highlighted_key(self) -> str | None:
        return highlighted_key(self)

    def fill(self, rows: Iterable[Row], palette: Palette, cursor: int = 0) -> None:
        """Show exactly these rows (a new result set, or a jump) with the cursor at `cursor`."""
        self.clear()
        now = self.clock()
        for row in rows:
            self.add_row(*row_cells(row, palette, now), key=str(row.id))
        if self.row_count:
            self.move_cursor(row=min(max(cursor, 0), self.row_count - 1), animate=False)

    def append(self, rows: Sequence[Row], drop_top: Sequence[str], palette: Palette) -> None:
        """Rows below the last; rows dropped from the top: the cursor's row and the rows in
        view stay where they are on screen."""
        cursor, top, now = self.cursor_row, self.scroll_y, self.clock()
        for row in rows:
            self.add_row(*row_cells(row, palette, now), key=str(row.id))
        for key in drop_top:
            self.remove_row(key)
        if drop_top:
            self.move_cursor(row=max(0, cursor - len(drop_top)), scroll=False)
            self.scroll_to(y=max(0.0, top - len(drop_top)), animate=False, force=True,
                           immediate=True)

    def prepend(self, rows: Sequence[Row], order: dict[int, int], drop_bottom: Sequence[str],
                palette: Palette) -> None:
        """Rows above the first (`order`: each held row's place, by id); rows dropped from the
        bottom. The cursor's row and the rows in view stay where they are on screen."""
        cursor, top = self.cursor_row, self.scroll_y
        for key in drop_bottom:
            self.remove_row(key)
        now = self.clock()
        for row in rows:
            self.add_row(*row_cells(row, palette, now), key=str(row.id))
        self.sort("id", key=lambda cell: order.get(int(cell.plain), 0))
        self.move_cursor(row=cursor + len(rows), scroll=False)
        target = top + len(rows)
        self.call_after_refresh(lambda: self.scroll_to(y=target, animate=False, force=True,
                                                       immediate=True))

    def update_row(self, row: Row, palette: Palette) -> None:
        key = str(row.id)
        for (column, _, _), cell in zip(COLUMNS, row_cells(row, palette, self.clock()),
                                        strict=True):
            self.update_cell(key, column, cell)
