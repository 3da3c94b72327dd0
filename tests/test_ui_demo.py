"""`wan-tui --demo` and `wan-tui` without a command: what they open, on which files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from wan_tui.cli import main
from wan_tui.store.config import load_config
from wan_tui.ui import app as app_module
from wan_tui.ui import demo
from wan_tui.ui.app import WanApp


def test_demo_session_has_its_own_folder_and_simulator(isolated: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(demo.JOB_SECONDS_ENV, "3")
    with demo.demo_session() as session:
        folder = session.folder
        assert session.simulator.job_seconds == 3
        assert session.config_path.parent == folder and session.history_path.parent == folder
        assert not str(folder).startswith(str(isolated))  # never the user's own files
        loaded = load_config(session.config_path)
        assert loaded.config.api.token is None  # the simulator's token is not written down
        assert loaded.config.polling.interval_seconds <= 3
        answer = httpx.post(f"{session.connection.base_url}/wan/tasks",
                            json={"action": "retrieve_batch", "ids": []},
                            headers={"authorization": f"Bearer {session.connection.token}"})
        assert answer.status_code == 200
        for request in demo.seed_requests(session.simulator):
            assert request.errors() == []
    assert not folder.exists()
    assert not (isolated / "data").exists() or not any((isolated / "data").iterdir())


async def test_the_demo_app_shows_demo_and_its_seeded_tasks_end() -> None:
    with demo.demo_session(0.4) as session:
        session.simulator.fail_rate = 0  # only the task meant to fail fails
        app = WanApp(load_config(session.config_path), session.connection,
                     history_path=session.history_path, demo=True, spin=False,
                     seeds=demo.seed_requests(session.simulator))
        async with app.run_test(size=(140, 40)) as pilot:
            deadline = time.monotonic() + 15
            while not (app.board and len(app.board.rows) == 4 and all(
                    r.state in ("succeeded", "failed") for r in app.board.rows.values())):
                assert time.monotonic() < deadline, "the demo tasks did not end"
                await pilot.pause(0.05)
            status = str(app.board.query_one("#status").render())
            assert "DEMO" in status
            failed = [r for r in app.board.rows.values() if r.state == "failed"]
            assert any("fail" in r.prompt for r in failed)
            # A download goes to the demo's own folder, and the message says it goes away.
            board = app.board
            while (row := board.highlighted()) is None or row.state != "succeeded":
                assert time.monotonic() < deadline + 5, "no succeeded row"
                await pilot.press("down")
            await pilot.press("d")
            while (saved := app.session.get(row.id)) is None or saved.local_path is None:
                assert time.monotonic() < deadline + 15, "the demo download did not end"
                await pilot.pause(0.05)
            assert Path(saved.local_path).parent == session.folder / "downloads"
            while not any("removed when you quit" in n.message for n in app._notifications):
                assert time.monotonic() < deadline + 20, "no word of the demo's folder"
                await pilot.pause(0.05)


def test_wan_tui_without_a_token_opens_the_welcome_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[WanApp] = []
    monkeypatch.setattr(WanApp, "run", lambda self, **_: opened.append(self))
    assert main([]) == 0
    assert opened and opened[0].connection is None


def test_wan_tui_with_a_token_opens_the_board(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[WanApp] = []
    monkeypatch.setattr(WanApp, "run", lambda self, **_: opened.append(self))
    assert main(["--token", "tok-from-flag", "--base-url", "http://127.0.0.1:9"]) == 0
    connection = opened[0].connection
    assert connection is not None and connection.token == "tok-from-flag"
    assert connection.base_url == "http://127.0.0.1:9"


def test_wan_tui_demo_runs_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(demo, "run_demo", lambda seconds=None: seen.append(seconds))
    assert main(["--demo", "--demo-job-seconds", "4"]) == 0
    assert seen == [4.0]


def test_the_welcome_screens_demo_button_starts_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(WanApp, "run", lambda self, **_: app_module.DEMO_REQUESTED)
    monkeypatch.setattr(demo, "run_demo", lambda seconds=None: seen.append(seconds))
    assert main([]) == 0
    assert seen == [None]
