"""What the board asks of the app beyond one row's requests (app_rows): bulk re-runs and
deletions. Each handler asks the session and sends the changed rows down."""

from __future__ import annotations

from textual import on

from .announce import Announcer
from .app_rows import RowWiring
from .screens.board import BoardScreen


class BoardWiring(RowWiring):
    """The board part of WanApp (which sets these)."""

    board: BoardScreen | None
    announcer: Announcer
    counts: dict[str, int]

    def _send_status(self) -> None:
        raise NotImplementedError  # WanApp's

    @on(BoardScreen.RerunMany)
    def _rerun_many(self, message: BoardScreen.RerunMany) -> None:
        for request in message.requests:
            self.submit(request)

    @on(BoardScreen.DeleteRows)
    def _delete_rows(self, message: BoardScreen.DeleteRows) -> None:
        gone = self.session.delete_rows(row.id for row in message.rows)
        self._rows_gone(gone)
        self.counts = self.session.counts_by_state()
        self._send_status()
        self.notify(f"Removed {len(gone)} task{'s' if len(gone) != 1 else ''} from the history.",
                    markup=False)
