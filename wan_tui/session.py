"""The session: the one front door through which the CLI and the TUI reach the core.

A front end never calls the HTTP client, never writes the history and never touches the
tracker's insides: it asks the session. The session opens the history at once (history
commands need no token), connects to the service on demand, and offers every operation:
settings, requests over the config's defaults, submitting, looking tasks up, waiting,
downloading, deleting, and the history's queries.

    form / CLI -> GenerationRequest -> Session.submit -> Tracker.submit -> store + client
    Tracker poll loop -> store -> TrackerEvent -> Session.subscribe listeners -> UI / CLI
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from dataclasses import replace
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .api.models import GenerationRequest
from .defaults import Connection, pacing_from, request_over_defaults
from .api.state import ACTIVE_STATES
from .store.config import (
    Config,
    LoadedConfig,
    Settings,
    load_config,
    resolve_settings,
    save_values,
    set_value,
    unset_value,
)
from .store.errors import HistoryError
from .store.history import HistoryStore
from .store.query import QueryError, parse_date, parse_query, parse_until
from .store.reading import ChangeMarker
from .store.search import Filters
from .store.rows import Row
from .tracking import Pacing, TrackerEvent, TrackerStatus, UnknownTask
from .workbench import Workbench

if TYPE_CHECKING:  # the client, its tracker and httpx come with `connect`, after the first frame
    from .api.errors import WanError
    from .api.client import RetryPolicy, WanClient
    from .autosave import AutoSaver
    from .callbacks import CallbackError, CallbackReceiver, parse_listen
    from .media import DownloadError, OpenError, Progress, Saved
    from .store.health import SpendLine
    from .store.transfer import ImportRefused
    from .sync import SyncProgress, SyncResult
    from .tracker import Tracker

# What front ends import from here but the board's first frame does not use: each loads on
# first use (PEP 562), so that start-up imports only what that frame needs.
_ON_FIRST_USE = {
    "CallbackError": "callbacks", "parse_listen": "callbacks", "DownloadError": "media",
    "OpenError": "media", "Saved": "media", "SpendLine": "store.health",
    "ImportRefused": "store.transfer", "SyncResult": "sync",
}


def __getattr__(name: str) -> object:
    if name not in _ON_FIRST_USE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_ON_FIRST_USE[name]}", __package__), name)


Listener = Callable[[TrackerEvent], None]
LOGIN_PROBE_ID = "wan-tui-login-check"  # looked up to test a token: queries are not billed
AUTO_SAVE_GRACE = 120.0  # seconds a closing session waits for auto-saves under way
__all__ = ["CallbackError", "ChangeMarker", "Connection", "DownloadError", "Filters",
           "HistoryError", "ImportRefused", "NotConnected", "OpenError", "Pacing", "QueryError", "Saved",
           "Session", "SpendLine", "SyncResult", "TrackerEvent", "TrackerStatus",
           "UnknownTask", "open_session", "pacing_from", "parse_date", "parse_listen",
           "parse_query", "parse_until",
           "request_over_defaults"]


class NotConnected(Exception):
    """An operation that needs the service was asked for before `connect()`."""


class Session(Workbench):
    """Every operation a front end may ask for. No Textual, no argparse.

    The history opens on first use (raises HistoryError with a message for users), so
    settings work without it; `connect()` adds the client and tracker; `close()` ends both.
    """

    def __init__(self, loaded: LoadedConfig, *, store: HistoryStore | None = None,
                 history_path: Path | None = None, pacing: Pacing | None = None) -> None:
        self.loaded = loaded
        self._pacing_override = pacing
        self._own_store = store is None
        self._history_path = history_path
        self._opened_store = store
        self._closed = False
        self.connection: Connection | None = None
        self._retry: RetryPolicy | None = None
        self._on_retry: Callable[[WanError, float], None] | None = None
        self._client: WanClient | None = None
        self._tracker: Tracker | None = None
        self._callbacks: CallbackReceiver | None = None
        self._listeners: list[Listener] = []
        self._autosaver: AutoSaver | None = None  # made when a finished video is to be saved
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def _store(self) -> HistoryStore:
        if self._opened_store is None:
            if self._closed:
                raise RuntimeError("the session is closed")
            self._opened_store = HistoryStore(self._history_path)
        return self._opened_store

    def open_history(self) -> str | None:
        """Open the history now (raises HistoryError); its notice, e.g. a file moved aside."""
        return self._store.notice

    # -- settings ----------------------------------------------------------------------------

    @property
    def config(self) -> Config:
        return self.loaded.config

    def pacing(self) -> Pacing:
        return self._pacing_override or pacing_from(self.config)

    def settings(self, *, cli_token: str | None = None,
                 cli_base_url: str | None = None) -> Settings:
        """Token and base URL by precedence: flag, environment, file, default."""
        return resolve_settings(self.loaded, cli_token=cli_token, cli_base_url=cli_base_url)

    def reload_config(self) -> LoadedConfig:
        """Read the config file again; the tracker takes the new pacing at its next round."""
        self.loaded = load_config(self.loaded.path)
        self._apply_pacing()
        return self.loaded

    def save_settings(self, values: Mapping[str, Any]) -> LoadedConfig:
        """Validate and write these keys (raises ConfigError or OSError), then apply them."""
        self.loaded = save_values(values, self.loaded.path)
        self._apply_pacing()
        return self.loaded

    def set_setting(self, key: str, raw_value: str) -> LoadedConfig:
        """`config set`: one key from its text form (raises ConfigError)."""
        self.loaded = set_value(key, raw_value, self.loaded.path)
        self._apply_pacing()
        return self.loaded

    def unset_setting(self, key: str) -> LoadedConfig:
        self.loaded = unset_value(key, self.loaded.path)
        self._apply_pacing()
        return self.loaded

    def _apply_pacing(self) -> None:
        if self._tracker is not None and self._pacing_override is None:
            self._tracker.set_pacing(pacing_from(self.config))

    def new_request(self, action: str, prompt: str = "",
                    typed: Mapping[str, Any] | None = None) -> GenerationRequest:
        return request_over_defaults(self.config, action, prompt, typed)

    # -- connection --------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self.connection is not None

    @property
    def tracker(self) -> Tracker:
        """The tracker and its client, made at their first use after `connect()`: importing
        them (~5 ms) is not for the app's first frame to wait for."""
        if self._tracker is None:
            if self.connection is None:
                raise NotConnected("not connected to the service")
            from .api.client import RetryPolicy, WanClient
            from .tracker import Tracker

            retry = self._retry or RetryPolicy()
            if self._on_retry is not None:
                retry = replace(retry, on_retry=self._on_retry)
            self._client = WanClient(self.connection.base_url, self.connection.token,
                                     retry=retry, timeout=self.config.api.timeout_seconds)
            self._tracker = Tracker(self._client, self._store, self.pacing())
            self._unsubscribe = self._tracker.subscribe(self._forward)
        return self._tracker

    async def connect(self, connection: Connection, *, retry: RetryPolicy | None = None,
                      on_retry: Callable[[WanError, float], None] | None = None,
                      callback_listen: str | None = None,
                      callback_public_url: str | None = None) -> None:
        """Use this connection; the client and tracker come at first use (`tracker`), the
        poll loop only in `run_tracker`. `on_retry` is told of each read retried (the
        error, the wait before it)."""
        await self.disconnect()
        self.connection, self._retry, self._on_retry = connection, retry, on_retry
        if callback_listen:
            from .callbacks import CallbackReceiver

            tracker = self.tracker
            receiver = CallbackReceiver(callback_listen, callback_public_url, tracker.on_callback)
            try:
                await receiver.start()
            except BaseException:
                await self.disconnect()  # not connected, as before the call
                raise
            tracker.attach_callbacks(receiver)
            self._callbacks = receiver

    async def verify(self, connection: Connection) -> None:
        """One free request with this token (raises WanError when refused); stays connected."""
        await self.connect(connection)
        await self.tracker.look_up_many([LOGIN_PROBE_ID])

    async def disconnect(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        receiver, self._callbacks = self._callbacks, None
        if receiver is not None:
            await receiver.stop()
        client, self._client, self._tracker = self._client, None, None
        self.connection = None
        if client is not None:
            await client.aclose()

    async def run_tracker(self) -> None:
        """The poll loop, until cancelled. Front ends run it as one long-lived task."""
        await self.tracker.run()

    async def close(self) -> None:
        if self._autosaver is not None:
            await self._autosaver.finish(AUTO_SAVE_GRACE)
        await self.disconnect()
        self.close_history()

    def close_history(self) -> None:
        store, self._opened_store = self._opened_store, None
        self._closed = True
        if store is not None and self._own_store:
            store.close()

    # -- events ------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Called (on the event loop) with each batch of changed rows; survives reconnects."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _forward(self, event: TrackerEvent) -> None:
        for listener in list(self._listeners):
            listener(event)
        if self.config.downloads.auto and event.rows:
            if self._autosaver is None:
                from .autosave import AutoSaver
                self._autosaver = AutoSaver(
                    self.download, lambda row: self._forward(TrackerEvent([row], self.status)))
            self._autosaver.consider(event.rows)

    @property
    def status(self) -> TrackerStatus:
        return self._tracker.status if self._tracker is not None else TrackerStatus()

    @property
    def sending(self) -> int:
        """Submissions not answered yet."""
        return self._tracker.status.submitting if self._tracker is not None else 0

    # -- generations -------------------------------------------------------------------------

    async def submit(self, request: GenerationRequest) -> Row:
        """Record, then send once; the row in its new state. Never resent."""
        return await self.tracker.submit(request)

    async def look_up(self, task_id: str) -> Row:
        """Ask the service about one task now and record what it says (raises WanError)."""
        return await self.tracker.look_up(task_id)

    async def look_up_many(self, task_ids: Sequence[str]) -> tuple[list[Row], list[str]]:
        """Ask about these tasks now: (rows found, ids the service does not know)."""
        return await self.tracker.look_up_many(task_ids)

    async def follow(self, task_id: str) -> Row:
        """The row of this task, learnt from the service when new here; polled while active."""
        row = self._store.by_task_id(task_id) or await self.look_up(task_id)
        if row.state in ACTIVE_STATES and row.task_id:
            self.tracker.track(row.task_id, now=True)
        return row

    def unsettled(self) -> list[int]:
        """Local ids of everything still to settle: active tasks and unknown submissions."""
        self.tracker.resume()
        return [r.id for r in self._store.active()] + sorted(self.tracker.reconciling())

    async def wait(self, local_ids: Collection[int], timeout: float | None = None) -> bool:
        """Until every row is settled; False on timeout. Needs `run_tracker` going."""
        return await self.tracker.wait_for(local_ids, timeout)

    async def download(self, row: Row, folder: Path | None = None,
                       progress: Progress | None = None) -> Saved:
        """Save the row's video (into downloads.dir unless told), resuming a partial file;
        found, not fetched, when already saved there."""
        from .media import save_video
        return await save_video(self._store, row, folder or self.config.downloads.dir,
                                progress=progress, sidecar=self.config.downloads.sidecar)

    def open_video(self, row: Row) -> str:
        """Open the saved file or the video link in media.player or the system's opener;
        what was opened (raises OpenError when nothing here can)."""
        from .media import open_video
        return open_video(row, self.config.media.player)

    def delete(self, task_id: str) -> bool:
        """Remove a task from the local history (not from the service)."""
        return self._store.delete(task_id)

    async def delete_remote(self, task_id: str) -> Row | None:
        """Delete the task on the service too (irreversible: ask first); the row says so."""
        return await self.tracker.delete_remote(task_id)

    async def sync(self, since: float | None = None,
                   progress: SyncProgress | None = None) -> SyncResult:
        """Merge the account's tasks (web app, other machines) into the history."""
        return await self.tracker.sync(since, progress)


@contextlib.asynccontextmanager
async def open_session(loaded: LoadedConfig, connection: Connection | None = None, *,
                       poll: bool = True, **options: Any) -> AsyncIterator[Session]:
    """A session for one command: connected when given a connection, polling with `poll`;
    `options` go to `Session` (store, history_path, pacing) or to `connect`."""
    own = {k: options.pop(k) for k in ("store", "history_path", "pacing") if k in options}
    session = Session(loaded, **own)
    loop_task: asyncio.Task[None] | None = None
    try:
        if connection is not None:
            await session.connect(connection, **options)
            if poll:
                loop_task = asyncio.create_task(session.run_tracker(), name="wan-tui tracker")
        yield session
    finally:
        if loop_task is not None:
            loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop_task
        await session.close()
