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

3. DataTable draws each cell through Rich's general machinery (Styled(Padding(cell)) and
`render_lines`), about 0.1 ms a cell: a screen of 27 rows and 8 columns took 23 ms of a
35 ms paint. `FastCells._render_cell` draws a one-line Text cell straight to its segments,
the same segments and styles (a test compares both paths over varied cells), and leaves any
other cell (headers, labels, several lines, tabs) to DataTable; `_render_line_in_row` puts
a row's line together from what is the same for every row, read once per paint (DataTable
walks up the DOM for the header's style in every row). Its `_update_dimensions`
skips measuring the cells of new rows when no column is auto-width and no row auto-height
(DataTable measures them all, for widths it then does not use).

4. Textual's Footer binds each key it composes to its `compact` reactive and never drops the
old keys' watchers (Textual prunes a watcher list only when the value changes, and `compact`
never does): each recompose, on every focus change or greyed key, kept ~24 dead widgets alive,
3 MB per visit to the history, and made every full garbage collection slower. `Footer` here
prunes them after each recompose.

5. `StylesCache.get_inner_outer` is an lru_cache (1,024 entries) on a method: it keeps every
widget's render cache it saw alive, with its lines, long after the widget is gone: ~2.5 MB
per visit to the history until 1,024 are held. `forget_closed_widgets` empties it when the
board is back on top (it refills at once, from live widgets only).

tests/test_ui_compat.py fails loudly if an upgrade removes or renames a name used here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple, Self, TypeVar

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Span, Text
from textual.app import App
from textual._styles_cache import StylesCache
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets import Footer as TextualFooter
from textual.widgets.data_table import ColumnKey, RowKey

from wan_tui.crash import write_report

HOOK = "_handle_exception"
WATCHERS = "__watchers"  # where textual.reactive keeps the watchers of another node's reactive
TABLE_NAMES = ("_data", "_row_locations", "_cell_render_cache", "_row_render_cache",
               "_row_renderable_cache", "_line_cache", "_column_locations", "_update_count",
               "_pseudo_class_state", "_show_hover_cursor", "_get_styles_to_render_cell",
               "_render_cell", "fixed_rows", "fixed_columns", "cell_padding", "_update_dimensions",
               "_total_row_height", "_row_label_column_width", "_render_line_in_row",
               "_get_row_style", "_labelled_row_exists")
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


_JOIN = Text("\n")  # Rich renders a Text through a join, which turns its base style into a span


def text_line(cell: Text, width: int, justify: str, overflow: str,
              console: Any) -> list[Segment] | None:
    """The segments of a one-line Text `width` cells wide, as `console.render_lines` draws
    it without wrapping; None for a Text this cannot draw (several lines, tabs)."""
    plain = cell.plain
    if "\n" in plain or "\t" in plain:
        return None
    if not plain:  # nothing drawn, however aligned or styled: Rich lays out no line
        return [Segment(" " * width, Style.null())]
    line = cell
    if justify == "right" and not cell.spans and _one_cell_each(plain) and len(
            kept := plain.rstrip()) <= width:  # what Rich's right alignment makes of it
        line = Text(" " * (width - len(kept)) + kept, style=cell.style, end="")
    elif justify != "default" or cell.cell_len > width:  # cut or aligned as Rich's wrap does
        cut = _cut(cell, width, overflow) if justify == "default" else None
        line = cut if cut is not None else cell.wrap(
            console, width, justify=justify, overflow=overflow,  # type: ignore[arg-type]
            no_wrap=True)[0]
    if line.spans:
        segments = list(_JOIN.join([line]).render(console))
    else:  # what that join and render make of one style over the whole line, made directly
        style = console.get_style(line.style, default=Style.null()) if line.style else None
        segments = [Segment(line.plain, style)]
    return Segment.adjust_line_length(segments, width, style=Style.null(), pad=True)


def _cut(cell: Text, width: int, overflow: str) -> Text | None:
    """What Rich's no-wrap path makes of a Text too long for `width` (`Text.truncate`), made
    from its first characters when each is one cell wide: Rich measures the whole text to
    cut it (~100 us for a 300-character prompt). None where that does not hold."""
    plain = cell.plain
    if overflow not in ("ellipsis", "crop", "fold") or not _one_cell_each(plain):
        return None
    kept = plain[:width - 1] + "…" if overflow == "ellipsis" else plain[:width]
    return Text(kept, style=cell.style, end="",
                spans=[Span(start, min(end, width), style)
                       for start, end, style in cell.spans if start < width])


def _one_cell_each(plain: str) -> bool:
    return all(get_character_cell_size(char) == 1 for char in set(plain))


class Paint(NamedTuple):
    """What drawing a cell reads of the table, read once per paint (each of these reads
    walks Textual's reactives or the DOM: a few microseconds, for every cell)."""

    style: Style
    console: Any
    pad: int
    fixed_rows: int
    fixed_columns: int
    show_cursor: bool
    show_hover_cursor: bool
    foreground_css: bool
    background_css: bool
    widths: tuple[int, ...]  # each column's, in order
    beyond: int  # the blank cells right of the last column


class FastCells(DataTable[Text]):
    """A DataTable that draws one-line Text cells directly (see 3. above)."""

    _paint: Paint | None = None  # while render_lines runs

    def render_lines(self, crop: Region) -> list[Strip]:
        with self.painting():
            return super().render_lines(crop)

    @contextmanager
    def painting(self) -> Iterator[None]:
        """Cells drawn within are drawn the fast way, from values read once."""
        widths = tuple(column.get_render_width(self) for column in self.ordered_columns)
        self._paint = Paint(super().rich_style, self.app.console, self.cell_padding,
                            self.fixed_rows, self.fixed_columns, self.show_cursor,
                            self._show_hover_cursor, self.cursor_foreground_priority == "css",
                            self.cursor_background_priority == "css", widths,
                            max(0, self.size.width - sum(widths) - self._row_label_column_width))
        try:
            yield
        finally:
            self._paint = None

    def clear(self, columns: bool = False) -> Self:
        """DataTable's clear, with the old rows freed after the next frame: at 10,000 rows
        freeing them took ~20 ms, part of it listing every old row's offsets only to clear
        that list (with no rows left, DataTable's clear lists none)."""
        self.retire((self._data, self.rows, self._row_locations))
        self._data, self.rows = {}, {}
        self._row_locations = type(self._row_locations)({})
        return super().clear(columns)

    def retire(self, *objects: object) -> None:
        """Keep these until the next frame is drawn: freeing them then costs no key a wait."""
        retired = list(objects)
        self.call_after_refresh(lambda: retired.clear())

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """The table's size after rows were added. DataTable measures every cell of every new
        row (about 20 us each: 160 ms for 1,000 rows of 8 cells) for the widths of auto-width
        columns and the heights of auto-height rows; with neither, only the size is new."""
        rows = self.rows
        if any(column.auto_width for column in self.columns.values()) or any(
                row.auto_height or row.label is not None
                for row in map(rows.get, new_rows) if row is not None):
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width,
                                 self._total_row_height + header)

    @property
    def rich_style(self) -> Style:
        """The table's style: DataTable reads it for every line; within a paint it is one."""
        paint = self._paint
        return paint.style if paint is not None else super().rich_style

    def _render_line_in_row(self, row_key: RowKey, line_no: int, base_style: Style,
                            cursor_location: Coordinate, hover_location: Coordinate
                            ) -> tuple[list[list[Segment]], list[list[Segment]]]:
        """DataTable's, for a row cursor and no row labels or fixed columns (our tables), with
        what is the same for every row read once per paint: DataTable works out for each
        row the header's style (a walk up the DOM, used only by labels and fixed columns),
        the columns' widths and a cursor test for each cell (~60 us a row)."""
        paint = self._paint
        if (paint is None or paint.fixed_columns or self.cursor_type != "row"
                or (self._labelled_row_exists and self.show_row_labels)):
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location,
                                               hover_location)
        key = (row_key, line_no, base_style, cursor_location, hover_location, self.cursor_type,
               paint.show_cursor, paint.show_hover_cursor, self._update_count,
               self._pseudo_class_state)
        cache = self._row_render_cache
        if key in cache:
            return cache[key]
        found = self._row_locations.get(row_key)
        row_index = -1 if found is None else found  # -1: the header
        row_style = self._get_row_style(row_index, base_style)
        cursor, hover = cursor_location.row == row_index, hover_location.row == row_index
        cells = [self._render_cell(row_index, column_index, row_style, width, cursor,
                                   hover)[line_no]
                 for column_index, width in enumerate(paint.widths)]
        beyond, _ = self._get_styles_to_render_cell(
            row_index == -1, False, False, hover, cursor, paint.show_cursor,
            paint.show_hover_cursor, False, False)
        beyond = row_style + beyond + Style.from_meta(
            {"row": row_index, "column": 0, "out_of_bounds": True})
        cells.append([Segment(" " * paint.beyond, beyond)])
        cache[key] = ([], cells)
        return [], cells

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        paint = self._paint
        row_key = self._row_locations.get_key(row_index) if row_index >= 0 else None
        column_key = self._column_locations.get_key(column_index) if column_index >= 0 else None
        row = self.rows.get(row_key) if row_key is not None else None
        if (paint is None or row_key is None or column_key is None or row is None
                or row.height != 1 or width <= 2 * paint.pad):
            return super()._render_cell(row_index, column_index, base_style, width, cursor,
                                        hover)
        key = (row_key, column_key, base_style, cursor, hover, paint.show_hover_cursor,
               self._update_count, self._pseudo_class_state)
        cache = self._cell_render_cache
        if key in cache:
            return cache[key]
        cell = self._data[row_key].get(column_key)
        line = None
        if isinstance(cell, Text):
            line = text_line(cell, width - 2 * paint.pad, cell.justify or "default",
                             cell.overflow or "fold", paint.console)
        if line is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor,
                                        hover)
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, row_index < paint.fixed_rows or column_index < paint.fixed_columns,
            hover, cursor, paint.show_cursor, paint.show_hover_cursor, paint.foreground_css,
            paint.background_css)
        # What DataTable draws: each segment's style over (base + meta + component) under
        # post_style. The cell's position (its meta) is added last instead, the same style as
        # nothing else holds meta, so that the sums before it are Rich's cached ones.
        get_style = paint.console.get_style
        around, post = get_style(base_style + component_style), get_style(post_style)
        meta = Style.from_meta({"row": row_index, "column": column_index})
        blank = around + post + meta
        padding = [Segment(" " * paint.pad, blank)] if paint.pad else []
        lines = [[*padding,
                  *[Segment(text, around + style + post + meta if style else blank)
                    for text, style, _ in line],
                  *padding]]
        cache[key] = lines
        return lines


class Footer(TextualFooter):
    """Textual's Footer without its leak (see 4. above)."""

    async def recompose(self) -> None:
        await super().recompose()
        for watchers in getattr(self, WATCHERS, {}).values():
            watchers[:] = [(node, callback) for node, callback in watchers
                           if not node._closing]


def forget_closed_widgets() -> None:
    """Let go of the render caches of widgets that are gone (see 5. above)."""
    StylesCache.get_inner_outer.cache_clear()
