"""Migration 3, the leaner row: params stop repeating action, model, prompt and negative_prompt.

Rows read the same before and after (Row.from_sql puts the columns back into params), so the
file is usable at every commit point of the batched rewrite; the version number becomes 3 with
the last batch.
"""

from __future__ import annotations

import json
import sqlite3

from wan_tui.store.batches import BATCH_ROWS, AfterBatch, run_batches
from wan_tui.store.schema import user_version

LEAN_VERSION = 3
COLUMN_KEYS = ("action", "model", "prompt", "negative_prompt")  # kept in columns only
_PATHS = ", ".join(f"'$.{key}'" for key in COLUMN_KEYS)


def lean_params_text(text: str | None) -> str | None:
    """The Python twin of json_remove, for SQLite builds without JSON functions."""
    try:
        value = json.loads(text or "{}")
    except (ValueError, RecursionError):
        return text
    if not isinstance(value, dict):
        return text
    return json.dumps({k: v for k, v in value.items() if k not in COLUMN_KEYS},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _remover(conn: sqlite3.Connection) -> str:
    """An SQL expression that strips the column keys from `params`."""
    try:
        conn.execute("SELECT json_remove('{}', '$.a')").fetchone()
        return f"CASE WHEN json_valid(params) THEN json_remove(params, {_PATHS}) ELSE params END"
    except sqlite3.OperationalError:
        conn.create_function("wan_lean_params", 1, lean_params_text, deterministic=True)
        return "wan_lean_params(params)"


def rewrite_params(conn: sqlite3.Connection, *, batch: int | None = None,
                   after_batch: AfterBatch | None = None) -> None:
    """Run (or resume) migration 3 on a file at version 2 (nothing to do at 3)."""
    expression = _remover(conn)

    def step(conn: sqlite3.Connection, start: int, last: int) -> None:
        conn.execute(f"UPDATE generations SET params = {expression} WHERE id > ? AND id <= ?",
                     (start, last))

    def finish(conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA user_version = {LEAN_VERSION}")

    run_batches(conn, "lean_params", pending=lambda c: user_version(c) < LEAN_VERSION,
                step=step, finish=finish, batch=batch or BATCH_ROWS, after_batch=after_batch)
