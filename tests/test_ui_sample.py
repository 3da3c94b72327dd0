"""The screenshots' sample history is what a real session leaves: the same rows as the store's
own writes (submission, acceptance, poll results) at those moments."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from wan_tui.api.state import State
from wan_tui.api.task import TaskSnapshot
from wan_tui.session import Session
from wan_tui.store.config import load_config
from wan_tui.store.history import HistoryStore
from wan_tui.ui.sample import CDN, NOW, SAMPLES, fill_sample_history


class PinnedClock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def written_by_the_store(path: Path) -> HistoryStore:
    """The sample written the way a session writes it, with the clock at each moment."""
    clock = PinnedClock()
    store = HistoryStore(path, clock=clock)
    for n, (ago, ran, state, request, extra) in enumerate(SAMPLES, start=1):
        created = NOW - ago
        clock.now = created
        local_id = store.add_submission(request)
        task_id = f"4f6e2c1a-0000-4000-8000-{n:012d}"
        trace_id = f"7d0b9e55-0000-4000-9000-{n:012d}"
        if state == State.UNKNOWN:
            store.mark_unknown(local_id, "no answer within 60 s (read timeout); the submission "
                                         "was not resent")
            continue
        store.mark_submitted(local_id, task_id, trace_id)
        if state == State.PENDING:
            continue
        clock.now = created + (ran or 30)
        if state == State.EXPIRED:
            store.mark_states([task_id], State.EXPIRED,
                              "no result 24 hours after submission; the task id has expired")
            continue
        error = extra.get("error")
        width, height = (1920, 1080) if request.resolution == "1080P" else (1280, 720)
        done = state == State.SUCCEEDED
        store.apply_snapshots([TaskSnapshot(
            task_id=task_id, state=State(state),
            state_word=extra.get("word", "completed" if done else "failed"),
            video_url=f"{CDN}/{task_id}.mp4" if done else None,
            thumbnail_url=f"{CDN}/{task_id}.jpg" if done else None,
            video_width=width if done else None, video_height=height if done else None,
            error_code=error[0] if error else None, error_message=error[1] if error else None,
            trace_id=trace_id, created_at=created + 1,
            finished_at=created + ran if ran is not None else None,
            request=request.to_body(),
        )])
    return store


def test_the_sample_is_what_the_store_writes(tmp_path: Path) -> None:
    with written_by_the_store(tmp_path / "reference.sqlite3") as store:
        expected = [dataclasses.asdict(row) for row in store.search(limit=100)]
    session = Session(load_config(tmp_path / "config.toml"), history_path=tmp_path / "h.sqlite3")
    try:
        fill_sample_history(session)
        assert [dataclasses.asdict(row) for row in session.search(limit=100)] == expected
    finally:
        session.close_history()
