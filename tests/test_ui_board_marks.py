"""Marks and bulk actions: space, shift+space/V, ctrl+a; then download, re-run, copy and
remove every marked task."""

from __future__ import annotations

from pathlib import Path

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.sim import Simulator
from wan_tui.ui.screens.confirm import ConfirmScreen

from test_ui_app import SIZE, connect, make_app as make_live_app
from test_ui_board import board_of, board_with
from ui_support import until


async def test_marking_one_a_range_and_all(tmp_path: Path) -> None:
    async with board_with(tmp_path, 30, (140, 40)) as (app, pilot, board):
        keys = board.table.keys_in_order()
        await pilot.press("space")  # marks the first row and steps down
        assert board.marked == {int(keys[0])} and board.table.cursor_row == 1
        assert board.table.get_cell(keys[0], "id").plain.startswith("●")
        await pilot.press("j", "j", "j", "V")  # the range from the last mark to here
        assert board.marked == {int(k) for k in keys[:5]}
        assert "5 marked" in str(board.table.border_title)
        await pilot.press("ctrl+a")
        assert board.marked == {int(k) for k in keys}
        await pilot.press("ctrl+a")
        assert board.marked == set()
        await pilot.press("space", "space")
        await pilot.press("escape")  # esc clears the marks
        assert board.marked == set()


async def test_copy_urls_and_ids_and_remove_the_marked_rows(tmp_path: Path) -> None:
    async with board_with(tmp_path, 9, (140, 40)) as (app, pilot, board):
        await pilot.press("space", "space", "space")  # two finished, one running
        marked = sorted(board.marked)
        await pilot.press("c")
        assert len(app.clipboard.splitlines()) == 2  # the running one has no video yet
        await pilot.press("y")
        assert sorted(app.clipboard.splitlines()) == sorted(
            board.rows[i].task_id or "" for i in marked)
        await pilot.press("delete")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: not set(marked) & set(board.rows))
        assert board.table.row_count == 6 and board.marked == set()
        assert all(app.session.get(i) is None for i in marked)


async def test_download_and_rerun_ten_marked_rows(tmp_path: Path, sim: Simulator) -> None:
    (tmp_path / "config.toml").write_text(f'[downloads]\ndir = "{tmp_path / "videos"}"\n')
    app = make_live_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        board = board_of(app)
        for n in range(10):
            app.submit(GenerationRequest(action="text2video", model="wan2.6-t2v",
                                         prompt=f"batch {n}", duration=5))
        await until(pilot, lambda: len(board.rows) == 10 and all(
            r.state == State.SUCCEEDED for r in board.rows.values()), seconds=30)
        await pilot.press("ctrl+a", "d")
        await until(pilot, lambda: all(app.session.get(i).local_path  # type: ignore[union-attr]
                                       for i in board.rows), seconds=30)
        assert len(list((tmp_path / "videos").iterdir())) == 10
        # One notification for the ten, not ten stacked toasts.
        await until(pilot, lambda: any(n.title == "Downloaded" for n in app._notifications))
        await pilot.pause(0.6)  # SAVED_GATHER: a second notice would have come by now
        told = [n.message for n in app._notifications if n.title == "Downloaded"]
        assert len(told) == 1 and told[0].startswith(f"10 videos saved to {tmp_path / 'videos'}")
        await pilot.press("r")  # the same ten are still marked
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        message = str(app.screen.query_one("#confirm-message").content)
        assert "billed" in message and "cost is not known" in message  # no price for 2.6
        assert "Re-run 10 tasks?" in str(app.screen.query_one("#confirm-title").content)
        await pilot.press("y")
        await until(pilot, lambda: len(board.rows) == 20, seconds=30)
