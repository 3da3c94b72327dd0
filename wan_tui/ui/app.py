"""The wan-tui terminal app.

The app renders what the core says and never does the core's work: it never speaks HTTP, never
writes SQL except through `HistoryStore` methods, and never polls. It opens the core on mount
(`open_core(..., poll=False)` inside an `AsyncExitStack`), runs the tracker's loop as one
long-lived worker in group "tracker", and turns each `TrackerEvent` into one `TrackerUpdate`
message. Submissions run as workers in group "submit"; one `Worker.StateChanged` handler reports
any worker's failure.

Binding ids (remap them in the config's `[keymap]` table, e.g. `"board.new_text" = "ctrl+n"`;
several keys are separated by commas):

| id | default key | what it does |
|---|---|---|
| `board.new_text` | `n` | new text-to-video generation (form) |
| `board.new_image` | `i` | new image-to-video generation (form) |
| `board.filter` | `/` | focus the board's filter input |
| `board.state` | `s` | step the state filter: all, active, succeeded, failed, unknown/expired/lost |
| `board.details` | `enter` | expand and focus the detail pane (enter or escape again: back) |
| `board.rerun` | `r` | re-run the highlighted task (its form, pre-filled) |
| `board.copy` | `c` | copy the highlighted task's video URL |
| `board.open` | `o` | open the highlighted task's video in the browser |
| `board.download` | `d` | save the highlighted task's video in the downloads folder |
| `board.history` | `h` | the history screen |
| `board.back` | `escape` | leave the filter / collapse details / clear filters |
| `history.show` | `enter` | (history) show the row on the board |
| `history.rerun` | `r` | (history) re-run the row |
| `history.search` | `/` | (history) focus the search input |
| `history.back` | `escape` | (history) back to the board |
| `welcome.demo` | `ctrl+d` | (welcome) start the demo |
| `help.close` | `escape`, `q`, `?`, `f1` | (help) close |
| `app.settings` | `,`, `f2` | settings |
| `app.help` | `?`, `f1` | this list of keys |
| `app.quit` | `q` | quit (asks first while submissions are being sent) |

`ctrl+p` opens the command palette and `ctrl+q` quits from anywhere (also asking first).
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.theme import Theme
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import FINAL_STATES, State
from wan_tui.api.text import printable
from wan_tui.session import Connection, DownloadError, HistoryError, Session, pacing_from
from wan_tui.store.config import ConfigError, LoadedConfig, load_config, resolve_settings, save_values
from wan_tui.store.history import HistoryStore
from wan_tui.store.rows import Row
from wan_tui.tracker import Pacing, TrackerEvent, TrackerStatus

from .commands import WanCommands
from .screens.board import BoardScreen
from .screens.confirm import ConfirmScreen
from .screens.generation_form import GenerationForm
from .screens.help import HelpScreen, KeySections
from .screens.history import HistoryChoice, HistoryScreen, HistoryTable
from .screens.settings import SettingsScreen
from .screens.welcome import DEMO, SAVED, WelcomeScreen
from .widgets.cells import Palette, one_line
from .widgets.status import status_text
from .widgets.task_table import TaskTable

DEMO_REQUESTED = "demo"  # the app's result when the welcome screen's demo button was pressed


class TrackerUpdate(Message):
    """One TrackerEvent, delivered on the app's message queue."""

    def __init__(self, event: TrackerEvent) -> None:
        super().__init__()
        self.event = event


def _short(text: str, limit: int = 60) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class WanApp(App[str | None]):
    """The app. Without a connection it starts on the welcome screen.

    `clock` feeds the age columns (fixed in screenshots), `animate=False` freezes spinners,
    `track=False` leaves the tracker's loop off (snapshots of a pre-filled store), `seeds` are
    submitted through the tracker once the board is up (the demo).
    """

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "wan-tui"
    COMMANDS = App.COMMANDS | {WanCommands}
    BINDINGS = [
        Binding("comma,f2", "settings", "Settings", id="app.settings"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("q", "request_quit", "Quit", id="app.quit"),
    ]

    def __init__(self, loaded: LoadedConfig, connection: Connection | None = None, *,
                 history_path: Path | None = None, store: HistoryStore | None = None,
                 pacing: Pacing | None = None, demo: bool = False,
                 seeds: Sequence[GenerationRequest] = (), clock: Callable[[], float] = time.time,
                 animate: bool = True, track: bool = True, board_limit: int = 1000,
                 cli_base_url: str | None = None) -> None:
        super().__init__()
        self.loaded = loaded
        self.connection = connection
        self.history_path = history_path
        self._given_store = store
        self._store: Session | None = None
        self._pacing_override = pacing
        self.demo = demo
        self.seeds = list(seeds)
        self.clock = clock
        self.animate = animate
        self.track = track
        self.board_limit = board_limit
        self.cli_base_url = cli_base_url
        self.core: Session | None = None
        self.board: BoardScreen | None = None
        self.status = TrackerStatus()
        self.counts: dict[str, int] = {}
        self._counts_dirty = False
        self._counts_timer: Timer | None = None
        self._stack: contextlib.AsyncExitStack | None = None
        self._tracker_worker: Worker[None] | None = None
        self.palette = Palette()
        self._apply_theme(loaded.config.ui.theme, announce=False)

    # -- the core ----------------------------------------------------------------------------

    @property
    def store(self) -> Session:
        assert self._store is not None, "the history is not open"
        return self._store

    @property
    def pacing(self) -> Pacing:
        return self._pacing_override or pacing_from(self.loaded.config)

    async def on_mount(self) -> None:
        self.palette = Palette.from_variables(self.theme_variables)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._apply_keymap()
        for problem in self.loaded.problems:
            if "api.token" in problem:  # never echo what was written there
                problem = f"{self.loaded.path}: api.token is not valid; it is ignored"
            self.notify(problem, title="Config", severity="warning", timeout=12, markup=False)
        if self.connection is None:
            self.push_screen(WelcomeScreen(self.loaded.path), callback=self._welcome_done)
        else:
            await self._start(self.connection)

    async def _start(self, connection: Connection) -> None:
        self.connection = connection
        if self._store is None:
            try:
                self._store = Session(self.loaded, store=self._given_store,
                                      history_path=self.history_path, pacing=self.pacing)
                notice = self._store.open_history()
            except HistoryError as error:
                self.exit(return_code=1, message=str(error))
                return
            if notice:
                self.notify(notice, title="History", severity="warning",
                            timeout=30, markup=False)
        await self._open_core(connection)
        self.counts = self.store.counts_by_state()
        if self.board is None:
            self.board = BoardScreen()
            await self.push_screen(self.board)
        for request in self.seeds:
            self.submit(request)
        self.seeds = []

    async def _open_core(self, connection: Connection) -> None:
        session = self.store
        await session.connect(connection)
        stack = contextlib.AsyncExitStack()
        stack.callback(session.subscribe(self._forward))
        stack.push_async_callback(session.disconnect)
        self._stack, self.core = stack, session
        self.status = session.status
        if self.track:
            self._tracker_worker = self.run_worker(session.run_tracker(), name="tracker",
                                                   group="tracker", exit_on_error=False)

    async def _close_core(self) -> None:
        worker, self._tracker_worker = self._tracker_worker, None
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await worker.wait()
        stack, self._stack, self.core = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    async def on_unmount(self) -> None:
        if self._counts_timer is not None:  # it would read a closed store
            self._counts_timer.stop()
            self._counts_timer = None
        await self._close_core()
        store, self._store = self._store, None
        if store is not None:
            store.close_history()

    def _forward(self, event: TrackerEvent) -> None:
        """The tracker's listener (called on this event loop): one message per event."""
        self.post_message(TrackerUpdate(event))

    def on_tracker_update(self, message: TrackerUpdate) -> None:
        event = message.event
        self.status = event.status
        board = self.board
        for row in event.rows:
            self._announce(board.row(row.id) if board else None, row)
        if event.rows:
            self._counts_dirty = True
            if board is not None:
                board.apply_rows(event.rows)
            if self._counts_timer is None:  # recount soon, at most a few times a second
                self._counts_timer = self.set_timer(0.2, self._recount)
        if board is not None:
            board.refresh_status()

    def _recount(self) -> None:
        self._counts_timer = None
        if self._counts_dirty and self._store is not None:
            self._counts_dirty = False
            self.counts = self.store.counts_by_state()
            if self.board is not None:
                self.board.refresh_status()

    def _announce(self, old: Row | None, new: Row) -> None:
        """A notification (and maybe the bell) when a task ends or its submission is lost."""
        before = old.state if old is not None else None
        if new.state == before:
            return
        what = f"#{new.id} {_short(new.prompt)}"
        if new.state in FINAL_STATES and before not in FINAL_STATES:
            if new.state == State.SUCCEEDED:
                self.notify(what, title="Video ready", markup=False)
            elif new.state == State.FAILED:
                reason = printable(new.error_message or new.error_code or "no reason given")
                self.notify(f"{what}\n{reason}", title="Generation failed", severity="error",
                            timeout=10, markup=False)
            else:
                self.notify(f"{what}\n{printable(new.error_message or new.state)}",
                            title=f"Task {new.state}", severity="warning", timeout=10,
                            markup=False)
            if not self.app_focus or self.loaded.config.ui.bell:
                self.bell()
        elif new.state == State.UNKNOWN:
            self.notify(f"{what}\nNo answer came for this submission: it may or may not exist. "
                        "It is not resent; wan-tui looks for it in the account's tasks.",
                        title="Submission unknown", severity="warning", timeout=15,
                        markup=False)

    def status_text(self, filter_label: str | None = None) -> Text:
        return status_text(self.counts, self.status, self.clock(), self.palette, demo=self.demo,
                           filter_label=filter_label, connected=self.core is not None)

    # -- submitting ----------------------------------------------------------------------------

    def new_generation(self, action: str, prefill: GenerationRequest | None = None) -> None:
        self.push_screen(GenerationForm(action, self.loaded.config, prefill=prefill),
                         callback=self._form_done)

    def _form_done(self, request: GenerationRequest | None) -> None:
        if request is not None:
            self.submit(request)

    def submit(self, request: GenerationRequest) -> Worker[Row] | None:
        """Send through the tracker in a worker; the row shows at once as `submitting`."""
        if self.core is None:
            self.notify("Not connected: nothing was sent.", severity="error")
            return None
        return self.run_worker(self.core.submit(request), name="submit",
                               group="submit", exit_on_error=False)

    def download(self, row: Row) -> None:
        """Save the row's video in the downloads folder, in a worker; say where."""
        folder = self.loaded.config.downloads.dir

        async def save() -> None:
            try:
                saved = await self.store.download(row, folder)
            except DownloadError as error:
                self.notify(str(error), title="Not downloaded", severity="error", markup=False)
                return
            if self.board is not None:
                self.board.apply_rows([saved])
            self.notify(f"#{row.id} saved to {saved.local_path}", title="Downloaded",
                        markup=False)

        self.notify(f"Downloading the video of #{row.id}…", markup=False)
        self.run_worker(save(), name="download", group="download", exit_on_error=False)

    def sending(self) -> int:
        """Submissions not answered yet (sent, or waiting for a free slot)."""
        waiting = sum(1 for w in self.workers
                      if w.group == "submit" and w.state in (WorkerState.PENDING,
                                                             WorkerState.RUNNING))
        return max(waiting, self.status.submitting)

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

    # -- screens -------------------------------------------------------------------------------

    def is_main_screen(self, screen: Screen[Any] | None = None) -> bool:
        screen = screen if screen is not None else self.screen
        return isinstance(screen, (BoardScreen, WelcomeScreen, HistoryScreen))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("request_quit", "settings", "help"):
            return self.is_main_screen()
        return True

    def _welcome_done(self, result: str | None) -> None:
        if result == DEMO:
            self.exit(DEMO_REQUESTED)
        elif result == SAVED:
            self.reload_config()
            settings = resolve_settings(self.loaded, cli_base_url=self.cli_base_url)
            if settings.token:
                self.notify("Token saved. Welcome!", markup=False)
                self.call_later(self._start, Connection(settings.base_url, settings.token))
            else:
                self.push_screen(WelcomeScreen(self.loaded.path), callback=self._welcome_done)

    def open_history(self) -> None:
        if self._store is None:
            return
        self.push_screen(HistoryScreen(self.store, self.palette, self.clock),
                         callback=self._history_done)

    def _history_done(self, choice: HistoryChoice | None) -> None:
        if choice is None or self.board is None:
            return
        current = self.store.get(choice.row.id) or choice.row
        if choice.action == "rerun":
            self.board.show_row(current)
            self.board.action_rerun()
        else:
            self.board.show_row(current)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_sections(), footnote=(
            "Remap keys by id in the config's [keymap] table, e.g. \"board.new_text\" = "
            "\"ctrl+n\" (several keys: \"ctrl+n,f5\").")))

    def action_settings(self) -> None:
        self.push_screen(SettingsScreen(self.loaded.path), callback=self._settings_done)

    def _settings_done(self, saved: bool | None) -> None:
        if saved:
            self.reload_config()
            self.notify("Settings saved.")

    # -- configuration ---------------------------------------------------------------------

    def reload_config(self) -> None:
        """Read the config file again and apply theme, keymap, polling and connection."""
        self.loaded = load_config(self.loaded.path)
        for problem in self.loaded.problems:
            if "api.token" not in problem:
                self.notify(problem, title="Config", severity="warning", markup=False)
        self._apply_theme(self.loaded.config.ui.theme)
        self._apply_keymap()
        core = self.core
        if self._store is not None:
            self._store.loaded = self.loaded
            self._store.reload_config()
        if core is not None and not self.demo and self.connection is not None:
            settings = resolve_settings(self.loaded, cli_base_url=self.cli_base_url)
            new_connection = Connection(settings.base_url, settings.token or "")
            if settings.token and new_connection != self.connection:
                self._reconnect(new_connection)

    def _reconnect(self, connection: Connection) -> None:
        if self.sending():
            self.notify("The new token or address applies once the submissions being sent "
                        "are answered; reopen wan-tui then.", severity="warning")
            return

        async def reconnect() -> None:
            await self._close_core()
            self.connection = connection
            await self._open_core(connection)
            self.notify("Reconnected with the new settings.")

        self.run_worker(reconnect(), name="reconnect", group="core", exit_on_error=False)

    def _apply_keymap(self) -> None:
        self.set_keymap(dict(self.loaded.config.keymap))

    def _apply_theme(self, name: str, announce: bool = True) -> None:
        if name == self.theme:
            return
        if self.get_theme(name) is None:
            if announce:
                self.notify(f"Unknown theme {name!r}; keeping {self.theme}.", severity="warning",
                            markup=False)
            return
        self.theme = name

    def _theme_changed(self, theme: Theme) -> None:
        self.palette = Palette.from_variables(self.theme_variables)
        if self.board is not None:
            self.board.restyle()
        if theme.name != self.loaded.config.ui.theme and not self.loaded.broken:
            # A theme picked in the palette is remembered, like one picked in settings.
            try:
                self.loaded = save_values({"ui.theme": theme.name}, self.loaded.path)
            except (ConfigError, OSError) as error:
                self.notify(f"Theme not saved: {error}", severity="warning", markup=False)

    def key_sections(self) -> KeySections:
        keymap = dict(self.loaded.config.keymap)

        def rows(bindings: Sequence[Any]) -> list[tuple[str, str, str]]:
            out = []
            for binding in bindings:
                if not isinstance(binding, Binding) or not binding.id:
                    continue
                keys = keymap.get(binding.id, binding.key)
                shown = "  ".join(self.get_key_display(Binding(key.strip(), binding.action))
                                  for key in keys.split(","))
                out.append((shown, binding.description or binding.action, binding.id))
            return out

        return [
            ("Board", rows([*BoardScreen.BINDINGS, *TaskTable.BINDINGS])),
            ("History", rows([*HistoryTable.BINDINGS, *HistoryScreen.BINDINGS])),
            ("Everywhere", [*rows(WanApp.BINDINGS),
                            ("ctrl+p", "Command palette", ""), ("ctrl+q", "Quit", ""),
                            ("tab", "Next field", "")]),
        ]

    # -- crashes ----------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        self._crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """A bug of ours: no traceback (whose locals could hold the token) on the terminal;
        the traceback, without locals, goes to a file the message names."""
        self.bell()
        error = getattr(self, "_crash", None)
        text = "".join(traceback.format_exception(error)) if error else traceback.format_exc()
        if self.connection is not None and self.connection.token:
            text = text.replace(self.connection.token, "…")
        try:
            with tempfile.NamedTemporaryFile("w", prefix="wan-tui-crash-", suffix=".txt",
                                             delete=False) as handle:
                handle.write(text)
            where = f"the details are in {handle.name}"
        except OSError:
            where = "the details could not be saved"
        self._exit_renderables.append(
            f"wan-tui hit an internal error and closed; {where} (it holds no token). "
            "Tasks already submitted stay in the history: `wan-tui wait --all` follows them.")
        self._close_messages_no_wait()

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
        plural = "submission is" if sending == 1 else "submissions are"
        self.push_screen(ConfirmScreen(
            "Quit while sending?",
            f"{sending} {plural} still being sent. If you quit now, the service may create "
            f"{'it' if sending == 1 else 'them'} (and bill {'it' if sending == 1 else 'them'}) "
            "without wan-tui hearing back; it will look for them next time.",
            yes="Quit anyway", no="Stay"), callback=self._confirm_quit)

    def _confirm_quit(self, yes: bool | None) -> None:
        if yes:
            self.exit()
