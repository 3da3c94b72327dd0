"""The history database's schema: numbered migrations and the optional full-text index.

`PRAGMA user_version` is the number of migrations applied. To change the schema, append one
entry to MIGRATIONS; never edit an entry that has shipped.
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
]
LATEST_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> None:
    """Apply the missing migrations. Call inside a write transaction (BEGIN IMMEDIATE) so two
    processes opening a new file at once cannot both migrate it."""
    version = user_version(conn)
    for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
        for statement in statements:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")


# -- full-text search ------------------------------------------------------------------------
# An external-content FTS5 index over prompt and negative_prompt, kept in step by triggers.
# It is not a migration because it depends on the SQLite build: without FTS5 the history works
# with LIKE, and the index is (re)built the next time a build with FTS5 opens the file.

FTS_TABLE = "generations_fts"
_TRIGGERS = {
    "generations_fts_insert": f"""CREATE TRIGGER generations_fts_insert AFTER INSERT ON generations
        BEGIN
            INSERT INTO {FTS_TABLE} (rowid, prompt, negative_prompt)
            VALUES (new.id, new.prompt, new.negative_prompt);
        END""",
    "generations_fts_delete": f"""CREATE TRIGGER generations_fts_delete AFTER DELETE ON generations
        BEGIN
            INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, prompt, negative_prompt)
            VALUES ('delete', old.id, old.prompt, old.negative_prompt);
        END""",
    "generations_fts_update": f"""CREATE TRIGGER generations_fts_update
        AFTER UPDATE OF prompt, negative_prompt ON generations
        BEGIN
            INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, prompt, negative_prompt)
            VALUES ('delete', old.id, old.prompt, old.negative_prompt);
            INSERT INTO {FTS_TABLE} (rowid, prompt, negative_prompt)
            VALUES (new.id, new.prompt, new.negative_prompt);
        END""",
}


def fts5_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite can use FTS5 (built in or loaded): try it rather than guess."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x)")
        conn.execute("DROP TABLE temp.fts5_probe")
        return True
    except sqlite3.OperationalError:
        return False


def _existing(conn: sqlite3.Connection, kind: str) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))
    return {name for (name,) in rows}


def setup_fts(conn: sqlite3.Connection, available: bool) -> None:
    """Create the index and its triggers when FTS5 is available, rebuilding the index if the
    triggers were missing (writes happened without them); otherwise drop the triggers so
    writes keep working. Call inside a write transaction."""
    triggers = _existing(conn, "trigger")
    if not available:
        for name in _TRIGGERS.keys() & triggers:
            conn.execute(f"DROP TRIGGER {name}")
        return
    if FTS_TABLE not in _existing(conn, "table"):
        conn.execute(f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
            prompt, negative_prompt, content='generations', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2')""")
    if _TRIGGERS.keys() <= triggers:
        return
    for name, sql in _TRIGGERS.items():
        if name not in triggers:
            conn.execute(sql)
    conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")
