"""ui/compat.py: the Textual names that are not public, and what they serve (the crash path,
cells updated in place). If a Textual upgrade removes or renames one, the first tests fail
loudly."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.app import App
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets import DataTable

from wan_tui.session import Connection
from wan_tui.store.config import load_config
from wan_tui.ui import compat
from wan_tui.ui.app import WanApp

from ui_support import until

TOKEN = "sk-live-crash-0123456789SECRET"


def test_textual_still_routes_unhandled_errors_through_the_hook() -> None:
    hook = getattr(App, compat.HOOK, None)
    assert callable(hook), f"Textual no longer has App.{compat.HOOK}: update ui/compat.py"
    assert list(inspect.signature(hook).parameters) == ["self", "error"]
    assert compat.CrashReports.__dict__.get(compat.HOOK) is not None


def test_textual_still_has_the_data_table_internals_we_update_in_place() -> None:
    table: DataTable[Any] = DataTable()
    missing = [name for name in compat.TABLE_NAMES if not hasattr(table, name)]
    assert missing == [], f"Textual's DataTable changed: update ui/compat.py ({missing})"
    from textual._styles_cache import StylesCache
    assert callable(getattr(StylesCache.get_inner_outer, "cache_clear", None)), (
        "StylesCache.get_inner_outer is no longer an lru_cache: forget_closed_widgets can go")
    update = inspect.signature(DataTable.update_cell)
    assert list(update.parameters)[:4] == ["self", "row_key", "column_key", "value"]


class Boom(Exception):
    pass


class RichBoom(Exception):
    """Textual shows an error with __rich__ through panic(), not its traceback path."""

    def __rich__(self) -> Text:
        return Text(f"rich error holding {TOKEN}")


def explode(error: Exception) -> None:
    raise error


@pytest.mark.parametrize("error", [Boom(f"failed with {TOKEN}"), RichBoom()],
                         ids=["plain", "rich"])
async def test_a_crash_writes_a_scrubbed_report_and_shows_only_a_message(
        tmp_path: Path, error: Exception, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    app = WanApp(load_config(tmp_path / "config.toml"), Connection("http://127.0.0.1:9", TOKEN),
                 history_path=tmp_path / "history.sqlite3", spin=False, track=False)
    shown: list[Any] = []
    with pytest.raises(compat.CrashNotice) as raised:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: app.board is not None)
            panic = app.panic

            def recording_panic(*renderables: Any) -> None:  # what Textual prints at exit
                shown.extend(renderables)
                panic(*renderables)

            app.panic = recording_panic  # type: ignore[method-assign]
            app.call_later(explode, error)
            await until(pilot, lambda: not app.is_running)
    assert raised.value.__cause__ is error
    reports = list(tmp_path.glob("wan-tui-crash-*.txt"))
    assert len(reports) == 1
    text = reports[0].read_text(encoding="utf-8")
    assert type(error).__name__ in text and TOKEN not in text
    assert str(reports[0]) in raised.value.message and TOKEN not in raised.value.message
    rendered = " ".join(str(r.__rich__()) if hasattr(r, "__rich__") else str(r) for r in shown)
    assert "internal error" in rendered and TOKEN not in rendered
    assert app.return_code == 1


def _cells_of(lines: list[list[Any]]) -> list[tuple[str, Any]]:
    """Each drawn character with its style (how Rich splits segments does not matter)."""
    return [(char, segment.style) for line in lines for segment in line
            for char in segment.text]


def _varied_cells() -> list[Text]:
    spans = Text("✓ ", style="green")
    spans.append("succeeded and then some more words", style="bold")
    return [
        Text("short", end=""),
        Text("a long prompt that will not fit in its column " * 3, no_wrap=True,
             overflow="ellipsis", end=""),
        Text("folded overflow that is cut at the edge " * 2, end=""),
        Text("12s", style="dim", justify="right", end=""),
        Text("3m ago  ", style="#ff8800 bold", justify="right", end=""),
        Text("right-aligned and longer than most columns", justify="right", end=""),
        Text("", style="on green", justify="right", end=""),
        Text("", style="on red", justify="center", end=""),
        Text("⏎ wide ✓", justify="right", end=""),
        Text("mid", justify="center", end=""),
        Text("left", style="on red", justify="left", end=""),
        spans,
        Text("日本語のプロンプトは幅が二つの文字です", no_wrap=True, overflow="ellipsis", end=""),
        Text("emoji 🎬🎥 clap", style="italic", end=""),
        Text("", end=""),
        Text("two\nlines", end=""),  # drawn by DataTable itself
        Text("tab\there", end=""),
        Text("trailing spaces      ", style="underline", end=""),
        *_long_prompts(),
    ]


def _long_prompts() -> list[Text]:
    """Prompts cut at the column's edge: spans across the cut, accents, dashes, blanks."""
    words = "Café crème — a sweeping aerial shot over a misty valley at dawn, golden light "
    cells = []
    for overflow in ("ellipsis", "crop", "fold"):
        prompt = Text(no_wrap=True, overflow=overflow, end="")  # type: ignore[arg-type]
        prompt.append("↓ ", style="green")
        prompt.append(words * 4)
        prompt.stylize("bold", 5, 40)
        cells.append(prompt)
    cells.append(Text("ends in blanks" + " " * 60, style="on blue", no_wrap=True,
                      overflow="ellipsis", end=""))
    cells.append(Text(words + " " * 6, no_wrap=True, overflow="ellipsis", end=""))
    return cells


class FastTable(compat.FastCells):
    pass


class TablesApp(App[None]):
    def compose(self) -> Any:
        yield FastTable(id="fast", cursor_type="row")


async def test_fast_cells_draw_exactly_what_data_table_draws(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path must give every cell the characters and styles DataTable's own path
    gives it: for cut, aligned, wide and styled texts, under the cursor and not. Only the
    texts of several lines or with tabs go DataTable's way."""
    app = TablesApp()
    upstream = DataTable._render_cell
    handed_over: list[int] = []

    def counting(table: Any, row: int, *args: Any, **kwargs: Any) -> Any:
        handed_over.append(row)
        return upstream(table, row, *args, **kwargs)
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(FastTable)
        widths = (3, 9, 30, 70)
        for width in widths:
            table.add_column(f"w{width}", key=f"w{width}", width=width)
        cells = _varied_cells()
        several_lines = [i for i, cell in enumerate(cells) if {"\n", "\t"} & set(cell.plain)]
        for index, cell in enumerate(cells):
            table.add_row(*[cell] * len(widths), key=str(index))
        await pilot.pause()
        style = table.rich_style
        compared = 0
        for row in range(table.row_count):
            for column, (key, found) in enumerate(table.columns.items()):
                for cursor in (False, True):
                    width = found.get_render_width(table)
                    table._cell_render_cache.clear()
                    monkeypatch.setattr(DataTable, "_render_cell", counting)
                    with table.painting():
                        fast = table._render_cell(row, column, style, width, cursor)
                    monkeypatch.setattr(DataTable, "_render_cell", upstream)
                    table._cell_render_cache.clear()
                    slow = upstream(table, row, column, style, width, cursor)
                    assert _cells_of(fast) == _cells_of(slow), (row, key, cursor)
                    assert len(fast) == len(slow) == 1
                    compared += 1
        assert compared == table.row_count * len(widths) * 2
        assert sorted(set(handed_over)) == several_lines and len(several_lines) == 2
        assert len(handed_over) == 2 * len(widths) * 2


@pytest.mark.parametrize("zebra", [False, True])
async def test_fast_cells_draw_whole_lines_exactly_as_data_table_does(
        zebra: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whole lines (header, cursor row, hovered row, the blank right of the last column,
    each cell's position for the mouse), scrolled or not: the same as DataTable's."""
    app = TablesApp()
    async with app.run_test(size=(150, 40)) as pilot:
        table = app.query_one(FastTable)
        table.zebra_stripes = zebra
        for width in (3, 9, 30, 40):
            table.add_column(f"w{width}", key=f"w{width}", width=width)
        for index, cell in enumerate(_varied_cells()):
            if not {"\n", "\t"} & set(cell.plain):  # rows one line high: ours draws them
                table.add_row(*[cell] * 4, key=str(index))
        table.move_cursor(row=2)
        table.hover_coordinate = Coordinate(4, 1)
        table._show_hover_cursor = True
        await pilot.pause()
        assert table.size.width > 3 + 9 + 30 + 40 + 4 * 2  # a blank right of the columns
        region = Region(0, 0, table.size.width, table.size.height)
        for scroll in (0, 25):
            table.scroll_to(x=scroll, animate=False, immediate=True)
            await pilot.pause()
            drawn = []
            for way in ("ours", "DataTable's"):
                for cache in (table._styles_cache, table._line_cache, table._row_render_cache,
                              table._cell_render_cache):
                    cache.clear()  # each way draws every line itself
                if way != "ours":
                    monkeypatch.setattr(FastTable, "_render_line_in_row",
                                        DataTable._render_line_in_row)
                    monkeypatch.setattr(FastTable, "_render_cell", DataTable._render_cell)
                drawn.append([_cells_of([list(strip)]) for strip in table.render_lines(region)])
                monkeypatch.undo()
            assert len(drawn[0]) == table.size.height
            for y, (ours, theirs) in enumerate(zip(*drawn)):
                assert ours == theirs, (scroll, y)


async def test_fast_cells_size_the_table_as_data_table_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Without measuring cells, the table's virtual size is the one DataTable computes;
    an auto-width column is still measured (its width comes from its cells)."""
    import textual.widgets._data_table as data_table
    measured: list[object] = []
    measure = data_table.measure

    def counting(console: Any, renderable: Any, *args: Any) -> int:
        measured.append(renderable)
        return measure(console, renderable, *args)

    monkeypatch.setattr(data_table, "measure", counting)
    app = TablesApp()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(FastTable)
        table.add_column("a", key="a", width=7)
        table.add_column("b", key="b", width=30)
        measured.clear()  # the labels are measured once, as columns are added
        for index, cell in enumerate(_varied_cells()[:9]):
            table.add_row(cell, cell, key=str(index))
        await pilot.pause()
        assert measured == []  # fixed widths, one line each: nothing to measure
        ours = table.virtual_size
        DataTable._update_dimensions(table, list(table.rows))
        assert ours == table.virtual_size == (7 + 30 + 2 * 2, 9 + 1)
        table.add_column("auto", key="auto")
        table.add_row(Text("x"), Text("y"), Text("twelve chars"), key="wide")
        await pilot.pause()
        assert table.columns["auto"].content_width == len("twelve chars")  # type: ignore[index]
        assert table.virtual_size.width == 7 + 30 + 12 + 3 * 2


class FooterApp(App[None]):
    BINDINGS = [("a", "bell", "One"), ("b", "bell", "Two"), ("c", "bell", "Three")]

    def __init__(self, footer: type[Any]) -> None:
        super().__init__()
        self.footer_type = footer

    def compose(self) -> Any:
        yield self.footer_type()


async def _footer_keys_alive(footer: type[Any], recomposes: int) -> int:
    import gc

    from textual.widgets._footer import FooterKey
    app = FooterApp(footer)
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        for _ in range(recomposes):
            app.screen.refresh_bindings()  # what a focus change or a greyed key does
            await pilot.pause(0.05)
        gc.collect()
        return sum(isinstance(o, FooterKey) for o in gc.get_objects())


async def test_the_footer_drops_its_old_keys_when_it_recomposes() -> None:
    """Textual's Footer keeps every key it ever composed (their watchers of `compact`); ours
    keeps only the ones shown. The check that Textual still leaks tells when the fix can go."""
    shown = await _footer_keys_alive(compat.Footer, 0)
    assert shown > 0 and await _footer_keys_alive(compat.Footer, 6) == shown
    assert await _footer_keys_alive(compat.TextualFooter, 6) >= shown + 6, (
        "Textual's Footer no longer leaks its keys: compat.Footer can go")
