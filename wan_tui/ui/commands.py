"""The command palette's own commands (ctrl+p): new generations, screens, filters, the
highlighted task. Textual's system commands (theme, keys, quit, screenshot) come too."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from wan_tui.api.state import State

from .screens.board import ACTIVE, ALL_STATES, ATTENTION, BoardScreen, single_state

if TYPE_CHECKING:
    from .app import WanApp

Command = tuple[str, Callable[[], object], str]


class WanCommands(Provider):
    @property
    def wan(self) -> WanApp:
        return cast("WanApp", self.app)

    def commands(self) -> list[Command]:
        app = self.wan
        out: list[Command] = []
        board = app.board
        if board is not None and self.screen is board:
            out += [
                ("New text-to-video generation", board.action_new_text,
                 "Open the text-to-video form (wan2.6-t2v)"),
                ("New image-to-video generation", board.action_new_image,
                 "Open the image-to-video form (wan2.6-i2v, i2v-flash, r2v)"),
                ("History", board.action_history, "Browse and search every generation"),
                ("Filter: text", board.action_filter, "Filter the board by prompt, model, id"),
                ("Filter: all states", partial(board.set_state_filter, ALL_STATES),
                 "Show tasks in every state"),
                ("Filter: active", partial(board.set_state_filter, ACTIVE),
                 "Only tasks being sent, pending or running"),
                ("Filter: unknown, expired or lost", partial(board.set_state_filter, ATTENTION),
                 "Only tasks that need a look"),
            ]
            out += [(f"Filter: only {state}", partial(board.set_state_filter, single_state(state)),
                     f"Only tasks in state {state}") for state in State]
            out += [("Clear filters", board.clear_filters, "Show every task on the board")]
            row = board.highlighted()
            if row is not None:
                out += [
                    (f"Task #{row.id}: re-run", board.action_rerun,
                     "Open its form pre-filled with the same parameters"),
                    (f"Task #{row.id}: copy video URL", board.action_copy,
                     "Copy the video link to the clipboard"),
                    (f"Task #{row.id}: open video", board.action_open,
                     "Open the video link in the browser"),
                    (f"Task #{row.id}: save video", board.action_download,
                     "Download the video into the downloads folder"),
                    (f"Task #{row.id}: details", board.action_details,
                     "Expand the detail pane"),
                ]
        if app.is_main_screen(self.screen):
            out += [("Settings", app.action_settings, "Token, defaults, polling, theme, keys"),
                    ("Help: keys", app.action_help, "Every key and its binding id")]
        out += [("Change theme", app.action_change_theme, "Pick a theme (saved to the config)")]
        return out

    async def discover(self) -> Hits:
        for name, callback, help_text in self.commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


__all__ = ["BoardScreen", "WanCommands"]
