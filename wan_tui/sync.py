"""Bringing the account's tasks into the history: tasks made in the web app or elsewhere.

The listing (`retrieve_batch` without ids) is undocumented: a service that refuses it raises
its ApiError, and nothing changes. Pages are read newest first, one request at a time inside
the tracker's budget; known tasks are updated, new ones added, none duplicated, so a second
run adds nothing. A listed task that an unknown submission of ours was waiting for is adopted
by that row, not added as a second one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .api.task import TaskSnapshot
from .store.history import HistoryStore
from .store.rows import Row

if TYPE_CHECKING:
    from .api.client import WanClient

SYNC_PAGE = 100  # tasks per listing request (the service's most)
SYNC_MAX_PAGES = 1000  # 100,000 tasks: a bound, so a looping service cannot run forever


@dataclass(frozen=True)
class SyncResult:
    seen: int  # tasks the listing showed
    added: int  # new rows in the history
    updated: int  # rows whose shown fields changed
    complete: bool  # False when the page bound stopped it

    def to_json(self) -> dict[str, object]:
        return {"seen": self.seen, "added": self.added, "updated": self.updated,
                "complete": self.complete}


SyncProgress = Callable[[SyncResult], None]
Adopt = Callable[[list[TaskSnapshot]], list[Row]]


async def sync_account(client: WanClient, store: HistoryStore, *, since: float | None,
                       pause: Callable[[], Awaitable[None]],
                       progress: SyncProgress | None = None,
                       adopt: Adopt | None = None) -> SyncResult:
    """`adopt` is offered each page first: unknown submissions take their own tasks, which
    then count as known, not added."""
    seen = added = updated = 0
    for number in range(SYNC_MAX_PAGES):
        if number:
            await pause()
        page = await client.list_tasks(limit=SYNC_PAGE, offset=number * SYNC_PAGE,
                                       created_at_min=since)
        if adopt is not None:
            adopt(page)
        known = sum(store.by_task_id(snap.task_id) is not None for snap in page)
        changed = store.apply_snapshots(page)
        seen += len(page)
        added += len(page) - known
        updated += max(len(changed) - (len(page) - known), 0)
        result = SyncResult(seen, added, updated, complete=True)
        if progress is not None:
            progress(result)
        if len(page) < SYNC_PAGE:
            return result
    return SyncResult(seen, added, updated, complete=False)
