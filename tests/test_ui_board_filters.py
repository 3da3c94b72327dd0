"""The board's text filter: each row's haystack is made once per version of the row."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.store.history import HistoryStore
from wan_tui.ui.screens.board_filters import Haystacks


def test_a_changed_row_is_matched_by_its_new_text_and_a_forgotten_one_made_again(
        tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        local_id = store.add_submission(GenerationRequest(
            action="text2video", model="wan2.6-t2v", prompt="A Red Fox in snow"))
        row = store.get(local_id)
    assert row is not None
    haystacks = Haystacks()
    assert haystacks.matches(row, ["red", "fox"]) and haystacks.matches(row, ["t2v"])
    assert not haystacks.matches(row, ["failed"])
    failed = dataclasses.replace(row, state=State.FAILED, error_message="Moderation refused")
    assert haystacks.matches(failed, ["failed", "moderation"])  # the new version's text
    assert not haystacks.matches(row, ["moderation"])  # the old object: its own text
    haystacks.forget([row.id])
    assert haystacks.matches(failed, ["fox", "failed"])
