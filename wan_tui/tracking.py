"""What the tracker promises and reports: its pacing, its status, and its events."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from .api.errors import AccountError, AuthError, RateLimited, WanError
from .api.state import FINAL_STATES, State
from .store.rows import Row


class UnknownTask(WanError):
    """The service does not know this task id: mistyped, or expired (ids last about a day)."""

    code = "unknown_task"

    def __init__(self, task_id: str, *, trace_id: str | None = None,
                 server_message: str | None = None) -> None:
        self.task_id = task_id
        super().__init__(f"the service does not know task {task_id} (task ids expire after "
                         "about a day; check the id)", trace_id=trace_id,
                         server_message=server_message)


@dataclass
class Pacing:
    """How often and how hard the tracker may talk to the service."""

    max_requests_per_second: float = 1.0  # sustained, to /wan/tasks, however many tasks
    first_poll: float = 7.0  # seconds after submission
    interval: float = 15.0  # seconds between looks at one task
    max_in_flight: int = 5  # submissions at once
    rate_limit_retries: int = 5  # a 429 on submit is a refusal: nothing was created


@dataclass(frozen=True)
class TrackerStatus:
    """What a status line shows about the tracker itself."""

    paused_until: float | None = None  # wall-clock end of a rate-limit pause
    trouble: str | None = None  # the last connection or service problem, until it clears
    trouble_code: str | None = None  # its error code, e.g. "invalid_token"
    requests: int = 0  # requests made to /wan/tasks
    tracked: int = 0  # tasks being polled
    submitting: int = 0  # submissions in flight
    round_seconds: float = 0.0  # how long reading every tracked task once takes at the budget

    def freshness_note(self, interval: float) -> str | None:
        """When the budget, not the interval, sets how fresh tasks are: what to do about it."""
        if self.round_seconds <= max(interval, 1.0) * 1.5:
            return None
        return (f"{self.tracked:,} tasks: each is read about every {self.round_seconds:,.0f} s; "
                "raise polling.max_requests_per_second (at most 60) to read them more often")


@dataclass(frozen=True)
class TrackerEvent:
    rows: list[Row] = field(default_factory=list)  # rows whose shown fields changed
    status: TrackerStatus = field(default_factory=TrackerStatus)


Listener = Callable[[TrackerEvent], None]


async def wait_settled(local_ids: Collection[int], *, get: Callable[[int], Row | None],
                       subscribe: Callable[[Listener], Callable[[], None]],
                       reconciling: Callable[[], set[int]], timeout: float | None) -> bool:
    """Until every one of these rows is settled (final, or unknown with no search left).

    Returns False on timeout. Rows are checked as they are now, then as events bring them.
    """
    remaining = set(local_ids)
    settled = asyncio.Event()

    def check(rows: Iterable[Row | None]) -> None:
        pending = reconciling()
        for row in rows:
            if row is not None and row.id in remaining and _settled(row, pending):
                remaining.discard(row.id)
        if not remaining:
            settled.set()

    check([get(i) for i in remaining])
    unsubscribe = subscribe(lambda event: check(event.rows))
    try:
        async with asyncio.timeout(timeout):
            await settled.wait()
        return True
    except TimeoutError:
        return False
    finally:
        unsubscribe()


def _settled(row: Row, reconciling: set[int]) -> bool:
    if row.state in FINAL_STATES:
        return True
    return row.state == State.UNKNOWN and row.id not in reconciling


MAX_BACKOFF = 60.0  # seconds: the longest pause after repeated failures


def failure_pause(error: Exception, failures: int) -> tuple[float, bool]:
    """How long the tracker waits after its `failures`-th failure in a row, and whether it is
    a rate-limit pause (shown as such). A refused token or account is retried now and then:
    polling cannot help until the user fixes it."""
    backoff = min(MAX_BACKOFF, 2.0 ** (failures - 1)) * random.uniform(0.75, 1.25)
    if isinstance(error, RateLimited):
        return (error.retry_after if error.retry_after is not None else backoff), True
    if isinstance(error, AuthError | AccountError):
        return MAX_BACKOFF, False
    return backoff, False


def trouble_text(error: Exception) -> str:
    if isinstance(error, WanError):
        return str(error)
    return f"internal error: {type(error).__name__}: {error}"
