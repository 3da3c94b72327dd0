"""Settling submissions whose answer was lost: find them in the account's task list, or not.

There is no idempotency key, so a submission without an answer may or may not have created
(and billed) a task. The tracker hands such rows here; this looks for them in the account's
listing (an undocumented mode of `retrieve_batch`) and adopts a match, concludes "not created"
when the listing has proven it covers our tasks, or leaves the row unknown for the user.

Adoption must never take a task that another row could still claim: a same-parameter
submission whose answer has not arrived may own the newest match. While one is in flight the
search waits, and a match is the unclaimed task nearest in time to our submission.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable

from .api.client import WanClient
from .api.errors import ApiError, AuthError, RateLimited, WanError
from .api.models import GenerationRequest, InvalidRequest
from .api.state import State
from .api.task import TaskSnapshot
from .store.errors import TaskIdTaken
from .store.history import HistoryStore
from .store.rows import Row

RECONCILE_AFTER = 10.0  # seconds after an unknown submission before we look for it
RECONCILE_SLACK = 120.0  # seconds of clock difference tolerated when matching by time
NOT_CREATED_AFTER = 60.0  # an unknown this old, absent from a good listing, was not created
LIST_PAGE, LIST_PAGES = 100, 10  # how much of the task list one search reads
NOT_CREATED_MESSAGE = (
    "the submission's answer was lost, and the service's task list has no task for it: it was "
    "not created (nor billed); re-run it if you still want it")


class Reconciler:
    """Which unknown rows to look for and when; the search itself, one listing at a time."""

    def __init__(self, client: WanClient, store: HistoryStore, *,
                 pause: Callable[[], Awaitable[None]],
                 wall: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.store = store
        self._pause = pause  # waits for the request budget and counts the request
        self._wall = wall
        self._mono = monotonic
        self._due: dict[int, float] = {}  # local id -> monotonic time to look for it
        self._searching: set[int] = set()  # local ids whose search is under way
        self.unsupported = False  # the service refused the listing: leave unknowns alone

    def schedule(self, local_id: int, delay: float | None = None) -> None:
        self._due[local_id] = self._mono() + (RECONCILE_AFTER if delay is None else delay)

    def schedule_soon(self, local_ids: Iterable[int]) -> None:
        for local_id in local_ids:
            self._due.setdefault(local_id, self._mono())

    def ready(self, now: float) -> list[int]:
        if self.unsupported:
            return []
        return [i for i, when in self._due.items() if when <= now]

    def next_due(self) -> list[float]:
        return [] if self.unsupported else list(self._due.values())

    def pending(self) -> set[int]:
        """Local ids of unknown submissions still to be looked for, or being looked for now
        (a waiter must not take a row whose search is under way as settled)."""
        return set() if self.unsupported else set(self._due) | self._searching

    async def settle(self, local_ids: list[int]) -> list[Row]:
        """Look for these unknown rows; every row whose search ended, changed or not."""
        self._searching.update(local_ids)
        try:
            return await self._settle(local_ids)
        finally:
            self._searching.difference_update(local_ids)

    async def _settle(self, local_ids: list[int]) -> list[Row]:
        rows = [r for r in map(self.store.get, local_ids) if r and r.state == State.UNKNOWN]
        for local_id in local_ids:
            self._due.pop(local_id, None)
        if not rows:
            return []
        blocked = [r for r in rows if self._claim_pending(r)]
        for row in blocked:  # wait for the other submission's answer first
            self.schedule(row.id)
        rows = [r for r in rows if r not in blocked]
        return await self._search(rows) if rows else []

    def _claim_pending(self, row: Row) -> bool:
        """Another submission with the same parameters is still waiting for its answer, so
        any matching task may be its own."""
        wanted = row.request().params()
        return any(other.id != row.id and other.request().params() == wanted
                   for other in self.store.search(states=[State.SUBMITTING], limit=1000))

    async def _search(self, rows: list[Row]) -> list[Row]:
        low = min(r.created_at for r in rows) - RECONCILE_SLACK
        high = max(r.created_at for r in rows) + RECONCILE_SLACK
        try:
            listed = await self._list_between(low, high)
        except ApiError as error:
            if error.status is not None and 400 <= error.status < 500 and not isinstance(
                error, (RateLimited, AuthError)
            ):
                self.unsupported = True  # leave them unknown, for the user to decide
                return rows
            self._retry(rows)
            raise
        except WanError:
            self._retry(rows)
            raise
        return self._decide(rows, listed)

    def _decide(self, rows: list[Row], listed: list[TaskSnapshot]) -> list[Row]:
        """Adopt, wait, or conclude for each row, oldest first.

        A match is a task with the same parameters, created within RECONCILE_SLACK of the
        submission, that no row holds; the nearest in time wins. With no match, a submission
        older than NOT_CREATED_AFTER was not created, but only when the listing proved it
        covers our tasks (it showed one the history knows); otherwise it stays unknown.
        """
        settled: list[Row] = []
        claimed: set[str] = set()
        proven = any(self.store.by_task_id(snap.task_id) is not None for snap in listed)
        for row in sorted(rows, key=lambda r: r.created_at):
            match = self._match(row, listed, claimed)
            if match is not None:
                claimed.add(match.task_id)
                try:
                    settled.append(self.store.adopt(row.id, match.task_id, match.trace_id))
                except TaskIdTaken:  # recorded meanwhile (its own answer came): look again
                    self.schedule(row.id)
            elif self._wall() - row.created_at < NOT_CREATED_AFTER:
                self.schedule(row.id, NOT_CREATED_AFTER)
            elif not proven:
                settled.append(row)  # no proof either way: it stays unknown
            else:
                settled.append(self.store.mark_refused(row.id, "not_created",
                                                       NOT_CREATED_MESSAGE, None))
        return settled

    def _match(self, row: Row, listed: list[TaskSnapshot],
               claimed: set[str]) -> TaskSnapshot | None:
        """The unclaimed listed task with the row's parameters nearest its submission in
        time (within RECONCILE_SLACK), that no row holds."""
        wanted = row.request().params()
        candidates = [
            snap for snap in listed
            if snap.task_id not in claimed
            and abs((snap.created_at or row.created_at) - row.created_at) <= RECONCILE_SLACK
            and params_of(snap) == wanted
            and self.store.by_task_id(snap.task_id) is None
        ]
        return min(candidates, key=lambda s: abs((s.created_at or row.created_at)
                                                  - row.created_at), default=None)

    def adopt_listed(self, listed: list[TaskSnapshot]) -> list[Row]:
        """Before `sync` adds a listing's unknown tasks as new rows: unknown submissions
        that match one take it (a second row for one of our own tasks would hide that it was
        created, and billed). Rows being searched for, or that another submission in flight
        may own the match of, are left to their search."""
        if self.unsupported or not listed:
            return []
        adopted: list[Row] = []
        claimed: set[str] = set()
        unknown = self.store.search(states=[State.UNKNOWN], limit=1000)
        for row in sorted(unknown, key=lambda r: r.created_at):
            if row.id in self._searching or self._claim_pending(row):
                continue
            match = self._match(row, listed, claimed)
            if match is None:
                continue
            claimed.add(match.task_id)
            try:
                adopted.append(self.store.adopt(row.id, match.task_id, match.trace_id))
            except TaskIdTaken:
                continue
            self._due.pop(row.id, None)
        return adopted

    def _retry(self, rows: list[Row]) -> None:
        for row in rows:
            self.schedule(row.id)

    async def _list_between(self, low: float, high: float) -> list[TaskSnapshot]:
        """The account's tasks made between low and high: a few pages, inside the budget,
        without retries of its own (a failure backs off like any other request)."""
        out: list[TaskSnapshot] = []
        for number in range(LIST_PAGES):
            if number:
                await self._pause()
            items = await self.client.list_tasks(limit=LIST_PAGE, offset=number * LIST_PAGE,
                                                 created_at_min=low, created_at_max=high,
                                                 retry=False)
            out.extend(items)
            if len(items) < LIST_PAGE:
                break
        return out


def params_of(snapshot: TaskSnapshot) -> dict[str, object] | None:
    """The task's parameters as the history keeps them (without the callback URL, which the
    history never stores: it may hold a secret, and ours differs per submission)."""
    try:
        params = GenerationRequest.from_body(snapshot.request, strict=False).params()
    except (InvalidRequest, TypeError):
        return None
    params.pop("callback_url", None)
    return params
