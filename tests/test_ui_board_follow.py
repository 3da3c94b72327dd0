"""The board follows the store: rows another process adds or deletes show without a
restart, and the cursor stays where the user left it."""

from __future__ import annotations

from pathlib import Path

from wan_tui.store.history import HistoryStore

from test_ui_board import T0, board_of, fill, make_app
from ui_support import until


async def test_rows_added_and_deleted_by_another_process_show_on_the_board(
        tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    fill(path, 30)
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None and app.board.table.row_count == 30)
        board = board_of(app)
        table = board.table
        await pilot.press("down", "down", "down")
        key = table.highlighted_key()
        assert key is not None
        with HistoryStore(path) as other:  # what `wan-tui history delete` and a CLI batch do
            assert other.delete("task-00005")
            other.import_rows([{"task_id": "cli-1", "action": "text2video",
                                "model": "wan2.6-t2v", "prompt": "from the CLI",
                                "state": "pending", "created_at": T0 + 100,
                                "updated_at": T0 + 100}])
        await until(pilot, lambda: any(r.prompt == "from the CLI" for r in board.rows.values()))
        await until(pilot, lambda: all(r.task_id != "task-00005" for r in board.rows.values()))
        assert table.row_count == 30
        assert all(table.has(str(local_id)) for local_id in board.rows)
        assert table.highlighted_key() == key  # the cursor stayed on its task


async def test_at_the_top_the_board_follows_the_newest_rows(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    fill(path, 30)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.board is not None)
        table = board_of(app).table
        with HistoryStore(path) as other:
            other.import_rows([{"task_id": f"cli-{n}", "action": "text2video",
                                "model": "wan2.6-t2v", "prompt": f"from the CLI {n}",
                                "state": "pending", "created_at": T0 + 100 + n,
                                "updated_at": T0 + 100 + n} for n in range(20)])
        await until(pilot, lambda: table.row_count == 50)
        await pilot.pause()
        assert table.cursor_row == 0 and table.scroll_y == 0
        assert "new above" not in str(table.border_title)
