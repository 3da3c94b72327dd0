"""Cancellation is never turned into an ordinary error: the poll loop that catches every
error must still stop when cancelled (issue 10, defect 5: `generate x` never exiting)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from wan_tui.api.client import RetryPolicy, WanClient
from wan_tui.api.models import GenerationRequest
from wan_tui.store.history import HistoryStore
from wan_tui.tracker import Pacing, Tracker

TOKEN = "tk_test_cancel_0123456789"
HANG_GUARD = 30.0  # seconds: only there so a regression fails instead of hanging the suite


class LosesCancellation(httpx.AsyncBaseTransport):
    """A transport (like a library under a race) that turns its cancellation into another
    error: a connection error, or an exception group holding the CancelledError."""

    def __init__(self, how: str) -> None:
        self.how = how
        self.started = asyncio.Event()
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.started.set()
        if self.lost:  # lose it once; later calls are cancellable, so a failing test can end
            await asyncio.sleep(3600)
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError as cancelled:
            self.lost += 1
            if self.how == "group":
                raise BaseExceptionGroup("connect attempts", [cancelled, OSError("refused")])
            raise httpx.ConnectError("All connection attempts failed") from None
        raise AssertionError("unreachable")


def client_with(transport: httpx.AsyncBaseTransport) -> WanClient:
    return WanClient("http://wan.test", TOKEN, http=httpx.AsyncClient(transport=transport),
                     retry=RetryPolicy(attempts=1))


@pytest.mark.parametrize("how", ["connect_error", "group"])
async def test_a_cancelled_read_raises_cancelled_error(how: str) -> None:
    transport = LosesCancellation(how)
    async with client_with(transport) as client:
        reading = asyncio.create_task(client.retrieve("t"))
        await transport.started.wait()
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            async with asyncio.timeout(HANG_GUARD):
                await reading


@pytest.mark.parametrize("how", ["connect_error", "group"])
async def test_a_loop_that_catches_every_error_still_stops(how: str) -> None:
    transport = LosesCancellation(how)
    errors: list[Exception] = []

    async def poll_forever(client: WanClient) -> None:
        while True:
            try:
                await client.list_tasks(retry=False)
            except Exception as error:  # what the tracker's loop does
                errors.append(error)

    async with client_with(transport) as client:
        loop = asyncio.create_task(poll_forever(client))
        await transport.started.wait()
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            async with asyncio.timeout(HANG_GUARD):
                await loop
    assert errors == []


async def test_the_tracker_stops_while_looking_for_an_unknown_submission(tmp_path: Path) -> None:
    transport = LosesCancellation("group")
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        local = store.add_submission(GenerationRequest(action="text2video", model="wan2.6-t2v",
                                                       prompt="lost"))
        store.mark_unknown(local, "no answer")
        async with client_with(transport) as client:
            tracker = Tracker(client, store, Pacing(max_requests_per_second=50))
            running = asyncio.create_task(tracker.run())
            await transport.started.wait()  # the reconciliation's listing is in flight
            running.cancel()
            with pytest.raises(asyncio.CancelledError):
                async with asyncio.timeout(HANG_GUARD):
                    await running


async def test_our_own_deadline_is_a_timeout_not_a_cancellation() -> None:
    transport = LosesCancellation("connect_error")
    async with WanClient("http://wan.test", TOKEN, timeout=0.05, retry=RetryPolicy(attempts=1),
                         http=httpx.AsyncClient(transport=transport)) as client:
        from wan_tui.api.errors import NoAnswerInTime, NotSent

        with pytest.raises((NoAnswerInTime, NotSent)):
            await client.retrieve("t")
