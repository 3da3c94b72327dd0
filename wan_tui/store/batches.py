"""Work on every row of a large history in batches: each batch its own short transaction
(BEGIN IMMEDIATE), the position kept in `store_progress`, so an interrupted run leaves a usable
file and the next open carries on. Two processes opening the file at once share the work."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

BATCH_ROWS = 20_000
AfterBatch = Callable[[str, int], None]  # (what, last id done): progress, and tests' kill point


def position(conn: sqlite3.Connection, name: str) -> int | None:
    found = conn.execute("SELECT position FROM store_progress WHERE name = ?", (name,)).fetchone()
    return int(found[0]) if found else None


def set_position(conn: sqlite3.Connection, name: str, value: int | None) -> None:
    if value is None:
        conn.execute("DELETE FROM store_progress WHERE name = ?", (name,))
    else:
        conn.execute("INSERT INTO store_progress (name, position) VALUES (?, ?) "
                     "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                     (name, value))


def run_batches(conn: sqlite3.Connection, name: str, *,
                pending: Callable[[sqlite3.Connection], bool],
                step: Callable[[sqlite3.Connection, int, int], None],
                finish: Callable[[sqlite3.Connection], None],
                batch: int = BATCH_ROWS, after_batch: AfterBatch | None = None) -> None:
    """While `pending(conn)`: call `step(conn, first_id_excluded, last_id)` on the next `batch`
    rows in id order; once past the last row, `finish(conn)` (in that batch's transaction)."""
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            last = _one(conn, name, pending, step, finish, batch)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        if last is None:
            return
        if after_batch is not None:
            after_batch(name, last)


def _one(conn: sqlite3.Connection, name: str, pending: Callable[[sqlite3.Connection], bool],
         step: Callable[[sqlite3.Connection, int, int], None],
         finish: Callable[[sqlite3.Connection], None], batch: int) -> int | None:
    if not pending(conn):
        return None  # done (perhaps by another process)
    start = position(conn, name) or 0
    last = conn.execute("SELECT max(id) FROM (SELECT id FROM generations WHERE id > ? "
                        "ORDER BY id LIMIT ?)", (start, batch)).fetchone()[0]
    if last is None:
        finish(conn)
        set_position(conn, name, None)
        return None
    step(conn, start, int(last))
    set_position(conn, name, int(last))
    return int(last)
