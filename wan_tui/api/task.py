"""Reading a task object from POST /wan/tasks into one normalized snapshot.

The five rules of the API reference, in order, live in `read_state`; nothing else decides
whether a task succeeded or failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .sanitize import Scrub, clean_id, clean_json, clean_text, number, timestamp, whole
from .state import State, error_object
from .token import no_scrub

WAITING_WORDS = frozenset({"queued", "pending", "processing", "running"})
DONE_WORDS = frozenset({"completed", "succeeded", "success", "complete", "finished"})
FAILED_WORDS = frozenset({"failed", "failure", "error", "cancelled", "canceled", "rejected"})


@dataclass(frozen=True)
class TaskSnapshot:
    """What one read of a task told us, in our own words."""

    task_id: str
    state: State
    state_word: str  # the raw word the service used ("" when it has said none yet)
    video_url: str | None = None
    thumbnail_url: str | None = None
    video_width: int | None = None
    video_height: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    trace_id: str | None = None
    created_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    elapsed: float | None = None
    # The body the service says was submitted (lets us record tasks made elsewhere).
    request: dict[str, Any] = field(default_factory=dict, compare=False)
    # The settlement and usage of a finished task, as received (shapes are not documented:
    # `cost` may be a number or an object such as {"amount": …, "currency": …}); JSON values.
    usage: Any = None
    cost: Any = None

    @property
    def error(self) -> dict[str, str] | None:
        return error_object(self.error_code, self.error_message)

    def to_json(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "state": str(self.state),
            "state_word": self.state_word,
            "video_url": self.video_url,
            "thumbnail_url": self.thumbnail_url,
            "video_width": self.video_width,
            "video_height": self.video_height,
            "error": self.error,
            "trace_id": self.trace_id,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "elapsed": self.elapsed,
            "usage": self.usage,
            "cost": self.cost,
        }


def _response(task: Any) -> dict[str, Any]:
    response = task.get("response") if isinstance(task, dict) else None
    return response if isinstance(response, dict) else {}


def _from_response(response: dict[str, Any], name: str) -> Any:
    """A field of the response itself, or (Wan 3: the video and its neighbours) of
    `response.data`."""
    value = response.get(name)
    data = response.get("data")
    if value is None and isinstance(data, dict):
        value = data.get(name)
    return value


def read_state(task: Any, scrub: Scrub = no_scrub) -> tuple[State, str]:
    """The reference's five rules, in order: (our state, the raw word)."""
    response = _response(task)
    if not response:
        return State.PENDING, ""  # rule 1
    word = clean_text(_from_response(response, "state"), scrub, limit=100) or ""
    lowered = word.lower()
    has_video = clean_text(_from_response(response, "video_url")) is not None
    if task.get("finished_at") is not None:  # rule 2
        ok = has_video and response.get("success") is not False
        return (State.SUCCEEDED if ok else State.FAILED), word
    if lowered in FAILED_WORDS:  # rule 3
        return State.FAILED, word
    if lowered in DONE_WORDS and has_video:
        return State.SUCCEEDED, word
    # Rule 4 (a waiting word, even with success false and an error: a passing hiccup)
    # and rule 5 (any other word): still running.
    return State.RUNNING, word


def _settlement(task: dict[str, Any], response: dict[str, Any], name: str) -> Any:
    """`usage` or `cost`: in the response, its `data` (Wan 3), or the task itself."""
    value = _from_response(response, name)
    return task.get(name) if value is None else value


MAX_SIDE = 100_000  # pixels
MAX_ELAPSED = 1e8  # seconds (three years)
MAX_REQUEST_BYTES = 256 * 1024


def read_task(task: Any, *, task_id: str | None = None, scrub: Scrub = no_scrub) -> TaskSnapshot:
    """Normalize one task object. Never raises: each odd field is dropped on its own.

    `scrub` removes the API token from every string (the client passes its own).
    """
    if not isinstance(task, dict):
        task = {}
    state, word = read_state(task, scrub)
    response = _response(task)
    raw_error = _from_response(response, "error")
    error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
    # A running task's hiccup is not its failure reason; only report errors once it failed.
    show_error = state is State.FAILED
    error_code = clean_text(error.get("code"), scrub, limit=100) if show_error else None
    error_message = clean_text(error.get("message"), scrub) if show_error else None
    if state is State.FAILED and error_code is None and error_message is None:
        error_message = (
            f"the service reported {word!r}" if word else "the task ended without a video"
        )
    request = clean_json(task.get("request"), scrub, max_bytes=MAX_REQUEST_BYTES)
    video = partial(_from_response, response)
    return TaskSnapshot(
        task_id=(clean_id(task.get("id"), scrub) or clean_id(response.get("task_id"), scrub)
                 or clean_id(task_id, scrub) or ""),
        state=state,
        state_word=word,
        video_url=clean_text(video("video_url"), scrub, limit=8192),
        thumbnail_url=clean_text(video("thumbnail_url"), scrub, limit=8192),
        video_width=whole(video("video_width"), 1, MAX_SIDE),
        video_height=whole(video("video_height"), 1, MAX_SIDE),
        error_code=error_code,
        error_message=error_message,
        trace_id=(clean_text(task.get("trace_id"), scrub, limit=256)
                  or clean_text(response.get("trace_id"), scrub, limit=256)),
        created_at=timestamp(task.get("created_at")),
        started_at=timestamp(task.get("started_at")),
        finished_at=timestamp(task.get("finished_at")),
        elapsed=number(task.get("elapsed"), 0.0, MAX_ELAPSED),
        request=request if isinstance(request, dict) else {},
        usage=clean_json(_settlement(task, response, "usage"), scrub),
        cost=clean_json(_settlement(task, response, "cost"), scrub),
    )
