"""Small terminals: at 80x24 the table keeps at least 12 rows, the columns that matter stay
(the prompt shrinks first), and every key is discoverable (a compact hint with ? and q)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Footer

from wan_tui.ui.screenshots import hold_still, sample_app, show_board
from wan_tui.ui.widgets.key_hint import KeyHint
from wan_tui.ui.widgets.task_table import layout_for

from test_ui_board import board_of, board_with
from ui_support import until


def test_the_prompt_shrinks_first_then_length_and_resolution_go() -> None:
    keys, prompt = layout_for(160)
    assert "duration" in keys and prompt > 24
    keys, prompt = layout_for(80)
    assert keys == ("id", "state", "model", "action", "prompt", "time") and prompt >= 12


async def test_at_80x24_the_table_keeps_twelve_rows_the_age_and_the_help_key(
        tmp_path: Path) -> None:
    async with board_with(tmp_path, 50, (80, 24)) as (app, pilot, board):
        await pilot.pause()
        board = board_of(app)
        table = board.table
        await until(pilot, lambda: table.size.height - 1 >= 12)  # the header takes a line
        widths = sum(c.get_render_width(table) for c in table.columns.values())
        assert "time" in table.shown_columns and widths <= table.size.width
        assert not board.query_one(Footer).display
        hint = board.query_one(KeyHint)
        await until(pilot, lambda: "? Help" in str(hint.content))
        assert "q Quit" in str(hint.content)


async def test_the_sort_arrow_stays_when_the_terminal_narrows(tmp_path: Path) -> None:
    """Narrowing lays the columns out again: the sorted column's header keeps its arrow."""
    async with board_with(tmp_path, 5, (140, 40)) as (app, pilot, board):
        table = board.table

        def labels() -> list[str]:
            return [column.label.plain for column in table.columns.values()]
        await until(pilot, lambda: "Age ▼" in labels())
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: "duration" not in table.shown_columns)
        await pilot.pause()
        assert "Age ▼" in labels(), labels()


async def _light(pilot: Any) -> None:
    pilot.app.theme = "textual-light"


def test_snapshot_board_at_80x24(snap_compare: Any, tmp_path: Path,
                                 snapshot_env: None) -> None:
    async def run(pilot: Any) -> None:
        await show_board(pilot)
        await hold_still(pilot)
    assert snap_compare(sample_app(tmp_path), terminal_size=(80, 24), run_before=run)


def test_snapshot_board_in_the_light_theme(snap_compare: Any, tmp_path: Path,
                                          snapshot_env: None) -> None:
    async def run(pilot: Any) -> None:
        await show_board(pilot)
        await _light(pilot)
        await hold_still(pilot)
    assert snap_compare(sample_app(tmp_path), terminal_size=(140, 40), run_before=run)


async def test_the_footer_shows_only_where_all_its_keys_fit(tmp_path: Path) -> None:
    """From NARROW_WIDTH on the footer shows every key, ? Help and q Quit included (at 120
    they were cut off the end); below it the compact hint stands in."""
    from textual.widgets._footer import FooterKey

    from wan_tui.ui.screens.board import NARROW_WIDTH
    async with board_with(tmp_path, 5, (NARROW_WIDTH, 40)) as (app, pilot, board):
        footer = board.query_one(Footer)
        await until(pilot, lambda: len(footer.query(FooterKey)) > 5)
        await pilot.pause()
        keys = list(footer.query(FooterKey))
        palette = next(key for key in keys if key.has_class("-command-palette"))
        shown = [key for key in keys if key is not palette]
        assert {key.key_display for key in shown} >= {"?", "q"}
        assert all(key.region.right <= palette.region.x for key in shown), \
            [(key.key_display, key.region, palette.region) for key in shown]
        await pilot.resize_terminal(NARROW_WIDTH - 1, 40)
        await until(pilot, lambda: not footer.display and board.query_one(KeyHint).display)
