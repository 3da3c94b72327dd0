"""The board's detail pane shows what a finished task cost and used, in any shape (issue 9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual._compositor import LayoutUpdate
from textual.geometry import Region
from textual.widgets import Static

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.api.task import TaskSnapshot
from wan_tui.session import Connection
from wan_tui.store.config import load_config
from wan_tui.store.history import HistoryStore
from wan_tui.ui.app import WanApp
from wan_tui.ui.widgets.cells import Palette
from wan_tui.ui.widgets.detail import detail_renderable

from ui_support import until


@pytest.mark.parametrize(("cost", "shown"), [(1.2, "$1.20"),
                                             ({"amount": 0.5, "currency": "USD"}, "$0.50"),
                                             ({"credits": ["odd", 3]}, "credits")])
def test_cost_and_usage_show_in_the_detail_pane(tmp_path: Path, cost: object,
                                                shown: str) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        local = store.add_submission(GenerationRequest(action="text2video", model="wan2.6-t2v",
                                                       prompt="a fox"))
        store.mark_submitted(local, "t-1", None)
        store.apply_snapshots([TaskSnapshot(
            task_id="t-1", state=State.SUCCEEDED, state_word="succeeded", finished_at=2.0,
            video_url="https://cdn.example.com/v.mp4", cost=cost,
            usage={"resolution": "720P", "output_video_seconds": 5})])
        row = store.get(local)
    console = Console(width=160, record=True)
    console.print(detail_renderable(row, Palette(), now=10.0))
    text = console.export_text()
    assert "Cost" in text and shown in text
    assert "output_video_seconds 5" in text


class FirstFrame(WanApp):
    """The app, keeping the text of the first frame that shows the board."""

    first_frame: list[str] | None = None

    def _display(self, screen: Any, renderable: Any) -> None:
        if (self.first_frame is None and self.board is not None and screen is self.board
                and isinstance(renderable, LayoutUpdate)):
            self.first_frame = ["".join(strip.text for strip in line)
                                for line in renderable.strips]
        super()._display(screen, renderable)


def app_on_one_task(tmp_path: Path, app_class: type[WanApp] = WanApp) -> WanApp:
    """An app on a history of one submitted task with a long prompt."""
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        local = store.add_submission(GenerationRequest(
            action="text2video", model="wan2.6-t2v", prompt="a red fox " * 40))
        store.mark_submitted(local, "t-1", None)
    return app_class(load_config(tmp_path / "config.toml"), Connection("http://127.0.0.1:9", "t"),
                     history_path=tmp_path / "history.sqlite3", spin=False, track=False)


async def test_the_first_frame_lays_the_detail_pane_out_for_its_width(tmp_path: Path) -> None:
    """The pane was first filled before it had a size: the first frame showed it one column
    wide (the narrow layout), and the wide one came a frame later."""
    app = app_on_one_task(tmp_path, FirstFrame)
    assert isinstance(app, FirstFrame)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: app.first_frame is not None)
        assert app.first_frame is not None
        pane = app.first_frame[next(n for n, line in enumerate(app.first_frame)
                                    if "Details" in line):]
        state_line = next(line for line in pane if "State" in line)
        assert "Model" in state_line and "wan2.6-t2v" in state_line  # the right-hand column
        # sits beside the left one


async def test_the_detail_pane_follows_the_terminal_width(tmp_path: Path) -> None:
    """Two columns from 110 cells on, one below the other under it, redrawn on resize."""
    app = app_on_one_task(tmp_path)

    def state_line() -> str:
        body = app.screen.query_one("#detail-body", Static)
        lines = [strip.text for strip in body.render_lines(Region(0, 0, *body.size))]
        return next(line for line in lines if line.startswith("State"))

    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: app.board is not None)
        await pilot.pause()
        assert "Model" in state_line()
        await pilot.resize_terminal(100, 45)
        await until(pilot, lambda: "Model" not in state_line())
        await pilot.resize_terminal(160, 45)
        await until(pilot, lambda: "Model" in state_line())
