"""The core a front end stands on: store, client and tracker, opened and closed together.

The CLI and the TUI both open a `Core`; neither speaks HTTP or SQL itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from .api.client import RetryPolicy, WanClient
from .callbacks import CallbackReceiver
from .store.history import HistoryStore
from .tracker import Pacing, Tracker


@dataclass(frozen=True)
class Connection:
    """Where to send requests and with which token (already resolved by precedence)."""

    base_url: str
    token: str


@dataclass
class Core:
    store: HistoryStore
    client: WanClient
    tracker: Tracker
    callbacks: CallbackReceiver | None = None


@contextlib.asynccontextmanager
async def open_core(
    connection: Connection,
    *,
    pacing: Pacing | None = None,
    store: HistoryStore | None = None,
    history_path: Path | None = None,
    retry: RetryPolicy | None = None,
    poll: bool = True,
    callback_listen: str | None = None,
    callback_public_url: str | None = None,
) -> AsyncIterator[Core]:
    """Open everything; with `poll`, the tracker's loop runs until the block ends.

    With `callback_listen` (HOST:PORT), a callback receiver runs too, and every submission
    without a callback_url of its own gets one of its secret paths.
    """
    own_store = store is None
    store = store or HistoryStore(history_path)
    client = WanClient(connection.base_url, connection.token, retry=retry)
    tracker = Tracker(client, store, pacing)
    receiver = None
    if callback_listen:
        receiver = CallbackReceiver(callback_listen, callback_public_url, tracker.on_callback)
        await receiver.start()
        tracker.attach_callbacks(receiver)
    loop_task = asyncio.create_task(tracker.run(), name="wan-tui tracker") if poll else None
    try:
        yield Core(store=store, client=client, tracker=tracker, callbacks=receiver)
    finally:
        if receiver is not None:
            await receiver.stop()
        if loop_task is not None:
            loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop_task
        await client.aclose()
        if own_store:
            store.close()
