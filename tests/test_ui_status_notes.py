"""The status line shows today's spend once a cost is known, and says when the request budget,
not the interval, limits how fresh tasks are (issues 9 and 11)."""

from __future__ import annotations

from pathlib import Path

from ui_support import until

from wan_tui.api.models import GenerationRequest
from wan_tui.session import Connection
from wan_tui.sim import Simulator
from wan_tui.store.config import load_config
from wan_tui.tracking import Pacing
from wan_tui.ui.app import WanApp
from wan_tui.ui.widgets.status import StatusLine

FAST = Pacing(max_requests_per_second=50, first_poll=0.05, interval=0.1)


def status_line(app: WanApp) -> str:
    return app.board.query_one("#status", StatusLine).shown[0] if app.board else ""


async def test_todays_spend_shows_once_a_cost_is_known(sim: Simulator, tmp_path: Path) -> None:
    app = WanApp(load_config(tmp_path / "config.toml"), Connection(sim.base_url, sim.token),
                 history_path=tmp_path / "history.sqlite3", pacing=FAST, spin=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: app.board is not None)
        assert "today $" not in status_line(app)
        app.submit(GenerationRequest(action="", model="wan3.0-video", prompt="a paper boat",
                                     duration=10, resolution="720P"))
        await until(pilot, lambda: "today $" in status_line(app), seconds=20)


async def test_the_budget_note_shows_when_rounds_outlast_the_interval(sim: Simulator,
                                                                       tmp_path: Path) -> None:
    sim.job_seconds = 60  # nothing finishes
    slow = Pacing(max_requests_per_second=0.5, first_poll=0.05, interval=0.1)
    app = WanApp(load_config(tmp_path / "config.toml"), Connection(sim.base_url, sim.token),
                 history_path=tmp_path / "history.sqlite3", pacing=slow, spin=False)
    async with app.run_test(size=(200, 45)) as pilot:
        await until(pilot, lambda: app.board is not None)
        app.submit(GenerationRequest(action="text2video", model="wan2.6-t2v", prompt="slow"))
        await until(pilot, lambda: "max_requests_per_second" in status_line(app), seconds=20)
