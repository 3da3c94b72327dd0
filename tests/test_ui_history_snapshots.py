"""Snapshots of the history screen beyond the README's shot (tests/test_ui_snapshots.py): a
query the syntax cannot read, and the question before removing a row. Same pinning as there:
the sample history, a fixed clock, UTC, half-cell thumbnails from the shot's own cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wan_tui.ui.screenshots import SIZE, history_settled, hold_still, sample_app, show_history
from wan_tui.ui.screenshots import until

pytestmark = pytest.mark.usefixtures("snapshot_env")  # conftest: colours on, UTC


async def query_error(pilot: Any) -> None:
    await show_history(pilot)
    await pilot.press("slash", *"state:faild fox")
    await until(pilot, lambda: pilot.app.screen.query_one("#history-error").display)
    await hold_still(pilot)


async def remove_question(pilot: Any) -> None:
    await show_history(pilot)
    await pilot.press("delete")
    await until(pilot, lambda: type(pilot.app.screen).__name__ == "RemoveQuestion")
    await hold_still(pilot)


async def filtered(pilot: Any) -> None:
    await show_history(pilot)
    await pilot.press("slash", *"state:succeeded fox", "enter")
    await history_settled(pilot)
    await hold_still(pilot)


def test_history_query_error(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(sample_app(tmp_path), terminal_size=SIZE, run_before=query_error)


def test_history_remove_question(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(sample_app(tmp_path), terminal_size=SIZE, run_before=remove_question)


def test_history_filtered(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(sample_app(tmp_path), terminal_size=SIZE, run_before=filtered)


async def narrow(pilot: Any) -> None:
    await show_history(pilot)
    await history_settled(pilot)
    await hold_still(pilot)


def test_history_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    """Under 128 columns the preview sits under the rows, whose prompts stay readable."""
    assert snap_compare(sample_app(tmp_path), terminal_size=(80, 24), run_before=narrow)
