"""Readable in both themes: every text colour the app's own stylesheet and the board's rich
styles use reaches 4.5:1 against each background it is drawn on, computed from the theme's colours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wan_tui.session import Connection
from wan_tui.store.config import load_config
from wan_tui.ui.app import WanApp
from wan_tui.ui.contrast import AA, TEXT_ON, contrast, text_pairs
from wan_tui.ui.widgets.cells import Palette

UI = Path(__file__).resolve().parents[1] / "wan_tui" / "ui"
# Every stylesheet: the .tcss files and the widgets' DEFAULT_CSS (read as text).
STYLESHEETS = (*sorted(UI.rglob("*.tcss")), *sorted(
    path for path in UI.rglob("*.py") if "DEFAULT_CSS" in path.read_text()))
# Disabled controls are exempt from contrast (WCAG 1.4.3: "part of an inactive user interface
# component"); the form greys a field's label this way when its model ignores it.
EXEMPT = {"text-disabled"}


@pytest.mark.parametrize("theme", ["textual-light", "textual-dark"])
async def test_every_text_colour_reaches_aa_contrast(theme: str, tmp_path: Path) -> None:
    app = WanApp(load_config(tmp_path / "config.toml"), Connection("http://127.0.0.1:9", "t"),
                 history_path=tmp_path / "history.sqlite3", spin=False, track=False)
    async with app.run_test(size=(100, 30)):
        app.theme = theme
        variables = app.get_css_variables()
        poor = [f"{name} on {ground}: {contrast(fg, bg):.2f}"
                for name, fg, ground, bg in text_pairs(variables) if contrast(fg, bg) < AA]
        assert poor == []
        # The rich styles of the table, status line and detail pane come from these colours.
        palette = Palette.from_variables(app.theme_variables)
        shown = {v.lower() for v in variables.values()}
        for colour in (palette.success, palette.error, palette.warning, palette.accent,
                       palette.muted):
            assert colour.lower() in shown


def test_every_colour_our_stylesheets_write_text_in_is_checked() -> None:
    names = {sheet.name for sheet in STYLESHEETS}
    assert {"app.tcss", "settings.tcss", "generation_form.tcss", "history.tcss",
            "form_fields.py", "media_editor.py"} <= names
    used = {name for sheet in STYLESHEETS
            for name in re.findall(r"color:\s*\$([\w-]+)", sheet.read_text())}
    assert used and used - EXEMPT <= set(TEXT_ON), used - EXEMPT - set(TEXT_ON)
