"""The one place wan-tui uses Textual names that are not public.

1. Textual offers no public hook for an unhandled exception: `App._handle_exception` is where
every one arrives (handlers, timers, workers, screens). The override writes the crash report
(`wan_tui.crash`: no locals, the token scrubbed) and hands Textual a stand-in error whose
`__rich__` is only our message, so Textual's own rendering (a traceback with locals, or
`panic()` for errors with `__rich__`) never shows the original.

2. `DataTable.update_cell` bumps a counter that is part of every render cache key, so one
changed cell re-renders every visible cell; once a second (spinners, ages) that was most of
the board's idle CPU. `update_cells_in_place` changes the cells and drops only their rows'
cached renders (for columns of fixed width, whose layout a new value cannot change).

tests/test_ui_compat.py fails loudly if an upgrade removes or renames a name used here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from rich.text import Text
from textual.app import App
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from wan_tui.crash import write_report

HOOK = "_handle_exception"
TABLE_NAMES = ("_data", "_row_locations", "_cell_render_cache", "_row_render_cache",
               "_row_renderable_cache", "_line_cache")
ResultT = TypeVar("ResultT")


class CrashNotice(Exception):
    """What Textual shows in place of a crash: the message, never the traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __rich__(self) -> Text:
        return Text(self.message)


def crash_message(report: object | None) -> str:
    where = f"the details are in {report}" if report else "the details could not be saved"
    return (f"wan-tui hit an internal error and closed; {where} (it holds no token). "
            "Tasks already submitted stay in the history: `wan-tui wait --all` follows them.")


class CrashReports(App[ResultT]):
    """An App whose crashes go to a report file, with `crash_secrets()` scrubbed."""

    def crash_secrets(self) -> Iterable[str | None]:
        return ()

    def _handle_exception(self, error: Exception) -> None:
        if not isinstance(error, CrashNotice):
            self.bell()
            notice = CrashNotice(crash_message(write_report(error, self.crash_secrets())))
            notice.__cause__ = error
            error = notice
        super()._handle_exception(error)


Cell = tuple[RowKey, ColumnKey]


def set_cells(table: DataTable[Any], changes: Iterable[tuple[str, str, Any]]) -> set[Cell]:
    """Set (row key, column key, value) cells of fixed-width columns without DataTable's
    update_cell (see 2. above); the cells changed. Their old renders stay cached until
    `forget_rendered` drops them, which must happen before the next render."""
    cells: set[Cell] = set()
    for row_key, column_key, value in changes:
        cell = (RowKey(row_key), ColumnKey(column_key))
        table._data[cell[0]][cell[1]] = value
        cells.add(cell)
    return cells


def forget_rendered(table: DataTable[Any], cells: set[Cell]) -> None:
    """Drop the cached renders of these cells and of the lines of their rows (one pass over
    each cache, for all of them); every other cell is drawn from its cached render."""
    rows = {row for row, _ in cells}
    indexes = {table._row_locations.get(row) for row in rows}
    rendered, lines_of_rows = table._cell_render_cache, table._row_render_cache
    for cell in [k for k in rendered.keys() if (k[0], k[1]) in cells]:
        rendered.discard(cell)
    for row in [k for k in lines_of_rows.keys() if k[0] in rows]:
        lines_of_rows.discard(row)
    renderables = table._row_renderable_cache
    for renderable in [k for k in renderables.keys() if k[1] in indexes]:
        renderables.discard(renderable)
    table._line_cache.clear()  # lines are put together again from the cached rows
