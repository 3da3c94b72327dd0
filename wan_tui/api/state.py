"""Reading a task object from POST /wan/tasks into one normalized snapshot.

The five rules of the API reference, in order, live in `read_state`; nothing else decides
whether a task succeeded or failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .text import printable


class State(StrEnum):
    """A generation's state. The first four come from the service; the rest are ours."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SUBMITTING = "submitting"  # written before the POST; the answer has not come yet
    UNKNOWN = "unknown"  # the POST may or may not have created (and billed) a task
    EXPIRED = "expired"  # no result 24 h after submission: the id is gone upstream
    LOST = "lost"  # the service no longer knows the task id


FINAL_STATES = frozenset({State.SUCCEEDED, State.FAILED, State.EXPIRED, State.LOST})
# Tasks the tracker keeps polling.
ACTIVE_STATES = frozenset({State.PENDING, State.RUNNING})

WAITING_WORDS = frozenset({"queued", "pending", "processing", "running"})
DONE_WORDS = frozenset({"completed", "succeeded", "success", "complete", "finished"})
FAILED_WORDS = frozenset({"failed", "failure", "error", "cancelled", "canceled", "rejected"})


def error_object(code: str | None, message: str | None) -> dict[str, str] | None:
    """The `{code, message}` shape the JSON outputs use, or None when there is no error."""
    if code is None and message is None:
        return None
    return {"code": code or "", "message": message or ""}


def _text(value: Any) -> str | None:
    """A non-empty string from the service, without control characters (it gets printed)."""
    text = printable(value) if isinstance(value, str) else ""
    return text or None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    return float(value) if isinstance(value, int | float) else None


def _int(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


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


def read_state(task: dict[str, Any]) -> tuple[State, str]:
    """The reference's five rules, in order: (our state, the raw word)."""
    response = task.get("response")
    if not isinstance(response, dict) or not response:
        return State.PENDING, ""  # rule 1
    word = (_text(response.get("state")) or "").strip()
    lowered = word.lower()
    has_video = bool(_text(response.get("video_url")))
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


def read_task(task: dict[str, Any], *, task_id: str | None = None) -> TaskSnapshot:
    """Normalize one task object. Tolerant: odd or missing fields never raise."""
    state, word = read_state(task)
    response = task.get("response") if isinstance(task.get("response"), dict) else {}
    error = response.get("error") if isinstance(response.get("error"), dict) else {}
    # A running task's hiccup is not its failure reason; only report errors once it failed.
    show_error = state is State.FAILED
    error_code = _text(error.get("code")) if show_error else None
    error_message = _text(error.get("message")) if show_error else None
    if state is State.FAILED and error_code is None and error_message is None:
        error_message = (
            f"the service reported {word!r}" if word else "the task ended without a video"
        )
    request = task.get("request") if isinstance(task.get("request"), dict) else {}
    return TaskSnapshot(
        task_id=printable(str(task.get("id") or response.get("task_id") or task_id or "")),
        state=state,
        state_word=word,
        video_url=_text(response.get("video_url")),
        thumbnail_url=_text(response.get("thumbnail_url")),
        video_width=_int(response.get("video_width")),
        video_height=_int(response.get("video_height")),
        error_code=error_code,
        error_message=error_message,
        trace_id=_text(task.get("trace_id")) or _text(response.get("trace_id")),
        created_at=_number(task.get("created_at")),
        started_at=_number(task.get("started_at")),
        finished_at=_number(task.get("finished_at")),
        elapsed=_number(task.get("elapsed")),
        request=request,
    )
