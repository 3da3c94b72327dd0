"""The command palette (ctrl+p). Each provider lists its commands; the board adds its own
(`screens/board_commands.py`) while it is the current screen. Textual's system commands
(theme, keys, quit, screenshot) come too."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

Command = tuple[str, Callable[[], object], str]


class ListedCommands(Provider):
    """A provider whose commands are a list: every one on discovery, the matches on search."""

    def commands(self) -> list[Command]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for name, callback, help_text in self.commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class AppCommands(ListedCommands):
    """Settings and help where the keys would work, and the theme anywhere."""

    def commands(self) -> list[Command]:
        app = self.app
        out: list[Command] = []
        if app.check_action("settings", ()):
            out += [("Settings", partial(app.run_action, "settings"),
                     "Token, defaults, polling, theme, keys"),
                    ("Help: keys", partial(app.run_action, "help"),
                     "Every key and its binding id")]
        out += [("Change theme", app.action_change_theme, "Pick a theme (saved to the config)")]
        sync = getattr(app, "sync_account", None)
        if sync is not None:
            out += [("Sync the account's tasks", sync,
                     "Bring tasks made in the web app or on another machine into the history")]
        return out
