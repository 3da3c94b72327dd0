"""Project rules that are easy to break without noticing."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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


def test_the_app_starts_without_what_its_first_frame_does_not_need() -> None:
    """What comes after the first frame is imported then (issue 11's start-up): httpx (~20 ms)
    with the first request, the client and its tracker (~5 ms) when the app connects,
    textual-image and Pillow (~16 ms) with the first thumbnail, the history screen (~6 ms)
    when it opens."""
    later = ["httpx", "PIL", "textual_image", "wan_tui.api.client", "wan_tui.tracker",
             "wan_tui.ui.screens.history"]
    code = ("import sys\n"
            "from wan_tui.ui.app import WanApp\n"
            f"print([name for name in {later!r} if name in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


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
