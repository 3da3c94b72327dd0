"""Text that is not ours (server answers, batch files, imported history) never reaches the
terminal with control characters: no OSC 52 clipboard writes, no screen clears."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from wan_tui.api.errors import ApiError
from wan_tui.api.text import printable
from wan_tui.cli import main
from wan_tui.session import Connection, TrackerEvent
from wan_tui.store.config import load_config
from wan_tui.store.history import HistoryStore
from wan_tui.ui.app import WanApp
from wan_tui.ui.messages import TrackerUpdate
from wan_tui.ui.widgets.cells import Palette, one_line
from wan_tui.ui.widgets.detail import detail_renderable
from wan_tui.ui.widgets.task_table import row_cells

from hostile_server import HostileServer
from ui_support import until

EVIL = "\x1b]52;c;aGk=\x07\x1b[2J\x9b31m\x7f\x00"
CONTROLS = "\x1b\x07\x9b\x7f\x00"


def clean(text: str) -> bool:
    return not any(c in text for c in CONTROLS)


def test_printable_keeps_text_tabs_and_newlines() -> None:
    assert printable(f"a{EVIL}b\tc\nd é 視頻") == "a]52;c;aGk=[2J31mb\tc\nd é 視頻"


def test_a_service_error_shows_no_control_characters() -> None:
    error = ApiError("the service refused the call", status=400, code=f"odd{EVIL}",
                     trace_id=f"tr{EVIL}", server_message=f"no {EVIL}")
    assert clean(str(error)) and "no ]52;c;aGk=" in str(error)
    assert clean(error.code) and clean(error.trace_id or "")


# -- the command line ------------------------------------------------------------------------

@pytest.fixture
def evil_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Control characters in every string of every task; refuses id "refuse"."""
    with HostileServer("escapes", lifetime=60) as server:
        monkeypatch.setenv("ACEDATACLOUD_API_BASE_URL", server.base_url)
        monkeypatch.setenv("ACEDATACLOUD_API_TOKEN", "sk-test-token-1234")
        yield "evil"


def test_task_prints_no_control_characters(evil_service, capsys) -> None:
    code = main(["task", "t-\x1b[2J1"])
    out, err = capsys.readouterr()
    assert code == 1 and "boom ]52;c;aGk=" in out and "made ]52" in out
    assert clean(out) and clean(err)
    code = main(["task", "refuse"])
    out, err = capsys.readouterr()
    assert code == 1 and "nope ]52;c;aGk=" in err and clean(out) and clean(err)


def test_imported_history_prints_no_control_characters(isolated: Path, capsys) -> None:
    export = isolated / "h.jsonl"
    export.write_text(json.dumps({
        "task_id": f"t{EVIL}", "action": "text2video", "model": "wan2.6-t2v",
        "prompt": f"a fox {EVIL}", "state": "failed", "state_word": f"x{EVIL}",
        "error": {"code": f"c{EVIL}", "message": f"m{EVIL}"}, "trace_id": f"tr{EVIL}",
        "video_url": f"https://v/{EVIL}", "created_at": 1.0, "updated_at": 1.0}) + "\n")
    assert main(["history", "import", str(export)]) == 0
    assert main(["history"]) == 0
    out, err = capsys.readouterr()
    assert "a fox ]52;c;aGk=" in out and clean(out) and clean(err)
    assert main(["history", "--json"]) == 0
    out, _ = capsys.readouterr()
    assert "\x9b" not in out and "\x7f" not in out  # JSON escapes them: \u009b
    assert json.loads(out)[0]["prompt"] == f"a fox {EVIL}"  # the data itself is kept


# -- the terminal app ------------------------------------------------------------------------

def _rendered(renderable: object) -> str:
    console = Console(file=io.StringIO(), width=160, color_system=None, force_terminal=False)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_board_and_detail_show_no_control_characters(isolated: Path) -> None:
    with HistoryStore(isolated / "history.sqlite3") as store:
        store.import_rows([{
            "task_id": f"t{EVIL}", "action": "text2video", "model": "wan2.6-t2v",
            "prompt": f"a fox\x1b[2J{EVIL}\nsecond line", "negative_prompt": f"no {EVIL}",
            "params": {"duration": 5, "audio_url": f"https://a/{EVIL}"}, "state": "failed",
            "state_word": f"x{EVIL}", "error": {"code": f"c{EVIL}", "message": f"m{EVIL}"},
            "trace_id": f"tr{EVIL}", "video_url": f"https://v/{EVIL}",
            "thumbnail_url": f"https://t/{EVIL}", "created_at": 1.0, "updated_at": 1.0}])
        row = store.search()[0]
    palette = Palette()
    cells = row_cells(row, palette, now=10.0)
    assert all(clean(cell.plain) for cell in cells.values())
    assert cells["prompt"].plain.startswith("a fox[2J]52;c;aGk=")
    assert clean(one_line(row.prompt))
    for wide in (True, False):
        shown = _rendered(detail_renderable(row, palette, 10.0, wide=wide))
        assert "a fox[2J" in shown and clean(shown)


async def test_notifications_show_no_control_characters(isolated: Path) -> None:
    app = WanApp(load_config(isolated / "config.toml"), Connection("http://127.0.0.1:9", "t"),
                 history_path=isolated / "history.sqlite3", spin=False, track=False)
    app.bell = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: app.board is not None)
        app.session.import_rows([{
            "task_id": "t1", "action": "text2video", "model": "wan2.6-t2v",
            "prompt": f"fox {EVIL}", "state": "running", "created_at": 1.0, "updated_at": 1.0}])
        running = app.session.search()[0]
        messages = []
        for state, title in (("failed", "Generation failed"), ("lost", "Task ended")):
            ended = dataclasses.replace(running, state=state, error_message=f"why {EVIL}")
            app.announcer.remember([running])
            app.post_message(TrackerUpdate(TrackerEvent(rows=[ended])))
            # (a burst's toast replaces the last one while that is still up)
            await until(pilot, lambda: any(n.title == title for n in app._notifications))
            messages += [n.message for n in app._notifications if n.title == title]
        assert all("why ]52" in m and clean(m) for m in messages)
