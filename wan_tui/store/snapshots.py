"""Recording what reads of tasks told us (polls, `wan-tui task`, the account's listing)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from wan_tui.api.state import ACTIVE_STATES, FINAL_STATES, State
from wan_tui.api.task import TaskSnapshot
from wan_tui.store.rows import Row, request_columns
from wan_tui.store.values import cost_columns, finite, json_text, small_int

# Columns a poll may fill in without it counting as a change the user would see.
_QUIET = frozenset({"trace_id", "server_created_at"})
_SETTLED = (State.SUCCEEDED, State.FAILED)  # a late "running" read must not undo these


def apply(conn: sqlite3.Connection, snaps: Iterable[TaskSnapshot], now: float) -> list[int]:
    """Record the snapshots (inside the caller's transaction); the local ids whose shown
    fields changed. A task id the history does not hold gets a new row built from the task's
    request; a known one is updated, never duplicated, so reading the same tasks again (a
    second `sync`) adds nothing."""
    changed: list[int] = []
    for snap in snaps:
        if not snap.task_id:
            continue
        current = conn.execute("SELECT * FROM generations WHERE task_id = ?",
                               (snap.task_id,)).fetchone()
        if current is None:
            created = finite(snap.created_at) or now
            columns = {**request_columns(snap.request), "task_id": snap.task_id,
                       "created_at": created, "updated_at": now, "last_polled_at": now,
                       **snapshot_columns(None, snap, now)}
            names = ", ".join(columns)
            cursor = conn.execute(f"INSERT INTO generations ({names}) VALUES "
                                  f"({', '.join('?' * len(columns))})", tuple(columns.values()))
            changed.append(int(cursor.lastrowid or 0))
            continue
        values = snapshot_columns(Row.from_sql(current), snap, now)
        values = {k: v for k, v in values.items() if current[k] != v}
        if values.keys() - _QUIET:
            changed.append(current["id"])
        if values:
            values["updated_at"] = now
        values["last_polled_at"] = now
        assignments = ", ".join(f"{column} = ?" for column in values)
        conn.execute(f"UPDATE generations SET {assignments} WHERE id = ?",
                     (*values.values(), current["id"]))
    return changed


def snapshot_columns(row: Row | None, snap: TaskSnapshot, now: float) -> dict[str, Any]:
    """The shown columns after reading `snap` for `row` (None: a new row). Every number is
    checked on its own: one absurd value (1e400, Infinity) is dropped, not the whole batch."""
    if row is not None and row.state in _SETTLED and snap.state in ACTIVE_STATES:
        return {}  # an out-of-date read; the task has ended
    old = (lambda name: getattr(row, name)) if row else (lambda name: None)
    finished = finite(snap.finished_at) or old("finished_at")
    if finished is None and snap.state in FINAL_STATES:
        finished = now
    cost = cost_columns(snap.cost) if snap.cost is not None else {
        "cost": json_text(old("cost")), "cost_amount": old("cost_amount"),
        "cost_currency": old("cost_currency")}
    usage = snap.usage if snap.usage is not None else old("usage")
    return {
        "state": str(snap.state),
        "state_word": snap.state_word,
        "video_url": snap.video_url or old("video_url"),
        "thumbnail_url": snap.thumbnail_url or old("thumbnail_url"),
        "video_width": small_int(snap.video_width) or old("video_width"),
        "video_height": small_int(snap.video_height) or old("video_height"),
        # read_task only reports an error once the task failed: otherwise there is none now
        "error_code": snap.error_code,
        "error_message": snap.error_message,
        "trace_id": old("trace_id") or snap.trace_id,  # keep the one the user was shown
        "finished_at": finished,
        "server_created_at": finite(snap.created_at) or old("server_created_at"),
        "usage": json_text(usage),
        **cost,
    }
