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
    assert haystacks.matching([row], ["red", "fox"]) == [row]
    assert haystacks.matching([row], ["t2v"]) == [row]
    assert haystacks.matching([row], ["red", "failed"]) == []
    failed = dataclasses.replace(row, state=State.FAILED, error_message="Moderation refused")
    assert haystacks.matching([failed], ["failed", "moderation"]) == [failed]  # its new text
    assert haystacks.matching([row], ["moderation"]) == []  # the old object: its own text
    haystacks.forget([row.id])
    assert haystacks.matching([failed], ["fox", "failed"]) == [failed]


def test_matching_keeps_the_order_and_prepared_haystacks_match_alike(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        ids = [store.add_submission(GenerationRequest(
            action="text2video", model="wan2.6-t2v", prompt=f"clip {n} of a fox"))
            for n in range(5)]
        rows = [row for row in map(store.get, ids) if row is not None]
    prepared, fresh = Haystacks(), Haystacks()
    prepared.prepare(rows)
    newest_first = rows[::-1]
    assert prepared.matching(newest_first, ["fox"]) == newest_first
    assert prepared.matching(newest_first, ["clip", "3"]) == fresh.matching(rows, ["3"])
    assert [r.id for r in prepared.matching(rows, ["clip 1"])] == [ids[1]]
