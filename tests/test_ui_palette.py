"""The command palette: the app's commands and the board's own (Screen.COMMANDS)."""

from __future__ import annotations

from pathlib import Path

from wan_tui.session import Connection
from wan_tui.store.config import load_config
from wan_tui.ui.app import WanApp
from wan_tui.ui.screens.generation_form import GenerationForm
from wan_tui.ui.screens.help import HelpScreen
from wan_tui.ui.screens.settings import SettingsScreen

from ui_support import until


def make_app(tmp_path: Path) -> WanApp:
    return WanApp(load_config(tmp_path / "config.toml"), Connection("http://127.0.0.1:9", "t"),
                  history_path=tmp_path / "history.sqlite3", spin=False, track=False)


async def run_command(tmp_path: Path, words: str, screen: type) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None and app.screen is app.board)
        await pilot.press("ctrl+p")
        await pilot.press(*words)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, screen))


async def test_the_palette_opens_settings_from_the_board(tmp_path: Path) -> None:
    await run_command(tmp_path, "Settings", SettingsScreen)


async def test_the_palette_opens_help_from_the_board(tmp_path: Path) -> None:
    await run_command(tmp_path, "Help: keys", HelpScreen)


async def test_the_palette_opens_a_form_from_the_board(tmp_path: Path) -> None:
    await run_command(tmp_path, "New text-to-video", GenerationForm)


async def test_the_palette_syncs_the_accounts_tasks(tmp_path: Path) -> None:
    from wan_tui.sim import Simulator

    with Simulator(job_seconds=0.5, seed=3) as sim:
        made = set(sim.seed_tasks(12))
        app = WanApp(load_config(tmp_path / "config.toml"), Connection(sim.base_url, sim.token),
                     history_path=tmp_path / "history.sqlite3", spin=False, track=False)
        async with app.run_test(size=(140, 40)) as pilot:
            await until(pilot, lambda: app.board is not None and app.screen is app.board)
            await pilot.press("ctrl+p")
            await pilot.press(*"Sync the account")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await until(pilot, lambda: {r.task_id for r in app.session.search(limit=50)} == made)
