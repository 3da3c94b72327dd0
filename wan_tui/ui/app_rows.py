"""What the board and the history screen ask of one row (part of WanApp): open its video, save
it, look it up, dismiss it. Each is done once for both screens: the app asks the session and
sends what changed down to every screen that shows rows (`RowsChanged`, `RowsGone`,
`DownloadProgress`)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual import on
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from wan_tui.api.errors import WanError
from wan_tui.api.models import is_http_url
from wan_tui.api.state import State
from wan_tui.store.rows import Row

from .announce import Announcer, named
from .app_settings import SettingsWiring
from .messages import (
    DismissRow,
    DownloadProgress,
    LookUpRow,
    OpenVideo,
    RowsChanged,
    RowsGone,
    SaveVideo,
)
from .screens.board import BoardScreen
from .screens.confirm import ConfirmScreen
from .widgets.downloads import DownloadBars

if TYPE_CHECKING:
    from wan_tui.session import Saved

PROGRESS_EVERY = 0.1  # seconds between two progress messages of one download
SAVED_GATHER = 0.5  # downloads ending within this are told in one notification


class RowWiring(SettingsWiring):
    """The row part of WanApp (which sets `board` and `announcer`)."""

    board: BoardScreen | None
    announcer: Announcer
    demo: bool

    def __init__(self) -> None:
        super().__init__()
        self._saved: list[Saved] = []  # ended since the last notice
        self._not_saved: list[tuple[int, str]] = []
        self._notice_timer: Timer | None = None
        # The history screen once pushed (its module is imported on first use, not at start).
        self.history_view: Screen[Any] | None = None

    # -- sending down ------------------------------------------------------------------------

    def _history_screen(self) -> Screen[Any] | None:
        """The history screen while it is open."""
        view = self.history_view
        return view if view is not None and view in self.screen_stack else None

    def _tell_history(self, message: Message) -> None:
        history = self._history_screen()
        if history is not None:
            history.post_message(message)

    def _rows_changed(self, rows: Sequence[Row]) -> None:
        self.announcer.remember(rows)  # a change the user made is not announced back
        self._tell_history(RowsChanged(rows))
        if self.board is not None:
            self.board.post_message(RowsChanged(rows))

    def _rows_gone(self, local_ids: Sequence[int]) -> None:
        self._tell_history(RowsGone(local_ids))
        if self.board is not None:
            self.board.post_message(RowsGone(local_ids))

    def _tell_downloads(self, message: DownloadProgress) -> None:
        for screen in (self.board, self._history_screen()):
            if screen is not None:
                for bars in screen.query(DownloadBars):
                    bars.post_message(message)

    # -- what the screens ask ----------------------------------------------------------------

    @on(OpenVideo)
    def _open_video(self, message: OpenVideo) -> None:
        """The saved file or the link, in media.player or the system's opener; when nothing
        here can open it, say so and offer to copy the link instead."""
        from wan_tui.session import OpenError  # on first use: not at start-up
        row = message.row
        try:
            opened = self.session.open_video(row)
        except OpenError as error:
            url = row.video_url or ""
            if not is_http_url(url):
                self.notify(f"#{row.id}: {error}.", title="Not opened", severity="error",
                            markup=False)
                return
            reason = str(error)
            self.push_screen(ConfirmScreen(
                f"#{row.id} could not be opened", f"{reason[:1].upper()}{reason[1:]}.",
                yes="Copy the link", no="Close"),
                callback=lambda yes: self._copy_link(yes, row.id, url))
            return
        self.notify(f"Opening #{row.id}: {opened}", markup=False)

    def _copy_link(self, yes: bool | None, local_id: int, url: str) -> None:
        if yes:
            self.copy_to_clipboard(url)
            self.notify(f"Copied the video link of #{local_id}.", markup=False)

    @on(SaveVideo)
    def _save_video(self, message: SaveVideo) -> None:
        """Save the row's video in the downloads folder, in a worker, with a progress bar on
        the screens; say where."""
        from wan_tui.session import DownloadError  # on first use: not at start-up
        row = message.row
        label = f"#{row.id}"
        last = 0.0

        def progress(done: int, total: int | None) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY or done == total:
                last = now
                self._tell_downloads(DownloadProgress(row.id, label, done, total))

        async def save() -> None:
            try:
                result = await self.session.download(row, progress=progress)
            except DownloadError as error:
                self._not_saved.append((row.id, str(error)))
                return
            finally:
                self._tell_downloads(DownloadProgress(row.id, label, 0, None, finished=True))
                self._notice_soon()
            self._rows_changed([result.row])
            self._saved.append(result)

        self._tell_downloads(DownloadProgress(row.id, label, 0, None))
        self.run_worker(save(), name="download", group="download", exit_on_error=False)

    def _notice_soon(self) -> None:
        if self._notice_timer is None:
            self._notice_timer = self.set_timer(SAVED_GATHER, self._tell_saved)

    def _tell_saved(self) -> None:
        """One notification for the downloads that ended together (a bulk download of many
        is one toast), one for those that failed."""
        self._notice_timer = None
        saved, self._saved = self._saved, []
        failed, self._not_saved = self._not_saved, []
        demo = " (the demo's own folder: removed when you quit)" if self.demo else ""
        if len(saved) == 1:
            one = saved[0]
            self.notify(f"#{one.row.id} {'already saved at' if one.already else 'saved to'} "
                        f"{one.path}{demo}", title="Downloaded", markup=False)
        elif saved:
            folders = {str(result.path.parent) for result in saved}
            where = folders.pop() if len(folders) == 1 else f"{len(folders)} folders"
            already = sum(result.already for result in saved)
            note = f" ({already} already there)" if already else ""
            self.notify(f"{len(saved)} videos saved to {where}{note}{demo}\n"
                        f"{named(result.row.id for result in saved)}", title="Downloaded",
                        markup=False)
        if len(failed) == 1:
            self.notify(failed[0][1], title="Not downloaded", severity="error", markup=False)
        elif failed:
            self.notify(f"{len(failed)} videos not downloaded: {named(i for i, _ in failed)}\n"
                        f"#{failed[0][0]}: {failed[0][1]}", title="Not downloaded",
                        severity="error", markup=False)

    @on(LookUpRow)
    def _look_up(self, message: LookUpRow) -> None:
        """A lost task is asked about by its id; an unknown submission (no id) is looked for in
        the account's tasks and adopted if found (both are free queries)."""
        row = message.row

        async def ask() -> None:
            try:
                found = await self.session.look_up_unknown(row.id)
            except WanError as error:
                self.notify(f"Could not look up #{row.id}: {error}", title="Look-up",
                            severity="warning", markup=False)
                return
            found = found or self.session.get(row.id)
            if found is None:
                self._rows_gone([row.id])
                self.notify(f"#{row.id} is no longer in the history.", markup=False)
                return
            self._rows_changed([found])
            self.notify(f"#{row.id} is {found.state}." + (
                " The service's task list does not show it yet." if found.state in (
                    State.UNKNOWN, State.LOST) else ""), title="Look-up", markup=False)

        self.notify(f"Asking the service about #{row.id} (queries are free)…", markup=False)
        self.run_worker(ask(), name="look up", group="core", exit_on_error=False)

    @on(DismissRow)
    def _dismiss(self, message: DismissRow) -> None:
        row = self.session.dismiss_unknown(message.row.id)
        self._rows_changed([row])
        self.notify(f"#{row.id} dismissed: marked failed, not created.", markup=False)
