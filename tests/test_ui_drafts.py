"""Form drafts: held by the app, kept across restarts in the data folder, never trusted."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from textual.widgets import TextArea

from wan_tui.session import Connection, Session
from wan_tui.store.config import load_config
from wan_tui.ui.app import WanApp
from wan_tui.ui.drafts import MAX_TEXT, drafts_from_json
from wan_tui.ui.screens.generation_form import GenerationForm

from ui_support import until

SIZE = (140, 40)


def make_app(tmp_path: Path) -> WanApp:
    return WanApp(load_config(tmp_path / "config.toml"), Connection("http://127.0.0.1:9", "t"),
                  history_path=tmp_path / "history.sqlite3", spin=False, track=False)


async def test_a_draft_survives_a_restart(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None and app.screen is app.board)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, GenerationForm))
        await pilot.press(*"half a thought", "escape")
        await until(pilot, lambda: app.screen is app.board)
    saved = tmp_path / "drafts.json"
    assert json.loads(saved.read_text())["text2video"]["values"]["prompt"] == "half a thought"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600

    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None and app.screen is app.board)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, GenerationForm))
        await pilot.pause()
        assert app.screen.query_one("#prompt", TextArea).text == "half a thought"
        await pilot.press("ctrl+s")  # submitting uses the draft up (nothing is sent: offline)
        await until(pilot, lambda: "text2video" not in app.drafts)
    assert not saved.exists()


async def test_a_corrupt_drafts_file_is_ignored_with_a_notice(tmp_path: Path) -> None:
    (tmp_path / "drafts.json").write_text("{not json")
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        notes = [n.message for n in app._notifications if n.title == "Drafts"]
        assert notes and "drafts.json" in notes[0] and "ignored" in notes[0]
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, GenerationForm))
        await pilot.pause()
        assert app.screen.query_one("#prompt", TextArea).text == ""


def test_what_is_read_back_is_checked_field_by_field() -> None:
    drafts = drafts_from_json({
        "text2video": {"values": {"prompt": "x" * (MAX_TEXT + 10), "duration": 5,
                                  "model": {"not": "a value"}, "rm -rf": "/"},
                       "touched": ["prompt", "nonsense"], "show_all": "yes"},
        "video2video": {"values": {"prompt": "unknown action"}},
        "image2video": "not a draft",
    })
    assert list(drafts) == ["text2video"]
    draft = drafts["text2video"]
    assert draft.values == {"prompt": "x" * MAX_TEXT, "duration": 5}
    assert draft.touched == {"prompt"} and draft.show_all is False


def test_drafts_too_big_are_not_kept(tmp_path: Path) -> None:
    session = Session(load_config(tmp_path / "config.toml"), history_path=tmp_path / "h.sqlite3")
    try:
        session.write_drafts({"text2video": {"values": {"prompt": "p"}}})
        assert session.read_drafts() == ({"text2video": {"values": {"prompt": "p"}}}, None)
        session.write_drafts({"text2video": {"values": {"prompt": "p" * 2_000_000}}})
        assert session.read_drafts() == (None, None)
        session.drafts_path.write_bytes(b" " * (session.DRAFTS_MAX_BYTES + 1))
        data, notice = session.read_drafts()
        assert data is None and notice is not None and "too big" in notice
    finally:
        session.close_history()
