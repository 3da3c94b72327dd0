"""Sending one recorded submission: once, never resent, its row settled by what came back.

Only a 429 is asked again (the service refused before creating anything). An answer that
never came makes the row `unknown`, for reconciliation; a refusal or a request that never left
makes it `failed` with the reason. A task id already held by another row never costs a row:
a mistaken adoption gives the id back, and a row the service's own record made first is
merged with ours (see HistoryStore.mark_submitted).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from .api.client import WanClient
from .api.errors import RateLimited, SubmissionUnknown, TransportError, WanError
from .api.models import GenerationRequest, InvalidRequest
from .store.errors import TaskIdTaken
from .store.history import HistoryStore
from .store.rows import Row

RELEASED = ("this submission's task turned out to belong to another submission (its answer "
            "came); wan-tui looks again for this one's own task")


async def send_once(client: WanClient, store: HistoryStore, local_id: int,
                    request: GenerationRequest, *, rate_limit_retries: int,
                    reconcile: Callable[[int], None]) -> Row:
    """POST the submission; the row as it stands after the answer (or the lack of one)."""
    for attempt in range(rate_limit_retries + 1):
        try:
            ack = await client.submit(request)
        except RateLimited as error:
            if attempt == rate_limit_retries:
                return store.mark_refused(local_id, error.code, str(error), error.trace_id)
            await asyncio.sleep(error.retry_after or client.retry.delay(attempt + 1))
            continue
        except SubmissionUnknown as error:
            reconcile(local_id)
            return store.mark_unknown(local_id, str(error))
        except (WanError, InvalidRequest) as error:
            code = error.code if isinstance(error, WanError) else "bad_request"
            trace = error.trace_id if isinstance(error, WanError) else None
            message = f"not sent: {error}" if isinstance(error, TransportError) else str(error)
            return store.mark_refused(local_id, code, message, trace)
        return record_task_id(store, local_id, ack.task_id, ack.trace_id, reconcile)
    raise AssertionError("unreachable")


def record_task_id(store: HistoryStore, local_id: int, task_id: str, trace_id: str | None,
                   reconcile: Callable[[int], None]) -> Row:
    """Give our row the task id the service answered with, whoever holds it now."""
    try:
        return store.mark_submitted(local_id, task_id, trace_id)
    except TaskIdTaken as taken:
        holder = taken.existing
        if holder.adopted_at is None:  # the service's record, read first: it is ours
            return store.fold_submission(local_id, holder.id)
        store.release_task_id(holder.id, RELEASED)
        reconcile(holder.id)
        return store.mark_submitted(local_id, task_id, trace_id)
