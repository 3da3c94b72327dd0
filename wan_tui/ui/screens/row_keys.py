"""The footer's row keys, greyed (by a screen's `check_action`) while no row is there to act
on. Textual recomposes the footer on every `refresh_bindings`, which a cursor step must not
pay for: `RowKeys.update` refreshes only when whether the keys apply has changed."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen


class RowKeys:
    def __init__(self) -> None:
        self._applied: bool | None = None  # at the last refresh; None: never refreshed

    def update(self, screen: Screen[Any], apply: bool) -> None:
        if apply != self._applied:
            self._applied = apply
            screen.refresh_bindings()
