"""Helpers shared by the app's DataTables, on Textual's public API only."""

from __future__ import annotations

from typing import Any

from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey


def set_column_width(table: DataTable[Any], column_key: str, width: int) -> None:
    """Give a fixed-width column a new width (the screen was resized).

    Re-writing one cell with `update_width=True` is the public way to have the table measure
    its columns again; with no row yet, the next `add_row` does it.
    """
    column = table.columns.get(ColumnKey(column_key))
    if column is None or column.width == width:
        return
    column.width = width
    if table.row_count:
        first = table.coordinate_to_cell_key(Coordinate(0, 0)).row_key
        table.update_cell(first, column_key, table.get_cell(first, column_key), update_width=True)
    table.refresh(layout=True)


def highlighted_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor (None: an empty table). Looked up by index:
    `ordered_rows` lists every row (10 ms at 10,000 rows) after each change."""
    if not table.row_count or not table.is_valid_row_index(table.cursor_row):
        return None
    return table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
