"""Calm notifications: a burst of changes becomes one notification, the bell rings once, a
submission confirms itself, and a refused token points to Settings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from wan_tui.api.state import State
from wan_tui.store.rows import Row
from wan_tui.tracker import TrackerEvent
from wan_tui.ui.announce import Announcer
from wan_tui.ui.messages import TrackerUpdate

from test_ui_board import board_of, fill, make_app
from ui_support import until


async def test_forty_tasks_ending_together_make_one_notification_and_one_bell(
        tmp_path: Path) -> None:
    fill(tmp_path / "history.sqlite3", 120)  # every third row is running: 40 of them
    app = make_app(tmp_path)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None and len(app.board.rows) == 120)
        app.app_focus = False
        running = [r for r in board_of(app).rows.values() if r.state == State.RUNNING]
        assert len(running) == 40
        ended = [dataclasses.replace(r, state=str(State.FAILED if i < 2 else State.SUCCEEDED),
                                     error_message="nope")
                 for i, r in enumerate(running)]
        for start in range(0, 40, 10):  # four tracker rounds in a row
            app.post_message(TrackerUpdate(TrackerEvent(rows=ended[start:start + 10])))
        await until(pilot, lambda: len(app._notifications) >= 1)
        await pilot.pause(0.3)
        await until(pilot, lambda: not app.announcer.pending)
        notes = list(app._notifications)
        assert len(notes) == 1, [n.title for n in notes]
        assert notes[0].title == "38 videos ready · 2 failed"
        assert notes[0].severity == "error"
        assert "… and 37 more" in notes[0].message
        assert rings == [1]


def _row(local_id: int, state: str, **changes: object) -> Row:
    base = Row(id=local_id, task_id=f"t{local_id}", action="text2video", model="wan2.6-t2v",
               prompt=f"prompt {local_id}", negative_prompt=None, params={}, state=state,
               state_word="", video_url=None, thumbnail_url=None, video_width=None,
               video_height=None, error_code=None, error_message=None, trace_id=None,
               created_at=1.0, updated_at=1.0, finished_at=None, server_created_at=None,
               last_polled_at=None, local_path=None)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_submission_confirms_itself_when_the_service_answers() -> None:
    announcer = Announcer()
    assert announcer.changes([_row(168, State.SUBMITTING)]) == []
    [notice] = announcer.changes([_row(168, State.PENDING)])
    assert notice.message == "#168 submitted" and not notice.ended


def test_a_refused_token_points_to_settings_not_the_cli() -> None:
    announcer = Announcer()
    announcer.remember([_row(1, State.SUBMITTING)])
    [notice] = announcer.changes([_row(1, State.FAILED, error_code="invalid_token",
                                      error_message="the API token is wrong")])
    assert notice.title == "API token refused"
    assert "Settings (press ,)" in notice.message and "config set" not in notice.message


async def test_a_burst_while_the_last_toast_is_up_replaces_it(tmp_path: Path) -> None:
    fill(tmp_path / "history.sqlite3", 120)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.board is not None and len(app.board.rows) == 120)
        running = [r for r in board_of(app).rows.values() if r.state == State.RUNNING]
        ended = [dataclasses.replace(r, state=str(State.SUCCEEDED)) for r in running]
        app.post_message(TrackerUpdate(TrackerEvent(rows=ended[:30])))
        await until(pilot, lambda: len(app._notifications) == 1)
        app.post_message(TrackerUpdate(TrackerEvent(rows=ended[30:])))
        await until(pilot, lambda: any(n.title == "40 videos ready" for n in app._notifications))
        assert len(app._notifications) == 1


def test_another_writers_submissions_are_not_confirmed_but_their_ends_are_said() -> None:
    """A CLI batch seen while being sent: no "N submitted" for it (only ours confirm
    themselves); when its tasks end, they are said as any others."""
    announcer = Announcer()
    cli = [_row(n, State.SUBMITTING) for n in (20, 21, 22)]
    announcer.from_elsewhere(cli)
    assert announcer.changes(cli) == []
    assert announcer.changes([_row(n, State.PENDING) for n in (20, 21, 22)]) == []
    [ready] = announcer.changes([_row(n, State.SUCCEEDED) for n in (20, 21)])
    assert ready.title == "2 videos ready"
    ours = _row(30, State.SUBMITTING)
    announcer.from_elsewhere([_row(20, State.SUCCEEDED)])  # known rows stay as they were
    assert announcer.changes([ours]) == []
    [confirmed] = announcer.changes([_row(30, State.PENDING)])
    assert confirmed.message == "#30 submitted"
