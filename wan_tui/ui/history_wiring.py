"""What the history screen asks for beyond one row's requests (app_rows), done through the
session (part of WanApp): `Rerun` opens the form titled "re-run of #N", `Delete` removes the row
(on the service too when asked) and tells both screens."""

from __future__ import annotations

from collections.abc import Callable

from textual import on

from wan_tui.api.errors import WanError
from wan_tui.api.models import GenerationRequest
from wan_tui.session import Session

from .app_rows import RowWiring
from .messages import DeleteRow, RerunRow


class HistoryWiring(RowWiring):
    session: Session
    _form_done: Callable[[GenerationRequest | None], None]  # WanApp's: submits the request

    @on(RerunRow)
    def _history_rerun(self, message: RerunRow) -> None:
        request = message.request
        from .screens.generation_form import GenerationForm  # on first use: not at start-up
        self.push_screen(GenerationForm(request.action, self.session.new_request(request.action),
                                        request, rerun_of=message.row.id),
                         callback=self._form_done)

    @on(DeleteRow)
    def _history_delete(self, message: DeleteRow) -> None:
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
            self._rows_gone([row.id])
            where = " and on the service" if message.remote else ""
            self.notify(f"#{row.id} removed from the history{where}.", markup=False)

        self.run_worker(remove(), name="delete", group="history-write", exit_on_error=False)
