"""Messages that carry data down from the app to the screens that show it.

Screens post their own messages up (`BoardScreen.NewGeneration`, `SettingsScreen.Save`, ...);
the app answers by asking the session and sends what changed down with these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump

from wan_tui.api.models import GenerationRequest
from wan_tui.session import TrackerEvent, TrackerStatus
from wan_tui.store.rows import Row


class TrackerUpdate(Message):
    """One TrackerEvent, delivered on the app's message queue (every one: the app announces
    each change of state)."""

    def __init__(self, event: TrackerEvent) -> None:
        super().__init__()
        self.event = event


class RowsChanged(Message):
    """Rows whose shown fields changed. Several waiting in a queue merge into the newest, so a
    busy screen draws each row once, in its latest state."""

    bubble = False  # for the screen it is sent to only

    def __init__(self, rows: Sequence[Row]) -> None:
        super().__init__()
        self.rows: dict[int, Row] = {row.id: row for row in rows}

    def can_replace(self, message: Message) -> bool:
        # Textual asks the older message whether the newer one (`message`) supersedes it.
        if not isinstance(message, RowsChanged):
            return False
        message.rows = {**self.rows, **message.rows}
        return True


class StatusChanged(Message):
    """What the status line shows about the tracker and the counts; the newest wins."""

    bubble = False  # for the screen it is sent to only

    def __init__(self, status: TrackerStatus, counts: Mapping[str, int],
                 connected: bool, notes: Sequence[str] = ()) -> None:
        super().__init__()
        self.status = status
        self.counts = dict(counts)
        self.connected = connected
        self.notes = list(notes)  # today's spend, a freshness warning: shown after the counts

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StatusChanged)


class ShowRow(Message):
    """Put the cursor on this row (chosen in the history); re-run it when asked."""

    bubble = False  # for the screen it is sent to only

    def __init__(self, row: Row, rerun: bool = False) -> None:
        super().__init__()
        self.row = row
        self.rerun = rerun


class SaveSettings(Message):
    """Up from a screen: write these config keys (the app asks the session)."""

    def __init__(self, screen: MessagePump, values: Mapping[str, Any]) -> None:
        super().__init__()
        self.screen = screen
        self.values = dict(values)


class SettingsSaved(Message):
    """Down to the screen that asked: saved (`error` None), or why not."""

    bubble = False  # for the screen it is sent to only

    def __init__(self, error: str | None = None) -> None:
        super().__init__()
        self.error = error


class CheckToken(Message):
    """The welcome screen asks: try this token with one free request, then save it (the
    screen hears `SettingsSaved`, or `TokenRefused` with the reason)."""

    def __init__(self, screen: MessagePump, token: str) -> None:
        super().__init__()
        self.screen = screen
        self.token = token


class TokenRefused(Message):
    """Sent down to the welcome screen: the token did not work, and why (never the token)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class RowsGone(Message):
    """Sent down to the board or the history screen: these rows left the history (deleted by
    the CLI, or by the user on either screen)."""

    def __init__(self, local_ids: Sequence[int]) -> None:
        super().__init__()
        self.local_ids = list(local_ids)


class JumpToRow(Message):
    """The board asks: show history row #local_id (not among the board's rows)."""

    def __init__(self, local_id: int) -> None:
        super().__init__()
        self.local_id = local_id


class RowRequest(Message):
    """Up from the board or the history screen: do something to this row; the app asks the
    session and sends what changed down to both screens."""

    def __init__(self, row: Row) -> None:
        super().__init__()
        self.row = row


class OpenVideo(RowRequest):
    """Open the row's saved file or video link (media.player or the system's opener)."""


class SaveVideo(RowRequest):
    """Save the row's video in the downloads folder; its progress comes down as
    `DownloadProgress`."""


class LookUpRow(RowRequest):
    """Ask the service about an unknown or lost row now (a free query)."""


class DismissRow(RowRequest):
    """The user says this unknown or lost row was not created."""


class DownloadProgress(Message):
    """Down to each screen's download bars: how far the download of row #local_id is
    (`total` None: the size is not known); `finished`: it ended (saved or failed)."""

    bubble = False

    def __init__(self, local_id: int, label: str, done: int, total: int | None,
                 finished: bool = False) -> None:
        super().__init__()
        self.local_id = local_id
        self.label = label
        self.done = done
        self.total = total
        self.finished = finished

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DownloadProgress) and message.local_id == self.local_id


class RerunRow(Message):
    """Up from the history screen: open the form pre-filled with this row's request ("re-run
    of #N")."""

    def __init__(self, row: Row, request: GenerationRequest) -> None:
        super().__init__()
        self.row = row
        self.request = request


class DeleteRow(RowRequest):
    """Up from the history screen: remove the row from the history; `remote`: delete the task
    on the service first."""

    def __init__(self, row: Row, remote: bool) -> None:
        super().__init__(row)
        self.remote = remote
