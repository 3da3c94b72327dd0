"""What the board asks of the app: downloads, bulk re-runs and deletions, look-ups and
dismissals of unsettled rows. Each handler asks the session and sends the changed rows down."""

from __future__ import annotations

from textual import on

from wan_tui.api.errors import WanError
from wan_tui.session import DownloadError

from .announce import Announcer
from .app_settings import SettingsWiring
from .messages import RowsChanged, RowsGone
from .screens.board import BoardScreen


class BoardWiring(SettingsWiring):
    """The board part of WanApp (which sets these)."""

    board: BoardScreen | None
    announcer: Announcer
    counts: dict[str, int]

    def _send_status(self) -> None:
        raise NotImplementedError  # WanApp's

    @on(BoardScreen.Download)
    def _download(self, message: BoardScreen.Download) -> None:
        """Save the row's video in the downloads folder, in a worker; say where."""
        row = message.row

        async def save() -> None:
            try:
                result = await self.session.download(row)
            except DownloadError as error:
                self.notify(str(error), title="Not downloaded", severity="error", markup=False)
                return
            saved = result.row
            self.announcer.remember([saved])
            if self.board is not None:
                self.board.post_message(RowsChanged([saved]))
            self.notify(f"#{row.id} {'already saved at' if result.already else 'saved to'} "
                        f"{result.path}", title="Downloaded", markup=False)

        self.notify(f"Downloading the video of #{row.id}…", markup=False)
        self.run_worker(save(), name="download", group="download", exit_on_error=False)

    @on(BoardScreen.RerunMany)
    def _rerun_many(self, message: BoardScreen.RerunMany) -> None:
        for request in message.requests:
            self.submit(request)

    @on(BoardScreen.DeleteRows)
    def _delete_rows(self, message: BoardScreen.DeleteRows) -> None:
        gone = self.session.delete_rows(row.id for row in message.rows)
        if self.board is not None:
            self.board.post_message(RowsGone(gone))
        self.counts = self.session.counts_by_state()
        self._send_status()
        self.notify(f"Removed {len(gone)} task{'s' if len(gone) != 1 else ''} from the history.",
                    markup=False)

    @on(BoardScreen.LookUp)
    def _look_up(self, message: BoardScreen.LookUp) -> None:
        """A lost task is asked about by its id; an unknown submission (no id) is looked for in
        the account's tasks and adopted if found (both are free queries)."""
        row = message.row

        async def ask() -> None:
            try:
                found = await self.session.look_up_unknown(row.id)
            except WanError as error:
                self.notify(f"#{row.id}: {error}", title="Look-up", severity="warning",
                            markup=False)
                return
            if self.board is not None and found is not None:
                self.board.post_message(RowsChanged([found]))
            state = found.state if found is not None else "gone"
            self.notify(f"#{row.id} is {state}." + (
                "" if found is None or found.task_id else
                " It was not found in the account's tasks (yet)."), title="Look-up",
                markup=False)

        self.run_worker(ask(), name="look-up", group="core", exit_on_error=False)

    @on(BoardScreen.Dismiss)
    def _dismiss(self, message: BoardScreen.Dismiss) -> None:
        row = self.session.dismiss_unknown(message.row.id)
        self.announcer.remember([row])
        if self.board is not None:
            self.board.post_message(RowsChanged([row]))

