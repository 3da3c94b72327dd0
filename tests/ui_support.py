"""Shared by the UI tests: a host app for one screen, and waiting without sleeping-and-hoping."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, TextArea

_NOTHING = object()


async def until(pilot: Pilot[Any], condition: Callable[[], Any], seconds: float = 10.0) -> None:
    """Let the app run until `condition()` holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.01)


class Host(App[None]):
    """Pushes one screen and records what it dismisses with."""

    def __init__(self, screen: Any) -> None:
        super().__init__()
        self.screen_under_test = screen
        self.result: Any = _NOTHING

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


async def opened(pilot: Pilot[Any], screen: Screen[Any]) -> None:
    """Until `screen` is mounted and current."""
    await until(pilot, lambda: screen.is_current and screen.is_mounted)
    await pilot.pause()


async def hold_still(pilot: Pilot[Any]) -> None:
    """Stop cursors blinking, so a snapshot never catches one half-way."""
    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False
    await pilot.pause()
