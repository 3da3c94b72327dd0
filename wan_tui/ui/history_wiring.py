"""What the history screen asks for, done through the session (part of WanApp).

The history screen posts `Rerun`, `Open`, `Download`, `Delete`, `LookUp`, `Dismiss`; the app
asks the session (in workers where it waits on the service) and sends what changed down
(`RowsChanged`, `RowsGone`) to the history screen and the board.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import on
from textual.message import Message

from wan_tui.api.errors import WanError
from wan_tui.api.models import GenerationRequest, is_http_url
from wan_tui.api.state import State
from wan_tui.session import Session
from wan_tui.store.rows import Row

from .app_work import WorkWiring
from .messages import RowsChanged, RowsGone
from .screens.board import BoardScreen
from .screens.generation_form import GenerationForm
from .screens.history import HistoryScreen


class HistoryWiring(WorkWiring):
    session: Session
    board: BoardScreen | None
    _form_done: Callable[[GenerationRequest | None], None]  # WanApp's: submits the request

    def _history_screen(self) -> HistoryScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, HistoryScreen)), None)

    def _tell_history(self, message: Message) -> None:
        history = self._history_screen()
        if history is not None:
            history.post_message(message)

    def _rows_changed(self, rows: Sequence[Row]) -> None:
        self._tell_history(RowsChanged(rows))
        if self.board is not None:
            self.board.post_message(RowsChanged(rows))

    @on(HistoryScreen.Rerun)
    def _history_rerun(self, message: HistoryScreen.Rerun) -> None:
        request = message.request
        form = GenerationForm(request.action, self.session.new_request(request.action), request)
        form.sub_title = f"re-run of #{message.row.id}"
        self.push_screen(form, callback=self._form_done)

    @on(HistoryScreen.Download)
    def _history_download(self, message: HistoryScreen.Download) -> None:
        self.post_message(BoardScreen.Download(message.row))

    @on(HistoryScreen.Open)
    def _history_play(self, message: HistoryScreen.Open) -> None:
        row, url = message.row, message.row.video_url or ""
        if not is_http_url(url):  # a URL from the service is data: only web links open
            self.notify(f"#{row.id}'s video link is not a web address; not opening it.",
                        severity="error", markup=False)
            return
        self.open_url(url)
        self.notify(f"Opening the video of #{row.id}…", markup=False)

    @on(HistoryScreen.Delete)
    def _history_delete(self, message: HistoryScreen.Delete) -> None:
        row = message.row

        async def remove() -> None:
            if message.remote and row.task_id:
                try:
                    await self.session.delete_remote(row.task_id)
                except WanError as error:
                    self.notify(f"#{row.id} was not deleted on the service: {error}; it stays "
                                "in the history.", title="Not removed", severity="error",
                                markup=False)
                    return
            self.session.delete_row(row.id)
            self._tell_history(RowsGone([row.id]))
            where = " and on the service" if message.remote else ""
            self.notify(f"#{row.id} removed from the history{where}.", markup=False)

        self.run_worker(remove(), name="delete", group="history-write", exit_on_error=False)

    @on(HistoryScreen.LookUp)
    def _history_look_up(self, message: HistoryScreen.LookUp) -> None:
        row = message.row

        async def look_up() -> None:
            try:
                found = await self.session.look_up_unknown(row.id)
            except WanError as error:
                self.notify(f"Could not look up #{row.id}: {error}", severity="error",
                            markup=False)
                return
            if found is not None:
                self._rows_changed([found])
                self.notify(f"#{row.id} is {found.state}." + (
                    " The service's task list does not show it yet." if found.state ==
                    State.UNKNOWN else ""), title="Looked up", markup=False)

        self.notify(f"Looking up #{row.id}…", markup=False)
        self.run_worker(look_up(), name="look up", group="history-write", exit_on_error=False)

    @on(HistoryScreen.Dismiss)
    def _history_dismiss(self, message: HistoryScreen.Dismiss) -> None:
        row = self.session.dismiss_unknown(message.row.id)
        self._rows_changed([row])
        self.notify(f"#{row.id} dismissed: marked failed, not created.", markup=False)
