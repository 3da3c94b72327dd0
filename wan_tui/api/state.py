"""A generation's states: the service's four and ours, which of them are final, which are
polled. Reading a task object into a snapshot is `task.py`."""

from __future__ import annotations

from enum import StrEnum


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


def error_object(code: str | None, message: str | None) -> dict[str, str] | None:
    """The `{code, message}` shape the JSON outputs use, or None when there is no error."""
    if code is None and message is None:
        return None
    return {"code": code or "", "message": message or ""}
