"""Simulated tasks: their lifecycle, computed lazily from the clock on every read.

No thread runs per task; a task is its creation time, its drawn duration and its quirks, and
what the service would answer at any moment follows from those.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from .media import thumbnail_size
from .rng import SharedRandom
from .rules import WAN3
from .usage import COST_SHAPES, cost, cost_amount, usage, video_size

# Prompt words (case-insensitive substrings) that make a task misbehave, for tests.
MAGIC_WORDS = ("fail", "stall", "hiccup", "vanish", "weird")

# Vocabulary varies across tasks, in words and in case, as across the vendor's services.
WAITING_WORDS = (("queued", "processing"), ("Pending", "RUNNING"), ("queued", "RUNNING"),
                 ("Pending", "processing"))
DONE_WORDS = ("succeeded", "completed", "success", "Finished")
FAILED_WORDS = ("failed", "error")
UNKNOWN_WORD = "thinking"  # rule 5 of the reference: a word no list knows, still running

SILENT_UNTIL = 0.2  # fraction of the run before upstream answers at all (no `response`)
SECOND_WORD_FROM = 0.5  # the waiting word changes here (e.g. queued -> processing)
HICCUP_WINDOW = (0.45, 0.75)  # a "hiccup" task reports success false + error in this span
DURATION_SPREAD = (2 / 3, 4 / 3)  # each task takes job_seconds times a factor from here

UPSTREAM_FAILURE = {"code": "api_error",
                    "message": "the upstream model failed to generate this video (simulated)"}
HICCUP_ERROR = {"code": "api_error",
                "message": "upstream is busy, retrying (simulated hiccup; the task goes on)"}


@dataclass(frozen=True)
class SimTask:
    id: str
    created_at: float
    duration: float
    trace_id: str
    request: dict[str, Any]
    quirks: frozenset[str]  # the magic words found in the prompt
    fails: bool
    waiting_words: tuple[str, str]
    done_word: str
    failed_word: str
    video_id: str
    cost_shape: str  # one of COST_SHAPES: "number" or "object"

    @property
    def ends_at(self) -> float | None:
        """When the task ends, or None for tasks that never do (stall, vanish)."""
        if self.quirks & {"stall", "vanish"}:
            return None
        return self.created_at + self.duration

    def progress(self, now: float) -> float:
        return (now - self.created_at) / self.duration if self.duration > 0 else 1.0

    def visible(self, now: float) -> bool:
        """A "vanish" task drops out of every answer once upstream has first answered."""
        return "vanish" not in self.quirks or self.progress(now) < SILENT_UNTIL

    def to_json(self, now: float, base_url: str) -> dict[str, Any]:
        """The task object as POST /wan/tasks returns it at time `now`."""
        task: dict[str, Any] = {"id": self.id, "created_at": self.created_at,
                                "started_at": self.created_at}
        ends_at = self.ends_at
        ended = ends_at is not None and now >= ends_at
        if ended:
            task["finished_at"] = ends_at
            task["elapsed"] = round(self.duration, 3)
        task.update(trace_id=self.trace_id, type="videos", request=dict(self.request))
        response = (self.final_response(base_url) if ended
                    else self._running_response(self.progress(now)))
        if response is not None:
            task["response"] = response
        return task

    def _running_response(self, progress: float) -> dict[str, Any] | None:
        if progress < SILENT_UNTIL:
            return None
        if "weird" in self.quirks:
            word = UNKNOWN_WORD
        else:
            word = self.waiting_words[progress >= SECOND_WORD_FROM]
        if "hiccup" in self.quirks and HICCUP_WINDOW[0] <= progress < HICCUP_WINDOW[1]:
            # Rule 4: a waiting word with success false and an error is still running.
            return {"success": False, "task_id": self.id, "state": word,
                    "error": dict(HICCUP_ERROR)}
        return {"success": True, "task_id": self.id, "state": word}

    def final_response(self, base_url: str) -> dict[str, Any]:
        """The ended task's `response` (also the answer of a synchronous submission).

        Wan 3 nests the video fields one level down, in `data`. Failed tasks are not billed:
        their cost is 0 and they report no usage."""
        if self.fails:
            return {"success": False, "task_id": self.id, "state": self.failed_word,
                    "error": dict(UPSTREAM_FAILURE), "cost": cost(0, self.cost_shape)}
        width, height = video_size(self.request)
        thumb_width, thumb_height = thumbnail_size(width, height)
        media = f"{base_url}/_sim/media/{self.id}"
        video = {"video_id": self.video_id, "video_url": f"{media}.mp4",
                 "video_width": width, "video_height": height,
                 "thumbnail_url": f"{media}.png",
                 "thumbnail_width": thumb_width, "thumbnail_height": thumb_height}
        nested = self.request.get("model") == WAN3
        return {"success": True, "task_id": self.id, "state": self.done_word,
                **({"data": video} if nested else video),
                "prompt": self.request.get("prompt", ""),
                "usage": usage(self.request),
                "cost": cost(cost_amount(self.request), self.cost_shape)}


class TaskStore:
    """Every task the simulator holds, oldest first by created_at, behind one lock."""

    def __init__(self, rng: SharedRandom) -> None:
        self._rng = rng
        self._lock = threading.Lock()
        self._by_id: dict[str, SimTask] = {}
        self._ordered: list[SimTask] = []  # by created_at, ties in arrival order
        self._deleted: dict[str, SimTask] = {}  # records gone; their media stay on the CDN
        self._shapes = itertools.cycle(COST_SHAPES)  # cost shapes alternate, task by task

    def next_cost_shape(self) -> str:
        with self._lock:
            return next(self._shapes)

    def create(self, request: dict[str, Any], trace_id: str, job_seconds: float,
               fail_rate: float) -> SimTask:
        prompt = str(request.get("prompt", "")).lower()
        quirks = frozenset(word for word in MAGIC_WORDS if word in prompt)
        rng = self._rng
        fails = "fail" in quirks or (fail_rate > 0 and rng.random() < fail_rate)
        duration = job_seconds * rng.uniform(*DURATION_SPREAD)
        words = (rng.choice(WAITING_WORDS), rng.choice(DONE_WORDS), rng.choice(FAILED_WORDS))
        with self._lock:
            # Timestamp under the lock so creation order and created_at order agree.
            task = SimTask(id=str(uuid.uuid4()), created_at=time.time(), duration=duration,
                           trace_id=trace_id, request=dict(request), quirks=quirks, fails=fails,
                           waiting_words=words[0], done_word=words[1], failed_word=words[2],
                           video_id=str(uuid.uuid4()), cost_shape=next(self._shapes))
            self._insert(task)
        return task

    def add(self, task: SimTask) -> None:
        """Hold a task made elsewhere (seeded: "another client" made it)."""
        with self._lock:
            self._insert(task)

    def _insert(self, task: SimTask) -> None:
        self._by_id[task.id] = task
        bisect.insort(self._ordered, task, key=lambda t: t.created_at)

    def get(self, task_id: str, now: float) -> SimTask | None:
        """The task, unless unknown, deleted or vanished."""
        with self._lock:
            task = self._by_id.get(task_id)
        return task if task is not None and task.visible(now) else None

    def media_task(self, task_id: str, now: float) -> SimTask | None:
        """The task whose media these are: deleting a record leaves its video on the CDN."""
        with self._lock:
            deleted = self._deleted.get(task_id)
        return deleted or self.get(task_id, now)

    def delete(self, task_id: str, now: float) -> bool:
        """Remove a visible task's record; False when there is none."""
        with self._lock:
            task = self._by_id.get(task_id)
            if task is None or not task.visible(now):
                return False
            del self._by_id[task_id]
            self._ordered.remove(task)
            self._deleted[task_id] = task
        return True

    def some(self, task_ids: list[str], now: float) -> list[SimTask]:
        """The known, visible tasks among `task_ids`, shuffled: the API promises no order."""
        found = [task for task in (self.get(i, now) for i in dict.fromkeys(task_ids)) if task]
        self._rng.shuffle(found)
        return found

    def listing(self, now: float, created_min: float | None,
                created_max: float | None) -> list[SimTask]:
        """Visible tasks newest first, within the creation-time bounds (inclusive)."""
        with self._lock:
            newest_first = list(reversed(self._ordered))
        return [t for t in newest_first if t.visible(now)
                and (created_min is None or t.created_at >= created_min)
                and (created_max is None or t.created_at <= created_max)]
