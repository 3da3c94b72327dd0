"""The board at scale: 1,000 live rows, in-place updates, stable cursor and view.
(How fast: bench/bench_board.py.)"""

from __future__ import annotations

import contextlib
import gc
import threading
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any


import pytest
from textual.pilot import Pilot

from wan_tui.api.state import State
from wan_tui.session import Connection
from wan_tui.store.config import load_config
from wan_tui.store.history import HistoryStore
from wan_tui.store.rows import Row
from wan_tui.tracking import TrackerEvent, TrackerStatus
from wan_tui.ui.app import WanApp
from wan_tui.ui.messages import RowsChanged, StatusChanged, TrackerUpdate
from wan_tui.ui.screens.board import BoardScreen
from wan_tui.ui.screens.board_fill import first_screen
from wan_tui.ui.widgets import task_table
from wan_tui.ui.widgets.cells import Palette
from wan_tui.ui.widgets.status import status_text

from ui_support import until

T0 = 1_700_000_000.0
NOW = T0 + 5000


def fill(path: Path, count: int) -> None:
    """`count` rows in one transaction, one second apart; every third is running."""
    rows = [{
        "task_id": f"task-{n:05d}", "action": "text2video", "model": "wan2.6-t2v",
        "prompt": f"prompt {n} " + "lorem ipsum " * 8, "params": {"duration": 5},
        "state": State.RUNNING if n % 3 == 0 else State.SUCCEEDED,
        "created_at": T0 + n, "updated_at": T0 + n,
        "video_url": None if n % 3 == 0 else f"https://cdn.example.com/{n}.mp4",
    } for n in range(count)]
    with HistoryStore(path) as store:
        result = store.import_rows(rows)
        assert result.added == count


def make_app(tmp_path: Path, **options: Any) -> WanApp:
    return WanApp(load_config(tmp_path / "config.toml"), Connection("http://127.0.0.1:9", "t"),
                  history_path=tmp_path / "history.sqlite3", clock=lambda: NOW, spin=False,
                  track=False, **options)


def board_of(app: WanApp) -> BoardScreen:
    assert app.board is not None
    return app.board


@contextlib.asynccontextmanager
async def board_with(tmp_path: Path, rows: int, size: tuple[int, int] = (140, 40)
                     ) -> AsyncIterator[tuple[WanApp, Pilot[Any], BoardScreen]]:
    """An app on a history of `rows` rows (see `fill`), its board up with all of them."""
    fill(tmp_path / "history.sqlite3", rows)
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: app.board is not None
                    and app.board.table.row_count == min(rows, app.board_limit))
        yield app, pilot, board_of(app)


async def test_a_thousand_live_rows_update_in_place_without_lag(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(tmp_path / "history.sqlite3", 1200)
    app = make_app(tmp_path)
    gc.unfreeze()
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None)
        await until(pilot, lambda: board_of(app).table.row_count == 1000)
        board = board_of(app)
        table = board.table
        assert table.row_count == 1000  # the newest 1,000; older rows are the history's
        # Its cells are kept out of the cyclic GC's full scans (bench_board_scale: stalls).
        assert gc.get_freeze_count() > 0
        assert board.truncated and "Generations · 1,000 newest" in str(table.border_title)
        assert table.keys_in_order()[0] == str(max(board.rows))

        await pilot.press(*["down"] * 5)
        key = table.highlighted_key()
        widths = [c.width for c in table.columns.values()]
        calls: list[tuple[Any, ...]] = []
        original = task_table.set_cells

        def spy(table: Any, changes: Any) -> Any:
            changes = list(changes)
            calls.extend((row_key, column_key, False) for row_key, column_key, _ in changes)
            return original(table, changes)

        monkeypatch.setattr(task_table, "set_cells", spy)
        running = [row for row in board.rows.values() if row.state == State.RUNNING][:300]
        finished = [dataclasses.replace(row, state=str(State.SUCCEEDED), finished_at=NOW,
                                        video_url=f"https://cdn.example.com/{row.id}.mp4")
                    for row in running]
        app.post_message(TrackerUpdate(TrackerEvent(rows=finished)))
        await until(pilot, lambda: all(board.rows[r.id].state == State.SUCCEEDED
                                       for r in finished))
        await pilot.pause()
        # Only the cells that changed (state and age), never re-measuring a column.
        assert {str(column) for _, column, _ in calls} <= {"state", "time"}
        assert not any(update_width for _, _, update_width in calls)
        assert len(calls) <= 2 * len(finished)
        assert [c.width for c in table.columns.values()] == widths
        assert table.highlighted_key() == key and table.row_count == 1000
        # What is drawn is the new state, not a cached render of the old one.
        shown = {r.id for r in finished} & {int(k) for k in table.visible_keys()}
        assert shown
        for local_id in shown:
            line = table.get_row_index(str(local_id)) - round(table.scroll_y) + 1  # 1: header
            drawn = table.render_line(line).text
            assert "succeeded" in drawn and f" {local_id} " in f" {drawn} ", drawn

        # One spinner frame touches only the state cells of running rows on screen (at the
        # bottom, the oldest rows, some still running).
        table.move_cursor(row=table.row_count - 1, animate=False)
        await pilot.pause()
        calls.clear()
        board._spin()
        on_screen = [k for k in table.visible_keys() if board.rows[int(k)].state == State.RUNNING]
        assert on_screen and len(calls) == len(on_screen) < table.size.height
        assert {str(c) for _, c, _ in calls} == {"state"}


async def test_rows_arriving_above_a_cursor_near_the_top_keep_it_on_its_screen_line(
        tmp_path: Path) -> None:
    """The cursor moved three rows down, the view not scrolled: a burst of 20 new rows on
    top leaves the cursor's task on the same line of the screen (the view follows it), not
    pushed off the view and scrolled back to some other line."""
    fill(tmp_path / "history.sqlite3", 100)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.board is not None and app.board.table.row_count == 100)
        board = board_of(app)
        table = board.table
        await pilot.press("down", "down", "down")
        await pilot.pause()
        key = table.highlighted_key()
        assert table.scroll_y == 0 and table.cursor_row == 3
        base = board.rows[int(key)]
        burst = [dataclasses.replace(base, id=20_000 + n, task_id=f"task-burst-{n}",
                                     created_at=NOW + n, state=str(State.PENDING))
                 for n in range(20)]
        app.post_message(TrackerUpdate(TrackerEvent(rows=burst)))
        await until(pilot, lambda: table.row_count == 120)
        await pilot.pause()
        assert table.highlighted_key() == key and table.cursor_row == 23
        assert table.scroll_y == 20  # the same line of the screen: 23 - 20 == 3


async def test_a_new_row_goes_on_top_without_moving_the_cursor_or_the_view(
        tmp_path: Path) -> None:
    fill(tmp_path / "history.sqlite3", 300)
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None)
        await pilot.pause()
        board = board_of(app)
        table = board.table
        await pilot.press("pagedown", "pagedown", "down", "down")
        await pilot.pause()
        key, scroll = table.highlighted_key(), table.scroll_y
        assert scroll > 0
        top_visible = table.keys_in_order()[int(scroll)]
        newest = dataclasses.replace(board.rows[int(key)], id=10_000, task_id="task-new",
                                     created_at=NOW, state=str(State.PENDING))
        app.post_message(TrackerUpdate(TrackerEvent(rows=[newest])))
        await until(pilot, lambda: table.row_count == 301)
        await pilot.pause()
        assert table.keys_in_order()[0] == "10000"
        assert table.highlighted_key() == key  # the cursor stayed on its task
        assert table.scroll_y == scroll + 1  # and the rows in view stayed in view
        assert table.keys_in_order()[int(table.scroll_y)] == top_visible


def test_the_status_line_names_counts_pauses_trouble_and_the_demo() -> None:
    text = status_text({"running": 2, "succeeded": 5, "failed": 1},
                       TrackerStatus(paused_until=NOW + 42, trouble="HTTP 502 from the gateway",
                                     submitting=1), NOW, Palette(), demo=True,
                       filter_label="'fox'").plain
    assert text.startswith(" DEMO ")
    assert "2 running · 5 succeeded · 1 failed" in text
    assert "sending 1" in text and "polling paused 42s (rate limited)" in text
    assert "HTTP 502 from the gateway" in text and "filter: 'fox'" in text
    calm = status_text({}, TrackerStatus(paused_until=NOW - 1), NOW, Palette()).plain
    assert "paused" not in calm and "no generations yet" in calm
    large = status_text({"succeeded": 850_422, "failed": 119_614}, TrackerStatus(), NOW,
                        Palette()).plain
    assert "850,422 succeeded · 119,614 failed" in large  # a million rows, readable



def _row(local_id: int, state: str) -> Row:
    return Row(id=local_id, task_id=None, action="text2video", model="wan2.6-t2v", prompt="p",
               negative_prompt=None, params={}, state=state, state_word=state, video_url=None,
               thumbnail_url=None, video_width=None, video_height=None, error_code=None,
               error_message=None, trace_id=None, created_at=T0, updated_at=T0,
               finished_at=None, server_created_at=None, last_polled_at=None, local_path=None)


def test_rows_changed_waiting_in_a_queue_merge_into_the_newest() -> None:
    older = RowsChanged([_row(1, State.PENDING), _row(2, State.RUNNING)])
    newer = RowsChanged([_row(1, State.RUNNING), _row(3, State.PENDING)])
    assert older.can_replace(newer)  # Textual then drops the older one
    assert {i: r.state for i, r in newer.rows.items()} == {
        1: State.RUNNING, 2: State.RUNNING, 3: State.PENDING}
    assert not older.can_replace(StatusChanged(TrackerStatus(), {}, True))


async def test_the_board_reads_its_first_screenful_before_its_first_frame_the_rest_after(
        tmp_path: Path) -> None:
    fill(tmp_path / "history.sqlite3", 400)
    app = make_app(tmp_path, board_limit=300)
    first_frame: list[int] = []
    display = app._display

    def recorded(*args: Any, **kwargs: Any) -> Any:
        if app.board is not None and app.screen is app.board and not first_frame:
            first_frame.append(len(app.board.rows))
        return display(*args, **kwargs)

    app._display = recorded  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None and app.board.table.row_count == 300)
        board = board_of(app)
        assert first_frame == [first_screen(40)]  # no more rows can show
        assert len(board.rows) == 300 and board.truncated
        assert "newest (h: the whole history)" in str(board.table.border_title)
        assert table_order_is_newest_first(board)


@pytest.mark.parametrize("height", [12, 24, 31, 32, 45, 70])
async def test_the_first_screenful_is_what_the_table_can_show(tmp_path: Path, height: int) -> None:
    """Rows built before the first frame are the rows the board's table has room for: no
    fewer (the first frame would show blank lines), no more (work the frame waits for)."""
    fill(tmp_path / "history.sqlite3", 100)
    app = make_app(tmp_path)
    async with app.run_test(size=(140, height)) as pilot:
        await until(pilot, lambda: app.board is not None and app.board.table.row_count == 100)
        await pilot.pause()
        table = board_of(app).table
        assert first_screen(height) == max(table.size.height - table.header_height, 1)


async def test_the_board_is_the_first_screen_the_app_draws(tmp_path: Path) -> None:
    """With the service known at start the board is the app's first screen, not one pushed
    over an empty screen (which Textual laid out first: ~7 ms later to the first frame)."""
    fill(tmp_path / "history.sqlite3", 50)
    app = make_app(tmp_path)
    drawn: list[object] = []
    display = app._display

    def recorded(screen: object, *args: Any, **kwargs: Any) -> Any:
        drawn.append(screen)
        return display(screen, *args, **kwargs)

    app._display = recorded  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None and app.board.table.row_count == 50)
        assert app.screen_stack == [app.board]
        assert drawn and all(screen is app.board for screen in drawn)


async def test_a_history_moved_aside_at_start_is_told_on_the_board(tmp_path: Path) -> None:
    (tmp_path / "history.sqlite3").write_bytes(b"not a database at all" * 100)
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None and app.screen is app.board)
        notes = [n.message for n in app._notifications if n.title == "History"]
        assert len(notes) == 1 and "moved to" in notes[0] and "started a fresh" in notes[0]
        assert app.board.table.row_count == 0


async def test_a_history_that_cannot_be_opened_ends_the_app_saying_why(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "history.sqlite3").mkdir()  # a folder where the file should be
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app._exit)
    assert app.return_code == 1
    assert app.board is None
    said = " ".join(capsys.readouterr().err.split())  # printed once the terminal is given back
    assert said.count("cannot read the history file") == 1 and "Is a directory" in said, said


def test_the_collector_and_the_tracker_wait_for_the_first_frame(tmp_path: Path) -> None:
    """`run` pauses the cyclic collector until the first frame (start-up's allocations made it
    walk the same objects again and again) and the tracker's first request (httpx, TLS) comes
    after it. Run as a user runs it: `App.run`, not `run_test`."""
    fill(tmp_path / "history.sqlite3", 100)
    app = WanApp(load_config(tmp_path / "config.toml"), Connection("http://127.0.0.1:9", "t"),
                 history_path=tmp_path / "history.sqlite3", clock=lambda: NOW, spin=False)
    at_first_frame: list[tuple[bool, bool]] = []
    display = app._display

    def recorded(*args: Any, **kwargs: Any) -> Any:
        if app.board is not None and app.screen is app.board and not at_first_frame:
            at_first_frame.append((gc.isenabled(), app._tracker_worker is None))
        return display(*args, **kwargs)

    async def after_start(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: app._tracker_worker is not None and gc.isenabled())
        app.exit()

    app._display = recorded  # type: ignore[method-assign]
    app.run(headless=True, size=(140, 40), auto_pilot=after_start)
    assert at_first_frame == [(False, True)]  # collector paused, tracker not yet started
    assert gc.isenabled()


async def test_the_counts_and_the_boards_later_rows_are_read_off_the_ui_thread(
        tmp_path: Path) -> None:
    """At 1M rows counting the states takes ~55 ms (after every burst of updates) and reading
    the board's later rows ~20 ms: neither may hold the keys."""
    fill(tmp_path / "history.sqlite3", 300)
    app = make_app(tmp_path, board_limit=200)
    read_on: dict[str, list[bool]] = {"counts": [], "rest": []}
    counts, search = app.session.counts_by_state, app.session.search

    def counted() -> dict[str, int]:
        read_on["counts"].append(threading.current_thread() is threading.main_thread())
        return counts()

    def searched(*args: Any, **kwargs: Any) -> list[Row]:
        if kwargs.get("limit") == 201:  # the rest, up to board_limit (+1: is there more?)
            read_on["rest"].append(threading.current_thread() is threading.main_thread())
        return search(*args, **kwargs)

    app.session.counts_by_state = counted  # type: ignore[method-assign]
    app.session.search = searched  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None and app.board.table.row_count == 200
                    and "100 running" in str(app.board.query_one("#status").render()))
        assert app.counts == {"running": 100, "succeeded": 200}
    assert read_on == {"counts": [False], "rest": [False]}  # off the main thread, once each


def table_order_is_newest_first(board: BoardScreen) -> bool:
    created = [board.rows[int(key)].created_at for key in board.table.keys_in_order()]
    return created == sorted(created, reverse=True)


async def test_the_rest_of_a_filter_comes_in_chunks_a_newer_filter_stops_it(
        tmp_path: Path) -> None:
    """At 2,500 rows the rest comes REST_CHUNK rows a frame; a newer filter's rows replace an
    older one's still coming (none of the older ones is added after); a row that arrives
    meanwhile ends up in its place."""
    fill(tmp_path / "history.sqlite3", 2500)
    app = make_app(tmp_path, board_limit=3000)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None and app.board.table.row_count == 2500)
        board = board_of(app)
        table = board.table
        board._apply_text("lorem")  # all match: a screenful now, then chunks
        await until(pilot, lambda: table.size.height < table.row_count < 2500)  # on its way
        board._apply_text("prompt 1")  # rows holding both words: about half
        wanted = {str(row.id) for row in board.rows.values() if board._visible(row)}
        newest = max(board.rows.values(), key=lambda row: row.created_at)
        arrived = dataclasses.replace(newest, id=newest.id + 10_000, created_at=NOW + 5,
                                      prompt="prompt 1 arrived while the rest came in")
        board.apply_rows([arrived])
        wanted.add(str(arrived.id))
        await until(pilot, lambda: table.row_count == len(wanted))
        await pilot.pause(0.2)  # and nothing of the older filter comes after
        keys = table.keys_in_order()
        assert set(keys) == wanted and len(keys) == len(wanted) and 500 < len(wanted) < 2000
        assert keys[0] == str(arrived.id)  # the newest on top
        created = [board.rows[int(key)].created_at for key in keys]
        assert created == sorted(created, reverse=True)


async def test_a_filter_shows_its_first_screenful_at_once_and_the_rest_after_a_frame(
        tmp_path: Path) -> None:
    fill(tmp_path / "history.sqlite3", 1000)
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None and app.board.table.row_count == 1000)
        board = board_of(app)
        board._apply_text("lorem")  # what the filter field's wait hands over: all 1,000 match
        assert board.table.row_count == board.table.size.height  # what shows, at once
        await until(pilot, lambda: board.table.row_count == 1000)  # the rest, a frame later
        board._apply_text("prompt 99")  # a few rows (fewer than a screenful): all at once
        matching = [row for row in board.rows.values() if board._visible(row)]
        assert 0 < len(matching) < 40
        assert board.table.row_count == len(matching)
