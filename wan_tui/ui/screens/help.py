"""Every key, what it does, and its binding id (for the [keymap] table of the config), made
from the registry of actions with the user's keymap applied."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..compat import Footer
from ..actions import FIXED_KEYS, KEYMAP_HINT, SCOPES, bindings, help_rows, keys_in_effect

# (section title, [(keys as shown, what it does, binding id or "")])
KeySections = Sequence[tuple[str, Sequence[tuple[str, str, str]]]]
# Scopes the help lists (its own close key is in its footer).
HELP_SCOPES = ("board", "history", "form", "settings", "welcome", "app")


def key_sections(keymap: Mapping[str, str], display: Callable[[str], str]) -> KeySections:
    """The help's sections; `display` turns a key name into what the screen shows."""
    sections = []
    for scope in HELP_SCOPES:
        rows = [("  ".join(display(key) for key in keys_in_effect(spec, keymap)), spec.label,
                 spec.id) for spec in help_rows(scope)]
        if scope == "app":
            rows += [(keys, label, "") for keys, label, _ in FIXED_KEYS]
        sections.append((SCOPES[scope], rows))
    return sections


def keys_renderable(sections: KeySections) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(justify="right", style="bold", no_wrap=True, min_width=12)
    grid.add_column(no_wrap=True, min_width=28)
    grid.add_column(style="dim", no_wrap=True)
    for index, (title, keys) in enumerate(sections):
        if index:
            grid.add_row("", "", "")
        grid.add_row(Text(title, style="bold underline", justify="left"), "", "")
        for key, description, binding_id in keys:
            grid.add_row(Text(key), Text(description), Text(binding_id))
    return grid


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = bindings("help")

    def __init__(self, keymap: Mapping[str, str]) -> None:
        super().__init__(id="help")
        self.keymap = dict(keymap)
        self.sections: KeySections = []

    def compose(self) -> ComposeResult:
        self.sections = key_sections(self.keymap, self._display)
        with Vertical(id="help-box") as box:
            box.border_title = "Keys"
            with VerticalScroll(id="help-scroll"):
                yield Static(keys_renderable(self.sections), id="help-keys")
            yield Static(Text(KEYMAP_HINT, style="dim"), id="help-footnote")
        yield Footer()

    def _display(self, key: str) -> str:
        return self.app.get_key_display(Binding(key, ""))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
