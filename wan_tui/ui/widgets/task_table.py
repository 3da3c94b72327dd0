"""The board's table: one row per generation, keyed by its local history id.

Rows are keyed by `str(row.id)` (a submission whose answer was lost has no task id). Columns
have fixed widths, so an update never measures or re-lays out the table; a changed row
updates only the cells that changed. Newest rows sit on top: `DataTable` only appends, so
`insert_row_at` appends and then moves the row, the way `DataTable.sort` reorders rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowDoesNotExist, RowKey

from wan_tui.store.rows import Row

from .cells import (
    ACTION_WORDS,
    Palette,
    duration_text,
    plain,
    prompt_cell,
    resolution_text,
    state_cell,
    time_cell,
)

# (key, label, width); the prompt column takes its width from the screen at mount.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("state", "State", 12),
    ("model", "Model", 16),
    ("action", "Input", 5),
    ("duration", "Len", 3),
    ("resolution", "Res", 5),
    ("prompt", "Prompt", 40),
    ("time", "Age", 7),
)
FIXED_WIDTH = sum(width for key, _, width in COLUMNS if key != "prompt")
MIN_PROMPT_WIDTH = 24


def row_cells(row: Row, palette: Palette, now: float, frame: int = 0) -> dict[str, Text]:
    """Every cell of a row, by column key."""
    return {
        "state": state_cell(row.state, palette, frame),
        "model": plain(row.model),
        "action": plain(ACTION_WORDS.get(row.action, row.action)),
        "duration": plain(duration_text(row)),
        "resolution": plain(resolution_text(row)),
        "prompt": prompt_cell(row),
        "time": time_cell(row, now, palette),
    }


class TaskTable(DataTable[Text]):
    """A DataTable of generations with stable keys, fixed columns and in-place updates."""

    BINDINGS = [
        Binding("enter", "screen.details", "Details", show=False, id="board.details"),
    ]

    def __init__(self, *, prompt_width: int = 40, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._prompt_width = prompt_width
        self._cells: dict[str, dict[str, Text]] = {}  # what each shown row shows now
        self._shift = 0  # rows added above the view since the last refresh

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            if key == "prompt":
                width = self._prompt_width
            self.add_column(label, key=key, width=width)

    # -- reading -------------------------------------------------------------------------

    def highlighted_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - an empty or shrinking table
            return None
        return key.value

    def has(self, key: str) -> bool:
        return key in self._cells

    def index_of(self, key: str) -> int | None:
        try:
            return self.get_row_index(key)
        except RowDoesNotExist:
            return None

    def keys_in_order(self) -> list[str]:
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    # -- writing -------------------------------------------------------------------------

    def set_prompt_width(self, width: int) -> None:
        column = self.columns.get(ColumnKey("prompt"))
        if column is None or column.width == width:
            self._prompt_width = width
            return
        self._prompt_width = column.width = width
        self._require_update_dimensions = True
        self._clear_caches()
        self.refresh(layout=True)

    def insert_row_at(self, index: int, key: str, cells: dict[str, Text]) -> None:
        """Add a row at `index` (0 = top) without disturbing the cursor's task or the view."""
        highlighted = self.highlighted_key()
        cursor_index = self.cursor_row
        self.add_row(*(cells[k] for k, _, _ in COLUMNS), key=key)
        self._cells[key] = dict(cells)
        last = self.row_count - 1
        index = max(0, min(index, last))
        if index < last:
            row_key = RowKey(key)
            moved: TwoWayDict[RowKey, int] = TwoWayDict({})
            for other in self._row_locations:
                if other == row_key:
                    continue
                where = self._row_locations.get(other)
                assert where is not None
                moved[other] = where + 1 if where >= index else where
            moved[row_key] = index
            self._row_locations = moved
            self._update_count += 1
            self.refresh()
        if highlighted is not None and index <= cursor_index and self.row_count > 1:
            # The cursor's task moved down one row: the cursor follows it.
            self.move_cursor(row=cursor_index + 1, scroll=False)
        if self.scroll_y > 0 and index <= self.scroll_y:
            # Scrolled away from the top: the rows in view stay in view (once the table
            # has grown, or the new height would clamp the scroll).
            self._shift += 1
            if self._shift == 1:
                self.call_after_refresh(self._apply_shift)

    def _apply_shift(self) -> None:
        shift, self._shift = self._shift, 0
        self.scroll_to(y=self.scroll_y + shift, animate=False, force=True, immediate=True)

    def visible_keys(self) -> list[str]:
        """Keys of the rows on screen now: all an animation needs to touch."""
        first = int(self.scroll_y)
        return [str(row.key.value) for row in self.ordered_rows[first:first + self.size.height]]

    def update_row(self, key: str, cells: dict[str, Text]) -> int:
        """Update the cells that differ; how many did."""
        current = self._cells.get(key)
        if current is None:
            return 0
        changed = 0
        for column, value in cells.items():
            old = current.get(column)
            if old is None or old.plain != value.plain or old.style != value.style or (
                    old.spans != value.spans):
                current[column] = value
                self.update_cell(key, column, value)
                changed += 1
        return changed

    def remove(self, key: str) -> None:
        if self._cells.pop(key, None) is not None:
            self.remove_row(key)

    def replace_all(self, rows: Sequence[tuple[str, dict[str, Text]]]) -> None:
        """Show exactly these rows (a new filter): one rebuild, keeping the cursor's task."""
        highlighted = self.highlighted_key()
        self.clear()
        self._cells = {}
        for key, cells in rows:
            self.add_row(*(cells[k] for k, _, _ in COLUMNS), key=key)
            self._cells[key] = dict(cells)
        if highlighted is not None and highlighted in self._cells:
            self.move_cursor(row=self.get_row_index(highlighted), scroll=True)
