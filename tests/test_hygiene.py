"""Project rules that are easy to break without noticing."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_MODULES = ["wan_tui.api.client", "wan_tui.api.models", "wan_tui.api.state", "wan_tui.store.history",
                "wan_tui.store.config", "wan_tui.tracker", "wan_tui.session", "wan_tui.sim", "wan_tui.cli",
                "wan_tui.cli.tasks", "wan_tui.cli.history_cmd", "wan_tui.cli.config_cmd",
                "wan_tui.cli.download_cmd", "wan_tui.media", "wan_tui.callbacks"]


def test_the_core_never_imports_textual() -> None:
    code = ("import sys, importlib\n"
            f"for name in {CORE_MODULES!r}: importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


FIRST_FRAME = """
import sys
from pathlib import Path
from wan_tui.session import Connection
from wan_tui.store.config import load_config
from wan_tui.ui.app import WanApp

class FirstFrame(WanApp):
    def _display(self, *args, **kwargs):
        if self.board is not None and self.screen is self.board and not hasattr(self, "seen"):
            self.seen = [name for name in sys.argv[2:] if name in sys.modules]
            print(self.seen)
            self.call_later(self.exit)
        return super()._display(*args, **kwargs)

folder = Path(sys.argv[1])
FirstFrame(load_config(folder / "config.toml"), Connection("http://127.0.0.1:9", "t"),
           history_path=folder / "history.sqlite3").run(headless=True, size=(120, 40))
"""


def test_the_first_frame_comes_before_what_it_does_not_need(tmp_path: Path) -> None:
    """Issue 11's start-up: httpx (~20 ms) comes with the first request, the client and its
    tracker (~5 ms) with their first use, textual-image and Pillow (~16 ms) with the first
    thumbnail, the history screen (~6 ms) when it opens, the download code and hashlib (for a
    callback's secret) with their first use, the TOML writer with the first save: none
    before the first frame. Nor the core's parts for later (~4 ms): saving and opening
    videos, auto-saving, callbacks, syncing, reading the service's tasks, the tracker's
    writes, import, export, costs and the history's health. Rich's emoji table (~3 ms) is never needed: no text of ours is
    read as markup with emoji."""
    later = ["httpx", "PIL", "textual_image", "wan_tui.api.client", "wan_tui.tracker",
             "wan_tui.ui.screens.history", "rich._emoji_codes", "wan_tui.api.download",
             "hashlib", "tomli_w", "wan_tui.media", "wan_tui.autosave", "wan_tui.callbacks",
             "wan_tui.sync", "wan_tui.store.snapshots", "wan_tui.store.transfer",
             "wan_tui.exports", "wan_tui.store.health", "wan_tui.api.task"]
    result = subprocess.run([sys.executable, "-c", FIRST_FRAME, str(tmp_path), *later],
                            capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


def test_what_the_session_offers_for_later_loads_when_asked_for() -> None:
    import wan_tui.session as session
    for name in session.__all__:  # every name it offers can be imported from it
        assert getattr(session, name) is not None
    assert session.DownloadError is importlib.import_module("wan_tui.media").DownloadError
    with pytest.raises(ImportError, match="Nothing"):
        exec("from wan_tui.session import Nothing", {})


def test_textual_is_imported_only_under_ui() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "wan_tui").rglob("*.py")
        if "ui" not in path.relative_to(ROOT / "wan_tui").parts[:1]
        and path.name != "screenshots.py"
        and re.search(r"^\s*(from|import) textual", path.read_text(), re.M)
    ]
    assert offenders == []


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^(python3 -m venv .+pytest.*)$", readme, re.M)
    assert commands, "the README must give its test command as one line"
    assert commands[0] in (ROOT / ".ci" / "run").read_text()
