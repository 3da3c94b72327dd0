"""The board's table: one row per generation, keyed by its local history id.

Rows are keyed by `str(row.id)` (a submission whose answer was lost has no task id). Columns
have fixed widths, so an update never measures or re-lays out the table; a changed row
updates only the cells that changed. Newest rows sit on top: `DataTable` only appends, so new
rows are appended and the table is put in order with `DataTable.sort`, reading each row's place
from its prompt cell (`OrderedText`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text

from wan_tui.store.rows import Row

from ..actions import bindings
from .cells import (
    ACTION_WORDS,
    Palette,
    duration_text,
    plain,
    prompt_cell_text,
    resolution_text,
    state_cell,
    time_cell,
)
from ..compat import Cell, FastCells, forget_rendered, set_cells
from .tables import highlighted_key, set_column_width
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets.data_table import ColumnKey

ID_WIDTH = 5  # ids up to 99,999 (marked: 9,999); a wider one widens it, the prompt gives way
# (key, label, width); the prompt column takes what the others leave (`fit`).
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("id", "#", ID_WIDTH),
    ("state", "State", 12),
    ("model", "Model", 16),
    ("action", "Input", 5),
    ("duration", "Len", 3),
    ("resolution", "Res", 5),
    ("prompt", "Prompt", 40),
    ("time", "Age", 7),
)
MIN_PROMPT_WIDTH = 24
COMPACT_PROMPT_WIDTH = 12  # a small terminal: the prompt shrinks first, then these go
WIDE_ONLY = frozenset({"duration", "resolution"})
# table margins 2, border 2, scrollbar 1; cell padding 2 per column
CHROME = 5


def layout_for(width: int, id_width: int = ID_WIDTH) -> tuple[tuple[str, ...], int]:
    """The columns shown in a screen this wide, and the prompt's width."""
    for compact in (False, True):
        keys = tuple(k for k, _, _ in COLUMNS if not (compact and k in WIDE_ONLY))
        fixed = sum(id_width if k == "id" else w for k, _, w in COLUMNS
                    if k in keys and k != "prompt")
        spare = width - fixed - 2 * len(keys) - CHROME
        if spare >= MIN_PROMPT_WIDTH or compact:
            return keys, max(COMPACT_PROMPT_WIDTH if compact else MIN_PROMPT_WIDTH, spare)
    raise AssertionError("unreachable")
ORDER_COLUMN = "prompt"


class OrderedText(Text):
    """A cell that also knows its row's place in the table (ascending: first shown first)."""

    order: tuple[Any, ...] = (0.0, 0)


def row_order(row: Row) -> tuple[float, int]:
    return (-row.created_at, -row.id)


def row_cells(row: Row, palette: Palette, now: float, frame: int = 0) -> dict[str, Text]:
    """Every cell of a row, by column key."""
    prompt = OrderedText(prompt_cell_text(row.prompt), no_wrap=True, overflow="ellipsis", end="")
    prompt.order = row_order(row)
    return {
        "id": Text(str(row.id), style=palette.muted, no_wrap=True, justify="right", end=""),
        "state": state_cell(row.state, palette, frame),
        "model": plain(row.model),
        "action": plain(input_word(row)),
        "duration": plain(duration_text(row)),
        "resolution": plain(resolution_text(row)),
        "prompt": prompt,
        "time": time_cell(row, now, palette),
    }


def input_word(row: Row) -> str:
    """What the task was made from: text, an image, reference videos, or Wan 3's media."""
    if row.params.get("reference_video_urls"):
        return "video"
    if row.params.get("media"):
        return "media"
    return ACTION_WORDS.get(row.action, row.action)


def _order_of(cell: object) -> tuple[Any, ...]:
    return cell.order if isinstance(cell, OrderedText) else (0.0, 0)


class TaskTable(FastCells):
    """A DataTable of generations with stable keys, fixed columns and in-place updates."""

    BINDINGS = bindings("board", widget="table")

    def __init__(self, *, width: int = 140, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._screen_width = width
        self._id_width = ID_WIDTH  # the widest id shown so far, at least ID_WIDTH
        self._sort_mark = ("", "")  # the sorted column and its arrow, for its label
        self.shown_columns, self._prompt_width = layout_for(width)
        self._shown: dict[str, dict[str, Text]] = {}  # what each shown row shows now
        self._shift = 0  # rows added above the view since the last refresh
        self._shift_from = 0.0  # where the view was when they began to come
        self._stale_cells: set[Cell] = set()  # changed in place: their renders to forget

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        for key, label, _ in COLUMNS:
            if key in self.shown_columns:
                self.add_column(self._label(key, label), key=key, width=self._width(key))

    def _width(self, key: str) -> int:
        """A column's width now: the id's follows the widest id, the prompt's the screen."""
        widths = {"id": self._id_width, "prompt": self._prompt_width}
        return widths.get(key) or next(w for k, _, w in COLUMNS if k == key)

    def _label(self, key: str, label: str) -> Text:
        """A column's header (a Text: a str would be read as markup); the sorted one's ends
        in its arrow, its label cut to leave room in a narrow column ("Inp ▼", "L ▼")."""
        column, arrow = self._sort_mark
        if key != column:
            return Text(label)
        return Text(f"{label[:max(1, self._width(key) - 2)]} {arrow}")

    # -- reading -------------------------------------------------------------------------

    def highlighted_key(self) -> str | None:
        return highlighted_key(self)

    def has(self, key: str) -> bool:
        return key in self._shown

    def shown_cell(self, key: str, column: str) -> Text | None:
        """What the cell shows now (None: no such row)."""
        cells = self._shown.get(key)
        return cells.get(column) if cells is not None else None

    def keys_in_order(self) -> list[str]:
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    def visible_keys(self) -> list[str]:
        """Keys of the rows on screen now: all an animation needs to touch."""
        first = int(self.scroll_y)
        last = min(self.row_count, first + self.size.height)
        # By index (O(1) each): `ordered_rows` is rebuilt over every row after each update.
        return [str(self.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value)
                for i in range(first, last)]

    # -- writing -------------------------------------------------------------------------

    def fit(self, screen_width: int) -> None:
        """Lay the columns out for this screen width (a small one drops the least needed)."""
        self._screen_width = screen_width
        keys, prompt_width = layout_for(screen_width, self._id_width)
        self._prompt_width = prompt_width
        if keys == self.shown_columns:
            set_column_width(self, "id", self._id_width)
            set_column_width(self, "prompt", prompt_width)
            return
        self.shown_columns = keys
        self.replace_all([(key, self._shown[key]) for key in self.keys_in_order()],
                         columns=True)

    def add_below(self, rows: Sequence[tuple[str, dict[str, Text]]]) -> None:
        """Add rows after the last one (they come later in the order): nothing moves."""
        for key, cells in rows:
            self._add(key, cells)

    def add_in_order(self, rows: Sequence[tuple[str, dict[str, Text]]]) -> None:
        """Add rows in their places (newest on top) without moving the cursor's task or the
        rows in view."""
        if not rows:
            return
        highlighted = self.highlighted_key()
        top, below_top = self.scroll_y, self.cursor_row > 0
        for key, cells in rows:
            self._add(key, cells)
        self.sort(ORDER_COLUMN, key=_order_of)
        if highlighted is not None and self.row_count > 1:
            index = self.get_row_index(highlighted)
            if index != self.cursor_row:  # the cursor's task moved: the cursor follows it
                self.move_cursor(row=index, scroll=False)
        if top > 0 or below_top:
            # Scrolled away from the top, or the cursor moved down from it (on the top row the
            # board follows the newest instead): the rows in view stay in view (once the
            # table has grown, or the new height would clamp the scroll).
            above = 0
            for index in sorted(self.get_row_index(key) for key, _ in rows):
                if index <= top + above:
                    above += 1
            if above:
                if not self._shift:  # the first burst since the last refresh: from here
                    self._shift_from = top
                    self.call_after_refresh(self._apply_shift)
                self._shift += above

    def resort(self) -> None:
        """Put the rows in the order their prompt cells say (the sort changed), keeping the
        cursor's task."""
        highlighted = self.highlighted_key()
        self.sort(ORDER_COLUMN, key=_order_of)
        if highlighted is not None:
            self.move_cursor(row=self.get_row_index(highlighted), scroll=True)

    def reorder(self, order_of: Callable[[str], tuple[Any, ...]]) -> None:
        """A new sort order: each shown row's prompt cell gets its new sort key in place (the
        text is the same, so no cell is rebuilt or redrawn), then one sort."""
        for key, cells in self._shown.items():
            prompt = cells.get(ORDER_COLUMN)
            if isinstance(prompt, OrderedText):
                prompt.order = order_of(key)
        self.resort()

    def show_sort(self, column: str, arrow: str) -> None:
        """The header of the sorted column carries the arrow (also once the columns are
        laid out again for a new width)."""
        self._sort_mark = (column, arrow)
        for key, label, _ in COLUMNS:
            found = self.columns.get(ColumnKey(key))
            if found is not None:
                found.label = self._label(key, label)
        self.refresh()

    def _fit_id(self, cell: Text) -> None:
        """Widen the id column for an id cell wider than it (past 99,999 rows, or marked
        past 9,999): an id is never cut."""
        if cell.cell_len > self._id_width:
            self._id_width = cell.cell_len
            self.fit(self._screen_width)

    def _add(self, key: str, cells: dict[str, Text]) -> None:
        self._fit_id(cells["id"])
        self.add_row(*(cells[k] for k in self.shown_columns), key=key)
        self._shown[key] = dict(cells)

    def _apply_shift(self) -> None:
        # From where the view was, not where it is: DataTable may have scrolled to the cursor
        # meanwhile (its task was pushed below the view).
        shift, self._shift = self._shift, 0
        self.scroll_to(y=self._shift_from + shift, animate=False, force=True, immediate=True)
        cursor, top = self.cursor_row, int(self.scroll_y)
        if self.row_count and not top <= cursor < top + self.size.height - 1:
            self.move_cursor(row=cursor, scroll=True)  # the cursor's task stays in view

    def update_row(self, key: str, cells: dict[str, Text]) -> int:
        """Update the cells that differ; how many did."""
        current = self._shown.get(key)
        if current is None:
            return 0
        if "id" in cells:
            self._fit_id(cells["id"])
        changes = []
        for column, value in cells.items():
            old = current.get(column)
            if old is None or old.plain != value.plain or old.style != value.style or (
                    old.spans != value.spans) or _order_of(old) != _order_of(value):
                current[column] = value
                if column in self.shown_columns:
                    changes.append((key, column, value))
        # Every column has a fixed width: only changed rows are drawn again (ui/compat.py).
        if changes:
            self._stale_cells |= set_cells(self, changes)
            self.refresh()
        return len(changes)

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._stale_cells:  # once per frame, however many cells changed since the last
            forget_rendered(self, self._stale_cells)
            self._stale_cells = set()
        return super().render_lines(crop)

    def drop(self, key: str) -> None:
        """Remove a row if it is shown."""
        if self._shown.pop(key, None) is not None:
            self.remove_row(key)

    def replace_all(self, rows: Sequence[tuple[str, dict[str, Text]]], *,
                    columns: bool = False) -> None:
        """Show exactly these rows, in this order (a new filter; with `columns`, a new set
        of columns): one rebuild, keeping the cursor's task."""
        highlighted = self.highlighted_key()
        self.retire(self._shown)  # freed after the frame: at 10,000 rows, ~40 ms
        self.clear(columns=columns)
        if columns:
            self._add_columns()
        self._shown = {}
        for key, cells in rows:
            self._add(key, cells)
        if highlighted is not None and highlighted in self._shown:
            self.move_cursor(row=self.get_row_index(highlighted), scroll=True)
