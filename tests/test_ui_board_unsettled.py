"""Unknown and lost rows get their own actions: look it up (free), dismiss as not created
(asks, saying what it means for billing)."""

from __future__ import annotations

from pathlib import Path

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.sim import Simulator
from wan_tui.store.history import HistoryStore
from wan_tui.ui.screens.confirm import ConfirmScreen

from test_ui_app import SIZE, connect, make_app
from test_ui_board import T0, board_of
from ui_support import until


async def test_a_lost_row_is_looked_up_and_an_unknown_one_dismissed(tmp_path: Path,
                                                                   sim: Simulator) -> None:
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        store.import_rows([{"action": "text2video", "model": "wan2.6-t2v", "prompt": "unsure",
                            "state": "unknown", "created_at": T0, "updated_at": T0}])
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        board = board_of(app)
        app.submit(GenerationRequest(action="text2video", model="wan2.6-t2v", prompt="lost one"))
        await until(pilot, lambda: any(r.prompt == "lost one" and r.state == State.SUCCEEDED
                                       for r in board.rows.values()))
        done = next(r for r in board.rows.values() if r.prompt == "lost one")
        assert done.task_id
        with HistoryStore(tmp_path / "history.sqlite3") as other:  # as if the service forgot
            other.mark_states([done.task_id], State.LOST)
        await until(pilot, lambda: board.rows[done.id].state == State.LOST)
        board.table.move_cursor(row=board.table.get_row_index(str(done.id)))
        await pilot.press("l")
        await until(pilot, lambda: board.rows[done.id].state == State.SUCCEEDED)
        unknown = next(r for r in board.rows.values() if r.prompt == "unsure")
        board.table.move_cursor(row=board.table.get_row_index(str(unknown.id)))
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "billed" in str(app.screen.query_one("#confirm-message").content)
        await pilot.press("y")
        await until(pilot, lambda: board.rows[unknown.id].state == State.FAILED)
        stored = app.session.get(unknown.id)
        assert stored is not None and stored.error_code == "dismissed"
