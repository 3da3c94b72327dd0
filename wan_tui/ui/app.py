"""The wan-tui terminal app: it wires the screens to the session and owns little else.

Screens post what they want done (`BoardScreen.NewGeneration`, `SaveSettings`, ...); the app
asks the session and sends what changed down (`RowsChanged`, `StatusChanged`, `ShowRow`). The
session's tracker runs as one long-lived worker in group "tracker"; each `TrackerEvent` comes
in as one `TrackerUpdate`. Submissions run as workers in group "submit"; one
`Worker.StateChanged` handler reports any worker's failure. Keys: `actions.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App
from textual.command import CommandPalette
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker

from wan_tui.api.models import GenerationRequest
from wan_tui.session import (
    Connection,
    HistoryError,
    Pacing,
    Session,
    TrackerEvent,
)
from wan_tui.store.config import LoadedConfig

from .actions import bindings
from .announce import BURST_SECONDS, Announcer
from .app_welcome import DEMO_REQUESTED, WelcomeWiring
from .commands import AppCommands
from .contrast import readable_variables
from .history_wiring import HistoryWiring
from .messages import JumpToRow, RowsChanged, RowsGone, ShowRow, StatusChanged, TrackerUpdate
from .screens.board import BoardScreen
from .screens.board_fill import first_screen
from .screens.board_follow import FOLLOW_SECONDS, StoreFollower
from .screens.welcome import WelcomeScreen
from .terminal_graphics import ask_terminal
from .widgets.status import spend_text

if TYPE_CHECKING:
    from .screens.history import HistoryChoice

RECOUNT_SECONDS = 0.2  # counts per state are read again at most this often
__all__ = ["DEMO_REQUESTED", "WanApp"]
ANNOUNCE_GATHER = 0.25  # changes arriving within this become one notification


class WanApp(HistoryWiring, WelcomeWiring):
    """The app. Without a connection it starts on the welcome screen.

    `clock` feeds the age columns (fixed in screenshots), `spin=False` freezes spinners,
    `track=False` leaves the tracker's loop off (snapshots of a pre-filled store), `seeds` are
    submitted through the tracker once the board is up (the demo).
    """

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "wan-tui"
    COMMANDS = App.COMMANDS | {AppCommands}
    BINDINGS = bindings("app")

    def __init__(self, loaded: LoadedConfig, connection: Connection | None = None, *,
                 history_path: Path | None = None,
                 pacing: Pacing | None = None, demo: bool = False,
                 seeds: Sequence[GenerationRequest] = (), clock: Callable[[], float] = time.time,
                 spin: bool = True, track: bool = True, board_limit: int = 1000,
                 cli_base_url: str | None = None) -> None:
        super().__init__()
        self.session = Session(loaded, history_path=history_path, pacing=pacing)
        self.connection = connection
        self.demo = demo
        self.seeds = list(seeds)
        self.clock = clock
        self.spin = spin
        self.track = track
        self.board_limit = board_limit
        self.cli_base_url = cli_base_url
        self.board: BoardScreen | None = None
        self.counts: dict[str, int] = {}
        self.spend = ""  # today's recorded costs, for the status line
        self.announcer = Announcer()
        self._history_open = False
        self._history_error: HistoryError | None = None
        self._board_rest = False  # the board has its first screenful; the rest is to be read
        self._recount_pending = False
        self._tracker_worker: Worker[None] | None = None
        self._announce_timer: Timer | None = None
        self.follower: StoreFollower | None = None
        self._announced_at = 0.0
        self._announce_shown_until = 0.0  # when the last burst's toast goes away
        self._unsubscribe: Callable[[], None] | None = None
        self.init_settings()

    def run(self, *, headless: bool = False, **options: Any) -> Any:
        if not headless:  # before Textual owns the terminal, which then cannot be asked
            ask_terminal()
        # The cyclic collector waits for the first frame: starting makes ~65,000 objects
        # that live as long as the app, and a collection every 700 allocations walks them
        # again and again (~25 ms before the first frame). The board collects once after its
        # first frame and freezes what is left out of later scans (freeze_long_lived).
        gc.disable()
        try:
            return super().run(headless=headless, **options)
        finally:
            gc.enable()

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables with every text colour readable (`contrast.py`)."""
        variables = readable_variables(super().get_css_variables())
        self.theme_variables = variables
        return variables

    def crash_secrets(self) -> Iterable[str | None]:
        return (self.connection.token if self.connection else None,
                self.session.config.api.token)

    # -- the session -------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """The board, when the service is known at start: the first screen Textual draws, not
        one pushed over an empty screen first (~7 ms sooner to its first frame). Textual reads
        no CSS_PATH of a default screen: the board's styles are the app's (app.tcss)."""
        if self.connection is None or not self._opened_history():
            return super().get_default_screen()
        self.board = self._new_board()
        return self.board

    async def on_mount(self) -> None:
        self.mount_settings()
        if self.connection is None:
            self.push_screen(WelcomeScreen(self.session.loaded.path), callback=self._welcome_done)
        else:
            await self._start(self.connection)
        self.call_after_refresh(gc.enable)  # paused by `run` until the first frame

    def _opened_history(self) -> bool:
        """Open the history, once; False when it cannot be (the app then exits, saying why)."""
        if not self._history_open and self._history_error is None:
            try:
                notice = self.session.open_history()
            except HistoryError as error:
                self._history_error = error
                return False
            self._history_open = True
            if notice:
                self.notify(notice, title="History", severity="warning", timeout=30,
                            markup=False)
            self.load_drafts()
        return self._history_open

    def _new_board(self) -> BoardScreen:
        """The board with what its first frame shows (~1 ms); the rest comes after that frame."""
        screenful = first_screen(self.size.height)
        first = self.session.search(limit=min(screenful, self.board_limit + 1))
        rows = first[:self.board_limit]
        self.announcer.remember(rows)
        self._board_rest = len(first) == screenful <= self.board_limit
        return BoardScreen(rows, truncated=len(first) > self.board_limit,
                           clock=self.clock, spin=self.spin, demo=self.demo)

    async def _start(self, connection: Connection) -> None:
        if not self._opened_history():
            self.exit(return_code=1, message=str(self._history_error))
            return
        await self._connect(connection)
        if self.board is None:
            self.board = self._new_board()
            await self.push_screen(self.board)
        if self.follower is None:  # the board's first start (it may have come before this)
            if self._board_rest:  # up to board_limit rows (~20 ms at 1M), after the first frame
                self.board.call_after_refresh(self.run_worker, self._load_board_rest,
                                              group="board-rest", exit_on_error=False)
            self.follower = StoreFollower(self.session)
            self.set_interval(FOLLOW_SECONDS, self.follow_store)
        # After the board's first frame: the tracker's first request imports httpx and builds
        # a TLS context (~0.1 s); counting reads the whole state index (off the UI thread).
        (self.board or self).call_after_refresh(self._run_tracker)
        self._recount_pending = True
        (self.board or self).call_after_refresh(self._recount)
        self._send_status()
        for request in self.seeds:
            self.submit(request)
        self.seeds = []

    async def _load_board_rest(self) -> None:
        """The board's rows beyond its first screenful, read off the UI thread (~20 ms at 1M
        rows) so that keys pressed right after start are answered at once."""
        newest = await asyncio.to_thread(self.session.search, limit=self.board_limit + 1)
        if self.board is None:
            return
        rows = newest[:self.board_limit]
        self.announcer.remember(rows)
        self.board.add_loaded(rows, truncated=len(newest) > self.board_limit)

    async def _connect(self, connection: Connection) -> None:
        self.connection = connection
        await self.session.connect(connection)
        if self._unsubscribe is None:
            self._unsubscribe = self.session.subscribe(self._tracker_event)

    def _run_tracker(self) -> None:
        if self.track and self._tracker_worker is None and self.session.connected:
            self._tracker_worker = self.run_worker(self.session.run_tracker(), name="tracker",
                                                   group="tracker", exit_on_error=False)

    def _tracker_event(self, event: TrackerEvent) -> None:
        """The session's listener (called on this event loop): one message per event."""
        self.post_message(TrackerUpdate(event))

    async def _disconnect(self) -> None:
        worker, self._tracker_worker = self._tracker_worker, None
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await worker.wait()
        await self.session.disconnect()

    async def reconnect(self, connection: Connection) -> None:
        await self._disconnect()
        await self._connect(connection)
        self._run_tracker()
        self._send_status()
        self.notify("Reconnected with the new settings.")

    async def on_unmount(self) -> None:
        self._recount_pending = False  # a timer still due would read a closed history
        self.follower = None  # likewise
        if self._history_open:
            self.save_drafts()
        if self._unsubscribe is not None:
            self._unsubscribe()
        await self._disconnect()
        self.session.close_history()

    def on_tracker_update(self, message: TrackerUpdate) -> None:
        event = message.event
        if self.announcer.collect(event.rows):
            self._announce_soon()
        if event.rows:
            if self.board is not None:
                self.board.post_message(RowsChanged(event.rows))
            self._tell_history(RowsChanged(event.rows))
            if not self._recount_pending:  # recount soon, at most a few times a second
                self._recount_pending = True
                self.set_timer(RECOUNT_SECONDS, self._recount)
        self._send_status()

    def _announce_soon(self) -> None:
        """Say what changed once the burst has gathered, at most once a second."""
        if self._announce_timer is not None:
            return
        wait = max(ANNOUNCE_GATHER, self._announced_at + BURST_SECONDS - time.monotonic())
        self._announce_timer = self.set_timer(wait, self._announce)

    def _announce(self) -> None:
        self._announce_timer = None
        now = time.monotonic()
        # The last burst's toast still up: one toast replaces it, counting both bursts.
        carry = now < self._announce_shown_until
        notice = self.announcer.flush(carry=carry)
        if notice is None:
            return
        if carry:
            self.clear_notifications()
        self._announced_at = now
        timeout = notice.timeout or self.NOTIFICATION_TIMEOUT
        self._announce_shown_until = now + timeout
        self.notify(notice.message, title=notice.title, severity=notice.severity,
                    timeout=timeout, markup=False)
        if notice.ended and (not self.app_focus or self.session.config.ui.bell):
            self.bell()  # once per burst

    def on_jump_to_row(self, message: JumpToRow) -> None:
        row = self.session.get(message.local_id)
        if row is None or self.board is None:
            self.notify(f"There is no task #{message.local_id} in the history.",
                        severity="warning", markup=False)
            return
        self.announcer.remember([row])
        self.board.post_message(ShowRow(row))

    def follow_store(self) -> None:
        """Show what other writers (the CLI) did to the history since the last look."""
        if self.board is None or self.follower is None:
            return
        found = self.follower.poll(self.board.rows)
        if found.changed:
            self.announcer.from_elsewhere(found.changed)
            self.post_message(TrackerUpdate(TrackerEvent(rows=found.changed)))
        if found.gone:
            self.board.post_message(RowsGone(found.gone))
            self.counts = self.session.counts_by_state()
            self._send_status()

    def _recount(self) -> None:
        if self._recount_pending:
            self._recount_pending = False
            self.run_worker(self._count_states(), group="recount", exit_on_error=False)

    async def _count_states(self) -> None:
        """Counts per state and today's spend, read off the UI thread: counting reads the
        whole state index (~55 ms at 1M rows, again after each burst of updates)."""
        session = self.session
        counts, spend = await asyncio.to_thread(
            lambda: (session.counts_by_state(), session.spend_today()))
        self.counts, self.spend = counts, spend_text(spend)
        self._send_status()

    def _send_status(self) -> None:
        if self.board is not None:
            status = self.session.status
            fresh = status.freshness_note(self.session.pacing().interval)
            notes = [note for note in (self.spend, fresh) if note]
            self.board.post_message(StatusChanged(status, self.counts, self.session.connected,
                                                  notes))

    # -- what the screens ask for ------------------------------------------------------------

    @on(BoardScreen.NewGeneration)
    def _new_generation(self, message: BoardScreen.NewGeneration) -> None:
        action = message.action
        from .screens.generation_form import GenerationForm  # on first use: not at start-up
        self.push_screen(GenerationForm(action, self.session.new_request(action),
                                        message.prefill, draft=self.drafts.get(action),
                                        rerun_of=message.rerun_of),
                         callback=self._form_done)

    def _form_done(self, request: GenerationRequest | None) -> None:
        if request is not None:
            self.submit(request)

    @on(BoardScreen.OpenHistory)
    def _open_history(self) -> None:
        self.run_worker(self._push_history(), group="history-open", exclusive=True,
                        exit_on_error=False)

    async def _push_history(self) -> None:
        """The first page is read off the UI thread before the screen opens, which then
        opens with its rows: one layout and one paint, not an empty screen and then rows."""
        from .screens.history import HistoryScreen, first_results  # on first use

        first = await asyncio.to_thread(first_results, self.session)
        if self.screen is self.board:  # not if the user went elsewhere meanwhile
            self.history_view = HistoryScreen(self.session, clock=self.clock, first=first)
            self.push_screen(self.history_view, callback=self._history_done)

    def _history_done(self, choice: HistoryChoice | None) -> None:
        if choice is None or self.board is None:
            return
        current = self.session.get(choice.row.id) or choice.row
        self.announcer.remember([current])
        self.board.post_message(ShowRow(current, rerun=choice.action == "rerun"))

    # -- screens -------------------------------------------------------------------------------

    def is_main_screen(self) -> bool:
        """Whether the screen in use (under the command palette, when it is open) is one where
        the app's own keys apply."""
        screen = next(s for s in reversed(self.screen_stack) if not isinstance(s, CommandPalette))
        return (isinstance(screen, (BoardScreen, WelcomeScreen))
                or screen is self._history_screen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("request_quit", "settings", "help"):
            return self.is_main_screen()
        return True

    def action_help(self) -> None:
        from .screens.help import HelpScreen  # on first use: not at start-up
        self.push_screen(HelpScreen(self.session.config.keymap))

    def action_settings(self) -> None:
        from .screens.settings import SettingsScreen  # on first use: not at start-up
        self.push_screen(SettingsScreen(self.session.loaded.path), callback=self._settings_done)

    def _settings_done(self, saved: bool | None) -> None:
        if saved:
            self.reload_config()
            self.notify("Settings saved.")
