"""The history screen driven with the keyboard (Pilot): search with the query syntax, the
window of rows, the preview and its thumbnail, and each action, against the real simulator."""

from __future__ import annotations

import re
import time

import io
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.coordinate import Coordinate
from textual.pilot import Pilot

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.session import Connection
from wan_tui.sim import Simulator
from wan_tui.store.config import load_config
from wan_tui.store.history import HistoryStore
from wan_tui.thumbnails import ThumbnailCache
from wan_tui.tracker import Pacing
from wan_tui.ui.app import WanApp
from wan_tui.ui.screens.history import HistoryScreen
from wan_tui.ui.screens.history_window import WINDOW

from ui_support import until

SIZE = (160, 45)
FAST = Pacing(max_requests_per_second=50, first_poll=0.05, interval=0.1)
NOWHERE = Connection("http://127.0.0.1:9", "t")


def fill(path: Path, count: int, *, failed_every: int = 0) -> None:
    """`count` rows, oldest first: "prompt number N"; every `failed_every`th one failed."""
    with HistoryStore(path) as store:
        for n in range(count):
            local_id = store.add_submission(GenerationRequest(
                action="text2video", model="wan2.6-t2v", prompt=f"prompt number {n}"))
            if failed_every and n % failed_every == 0:
                store.mark_refused(local_id, "bad_request", "refused", None)
            else:
                store.mark_submitted(local_id, f"task-{n}", None)


def make_app(tmp_path: Path, connection: Connection = NOWHERE, **options: Any) -> WanApp:
    return WanApp(load_config(tmp_path / "config.toml"), connection,
                  history_path=tmp_path / "history.sqlite3", spin=False, track=False,
                  pacing=FAST, **options)


async def open_history(pilot: Pilot[Any], app: WanApp) -> HistoryScreen:
    await until(pilot, lambda: app.board is not None and app.screen is app.board)
    await pilot.press("h")
    await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
    screen = app.screen
    assert isinstance(screen, HistoryScreen)
    await until(pilot, lambda: screen.total is not None)
    return screen


def prompts(screen: HistoryScreen) -> list[str]:
    return [row.prompt for row in screen.window.rows]


def preview_text(screen: HistoryScreen, width: int = 70) -> str:
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(screen.preview.content)
    return console.export_text()


def status(screen: HistoryScreen) -> str:
    return str(screen.query_one("#history-status").render())


async def settled(pilot: Pilot[Any], screen: HistoryScreen) -> None:
    """Until the newest query's rows and count are shown."""
    await until(pilot, lambda: screen.total is not None and not screen.workers)


async def test_the_screen_opens_with_its_rows_in_its_first_frame(tmp_path: Path) -> None:
    """The first page is read (off the UI thread) before the screen opens: no frame shows
    an empty history screen first and its rows a layout and a paint later."""
    fill(tmp_path / "history.sqlite3", 30)
    app = make_app(tmp_path)
    frames: list[tuple[bool, int]] = []  # for each frame: the history screen? its rows
    async with app.run_test(size=SIZE) as pilot:
        display = app._display

        def recorded(*args: Any, **kwargs: Any) -> Any:
            screen = app.screen
            if isinstance(screen, HistoryScreen):
                frames.append((True, screen.table.row_count))
            return display(*args, **kwargs)

        app._display = recorded  # type: ignore[method-assign]
        screen = await open_history(pilot, app)
        await until(pilot, lambda: bool(frames))
        assert frames[0] == (True, 30)
        assert screen.total == 30 and "30 generations" in status(screen)


async def test_typing_filters_at_once_with_the_query_syntax(tmp_path: Path) -> None:
    fill(tmp_path / "history.sqlite3", 30, failed_every=3)
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot, app)
        assert app.focused is screen.search_field  # typing filters at once
        assert screen.total == 30 and "newest first" in status(screen)
        assert "more as you scroll" not in status(screen)  # all 30 are held
        await pilot.press(*"state:failed")
        await settled(pilot, screen)
        assert screen.total == 10 and {r.state for r in screen.window.rows} == {State.FAILED}
        assert "state failed" in status(screen)
        await pilot.press(*" number 27")
        await settled(pilot, screen)
        assert prompts(screen) == ["prompt number 27"]
        assert "matching 'number 27'" in status(screen) and "1 generation " in status(screen)
        await pilot.press("ctrl+u", *"failed")  # a state's name filters by it, as on the board
        await settled(pilot, screen)
        assert screen.total == 10
        await pilot.press("ctrl+u", *"r2v")  # a model alias
        await settled(pilot, screen)
        assert screen.total == 0 and "model wan2.6-r2v" in status(screen)


async def test_a_query_error_is_shown_by_the_field_and_keeps_the_results(tmp_path: Path) -> None:
    fill(tmp_path / "history.sqlite3", 5)
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot, app)
        await pilot.press(*"state:faild")
        error = screen.query_one("#history-error")
        await until(pilot, lambda: error.display)
        assert "did you mean 'failed'" in str(error.render())
        assert screen.text == "state"  # the last text that could be read stays searched
        await pilot.press("backspace", *"ed")
        await until(pilot, lambda: not error.display)
        await settled(pilot, screen)
        assert screen.total == 0 and "state failed" in status(screen)


async def test_the_window_stays_bounded_and_contiguous_wherever_the_user_goes(
        tmp_path: Path) -> None:
    fill(tmp_path / "history.sqlite3", 1000)
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot, app)
        table = screen.table
        assert table.row_count == 100 and screen.total == 1000
        assert "more as you scroll" in status(screen)
        await pilot.press("down")  # into the list
        assert app.focused is table
        largest = 0
        for _ in range(40):
            await pilot.press("pagedown")
            await until(pilot, lambda: not screen.workers)
            largest = max(largest, table.row_count)
        assert largest <= WINDOW
        numbers = [int(p.rsplit(" ", 1)[1]) for p in prompts(screen)]
        assert numbers == list(range(numbers[0], numbers[0] - len(numbers), -1))  # no gap
        highlighted = screen.highlighted()
        assert highlighted is not None and highlighted.prompt == (
            f"prompt number {999 - table.cursor_row - (999 - numbers[0])}")
        await pilot.press("G")  # the oldest row, read as the last page
        await until(pilot, lambda: screen.window.at_end and not screen.workers)
        await until(pilot, lambda: (row := screen.highlighted()) is not None
                    and row.prompt == "prompt number 0")
        assert "more as you scroll" not in status(screen)
        for _ in range(10):  # back up from the end: pages come in above
            await pilot.press("pageup")
            await until(pilot, lambda: not screen.workers)
            assert table.row_count <= WINDOW
        numbers = [int(p.rsplit(" ", 1)[1]) for p in prompts(screen)]
        assert numbers == list(range(numbers[0], numbers[0] - len(numbers), -1))
        assert numbers[0] > 100  # pages above the last one were read
        await pilot.press("g")  # the newest again
        await until(pilot, lambda: (row := screen.highlighted()) is not None
                    and row.prompt == "prompt number 999")


async def test_enter_shows_the_row_on_the_board(tmp_path: Path) -> None:
    fill(tmp_path / "history.sqlite3", 250)
    app = make_app(tmp_path, board_limit=50)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot, app)
        await pilot.press(*"number 7", "enter")
        await settled(pilot, screen)
        assert app.focused is screen.table
        await pilot.press("ctrl+end", "enter")
        await until(pilot, lambda: app.screen is app.board)
        assert app.board is not None
        shown = app.board.highlighted()
        assert shown is not None and shown.prompt == "prompt number 7"


async def synced(pilot: Pilot[Any], app: WanApp, sim: Simulator, count: int) -> None:
    """The simulator's seeded tasks, imported into the history before the screen opens."""
    sim.seed_tasks(count)
    await until(pilot, lambda: app.board is not None)
    await app.session.sync()


async def test_the_preview_draws_the_thumbnail_fetched_once_into_the_cache(
        tmp_path: Path, sim: Simulator) -> None:
    app = make_app(tmp_path, Connection(sim.base_url, sim.token))
    async with app.run_test(size=SIZE) as pilot:
        await synced(pilot, app, sim, 12)
        screen = await open_history(pilot, app)
        await pilot.press(*"has:video", "enter")
        await settled(pilot, screen)
        row = screen.highlighted()
        assert row is not None and row.thumbnail_url
        thumbnail = screen.preview.thumbnail
        await until(pilot, lambda: thumbnail.showing == "image")
        cached = ThumbnailCache().cached(row.thumbnail_url)
        assert cached is not None and cached.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert cached.parent == tmp_path / "cache" / "thumbnails"
        fetched = sim.stats.requests["/_sim/media"]
        await pilot.press("down")
        await until(pilot, lambda: thumbnail.showing == "image" and (
            screen.preview.row is not None and screen.preview.row.id != row.id))
        await pilot.press("up")  # back to the first: drawn again from the cache
        await until(pilot, lambda: thumbnail.showing == "image" and (
            screen.preview.row is not None and screen.preview.row.id == row.id))
        assert sim.stats.requests["/_sim/media"] == fetched + 1  # only the second row's
        preview = preview_text(screen)
        assert row.prompt[:20] in preview and "Meaning" in preview and "Cost" in preview
        labels = re.findall(r"^\s*(Cost|Usage|State|Prompt)\b", preview, re.MULTILINE)
        assert sorted(labels) == sorted(set(labels)), labels  # each shown once


def finished(n: int, thumbnail_url: str | None, **extra: Any) -> dict[str, Any]:
    """A succeeded task as an export line (imported through the session)."""
    return {"task_id": f"task-{n}", "state": "succeeded", "prompt": f"finished {n}",
            "model": "wan2.6-t2v", "action": "text2video", "created_at": 1_700_000_000 + n,
            "video_url": f"https://x.invalid/{n}.mp4", "thumbnail_url": thumbnail_url, **extra}


async def test_a_missing_or_broken_thumbnail_shows_a_placeholder(tmp_path: Path) -> None:
    gone, broken = "http://127.0.0.1:9/gone.png", "https://x.invalid/broken.png"
    cache = ThumbnailCache()  # the same folder as the app's: WAN_TUI_CACHE_DIR
    cache.folder.mkdir(parents=True)
    cache.path_for(broken).write_bytes(b"not an image at all")
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        app.session.import_rows([finished(0, gone), finished(1, broken), finished(2, None)])
        screen = await open_history(pilot, app)
        thumbnail = screen.preview.thumbnail
        for prompt, shown in (("finished 1", "thumbnail unreadable"),
                              ("finished 0", "thumbnail not available"),
                              ("finished 2", "no thumbnail link")):
            await pilot.press("slash", "ctrl+u", *prompt, "enter")
            await settled(pilot, screen)
            await until(pilot, lambda: thumbnail.showing == shown)


async def test_visiting_the_history_again_and_again_does_not_grow_memory(tmp_path: Path) -> None:
    """Each visit's widgets and their drawn lines are freed when the screen closes (Textual
    kept every footer key and every widget's render cache: ~20,000 objects a visit)."""
    import gc

    fill(tmp_path / "history.sqlite3", 60)
    app = make_app(tmp_path)
    alive: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(6):
            screen = await open_history(pilot, app)
            await settled(pilot, screen)
            await pilot.press("down", "down")  # the list focused: the footer is composed again
            screen.dismiss(None)
            del screen
            await until(pilot, lambda: app.screen is app.board)
            await pilot.pause()
            gc.collect()
            alive.append(len(gc.get_objects()))
    assert alive[-1] - alive[1] < 3000, alive


async def test_at_80_columns_the_preview_goes_under_the_rows_and_prompts_show(
        tmp_path: Path) -> None:
    fill(tmp_path / "history.sqlite3", 30)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, app)
        await settled(pilot, screen)
        await pilot.pause()
        table, preview = screen.table.region, screen.preview.region
        assert preview.y >= table.bottom and preview.height >= 5  # stacked, not side by side
        assert table.height - 3 >= 10  # borders and header: ten rows or more still show
        prompt = screen.table.columns["prompt"]  # type: ignore[index]
        assert prompt.width >= 16
        assert "prompt number 29" in "".join(
            str(strip.text) for strip in screen.table.render_lines(table.reset_offset))
        await pilot.resize_terminal(160, 45)
        await pilot.pause()
        assert screen.preview.region.x >= screen.table.region.right  # side by side again


async def test_every_column_is_whole_at_every_width(tmp_path: Path) -> None:
    """Beside the preview (from NARROW_WIDTH on) and under it, the columns fit the table:
    the last one, the id, was cut at 120-127 columns (#1000000 read as "10")."""
    from wan_tui.ui.screens.history_window import MIN_PROMPT
    fill(tmp_path / "history.sqlite3", 3)
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot, app)
        table = screen.table
        for width in [100, *range(118, 141), 160]:
            await pilot.resize_terminal(width, 40)
            await pilot.pause()
            await until(pilot, lambda: table.size.width <= width)
            await pilot.pause()
            used = sum(column.get_render_width(table) for column in table.columns.values())
            assert used <= table.scrollable_content_region.width, width
            assert table.columns["prompt"].width >= MIN_PROMPT, width  # type: ignore[index]


async def test_rows_from_another_year_show_their_year(tmp_path: Path) -> None:
    """The Created column says "11-14 22:13" for this year's rows and the date with its
    year for older ones (a row from two years ago read as this year's); "this year" is the
    app's clock's."""
    from datetime import datetime

    from wan_tui.ui.screens.history_window import created_text
    made = datetime(2024, 10, 27, 3, 32).timestamp()
    assert created_text(made, datetime(2024, 12, 31, 23, 0).timestamp()) == "10-27 03:32"
    assert created_text(made, datetime(2026, 11, 26, 9, 0).timestamp()) == "2024-10-27"
    fill(tmp_path / "history.sqlite3", 2)
    app = make_app(tmp_path, clock=lambda: time.time() + 2 * 366 * 86400)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot, app)
        table = screen.table
        await until(pilot, lambda: table.row_count == 2)
        created = [table.get_cell_at(Coordinate(row, 0)).plain for row in range(2)]
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", text) for text in created), created


async def test_a_slow_search_says_it_is_searching(tmp_path: Path, monkeypatch: Any) -> None:
    """A query that takes a while (a full read at a million rows: "#" or saved:yes take ~1 s)
    says "searching…" and that the rows shown are the last search's, instead of the last
    search's count and words; its results then replace both."""
    import threading

    from wan_tui.ui.screens import history as history_screen
    fill(tmp_path / "history.sqlite3", 3)
    gate = threading.Event()
    real = history_screen.first_results

    def held(*args: Any) -> Any:
        gate.wait(10)  # the query is under way until the test lets it finish
        return real(*args)
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot, app)
        await settled(pilot, screen)
        monkeypatch.setattr(history_screen, "first_results", held)
        await pilot.press(*"saved:yes")
        await until(pilot, lambda: status(screen).startswith("searching…"))
        assert "saved" in status(screen) and "last search's" in status(screen)
        gate.set()
        await until(pilot, lambda: "nothing matches" in status(screen))


async def test_the_status_line_fits_its_hint_to_the_width(tmp_path: Path) -> None:
    """At 80 columns the status keeps the count and words whole and the longest hint that
    fits ("more as you scroll" was cut to "more as you"); wide, the whole hint."""
    fill(tmp_path / "history.sqlite3", 400)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, app)
        await settled(pilot, screen)
        line = screen.query_one("#history-status")
        await until(pilot, lambda: "G: the oldest" in status(screen))
        assert len(status(screen)) <= line.content_region.width, status(screen)
        assert status(screen).startswith("400 generations")
        await pilot.resize_terminal(160, 40)
        await until(pilot, lambda: "newest first · more as you scroll" in status(screen))


async def test_j_and_k_move_in_the_list_as_on_the_board(tmp_path: Path) -> None:
    fill(tmp_path / "history.sqlite3", 5)
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot, app)
        await settled(pilot, screen)
        await pilot.press("down")  # from the search field into the list
        await until(pilot, lambda: app.focused is screen.table)
        await pilot.press("j", "j", "k")
        assert screen.table.cursor_row == 1
