"""Shared by the UI tests: a host app for one screen, and waiting without sleeping-and-hoping."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from wan_tui.session import Session
from wan_tui.store.config import load_config
from wan_tui.ui.app import WanApp
from wan_tui.ui.app_settings import save_and_reply
from wan_tui.ui.contrast import readable_variables
from wan_tui.ui.drafts import Draft
from wan_tui.ui.messages import SaveSettings
from wan_tui.ui.screens.generation_form import GenerationForm
from wan_tui.ui.screenshots import hold_still

__all__ = ["Host", "hold_still", "opened", "recording_player", "until"]

_NOTHING = object()


async def until(pilot: Pilot[Any], condition: Callable[[], Any], seconds: float = 10.0) -> None:
    """Let the app run until `condition()` holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.01)


class Host(App[None]):
    """Pushes one screen and records what it dismisses with. Like the app, it keeps the
    forms' drafts and saves settings through a session."""

    def __init__(self, screen: Any) -> None:
        super().__init__()
        self.screen_under_test = screen
        self.result: Any = _NOTHING
        self.drafts: dict[str, Draft] = {}

    CSS_PATH = WanApp.CSS_PATH  # the app's stylesheet, as the screens have it there

    def get_css_variables(self) -> dict[str, str]:
        # The screens' stylesheets use the app's own colours (wan-muted, wan-brand).
        return readable_variables(super().get_css_variables())

    def on_mount(self) -> None:
        self.open(self.screen_under_test)

    def open(self, screen: Any) -> None:
        """Push `screen` (another one may follow in the same run)."""
        self.screen_under_test = screen
        self.result = _NOTHING
        self.push_screen(screen, self._done)

    def _done(self, result: Any) -> None:
        self.result = result

    @property
    def dismissed(self) -> bool:
        return self.result is not _NOTHING

    def on_generation_form_draft_changed(self, message: GenerationForm.DraftChanged) -> None:
        if message.draft is None:
            self.drafts.pop(message.action, None)
        else:
            self.drafts[message.action] = message.draft

    def on_save_settings(self, message: SaveSettings) -> None:
        save_and_reply(Session(load_config(message.screen.config_path)), message)


async def opened(pilot: Pilot[Any], screen: Screen[Any]) -> None:
    """Until `screen` is mounted and current."""
    await until(pilot, lambda: screen.is_current and screen.is_mounted)
    await pilot.pause()


def recording_player(tmp_path: Path) -> tuple[str, Path]:
    """A real player command (a script) that writes what it was asked to open to a file."""
    log = tmp_path / "played.txt"
    script = tmp_path / "player"
    script.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{log}"\n')
    script.chmod(0o755)
    return str(script), log
