"""Simulated tasks: their lifecycle, computed lazily from the clock on every read.

No thread runs per task; a task is its creation time, its drawn duration and its quirks, and
what the service would answer at any moment follows from those.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from .media import thumbnail_size
from .rng import SharedRandom

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

DEFAULT_VIDEO_SIZE = (1280, 720)
RESOLUTION_VIDEO_SIZES = {"480P": (832, 480), "720P": (1280, 720), "1080P": (1920, 1080)}
UPSTREAM_FAILURE = {"code": "api_error",
                    "message": "the upstream model failed to generate this video (simulated)"}
HICCUP_ERROR = {"code": "api_error",
                "message": "upstream is busy, retrying (simulated hiccup; the task goes on)"}


def video_size(request: dict[str, Any]) -> tuple[int, int]:
    """Width and height from `size` ("W*H"), else from `resolution`, else 720P landscape."""
    size = request.get("size")
    if isinstance(size, str) and "*" in size:
        width, _, height = size.partition("*")
        if width.isdigit() and height.isdigit():
            return int(width), int(height)
    return RESOLUTION_VIDEO_SIZES.get(request.get("resolution") or "", DEFAULT_VIDEO_SIZE)


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
        """The ended task's `response` (also the answer of a synchronous submission)."""
        if self.fails:
            return {"success": False, "task_id": self.id, "state": self.failed_word,
                    "error": dict(UPSTREAM_FAILURE)}
        width, height = video_size(self.request)
        thumb_width, thumb_height = thumbnail_size(width, height)
        media = f"{base_url}/_sim/media/{self.id}"
        return {"success": True, "task_id": self.id, "state": self.done_word,
                "video_id": self.video_id, "video_url": f"{media}.mp4",
                "video_width": width, "video_height": height,
                "thumbnail_url": f"{media}.png",
                "thumbnail_width": thumb_width, "thumbnail_height": thumb_height,
                "prompt": self.request.get("prompt", "")}


class TaskStore:
    """Every task the simulator created, newest last, behind one lock."""

    def __init__(self, rng: SharedRandom) -> None:
        self._rng = rng
        self._lock = threading.Lock()
        self._by_id: dict[str, SimTask] = {}
        self._ordered: list[SimTask] = []  # creation order, so newest-first needs no sort

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
                           video_id=str(uuid.uuid4()))
            self._by_id[task.id] = task
            self._ordered.append(task)
        return task

    def get(self, task_id: str, now: float) -> SimTask | None:
        """The task, unless unknown or vanished."""
        with self._lock:
            task = self._by_id.get(task_id)
        return task if task is not None and task.visible(now) else None

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
