"""The task tracker: the only thing that talks to /wan/tasks, one polite loop for all tasks.
It submits (write-ahead row, never a resend), polls every unfinished task in batches of 50 ids
inside a request budget, survives faults and restarts, and tells subscribers what changed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace

from .api.client import BATCH_LIMIT, WanClient
from .callbacks import CallbackReceiver
from .api.errors import ApiError, BadRequest, WanError
from .api.models import GenerationRequest
from .api.state import ACTIVE_STATES, FINAL_STATES, State
from .api.task import TaskSnapshot, read_task
from .reconcile import Reconciler
from .sending import send_once
from .sync import SyncProgress, SyncResult, sync_account
from .store.errors import HistoryError
from .store.history import HistoryStore
from .store.rows import Row
from .tracking import (
    Listener,
    Pacing,
    TrackerEvent,
    TrackerStatus,
    UnknownTask,
    failure_pause,
    trouble_text,
    wait_settled,
)

log = logging.getLogger(__name__)

EXPIRE_AFTER = 24 * 3600.0  # task ids expire upstream after about a day
RESCAN_EVERY = 5.0  # seconds between looks at the store for tasks another process added
CALLBACK_SLOWDOWN = 4.0  # tasks that will call back are polled this much less often


class Tracker:
    """Owns all polling for one process. Start `run()` as one long-lived task."""

    def __init__(
        self,
        client: WanClient,
        store: HistoryStore,
        pacing: Pacing | None = None,
        *,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.store = store
        self.pacing = pacing or Pacing()
        self._wall = wall
        self._mono = monotonic
        self._due: dict[str, float] = {}  # task id -> monotonic time of its next look
        self._suspects: list[str] = []  # missing from a batch answer: look up alone once
        self._listeners: list[Listener] = []
        self._wake = asyncio.Event()
        self._submit_slots = asyncio.Semaphore(self.pacing.max_in_flight)
        self._next_request = 0.0  # monotonic time the budget allows the next request
        self._failures = 0
        self._reconciler = Reconciler(client, store, pause=self._budget_pause, wall=wall,
                                      monotonic=monotonic)
        self._callbacks: CallbackReceiver | None = None
        self._calling_back: set[str] = set()  # task ids that will call back
        self._expiring: set[str] = set()  # a day old: one last look, then expired
        self._resumed = False
        self.status = TrackerStatus()

    # -- subscribers -------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, rows: Iterable[Row] = ()) -> None:
        event = TrackerEvent(rows=list(rows), status=self.status)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # one broken subscriber must not stop polling
                log.exception("tracker listener failed")

    def _set_status(self, **changes: object) -> None:
        changes.setdefault("tracked", len(self._due))
        tracked = int(changes["tracked"])  # type: ignore[call-overload]
        changes["round_seconds"] = -(-tracked // BATCH_LIMIT) / self.pacing.max_requests_per_second
        new = replace(self.status, **changes)  # type: ignore[arg-type]
        if new != self.status:
            self.status = new
            self._emit()

    # -- submitting --------------------------------------------------------------------------

    async def submit(self, request: GenerationRequest) -> Row:
        """Record, then send once. Returns the row in its new state; never raises for the API."""
        request.to_body()  # raises InvalidRequest before anything is recorded or sent
        async with self._submit_slots:
            # Written when a slot is free, so "submitting" means "being sent": a process
            # killed mid-batch leaves at most max_in_flight rows of unknown fate.
            local_id = self.store.add_submission(request)
            row = self.store.get(local_id)
            assert row is not None
            self._emit([row])
            self._set_status(submitting=self.status.submitting + 1)
            try:
                row = await self._send(local_id, request)
            finally:
                self._set_status(submitting=self.status.submitting - 1)
        self._emit([row])
        return row

    def attach_callbacks(self, receiver: CallbackReceiver) -> None:
        """Give every submission without its own callback_url one of ours."""
        self._callbacks = receiver

    def on_callback(self, task_id: str, result: dict[str, object]) -> None:
        """A verified callback: the task has ended, with this response."""
        self._calling_back.discard(task_id)
        snapshot = read_task({"id": task_id, "response": result, "finished_at": self._wall(),
                              "trace_id": result.get("trace_id")}, scrub=self.client.scrub)
        self._apply([snapshot], self._mono())

    async def _send(self, local_id: int, request: GenerationRequest) -> Row:
        secret = None
        if self._callbacks is not None and request.callback_url is None:
            secret, url = self._callbacks.new_url()
            request = replace(request, callback_url=url)
        row = await send_once(self.client, self.store, local_id, request,
                              rate_limit_retries=self.pacing.rate_limit_retries,
                              reconcile=self._reconcile_later)
        if row.task_id and row.state in ACTIVE_STATES:
            self.track(row.task_id)
        if secret is not None and self._callbacks is not None:
            if row.task_id and row.state not in FINAL_STATES:
                self._calling_back.add(row.task_id)
                self._callbacks.expect(secret, row.task_id)
            else:
                self._callbacks.forget(secret)
        return row

    def _reconcile_later(self, local_id: int) -> None:
        self._reconciler.schedule(local_id)
        self._wake.set()

    def set_pacing(self, pacing: Pacing) -> None:
        """New budget and intervals, read at the next round (submission slots stay as made)."""
        self.pacing = replace(pacing, max_in_flight=self.pacing.max_in_flight)
        self._wake.set()

    # -- looking up ----------------------------------------------------------------------------

    async def look_up(self, task_id: str) -> Row:
        """A user's question about one task: ask now, record the answer (raises WanError)."""
        try:
            snapshot = await self.client.retrieve(task_id)
        except ApiError as error:
            if isinstance(error, BadRequest) or error.status == 404:
                raise UnknownTask(task_id, trace_id=error.trace_id,
                                  server_message=error.server_message) from None
            raise
        self._apply([snapshot], self._mono())
        row = self.store.by_task_id(snapshot.task_id)
        assert row is not None  # apply_snapshots records tasks made elsewhere
        return row

    async def look_up_many(self, task_ids: Sequence[str]) -> tuple[list[Row], list[str]]:
        """Ask now: (the rows, the ids the service does not know)."""
        ids = list(dict.fromkeys(task_ids))
        found = await self.client.retrieve_batch(ids)
        self._apply(found.values(), self._mono())
        rows = [r for r in (self.store.by_task_id(i) for i in ids if i in found) if r]
        return rows, [i for i in ids if i not in found]

    async def sync(self, since: float | None = None,
                   progress: SyncProgress | None = None) -> SyncResult:
        """Record the account's tasks (made anywhere) in the history, inside the budget."""
        await self._budget_pause()
        result = await sync_account(self.client, self.store, since=since,
                                    pause=self._budget_pause, progress=progress,
                                    adopt=self._adopt_listed)
        self._rescan()  # follow the unfinished ones it found
        return result

    async def delete_remote(self, task_id: str) -> Row | None:
        """Delete the task's record on the service (irreversible); the local row says so."""
        await self.client.delete(task_id)
        self._due.pop(task_id, None)
        row = self.store.mark_remote_deleted(task_id)
        if row is not None:
            self._emit([row])
        return row

    # -- tracking ----------------------------------------------------------------------------

    def track(self, task_id: str, *, now: bool = False) -> None:
        """Poll this task (already in the store) until it ends."""
        if task_id not in self._due:
            self._due[task_id] = self._mono() + (0.0 if now else self.pacing.first_poll)
            self._wake.set()

    def resume(self) -> None:
        """Pick up what an earlier process left: unfinished tasks, interrupted submissions."""
        if self._resumed:
            return
        interrupted = self.store.recover_interrupted()  # may raise: tried again later
        self._resumed = True
        self._reconciler.schedule_soon(r.id for r in interrupted)
        self._reconciler.schedule_soon(
            r.id for r in self.store.search(states=[State.UNKNOWN],
                                            since=self._wall() - EXPIRE_AFTER, limit=1000))
        self._rescan()
        if interrupted:
            self._emit(interrupted)

    def _rescan(self) -> None:
        """Track what another process added; give day-old tasks one last look."""
        now = self._mono()
        cutoff = self._wall() - EXPIRE_AFTER
        for _, task_id, created_at in self.store.active_ids():  # ids only: cheap at 10,000
            if created_at < cutoff and task_id not in self._expiring:
                # It may have finished while nobody looked: read it once before giving up.
                self._expiring.add(task_id)
                self._due[task_id] = now
            elif task_id not in self._due:
                self._due[task_id] = now

    def _expire(self, task_ids: Iterable[str]) -> list[Row]:
        ids = [t for t in task_ids if t in self._expiring]
        for task_id in ids:
            self._expiring.discard(task_id)
            self._due.pop(task_id, None)
        if not ids:
            return []
        return self.store.mark_states(
            ids, State.EXPIRED, "no result 24 hours after submission; the task id has expired")

    async def run(self) -> None:
        """The poll loop, until cancelled; a locked or full history is trouble, not its end."""
        rescan_at = self._mono()
        while True:
            now = self._mono()
            if now >= rescan_at:
                rescan_at = now + RESCAN_EVERY
                try:
                    self.resume()  # does something only the first time
                    self._rescan()
                except HistoryError as error:
                    self._set_status(trouble=str(error), trouble_code="history")
            wait = self._next_request - now
            if wait <= 0:
                work = self._next_work(now)
                if work is not None:
                    await self._spend_request(work)
                    continue
                wait = min([RESCAN_EVERY, *[t - now for t in self._due.values()],
                            *[t - now for t in self._reconciler.next_due()]])
            await self._sleep(max(wait, 0.005))

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that
        # lands as the wait ends, and the loop would never stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    def _next_work(self, now: float) -> Callable[[], object] | None:
        """What the next request should be, or None when nothing is due."""
        if self._suspects:
            task_id = self._suspects.pop(0)
            return lambda: self._look_alone(task_id)
        if any(when <= now for when in self._due.values()):
            # Oldest-refreshed first; fill the rest of the request with tasks due soon, since
            # ids are free and requests are what the budget counts.
            horizon = now + self.pacing.interval / 3
            ordered = sorted(self._due, key=self._due.__getitem__)[:BATCH_LIMIT]
            batch = [t for t in ordered if self._due[t] <= horizon]
            return lambda: self._poll(batch)
        ready = self._reconciler.ready(now)
        if ready:
            return lambda: self._reconcile(ready)
        return None

    async def _spend_request(self, work: Callable[[], object]) -> None:
        self._next_request = self._mono() + 1.0 / self.pacing.max_requests_per_second
        self._set_status(requests=self.status.requests + 1)
        try:
            await work()  # type: ignore[misc]
        except Exception as error:  # noqa: BLE001 - the loop must never die
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                # A cancellation a library turned into an error: the loop is being stopped.
                raise asyncio.CancelledError from error
            self._on_failure(error)
            return
        self._failures = 0
        if self.status.trouble or self.status.paused_until:
            self._set_status(trouble=None, trouble_code=None, paused_until=None)

    def _on_failure(self, error: Exception) -> None:
        """Pause or back off after a failed request, and say why on the status line."""
        if not isinstance(error, WanError):  # a bug of ours: keep polling, but loudly
            log.error("tracker request failed", exc_info=error)
        self._failures += 1
        pause, rate_limited = failure_pause(error, self._failures)
        self._next_request = self._mono() + pause
        self._set_status(paused_until=self._wall() + pause if rate_limited else None,
                         trouble=trouble_text(error),
                         trouble_code=error.code if isinstance(error, WanError) else "internal")

    async def _poll(self, ids: list[str]) -> None:
        found = await self.client.fetch_batch(ids, retry=False)
        now = self._mono()
        for task_id in ids:
            if task_id not in found:
                self._due.pop(task_id, None)
                self._suspects.append(task_id)
        self._apply(found.values(), now)

    async def _look_alone(self, task_id: str) -> None:
        try:
            snapshot = await self.client.retrieve(task_id, retry=False)
        except ApiError as error:
            # Only "no such task" makes it lost; a refused token or account is not its fault.
            if isinstance(error, BadRequest) or error.status == 404:
                self._expiring.discard(task_id)
                rows = self.store.mark_states(
                    [task_id], State.LOST,
                    f"the service no longer knows this task id ({error.server_message or error.message})",
                )
                self._emit(rows)
                return
            self._suspects.append(task_id)
            raise
        except WanError:
            self._suspects.append(task_id)
            raise
        self._apply([snapshot], self._mono())

    def _apply(self, snapshots: Iterable[TaskSnapshot], now: float) -> None:
        snapshots = list(snapshots)
        for snap in snapshots:
            if snap.state in FINAL_STATES:
                self._due.pop(snap.task_id, None)
                self._calling_back.discard(snap.task_id)
                self._expiring.discard(snap.task_id)
            else:
                slowdown = CALLBACK_SLOWDOWN if snap.task_id in self._calling_back else 1.0
                self._due[snap.task_id] = now + self.pacing.interval * slowdown
        rows = self.store.apply_snapshots(snapshots)
        rows += self._expire(s.task_id for s in snapshots if s.state not in FINAL_STATES)
        self._set_status(tracked=len(self._due))
        if rows:
            self._emit(rows)

    # -- unknown submissions -----------------------------------------------------------------

    async def _reconcile(self, local_ids: list[int]) -> None:
        """Search the account's task list for these unknown submissions (see reconcile.py)."""
        rows = await self._reconciler.settle(local_ids)
        for row in rows:
            if row.task_id and row.state in ACTIVE_STATES:
                self.track(row.task_id, now=True)
        if rows:
            # Emit every row whose search ended, changed or not: waiters count them settled.
            self._emit(rows)

    def _adopt_listed(self, listed: list[TaskSnapshot]) -> list[Row]:
        rows = self._reconciler.adopt_listed(listed)
        if rows:
            self._emit(rows)
        return rows

    async def reconcile_now(self, local_ids: Sequence[int]) -> None:
        """Look for these unknown submissions in the account's task list now (the user asks)."""
        await self._reconcile(list(local_ids))

    async def _budget_pause(self) -> None:
        """One more request inside the budget (a listing's later pages)."""
        await asyncio.sleep(1.0 / self.pacing.max_requests_per_second)
        self._set_status(requests=self.status.requests + 1)

    def reconciling(self) -> set[int]:
        """Local ids of unknown submissions the tracker will still look for."""
        return self._reconciler.pending()

    # -- waiting -----------------------------------------------------------------------------

    async def wait_for(self, local_ids: Collection[int], timeout: float | None = None) -> bool:
        """Until every one of these rows is settled; False on timeout. Needs `run()` going."""
        return await wait_settled(local_ids, get=self.store.get, subscribe=self.subscribe,
                                  reconciling=self.reconciling, timeout=timeout)
