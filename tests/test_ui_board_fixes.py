"""What was broken or misleading on the board (issue 13), each fixed and kept so."""

from __future__ import annotations

import dataclasses
import io
import sqlite3
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.geometry import Region
from textual.widgets.data_table import ColumnKey
from textual.widgets import Static

from wan_tui.api.state import State
from wan_tui.session import Connection
from wan_tui.store.config import load_config
from wan_tui.store.history import HistoryStore
from wan_tui.store.rows import Row
from wan_tui.ui.app import WanApp
from wan_tui.ui.widgets.cells import Palette, time_text
from wan_tui.ui.widgets.detail import DetailPane, detail_renderable
from wan_tui.ui.widgets.task_table import layout_for, row_cells

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


def test_every_age_fits_the_age_column(tmp_path: Path) -> None:
    """The board's age column is 7 wide: a finished task of any age, and a task left running
    for days, say it in 7 characters or fewer (a cut "759d ag" misleads)."""
    [row] = store_rows(tmp_path / "h.sqlite3", {"task_id": "t1", "state": "succeeded"})
    running = dataclasses.replace(row, state=str(State.RUNNING))
    day = 86400
    ages = [0, 59, 3599, 86399, 99 * day, 100 * day, 364 * day, 365 * day, 759 * day,
            99 * 365 * day]
    shown = {age: time_text(row, row.created_at + age) for age in ages}
    assert shown[99 * day] == "99d ago" and shown[100 * day] == "14w ago"
    assert shown[364 * day] == "52w ago" and shown[759 * day] == "2y ago"
    stopwatch = {age: time_text(running, row.created_at + age)
                 for age in [42, 9 * 3600 + 3599, 10 * 3600, 3 * day]}
    assert stopwatch[42] == "0:42" and stopwatch[9 * 3600 + 3599] == "9:59:59"
    assert stopwatch[3 * day] == "3d"
    assert all(len(text) <= 7 for text in [*shown.values(), *stopwatch.values()]), shown


async def test_a_history_past_99999_rows_shows_whole_ids(tmp_path: Path) -> None:
    """Ids of a long history (1,000,000) are shown whole: the id column widens and the
    prompt gives way, rather than cutting the id to "10000"."""
    path = tmp_path / "history.sqlite3"
    store_rows(path, {"task_id": "t1", "state": "succeeded"})
    with sqlite3.connect(path) as conn:  # a second row with the id of a millionth task
        conn.executescript("CREATE TEMP TABLE one AS SELECT * FROM generations;"
                           "UPDATE one SET id = 1000000, task_id = 't2';"
                           "INSERT INTO generations SELECT * FROM one;")
    conn.close()
    app = app_at(tmp_path, Clock(T0 + 759 * 86400))
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None and app.board.table.row_count == 2)
        table = board_of(app).table
        await pilot.pause()
        lines = [strip.text.strip("│╭╮ ") for strip in table.render_lines(
            Region(0, 0, table.size.width, table.size.height))]
        assert lines[1].startswith("#") and lines[2].split()[0] == "1000000", lines[:4]
        assert lines[3].split()[0] == "1" and lines[2].endswith("2y ago"), lines[:4]
        _, prompt_width = layout_for(140)
        widths = {key.value: column.width for key, column in table.columns.items()}
        assert widths["id"] == 7 and widths["prompt"] == prompt_width - 2
        await pilot.press("space")  # marked: "●1000000", not "●100000"
        await until(pilot, lambda: table.columns[ColumnKey("id")].width == 8)
        await pilot.pause()
        line = table.render_lines(Region(0, 2, table.size.width, 1))[0].text.strip("│ ")
        assert line.split()[0] == "●1000000", line
