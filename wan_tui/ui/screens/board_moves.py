"""Moving like a power user on the board: j/k, g/G (home/end), `:` or `#` to jump to a task
number, and the sign that new rows arrived above the view (g brings them into it).

`BoardMoves` is the board's base: the table, the detail pane and the highlighted row live here
so the moves can reach them; `BoardScreen` adds the rest."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from wan_tui.store.rows import Row

from ..messages import JumpToRow
from ..widgets.detail import DetailPane
from ..widgets.task_table import TaskTable
from .row_keys import RowKeys


class JumpScreen(ModalScreen[int | None]):
    """Asks for a task number (#); dismisses with it, or None."""

    CSS_PATH = "jump.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def compose(self) -> ComposeResult:
        with Vertical(id="jump-box"):
            yield Static(Text("Go to task #"), id="jump-title")
            yield Input(placeholder="number", type="integer", id="jump-input")

    def on_mount(self) -> None:
        self.query_one("#jump-input", Input).focus()

    @on(Input.Submitted, "#jump-input")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip().lstrip("#")
        self.dismiss(int(text) if text.isdigit() else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class BoardMoves(Screen[None]):
    """The table, the detail pane and the moves over them."""

    rows: dict[int, Row]
    new_above = 0  # rows that arrived above the view since the user last saw the top
    row_keys: RowKeys  # BoardScreen makes it

    @property
    def table(self) -> TaskTable:
        return self.query_one("#tasks", TaskTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one("#detail", DetailPane)

    def highlighted(self) -> Row | None:
        key = self.table.highlighted_key()
        return self.rows.get(int(key)) if key is not None else None

    def refresh_targets(self) -> None:
        """Grey or ungrey the footer's task keys (a highlighted or a marked row)."""
        self.row_keys.update(self, self.highlighted() is not None
                             or bool(getattr(self, "marked", None)))

    def action_top(self) -> None:
        table = self.table
        if table.row_count:
            table.move_cursor(row=0)
        self.saw_top()

    def action_bottom(self) -> None:
        table = self.table
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)

    def action_jump(self) -> None:
        self.app.push_screen(JumpScreen(), callback=self._jump_to)

    def _jump_to(self, local_id: int | None) -> None:
        if local_id is None:
            return
        row = self.rows.get(local_id)
        if row is not None:
            self.show_row(row)
        else:  # not on the board: the app looks in the history
            self.post_message(JumpToRow(local_id))

    def show_row(self, row: Row) -> None:
        raise NotImplementedError

    # -- rows arriving above the view ----------------------------------------------------------

    def saw_top(self) -> None:
        if self.new_above:
            self.new_above = 0
            self.update_title()

    def update_title(self) -> None:
        raise NotImplementedError

    def above_note(self) -> str:
        return f" · ↑ {self.new_above} new above (g: top)" if self.new_above else ""
