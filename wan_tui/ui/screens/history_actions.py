"""The history screen's actions on the highlighted row (part of HistoryScreen).

Copying is done here; what changes the history or the outside world is posted up as a message
(`Rerun`, `Delete`, and the row requests the board posts too: `OpenVideo`, `SaveVideo`,
`LookUpRow`, `DismissRow`) for the app to do through the session; exporting asks the session in a thread worker and says where the file is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from textual import work
from textual.screen import Screen

from wan_tui.api.models import InvalidRequest
from wan_tui.api.state import State
from wan_tui.session import Filters
from wan_tui.store.rows import Row

from ..messages import DeleteRow, DismissRow, LookUpRow, OpenVideo, RerunRow, SaveVideo
from .history_dialogs import DISMISS, LOOK_UP, REMOVE_REMOTE, RemoveQuestion, UnknownQuestion


class HistoryReader(Protocol):
    """What the screen asks of the session."""

    def search(self, text: str | None = None, **filters: Any) -> list[Row]: ...

    def count(self, text: str | None = None, **filters: Any) -> int: ...

    def thumbnail_cached(self, url: str) -> Path | None: ...

    async def thumbnail(self, url: str) -> Path | None: ...

    def export_file(self, filters: Filters) -> tuple[Path, int]: ...


@dataclass(frozen=True)
class HistoryChoice:
    action: str  # "show"
    row: Row


class HistoryActions(Screen[HistoryChoice | None]):
    """Needs `highlighted()`, `history` and `filters` (HistoryScreen has them)."""

    history: HistoryReader
    filters: Filters

    def highlighted(self) -> Row | None:
        raise NotImplementedError

    # -- actions on the highlighted row --------------------------------------------------

    def _target(self) -> Row | None:
        row = self.highlighted()
        if row is None:
            self.notify("No row is highlighted.", severity="warning")
        return row

    def _with_video(self) -> Row | None:
        row = self._target()
        if row is not None and not row.video_url:
            self.notify(f"#{row.id} has no video (it is {row.state}).", severity="warning",
                        markup=False)
            return None
        return row

    def action_choose(self, action: str) -> None:
        row = self.highlighted()
        if row is not None:
            self.dismiss(HistoryChoice(action, row))

    def action_rerun(self) -> None:
        row = self._target()
        if row is None:
            return
        try:
            request = row.request()
        except (InvalidRequest, TypeError) as error:
            self.notify(f"#{row.id} cannot be re-run as it was recorded: {error}",
                        severity="error", markup=False)
            return
        self.post_message(RerunRow(row, request))

    def _copy(self, what: str, value: str | None, row: Row) -> None:
        if not value:
            self.notify(f"#{row.id} has no {what}.", severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(value)
        self.notify(f"Copied the {what} of #{row.id}.", markup=False)

    def action_copy_prompt(self) -> None:
        if (row := self._target()) is not None:
            self._copy("prompt", row.prompt, row)

    def action_copy(self) -> None:
        if (row := self._target()) is not None:
            self._copy("video link", row.video_url, row)

    def action_copy_id(self) -> None:
        if (row := self._target()) is not None:
            self._copy("task id", row.task_id, row)

    def action_open(self) -> None:
        if (row := self._with_video()) is not None:
            self.post_message(OpenVideo(row))

    def action_download(self) -> None:
        if (row := self._with_video()) is not None:
            self.post_message(SaveVideo(row))

    def action_delete(self) -> None:
        row = self._target()
        if row is not None:
            self.app.push_screen(RemoveQuestion(row), callback=lambda choice: self._remove(
                row, choice))

    def _remove(self, row: Row, choice: str | None) -> None:
        if choice is not None:
            self.post_message(DeleteRow(row, remote=choice == REMOVE_REMOTE))

    def action_settle(self) -> None:
        row = self._target()
        if row is None:
            return
        if row.state != State.UNKNOWN:
            self.notify(f"#{row.id} is {row.state}, not unknown: nothing to settle.",
                        markup=False)
            return
        self.app.push_screen(UnknownQuestion(row), callback=lambda choice: self._settle(
            row, choice))

    def _settle(self, row: Row, choice: str | None) -> None:
        if choice == LOOK_UP:
            self.post_message(LookUpRow(row))
        elif choice == DISMISS:
            self.post_message(DismissRow(row))

    def action_export(self) -> None:
        self.notify("Exporting the rows that match…", markup=False)
        self._export(self.filters)

    @work(thread=True, group="history-export", exit_on_error=False)
    def _export(self, filters: Filters) -> None:
        try:
            path, count = self.history.export_file(filters)
        except OSError as error:
            self.app.call_from_thread(self.notify, f"Not exported: {error}", severity="error",
                                      markup=False)
            return
        rows = "1 row" if count == 1 else f"{count:,} rows"
        self.app.call_from_thread(self.notify, f"{rows} exported to {path}",
                                  title="Exported", timeout=15, markup=False)

