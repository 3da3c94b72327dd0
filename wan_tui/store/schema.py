"""The history database's schema: numbered migrations and the optional full-text index.

`PRAGMA user_version` is the number of migrations applied. To change the schema, append one
entry to MIGRATIONS; never edit an entry that has shipped. Migration 3 rewrites rows, so it
runs in batches (see lean.py); the others are plain statements run in one transaction.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[tuple[str, ...]] = [
    # 1: the generations table and the indexes the history screen and the tracker page with.
    (
        """CREATE TABLE generations (
            id INTEGER PRIMARY KEY,
            task_id TEXT UNIQUE,
            action TEXT NOT NULL,
            model TEXT NOT NULL,
            prompt TEXT NOT NULL DEFAULT '',
            negative_prompt TEXT,
            params TEXT NOT NULL DEFAULT '{}',
            state TEXT NOT NULL,
            state_word TEXT NOT NULL DEFAULT '',
            video_url TEXT,
            thumbnail_url TEXT,
            video_width INTEGER,
            video_height INTEGER,
            error_code TEXT,
            error_message TEXT,
            trace_id TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            finished_at REAL,
            server_created_at REAL,
            last_polled_at REAL,
            local_path TEXT,
            -- the process that is sending this submission; lets recovery tell a crashed
            -- submission from one still in flight in another process (TUI and CLI together)
            submitter_pid INTEGER
        )""",
        # Each filter index ends in (created_at, id), the history's order, so a filtered first
        # page is read straight from the index without sorting the matching rows.
        "CREATE INDEX generations_state ON generations (state, created_at, id)",
        "CREATE INDEX generations_created ON generations (created_at, id)",
        "CREATE INDEX generations_model ON generations (model, created_at, id)",
        "CREATE INDEX generations_action ON generations (action, created_at, id)",
    ),
    # 2: usage and cost as received (JSON text), the cost read into an amount and currency for
    # sums, the service-side delete, and what lets another process follow changes cheaply.
    (
        "ALTER TABLE generations ADD COLUMN usage TEXT",
        "ALTER TABLE generations ADD COLUMN cost TEXT",
        "ALTER TABLE generations ADD COLUMN cost_amount REAL",
        "ALTER TABLE generations ADD COLUMN cost_currency TEXT",
        "ALTER TABLE generations ADD COLUMN remote_deleted_at REAL",
        # when reconciliation matched this row to a listed task (the match may be undone)
        "ALTER TABLE generations ADD COLUMN adopted_at REAL",
        "CREATE INDEX generations_updated ON generations (updated_at)",
        # covers `spend`: only rows with a known cost are in it
        """CREATE INDEX generations_spend ON generations
            (created_at, cost_currency, cost_amount, model) WHERE cost_amount IS NOT NULL""",
        # where a batched migration got to (a row per migration in progress)
        "CREATE TABLE store_progress (name TEXT PRIMARY KEY, position INTEGER NOT NULL)",
    ),
    # 3: the prompt stored once: params no longer repeat action, model, prompt and
    # negative_prompt (their columns hold them). Rewrites rows in batches: lean.py.
    (),
]
LATEST_VERSION = len(MIGRATIONS)
BATCHED = {3}  # migrations run by lean.rewrite_params, batch by batch


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the missing plain migrations, stopping before a batched one; the version reached.
    Call inside a write transaction (BEGIN IMMEDIATE) so two processes opening a new file at
    once cannot both migrate it."""
    version = user_version(conn)
    for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
        if number in BATCHED:
            break
        for statement in statements:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
        version = number
    return version
