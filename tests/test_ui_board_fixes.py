"""What was broken or misleading on the board (issue 13), each fixed and kept so."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.widgets import Static

from wan_tui.api.state import State
from wan_tui.session import Connection
from wan_tui.store.config import load_config
from wan_tui.store.history import HistoryStore
from wan_tui.store.rows import Row
from wan_tui.ui.app import WanApp
from wan_tui.ui.widgets.cells import Palette
from wan_tui.ui.widgets.detail import DetailPane, detail_renderable
from wan_tui.ui.widgets.task_table import row_cells

from test_ui_board import T0, board_of
from ui_support import until


def rendered(renderable: object) -> str:
    console = Console(file=io.StringIO(), width=160, color_system=None, force_terminal=False)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


def store_rows(path: Path, *rows: dict[str, Any]) -> list[Row]:
    with HistoryStore(path) as store:
        store.import_rows([{"action": "text2video", "model": "wan2.6-t2v", "prompt": "p",
                            "created_at": T0, "updated_at": T0, **row} for row in rows])
        return store.search()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def app_at(tmp_path: Path, clock: Clock, **options: Any) -> WanApp:
    return WanApp(load_config(tmp_path / "config.toml"), Connection("http://127.0.0.1:9", "t"),
                  history_path=tmp_path / "history.sqlite3", clock=clock, spin=False,
                  track=False, **options)


def test_the_detail_pane_tells_waiting_and_sending_from_running(tmp_path: Path) -> None:
    [row] = store_rows(tmp_path / "h.sqlite3", {"task_id": "t1", "state": "pending"})
    shown = rendered(detail_renderable(row, Palette(), T0 + 2))
    assert "Waiting" in shown and "Running" not in shown
    sending = dataclasses.replace(row, task_id=None, state=str(State.SUBMITTING))
    shown = rendered(detail_renderable(sending, Palette(), T0 + 2))
    assert "being sent" in shown and "no answer" not in shown and "Sending" in shown
    running = dataclasses.replace(row, state=str(State.RUNNING))
    assert "Running" in rendered(detail_renderable(running, Palette(), T0 + 2))


def test_a_reference_video_row_says_video_and_every_row_shows_its_number(
        tmp_path: Path) -> None:
    rows = store_rows(tmp_path / "h.sqlite3", {
        "task_id": "t1", "state": "running", "action": "image2video", "model": "wan2.6-r2v",
        "params": {"reference_video_urls": ["https://example.com/a.mp4"]}})
    cells = row_cells(rows[0], Palette(), T0)
    assert cells["action"].plain == "video"
    assert cells["id"].plain == str(rows[0].id)


async def test_ages_in_the_detail_pane_move_for_finished_tasks(tmp_path: Path) -> None:
    store_rows(tmp_path / "history.sqlite3",
               {"task_id": "t1", "state": "succeeded", "finished_at": T0 + 5})
    clock = Clock(T0 + 10)
    app = app_at(tmp_path, clock)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None)
        board = board_of(app)
        body = board.detail.query_one("#detail-body", Static)
        await until(pilot, lambda: "10s ago" in rendered(body.content))
        shown = body.content
        board.detail.show(board.detail.row, board.palette, clock.now + 0.2)
        assert body.content is shown  # the same words: not drawn (nor laid out) again
        clock.now += 120
        board.tick()
        await pilot.pause()
        assert "2m ago" in rendered(body.content)


async def test_enter_goes_back_from_the_detail_pane(tmp_path: Path) -> None:
    store_rows(tmp_path / "history.sqlite3", {"task_id": "t1", "state": "succeeded"})
    app = app_at(tmp_path, Clock(T0 + 10))
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None)
        board = board_of(app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.focused, DetailPane))
        assert board.detail.has_class("-expanded")
        await pilot.press("enter")
        await until(pilot, lambda: app.focused is board.table)
        assert not board.detail.has_class("-expanded")
