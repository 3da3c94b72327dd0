"""The history's questions: removing a row (and maybe the task on the service), and what to do
with a submission in state unknown. Each dismisses with the choice, or None (escape)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Static

from wan_tui.api.text import printable
from wan_tui.store.rows import Row

from ..widgets.cells import one_line

REMOVE = "remove"  # from the local history only
REMOVE_REMOTE = "remove-remote"  # and delete the task on the service
LOOK_UP = "look-up"
DISMISS = "dismiss"


def _short(row: Row) -> str:
    prompt = one_line(row.prompt)
    return f"#{row.id} “{prompt[:60]}{'…' if len(prompt) > 60 else ''}”"


class _Question(ModalScreen[str | None]):
    """A title, a message, some buttons (id = the choice); escape: None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(classes="history-question")
        self.title_text = title
        self.message = message

    def compose_extra(self) -> ComposeResult:
        yield from ()

    def buttons(self) -> list[Button]:
        return []

    def compose(self) -> ComposeResult:
        with Vertical(classes="question-box"):
            yield Static(Text(self.title_text, style="bold"), classes="question-title")
            yield Static(Text(printable(self.message)), classes="question-message")
            yield from self.compose_extra()
            with Horizontal(classes="question-buttons"):
                yield from self.buttons()
                yield Button("Cancel", variant="primary", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.choice(event.button.id or "cancel"))

    def choice(self, button: str) -> str | None:
        return None if button == "cancel" else button

    def action_cancel(self) -> None:
        self.dismiss(None)


class RemoveQuestion(_Question):
    """Remove a row; "also on the service" when it has a task there."""

    def __init__(self, row: Row) -> None:
        self.remote_possible = bool(row.task_id) and row.remote_deleted_at is None
        message = f"{_short(row)} leaves this history (its saved video file stays)."
        if self.remote_possible:
            message += (" Also on the service deletes the task's record there too: that "
                        "cannot be undone.")
        super().__init__("Remove from the history?", message)

    def compose_extra(self) -> ComposeResult:
        if self.remote_possible:
            yield Checkbox("Also on the service (irreversible)", id="also-remote")

    def buttons(self) -> list[Button]:
        return [Button("Remove", variant="error", id=REMOVE)]

    def choice(self, button: str) -> str | None:
        if button != REMOVE:
            return None
        remote = self.remote_possible and self.query_one("#also-remote", Checkbox).value
        return REMOVE_REMOTE if remote else REMOVE


class UnknownQuestion(_Question):
    """A submission that never got an answer: look it up, or dismiss it as not created."""

    def __init__(self, row: Row) -> None:
        how = (f"asks the service about task {row.task_id}" if row.task_id else
               "reads the account's recent tasks and adopts the one this submission made, "
               "if there is one")
        super().__init__(
            "Submission without an answer",
            f"{_short(row)}: the service never answered, so a task may or may not exist "
            f"(and be billed). Look it up {how}. Dismiss (not created) marks it failed "
            "without asking: choose it only when you know no task was made (a task that was "
            "never created is not billed; one that was is billed either way).")

    def buttons(self) -> list[Button]:
        return [Button("Look it up", variant="success", id=LOOK_UP),
                Button("Dismiss (not created)", variant="warning", id=DISMISS)]
