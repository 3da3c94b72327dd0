"""What POST /wan/videos and POST /wan/tasks answer, apart from HTTP itself."""

from __future__ import annotations

import itertools
import re
import threading
import time
from typing import TYPE_CHECKING, Any

from . import rules
from .tasks import SimTask

if TYPE_CHECKING:
    from .simulator import Simulator

MODERATED = re.compile(r"forbidden|nsfw", re.IGNORECASE)
LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX = 20, 100


class Refusal(Exception):
    """An error answer: HTTP status, API error code and a message naming what is wrong."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def _bad(message: str) -> Refusal:
    return Refusal(400, "bad_request", message)


def _whole(body: dict[str, Any], name: str, default: int, minimum: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _bad(f"{name} must be a whole number of at least {minimum} (got {value!r})")
    return value


def _time_bound(body: dict[str, Any], name: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(f"{name} must be Unix seconds (got {value!r})")
    return float(value)


class WanEndpoints:
    """The two API endpoints, reading the simulator's settings afresh on every request."""

    def __init__(self, sim: Simulator, stopping: threading.Event) -> None:
        self._sim = sim
        self._stopping = stopping
        self._acks = itertools.count()

    # -- POST /wan/videos ------------------------------------------------------------------

    def create_task(self, body: dict[str, Any], trace_id: str) -> SimTask:
        """Check the body with the service's rules (rules.py, not the client's) and create a
        task."""
        problems = rules.problems(body)
        if problems:
            raise _bad("; ".join(problems))
        if MODERATED.search(body["prompt"]):
            raise Refusal(403, "forbidden", "the prompt was refused by content moderation "
                          "(simulated)")
        sim = self._sim
        task = sim.tasks.create(body, trace_id, sim.job_seconds, sim.fail_rate)
        sim.stats.note_created(body["prompt"])
        callback_url = body.get("callback_url")
        if callback_url and task.ends_at is not None:
            sim.callbacks.schedule(
                callback_url, task.ends_at - time.time(),
                lambda: {**task.final_response(sim.base_url), "trace_id": task.trace_id})
        return task

    def answer_submission(self, task: SimTask) -> dict[str, Any]:
        if task.request.get("async") is True:
            # The real service acknowledges both ways; clients must accept both.
            ack: dict[str, Any] = {"task_id": task.id, "trace_id": task.trace_id}
            return {"success": True, **ack} if next(self._acks) % 2 else ack
        return self._wait_for_end(task)

    def _wait_for_end(self, task: SimTask) -> dict[str, Any]:
        """Synchronous mode: hold the connection until the task ends, as the service does."""
        deadline = time.time() + self._sim.sync_timeout
        ends_at = task.ends_at
        self._stopping.wait(max(0.0, min(deadline, ends_at or deadline) - time.time()))
        if ends_at is None or time.time() < ends_at:
            raise Refusal(504, "timeout", f"task {task.id} did not finish in time (simulated "
                          "gateway timeout; the task may still finish: retrieve it)")
        return {**task.final_response(self._sim.base_url), "trace_id": task.trace_id}

    # -- POST /wan/tasks -------------------------------------------------------------------

    def read_tasks(self, body: dict[str, Any]) -> dict[str, Any]:
        action = body.get("action")
        now = time.time()
        if action == "retrieve":
            return self._retrieve(body, now)
        if action == "retrieve_batch":
            if body.get("ids") is None:
                return self._listing(body, now)
            return self._batch(body["ids"], now)
        if action == "delete":
            return self._delete(body, now)
        raise _bad(f"action must be retrieve, retrieve_batch or delete (got {action!r})")

    @staticmethod
    def _task_id(body: dict[str, Any], purpose: str) -> str:
        task_id = body.get("id")
        if not isinstance(task_id, str) or not task_id:
            raise _bad(f"id is required: the task id to {purpose}")
        return task_id

    def _retrieve(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        task_id = self._task_id(body, "retrieve")
        task = self._sim.tasks.get(task_id, now)
        self._sim.stats.count("retrieve_calls")
        if task is None:
            # The reference does not say what an unknown id gets. We answer 400 bad_request
            # "task not found" (not 404): clients must treat it as "the service lost the task".
            raise _bad(f"task not found: {task_id}")
        return task.to_json(now, self._sim.base_url)

    def _delete(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        """Remove the task's record (its video stays on the CDN). Unknown ids: 400, as for
        retrieve; a second delete of the same id is unknown by then."""
        self._sim.stats.count("delete_calls")
        task_id = self._task_id(body, "delete")
        if not self._sim.tasks.delete(task_id, now):
            raise _bad(f"task not found: {task_id}")
        return {"success": True, "id": task_id}

    def _batch(self, ids: Any, now: float) -> dict[str, Any]:
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise _bad("ids must be a list of task ids")
        # No documented maximum: answer any size; stats count those above the advised 50.
        self._sim.stats.note_batch(len(ids))
        items = [task.to_json(now, self._sim.base_url)
                 for task in self._sim.tasks.some(ids, now)]
        return {"count": len(items), "items": items}

    def _listing(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        """The web client's paging through all tasks, newest first."""
        if self._sim.refuse_listing:
            raise _bad("ids is required: a list of task ids (listing is not offered here)")
        # A limit above the maximum is clamped rather than refused, like most listings.
        limit = min(_whole(body, "limit", LIST_LIMIT_DEFAULT, 1), LIST_LIMIT_MAX)
        offset = _whole(body, "offset", 0, 0)
        kind = body.get("type", "videos")
        if not isinstance(kind, str):
            raise _bad(f"type must be text, e.g. videos (got {kind!r})")
        matching = self._sim.tasks.listing(now, _time_bound(body, "created_at_min"),
                                           _time_bound(body, "created_at_max"))
        if kind != "videos":
            matching = []  # every task here is a video; another type lists nothing
        self._sim.stats.count("list_calls")
        return {"count": len(matching),
                "items": [t.to_json(now, self._sim.base_url)
                          for t in matching[offset:offset + limit]]}
