"""The full-text index over prompt and negative_prompt: an external-content FTS5 table kept in
step by triggers (the one schema 1 created; upgrading keeps it as it is).

There are no prefix entries (they would add about 300 bytes a row per prefix length): a word
being typed is found by walking the newest rows and checking their text when such rows are
dense, and through the index otherwise (plans.py).

It is not a migration because it depends on the SQLite build: without FTS5 the history works
with LIKE, and the index is rebuilt the next time a build with FTS5 opens the file. The rebuild
goes in batches: while it fills, the triggers only keep the rows already filled in step (ids
up to the position in `store_progress`), so the index holds exactly those rows at every commit
point and an interrupted rebuild resumes.
"""

from __future__ import annotations

import sqlite3

from wan_tui.store.batches import BATCH_ROWS, AfterBatch, position, run_batches, set_position

FTS_TABLE = "generations_fts"
_FILL = "fts_fill"
_DDL = f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
    prompt, negative_prompt, content='generations', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2')"""
_FILLED_UP_TO = f"(SELECT position FROM store_progress WHERE name = '{_FILL}')"


def _triggers(filling: bool) -> dict[str, str]:
    def when(row: str) -> str:
        return f"WHEN {row}.id <= {_FILLED_UP_TO}" if filling else ""
    add = f"INSERT INTO {FTS_TABLE} (rowid, prompt, negative_prompt) " \
          f"VALUES (new.id, new.prompt, new.negative_prompt);"
    remove = f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, prompt, negative_prompt) " \
             f"VALUES ('delete', old.id, old.prompt, old.negative_prompt);"
    return {
        f"{FTS_TABLE}_insert": f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON generations "
                               f"{when('new')} BEGIN {add} END",
        f"{FTS_TABLE}_delete": f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON generations "
                               f"{when('old')} BEGIN {remove} END",
        f"{FTS_TABLE}_update": f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF prompt, "
                               f"negative_prompt ON generations {when('old')} "
                               f"BEGIN {remove} {add} END",
    }


def fts5_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite can use FTS5 (built in or loaded): try it rather than guess."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x)")
        conn.execute("DROP TABLE temp.fts5_probe")
        return True
    except sqlite3.OperationalError:
        return False


def _existing(conn: sqlite3.Connection, kind: str) -> dict[str, str]:
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = ?", (kind,))
    return {name: sql or "" for name, sql in rows}


def _set_triggers(conn: sqlite3.Connection, filling: bool) -> None:
    existing = _existing(conn, "trigger")
    for name, sql in _triggers(filling).items():
        if name in existing:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(sql)


def _intact(conn: sqlite3.Connection) -> bool:
    """The table exists and its triggers are those of its state (filling or complete)."""
    triggers = _existing(conn, "trigger")
    filling = position(conn, _FILL) is not None
    return FTS_TABLE in _existing(conn, "table") and all(
        name in triggers and ("WHEN" in triggers[name]) == filling for name in _triggers(False))


def setup_fts(conn: sqlite3.Connection, available: bool) -> None:
    """Make the index's state consistent at open; `fill_fts` then completes it. Without FTS5,
    drop the triggers so writes keep working (the index is refilled later). Call inside a
    write transaction."""
    if not available:
        for name in _triggers(False).keys() & _existing(conn, "trigger").keys():
            conn.execute(f"DROP TRIGGER {name}")
        return
    if _intact(conn):
        return
    # Missing, or written to without its triggers (by a build without FTS5): fill afresh.
    if FTS_TABLE in _existing(conn, "table"):
        conn.execute(f"DROP TABLE {FTS_TABLE}")
    conn.execute(_DDL)
    set_position(conn, _FILL, 0)
    _set_triggers(conn, filling=True)


def fts_settled(conn: sqlite3.Connection, available: bool) -> bool:
    """Whether setup_fts and fill_fts would change nothing (opening then needs no write)."""
    if not available:
        return not _triggers(False).keys() & _existing(conn, "trigger").keys()
    return fts_ready(conn)


def fts_ready(conn: sqlite3.Connection) -> bool:
    """The index holds every row (not filling, triggers in place)."""
    return position(conn, _FILL) is None and _intact(conn)


def fill_fts(conn: sqlite3.Connection, *, batch: int | None = None,
             after_batch: AfterBatch | None = None) -> None:
    """Fill the index in batches (nothing to do when it is complete)."""

    def step(conn: sqlite3.Connection, start: int, last: int) -> None:
        conn.execute(f"INSERT INTO {FTS_TABLE} (rowid, prompt, negative_prompt) "
                     f"SELECT id, prompt, negative_prompt FROM generations "
                     f"WHERE id > ? AND id <= ?", (start, last))

    def finish(conn: sqlite3.Connection) -> None:
        _set_triggers(conn, filling=False)
        optimize(conn)

    run_batches(conn, _FILL, pending=lambda c: position(c, _FILL) is not None, step=step,
                finish=finish, batch=batch or BATCH_ROWS, after_batch=after_batch)


def optimize(conn: sqlite3.Connection) -> None:
    """Merge the index's segments into one. Filled batch by batch (or written row by row) it
    has several, and a lookup of one row (the probe plan in plans.py) visits each: 10-40
    times slower unmerged."""
    conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
