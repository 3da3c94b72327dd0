"""Snapshots of the app's own screens: fixed size, the fixed sample history, a pinned clock,
frozen spinners, UTC times. Update with `pytest tests/test_ui_snapshots.py --snapshot-update`
after checking the new pictures in the report."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from wan_tui.ui.screenshots import SIZE, hold_still, sample_app, show_board, show_detail
from wan_tui.ui.screenshots import show_help, show_history, show_welcome


pytestmark = pytest.mark.usefixtures("snapshot_env")  # conftest: colours on, UTC


def script(*steps: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
    async def run(pilot: Any) -> None:
        for step in steps:
            await step(pilot)
        await hold_still(pilot)
    return run


def test_board(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(sample_app(tmp_path), terminal_size=SIZE, run_before=script(show_board))


def test_detail_expanded(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(sample_app(tmp_path), terminal_size=SIZE, run_before=script(show_detail))


def test_history(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(sample_app(tmp_path), terminal_size=SIZE, run_before=script(show_history))


def test_help(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(sample_app(tmp_path), terminal_size=SIZE, run_before=script(show_help))


def test_welcome(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(sample_app(tmp_path, connected=False), terminal_size=SIZE,
                        run_before=script(show_welcome))
