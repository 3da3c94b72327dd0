"""Moving like a power user: j/k, g/G, home/end, `:`/`#` to a task number, s/S both ways,
and the sign of rows arriving above the view."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from textual.widgets.data_table import ColumnKey

from wan_tui.api.state import State
from wan_tui.ui.messages import RowsChanged

from test_ui_board import NOW, board_with
from ui_support import until


async def test_vim_keys_ends_and_jumping_to_a_number(tmp_path: Path) -> None:
    async with board_with(tmp_path, 200, (140, 40)) as (app, pilot, board):
        table = board.table
        await pilot.press("j", "j", "j", "k")
        assert table.cursor_row == 2
        await pilot.press("G")
        assert table.cursor_row == 199
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == 199
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("colon")
        await pilot.press(*"42", "enter")
        await until(pilot, lambda: table.highlighted_key() == "42")
        await pilot.press("number_sign")
        await pilot.press(*"7", "enter")
        await until(pilot, lambda: table.highlighted_key() == "7")


async def test_s_and_shift_s_step_the_state_filter_both_ways(tmp_path: Path) -> None:
    async with board_with(tmp_path, 9, (140, 40)) as (app, pilot, board):
        await pilot.press("s")
        assert board.state_filter.label == "active"
        await pilot.press("S")
        assert board.state_filter.label == "all"
        await pilot.press("S")
        assert board.state_filter.label == "unknown/expired/lost"


async def test_rows_arriving_above_the_view_are_announced_in_the_title(tmp_path: Path) -> None:
    async with board_with(tmp_path, 200, (140, 40)) as (app, pilot, board):
        table = board.table
        await pilot.press(*["j"] * 40)
        await until(pilot, lambda: table.scroll_y > 0)
        key = table.highlighted_key()
        newest = max(board.rows.values(), key=lambda r: r.created_at)
        arrivals = [dataclasses.replace(newest, id=newest.id + n, created_at=NOW + n,
                                        state=str(State.PENDING)) for n in (1, 2, 3)]
        board.post_message(RowsChanged(arrivals))
        await until(pilot, lambda: "↑ 3 new above" in str(table.border_title))
        assert table.highlighted_key() == key
        await pilot.press("g")
        assert table.cursor_row == 0 and "new above" not in str(table.border_title)


async def test_a_key_steps_the_sort_and_the_header_shows_it(tmp_path: Path) -> None:
    async with board_with(tmp_path, 30, (140, 40)) as (app, pilot, board):
        table = board.table

        def header(column: str) -> str:
            return str(next(c.label for c in table.columns.values() if c.key == column))

        assert table.keys_in_order()[0] == "30" and header("time") == "Age ▼"
        await pilot.press("j")
        key = table.highlighted_key()
        await pilot.press("O")
        assert table.keys_in_order()[0] == "1" and header("time") == "Age ▲"
        assert "by oldest first" in str(table.border_title)
        assert table.highlighted_key() == key  # the cursor keeps its task
        await pilot.press("O")
        states = [board.rows[int(k)].state for k in table.keys_in_order()]
        assert states == sorted(states, key=lambda s: s != State.RUNNING)
        assert header("state") == "State ▲" and header("time") == "Age"
        for column in ("model", "action", "duration", "resolution", "prompt"):
            await pilot.press("O")  # each narrow header keeps its arrow: "Inp ▼", "L ▼"
            found = table.columns[ColumnKey(column)]
            assert header(column)[-1] in "▲▼", (column, header(column))
            assert found.label.cell_len <= found.get_render_width(table) - 2 * table.cell_padding
        assert header("action") == "Input" and header("duration") == "Len"
        await pilot.press("O")  # around to the default
        assert table.keys_in_order()[0] == "30" and "by " not in str(table.border_title)


async def test_f_hides_finished_tasks_and_rows_that_finish_leave(tmp_path: Path) -> None:
    async with board_with(tmp_path, 30, (140, 40)) as (app, pilot, board):
        await pilot.press("F")
        assert board.table.row_count == 10 and "10 of 30" in str(board.table.border_title)
        assert "finished hidden" in (board.filter_label() or "")
        running = next(r for r in board.rows.values() if r.state == State.RUNNING)
        board.post_message(RowsChanged([dataclasses.replace(running, state="succeeded")]))
        await until(pilot, lambda: board.table.row_count == 9)
        await pilot.press("F")
        assert board.table.row_count == 30
