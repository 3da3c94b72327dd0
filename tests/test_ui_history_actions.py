"""The history screen's actions on the highlighted row, each driven by its key, against the real
simulator where the service is involved."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Checkbox, Static, TextArea

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.session import Connection, UnknownTask
from wan_tui.sim import Simulator
from wan_tui.sim.media import video_bytes
from wan_tui.store.config import save_values
from wan_tui.store.rows import Row
from wan_tui.ui.app import WanApp
from wan_tui.ui.screens.confirm import ConfirmScreen
from wan_tui.ui.screens.generation_form import GenerationForm
from wan_tui.ui.screens.history import HistoryScreen
from wan_tui.ui.screens.history_dialogs import RemoveQuestion, UnknownQuestion
from wan_tui.ui.widgets.downloads import DownloadBars

from test_ui_history import SIZE, make_app, open_history, settled
from ui_support import recording_player, until


def connect(sim: Simulator) -> Connection:
    return Connection(sim.base_url, sim.token)


async def with_tasks(pilot: Pilot[Any], app: WanApp, sim: Simulator, count: int = 6) -> None:
    sim.seed_tasks(count)
    await until(pilot, lambda: app.board is not None)
    await app.session.sync()


async def search(pilot: Pilot[Any], screen: HistoryScreen, text: str) -> None:
    """Type a query into the search field and go into the list."""
    await pilot.press("slash", "ctrl+u", *text, "enter")
    await settled(pilot, screen)


async def history_at(pilot: Pilot[Any], app: WanApp, sim: Simulator, query: str,
                     tasks: int = 6) -> tuple[HistoryScreen, Row]:
    """The simulator's tasks in the history, the screen open on `query`, its first row."""
    await with_tasks(pilot, app, sim, tasks)
    screen = await open_history(pilot, app)
    await search(pilot, screen, query)
    row = screen.highlighted()
    assert row is not None and row.task_id
    return screen, row


def notes(app: WanApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_copy_keys_put_prompt_url_and_task_id_on_the_clipboard(
        tmp_path: Path, sim: Simulator) -> None:
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        screen, row = await history_at(pilot, app, sim, "has:video")
        await pilot.press("p")
        assert app.clipboard == row.prompt
        await pilot.press("c")
        assert app.clipboard == row.video_url
        await pilot.press("y")
        assert app.clipboard == row.task_id


def plain_text(renderable: Any) -> str:
    console = Console(width=120, file=io.StringIO())
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


async def test_open_runs_the_configured_player_with_the_link(tmp_path: Path,
                                                             sim: Simulator) -> None:
    player, log = recording_player(tmp_path)
    save_values({"media.player": player}, tmp_path / "config.toml")
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        screen, row = await history_at(pilot, app, sim, "has:video")
        await pilot.press("o")
        await until(pilot, lambda: log.is_file() and log.read_text() == row.video_url)
        assert any(f"Opening #{row.id}" in note for note in notes(app))


async def test_open_with_nothing_to_open_it_offers_the_link(tmp_path: Path, sim: Simulator,
                                                            monkeypatch: Any) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)  # as over SSH: no desktop opener
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        screen, row = await history_at(pilot, app, sim, "has:video")
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Nothing here can open a video" in str(app.screen.message)
        assert "over SSH" in str(app.screen.message)
        assert not any("Opening" in note for note in notes(app))  # no claim of success
        await pilot.press("y")
        await until(pilot, lambda: app.screen is screen)
        assert app.clipboard == row.video_url


async def test_download_shows_progress_then_marks_the_row_saved(tmp_path: Path,
                                                               sim: Simulator) -> None:
    save_values({"downloads.dir": str(tmp_path / "videos")}, tmp_path / "config.toml")
    sim.video_size, sim.media_rate = 2 * 2**20, 4 * 2**20  # half a second on the wire
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        screen, row = await history_at(pilot, app, sim, "has:video")
        assert row.local_path is None
        await pilot.press("d")
        bars = screen.query_one(DownloadBars)

        def part_way() -> bool:  # a bar between 1% and 99%, with the size known
            text = plain_text(bars.content)
            return bars.display and f"#{row.id}" in text and re.search(
                r"\b([1-9]|[1-9]\d)%  \d+\.\d / 2\.0 MB", text) is not None

        await until(pilot, part_way)
        await until(pilot, lambda: not bars.display, seconds=20)
        saved = app.session.get(row.id)
        assert saved is not None and saved.local_path is not None
        assert Path(saved.local_path).parent == tmp_path / "videos"
        assert Path(saved.local_path).read_bytes() == video_bytes(2 * 2**20)
        await until(pilot, lambda: (shown := screen.highlighted()) is not None
                    and shown.local_path == saved.local_path)  # the history heard of it
        assert "↓" in screen.table.get_row_at(screen.table.cursor_row)[3].plain


async def test_rerun_opens_the_form_prefilled_over_the_history(tmp_path: Path,
                                                              sim: Simulator) -> None:
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        screen, row = await history_at(pilot, app, sim, "model:t2v")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, GenerationForm))
        form = app.screen
        assert form.sub_title == f"re-run of #{row.id}"
        hint = str(form.query_one("#form-hint", Static).render())
        assert f"re-run of #{row.id}" in hint  # shown on the form, not only in its title
        assert form.query_one("#prompt", TextArea).text == row.prompt
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)


async def test_remove_asks_then_removes_only_locally(tmp_path: Path, sim: Simulator) -> None:
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        screen, row = await history_at(pilot, app, sim, "")
        await pilot.press("delete")
        await until(pilot, lambda: isinstance(app.screen, RemoveQuestion))
        await pilot.press("escape")  # no: nothing happens
        await until(pilot, lambda: app.screen is screen)
        assert app.session.get(row.id) is not None
        await pilot.press("delete")
        await until(pilot, lambda: isinstance(app.screen, RemoveQuestion))
        await pilot.click("#remove")
        await until(pilot, lambda: app.session.get(row.id) is None)
        await until(pilot, lambda: all(r.id != row.id for r in screen.window.rows))
        assert sim.stats.delete_calls == 0  # the service was not asked


async def test_remove_also_on_the_service_deletes_the_task_there(tmp_path: Path,
                                                                sim: Simulator) -> None:
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        screen, row = await history_at(pilot, app, sim, "")
        await pilot.press("delete")
        await until(pilot, lambda: isinstance(app.screen, RemoveQuestion))
        question = app.screen
        assert "cannot be undone" in str(question.query_one(".question-message").render())
        question.query_one("#also-remote", Checkbox).value = True
        await pilot.click("#remove")
        await until(pilot, lambda: app.session.get(row.id) is None)
        assert sim.stats.delete_calls == 1
        with pytest.raises(UnknownTask):  # the service no longer knows it
            await app.session.look_up(row.task_id)


async def test_export_writes_just_the_filtered_rows_and_says_where(tmp_path: Path,
                                                                  sim: Simulator) -> None:
    save_values({"downloads.dir": str(tmp_path / "videos")}, tmp_path / "config.toml")
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await with_tasks(pilot, app, sim, 20)
        screen = await open_history(pilot, app)
        await search(pilot, screen, "state:failed")
        failed = screen.total
        assert failed is not None and 0 < failed < 20
        await pilot.press("e")
        await until(pilot, lambda: any("exported to" in n for n in notes(app)))
        files = list((tmp_path / "videos").glob("wan-history-*.jsonl"))
        assert len(files) == 1 and any(str(files[0]) in n for n in notes(app))
        lines = [json.loads(line) for line in files[0].read_text().splitlines()]
        assert len(lines) == failed and {line["state"] for line in lines} == {"failed"}
        said = "1 row exported" if failed == 1 else f"{failed} rows exported"
        assert any(n.startswith(said) for n in notes(app)), notes(app)
        assert sim.token not in files[0].read_text()


def unknown_row(app: WanApp, prompt: str) -> int:
    """A submission whose answer never came (no task id), imported as an export line."""
    app.session.import_rows([{"state": "unknown", "prompt": prompt, "model": "wan2.6-t2v",
                              "action": "text2video", "error": {"message": "no answer"}}])
    found = app.session.search(prompt)
    assert len(found) == 1 and found[0].task_id is None
    return found[0].id


async def test_an_unknown_submission_can_be_dismissed_as_not_created(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        local_id = unknown_row(app, "lost in the post")
        screen = await open_history(pilot, app)
        await search(pilot, screen, "state:unknown")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, UnknownQuestion))
        message = str(app.screen.query_one(".question-message").render())
        assert "billed" in message
        await pilot.click("#dismiss")
        await until(pilot, lambda: (row := app.session.get(local_id)) is not None
                    and row.state == State.FAILED)
        row = app.session.get(local_id)
        assert row is not None and row.error_code == "dismissed"
        await until(pilot, lambda: screen.window.rows[0].state == State.FAILED)


async def test_an_unknown_submission_is_looked_up_and_adopted(tmp_path: Path,
                                                             sim: Simulator) -> None:
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        sim.force_faults("drop", 1, endpoint="videos")  # created, but the answer is lost
        row = await app.session.submit(GenerationRequest(
            action="text2video", model="wan2.6-t2v", prompt="answer dropped"))
        assert row.state == State.UNKNOWN and row.task_id is None
        screen = await open_history(pilot, app)
        await search(pilot, screen, "answer dropped")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, UnknownQuestion))
        await pilot.click("#look-up")
        await until(pilot, lambda: (found := app.session.get(row.id)) is not None
                    and found.task_id is not None)
        await until(pilot, lambda: screen.window.rows[0].task_id is not None)
