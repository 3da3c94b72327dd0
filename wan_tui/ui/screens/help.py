"""Every key, what it does, and its binding id (for the [keymap] table of the config)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

# (section title, [(keys as shown, what it does, binding id or "")])
KeySections = Sequence[tuple[str, Sequence[tuple[str, str, str]]]]


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
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, sections: KeySections, footnote: str = "") -> None:
        super().__init__(id="help")
        self.sections = sections
        self.footnote = footnote

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box") as box:
            box.border_title = "Keys"
            with VerticalScroll(id="help-scroll"):
                yield Static(keys_renderable(self.sections), id="help-keys")
            if self.footnote:
                yield Static(Text(self.footnote, style="dim"), id="help-footnote")
        yield Footer()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
