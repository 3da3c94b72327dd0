"""The history's preview pane: the highlighted row's thumbnail and everything about it.

What the board's detail pane shows (prompts, parameters, ids, times, links, the saved file),
with, above it, what the state and error mean for the user, the cost and usage the service
reported, and whether the task was deleted on the service. Text only, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from wan_tui.api.state import State
from wan_tui.store.rows import Row

from .cells import Palette, local_time
from .detail import DetailView, Entry, detail_entries
from .thumbnail import Thumbnail

STATE_MEANINGS: dict[str, str] = {
    State.PENDING: "accepted by the service, waiting for its turn",
    State.RUNNING: "being generated (usually 1–5 minutes)",
    State.SUCCEEDED: "done: the video is ready",
    State.FAILED: "ended without a video (see the error)",
    State.SUBMITTING: "being sent; the service has not answered yet",
    State.UNKNOWN: ("the service never answered the submission: a task may or may not exist "
                    "(and be billed). Look it up, or dismiss it if you know it was not made"),
    State.EXPIRED: "no result within a day: the task id is gone upstream",
    State.LOST: "the service no longer knows this task id",
}
ERROR_MEANINGS: dict[str, str] = {
    "bad_request": "a parameter was missing or invalid",
    "no_token": "no API token was sent",
    "token_mismatched": "the token is not for this API",
    "api_not_implemented": "this model or API is not available",
    "invalid_token": "the token is wrong",
    "token_expired": "the token has expired",
    "forbidden": "refused, usually by content moderation",
    "used_up": "the account's balance is used up",
    "disabled": "the account or app is disabled",
    "too_many_requests": "too many requests: slow down",
    "rate_limited": "too many requests: slow down",
    "api_error": "the service failed",
    "timeout": "the service timed out",
    "dismissed": "you said this submission did not create a task",
}


def meaning_entries(row: Row, palette: Palette) -> list[Entry]:
    """What the state and error mean, a deletion on the service (the details below it show
    the cost and usage)."""
    entries = [("Meaning", Text(STATE_MEANINGS.get(row.state, "a state wan-tui does not know"),
                                style=palette.state_style(row.state)))]
    if row.error_code and row.error_code in ERROR_MEANINGS:
        entries.append(("Error means", Text(ERROR_MEANINGS[row.error_code], style=palette.error)))
    if row.remote_deleted_at is not None:
        entries.append(("On service", Text(f"deleted {local_time(row.remote_deleted_at)}",
                                           style=palette.warning)))
    return entries


class HistoryPreview(VerticalScroll):
    """The thumbnail on top, the row's details below; scrolls when they are long."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.row: Row | None = None
        self.content: DetailView | None = None  # what the body shows (tests read it)
        self.border_title = "Preview"

    def compose(self) -> ComposeResult:
        yield Thumbnail(id="thumbnail")
        yield Static(Text("Nothing highlighted.", style="dim"), id="preview-body")

    @property
    def thumbnail(self) -> Thumbnail:
        return self.query_one("#thumbnail", Thumbnail)

    def show(self, row: Row | None, palette: Palette, now: float) -> None:
        self.row = row
        body = self.query_one("#preview-body", Static)
        if row is None:
            self.content = None
            self.border_title = "Preview"
            body.update(Text("Nothing highlighted.", style="dim"))
            return
        self.border_title = f"Preview · #{row.id}"
        left, right = detail_entries(row, palette, now)
        self.content = DetailView([*meaning_entries(row, palette), *left, *right], [], palette,
                                  wide=False)
        body.update(self.content)
