"""Work in flight: submissions run as workers in group "submit", one handler reports any
worker's failure, and quitting asks first while submissions are still being sent."""

from __future__ import annotations

from textual import on
from textual.worker import Worker, WorkerState

from wan_tui.api.errors import WanError
from wan_tui.api.models import GenerationRequest
from wan_tui.session import Session
from wan_tui.store.rows import Row

from .compat import CrashReports
from .screens.board_quit import QuitScreen
from .screens.confirm import ConfirmScreen


class WorkWiring(CrashReports[str | None]):
    """The workers part of WanApp (which sets `session`)."""

    session: Session

    def submit(self, request: GenerationRequest) -> Worker[Row] | None:
        """Send through the tracker in a worker; the row shows at once as `submitting`."""
        if not self.session.connected:
            self.notify("Not connected: nothing was sent.", severity="error")
            return None
        return self.run_worker(self.session.submit(request), name="submit",
                               group="submit", exit_on_error=False)

    def sending(self) -> int:
        """Submissions not answered yet (sent, or waiting for a free slot)."""
        waiting = sum(1 for w in self.workers
                      if w.group == "submit" and w.state in (WorkerState.PENDING,
                                                             WorkerState.RUNNING))
        return max(waiting, self.session.sending)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state != WorkerState.ERROR:
            return
        error = worker.error
        if worker.group == "tracker":
            self.notify(f"Task updates stopped: {type(error).__name__}: {error}",
                        title="Tracker", severity="error", timeout=30, markup=False)
        elif worker.group == "submit":
            self.notify(f"Not sent: {error}", title="Submission", severity="error",
                        timeout=15, markup=False)
        else:
            self.notify(f"{type(error).__name__}: {error}", severity="error", markup=False)

    def sync_account(self) -> None:
        """The account's tasks (web app, other machines) into the history, in a worker."""
        if not self.session.connected:
            self.notify("Not connected: nothing to sync with.", severity="error")
            return

        async def sync() -> None:
            try:
                result = await self.session.sync()
            except WanError as error:
                self.notify(f"Not synced: {error}", title="Sync", severity="error",
                            timeout=15, markup=False)
                return
            self.notify(f"{result.seen} tasks listed: {result.added} new in the history, "
                        f"{result.updated} updated", title="Sync", markup=False)

        self.notify("Reading the account's tasks…", title="Sync")
        self.run_worker(sync(), name="sync", group="sync", exclusive=True, exit_on_error=False)

    # -- quitting ------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        self.action_request_quit()

    def action_request_quit(self) -> None:
        sending = self.sending()
        if not sending:
            self.exit()
            return
        if isinstance(self.screen, ConfirmScreen):
            return
        self.push_screen(QuitScreen(self.sending), callback=self._confirm_quit)

    def _confirm_quit(self, yes: bool | None) -> None:
        if yes:
            self.exit()
