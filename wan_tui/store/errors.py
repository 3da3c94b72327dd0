"""The history's errors, and SQLite's failures turned into messages that say what happened,
what was not saved and what to do."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wan_tui.store.rows import Row

SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_NOTADB = 5, 6, 11, 13, 26


class HistoryError(Exception):
    """The history file cannot be used for this operation (permissions, disk errors, a lock
    held too long, damage). The message names the file and what was not saved."""


class HistoryCorrupt(HistoryError):
    """The file is damaged (found while reading or writing it)."""


class HistoryFull(HistoryError):
    """The disk (or the file system's quota) is full."""


class HistoryLocked(HistoryError):
    """Another program held the file's lock longer than the busy timeout."""


class TaskIdTaken(HistoryError):
    """A task id was to be given to a row while another row holds it. Nothing was changed:
    rows that have (or had) a task id are never deleted to make room. `existing` is the row
    holding the id; the caller decides (see HistoryStore.mark_submitted)."""

    def __init__(self, task_id: str, local_id: int, existing: Row) -> None:
        super().__init__(f"task {task_id} is already recorded as history row #{existing.id}; "
                         f"row #{local_id} was left unchanged")
        self.task_id = task_id
        self.local_id = local_id
        self.existing = existing


def error_code(exc: sqlite3.Error) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def is_corruption(exc: sqlite3.Error) -> bool:
    return error_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in str(exc)


def explain(exc: sqlite3.Error, path: Path, what: str, *, write: bool) -> HistoryError:
    """A HistoryError for an SQLite failure while saving (`write`) or reading `what`."""
    code = error_code(exc)
    lost = f"{what} was not saved" if write else f"{what} could not be read"
    if is_corruption(exc):
        return HistoryCorrupt(
            f"the history file {path} is damaged ({exc}): {lost}. Run `wan-tui doctor` to "
            f"check it; to start afresh, move the file aside (with its -wal file) and wan-tui "
            f"creates a new one")
    if code == SQLITE_FULL or "full" in str(exc):
        return HistoryFull(f"the disk holding {path} is full: {lost}; free some space and try "
                           f"again")
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in str(exc):
        return HistoryLocked(f"the history file {path} stayed locked by another program: "
                             f"{lost}; close the other program or try again")
    return HistoryError(f"the history file {path} failed ({exc}): {lost}")


@contextmanager
def explained(path: Path, what: str, *, write: bool) -> Iterator[None]:
    """Turn SQLite errors raised inside into HistoryErrors (other errors pass unchanged)."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise explain(exc, path, what, write=write) from exc
