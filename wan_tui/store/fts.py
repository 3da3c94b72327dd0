"""The full-text index over prompt and negative_prompt: an external-content FTS5 table kept in
step by triggers, with two- and three-character prefix entries so that searching while typing
("fo" finds "fox") reads one index entry instead of merging every word that starts alike.

It is not a migration because it depends on the SQLite build: without FTS5 the history works
with LIKE, and the index is (re)built the next time a build with FTS5 opens the file. Filling
it (a new file's is empty; an old file's index had no prefix entries) goes in batches: while
it fills, the triggers only keep the rows already filled in step (ids up to the position in
`store_progress`), so the index holds exactly those rows at every commit point.
"""

from __future__ import annotations

import sqlite3

from wan_tui.store.batches import BATCH_ROWS, AfterBatch, position, run_batches, set_position

FTS_TABLE = "history_fts"
_OLD_TABLE = "generations_fts"  # schema 1's index, without prefix entries
_OLD_TRIGGERS = ("generations_fts_insert", "generations_fts_delete", "generations_fts_update")
_FILL = "fts_fill"
_DDL = f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
    prompt, negative_prompt, content='generations', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3')"""
_FILLED_UP_TO = f"(SELECT position FROM store_progress WHERE name = '{_FILL}')"


def _triggers(filling: bool) -> dict[str, str]:
    def when(row: str) -> str:
        return f"WHEN {row}.id <= {_FILLED_UP_TO}" if filling else ""
    add = f"INSERT INTO {FTS_TABLE} (rowid, prompt, negative_prompt) " \
          f"VALUES (new.id, new.prompt, new.negative_prompt);"
    remove = f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, prompt, negative_prompt) " \
             f"VALUES ('delete', old.id, old.prompt, old.negative_prompt);"
    return {
        "history_fts_insert": f"CREATE TRIGGER history_fts_insert AFTER INSERT ON generations "
                              f"{when('new')} BEGIN {add} END",
        "history_fts_delete": f"CREATE TRIGGER history_fts_delete AFTER DELETE ON generations "
                              f"{when('old')} BEGIN {remove} END",
        "history_fts_update": f"CREATE TRIGGER history_fts_update AFTER UPDATE OF prompt, "
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


def setup_fts(conn: sqlite3.Connection, available: bool) -> None:
    """Make the index's state consistent at open; `fill_fts` then completes it. Without FTS5,
    drop the triggers so writes keep working (the index is refilled later). Call inside a
    write transaction."""
    triggers = _existing(conn, "trigger")
    ours = _triggers(False).keys()
    if not available:
        for name in (ours | set(_OLD_TRIGGERS)) & triggers.keys():
            conn.execute(f"DROP TRIGGER {name}")
        return
    for name in set(_OLD_TRIGGERS) & triggers.keys():
        conn.execute(f"DROP TRIGGER {name}")
    tables = _existing(conn, "table")
    if _OLD_TABLE in tables:
        conn.execute(f"DROP TABLE {_OLD_TABLE}")
    filling = position(conn, _FILL) is not None
    intact = ours <= triggers.keys() and all(
        ("WHEN" in triggers[name]) == filling for name in ours)
    if FTS_TABLE in tables and intact and tables[FTS_TABLE] == _DDL:
        return
    # Missing, defined otherwise (an earlier layout), or written to without its triggers (by
    # a build without FTS5): fill afresh.
    if FTS_TABLE in tables:
        conn.execute(f"DROP TABLE {FTS_TABLE}")
    conn.execute(_DDL)
    set_position(conn, _FILL, 0)
    _set_triggers(conn, filling=True)


def fts_settled(conn: sqlite3.Connection, available: bool) -> bool:
    """Whether setup_fts would change nothing (then opening needs no write transaction)."""
    triggers = _existing(conn, "trigger").keys()
    if not available:
        return not (triggers & (_triggers(False).keys() | set(_OLD_TRIGGERS)))
    tables = _existing(conn, "table")
    return (tables.get(FTS_TABLE) == _DDL and _OLD_TABLE not in tables
            and not triggers & set(_OLD_TRIGGERS) and fts_ready(conn))


def fts_ready(conn: sqlite3.Connection) -> bool:
    """The index holds every row (not filling, triggers in place)."""
    return (FTS_TABLE in _existing(conn, "table") and position(conn, _FILL) is None
            and _triggers(False).keys() <= _existing(conn, "trigger").keys())


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
    """Merge the index's segments into one. Filled batch by batch it has many, and a lookup
    of one row (the probe plan in plans.py) visits each: 10-40 times slower unmerged."""
    conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
