"""The board's detail pane shows what a finished task cost and used, in any shape (issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State, TaskSnapshot
from wan_tui.store.history import HistoryStore
from wan_tui.ui.widgets.cells import Palette
from wan_tui.ui.widgets.detail import detail_renderable


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
