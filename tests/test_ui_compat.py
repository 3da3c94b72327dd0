"""ui/compat.py: the Textual names that are not public, and what they serve (the crash path,
cells updated in place). If a Textual upgrade removes or renames one, the first tests fail
loudly."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.app import App
from textual.widgets import DataTable

from wan_tui.session import Connection
from wan_tui.store.config import load_config
from wan_tui.ui import compat
from wan_tui.ui.app import WanApp

from ui_support import until

TOKEN = "sk-live-crash-0123456789SECRET"


def test_textual_still_routes_unhandled_errors_through_the_hook() -> None:
    hook = getattr(App, compat.HOOK, None)
    assert callable(hook), f"Textual no longer has App.{compat.HOOK}: update ui/compat.py"
    assert list(inspect.signature(hook).parameters) == ["self", "error"]
    assert compat.CrashReports.__dict__.get(compat.HOOK) is not None


def test_textual_still_has_the_data_table_internals_we_update_in_place() -> None:
    table: DataTable[Any] = DataTable()
    missing = [name for name in compat.TABLE_NAMES if not hasattr(table, name)]
    assert missing == [], f"Textual's DataTable changed: update ui/compat.py ({missing})"
    update = inspect.signature(DataTable.update_cell)
    assert list(update.parameters)[:4] == ["self", "row_key", "column_key", "value"]


class Boom(Exception):
    pass


class RichBoom(Exception):
    """Textual shows an error with __rich__ through panic(), not its traceback path."""

    def __rich__(self) -> Text:
        return Text(f"rich error holding {TOKEN}")


def explode(error: Exception) -> None:
    raise error


@pytest.mark.parametrize("error", [Boom(f"failed with {TOKEN}"), RichBoom()],
                         ids=["plain", "rich"])
async def test_a_crash_writes_a_scrubbed_report_and_shows_only_a_message(
        tmp_path: Path, error: Exception, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    app = WanApp(load_config(tmp_path / "config.toml"), Connection("http://127.0.0.1:9", TOKEN),
                 history_path=tmp_path / "history.sqlite3", spin=False, track=False)
    shown: list[Any] = []
    with pytest.raises(compat.CrashNotice) as raised:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: app.board is not None)
            panic = app.panic

            def recording_panic(*renderables: Any) -> None:  # what Textual prints at exit
                shown.extend(renderables)
                panic(*renderables)

            app.panic = recording_panic  # type: ignore[method-assign]
            app.call_later(explode, error)
            await until(pilot, lambda: not app.is_running)
    assert raised.value.__cause__ is error
    reports = list(tmp_path.glob("wan-tui-crash-*.txt"))
    assert len(reports) == 1
    text = reports[0].read_text(encoding="utf-8")
    assert type(error).__name__ in text and TOKEN not in text
    assert str(reports[0]) in raised.value.message and TOKEN not in raised.value.message
    rendered = " ".join(str(r.__rich__()) if hasattr(r, "__rich__") else str(r) for r in shown)
    assert "internal error" in rendered and TOKEN not in rendered
    assert app.return_code == 1
