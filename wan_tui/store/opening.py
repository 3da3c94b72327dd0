"""Opening the history file: a cheap check, the migrations, and the full-text index.

No full-file check here (it reads every page: over a second at a million rows). The header,
the schema version and the schema itself are read; damage elsewhere is found when a query
meets it (errors.explain) or by `HistoryStore.check()` (`wan-tui doctor`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from wan_tui.store.batches import AfterBatch
from wan_tui.store.errors import HistoryError, is_corruption
from wan_tui.store.fts import (
    fill_fts,
    fts5_available,
    fts_ready,
    fts_settled,
    optimize,
    setup_fts,
)
from wan_tui.store.lean import LEAN_VERSION, rewrite_params
from wan_tui.store.schema import LATEST_VERSION, migrate, user_version
from wan_tui.store.search import has_prefix

BUSY_TIMEOUT_MS = 5000
SQLITE_MAGIC = b"SQLite format 3\x00"


class Unusable(Exception):
    """The file is not a history this version can use: move it aside and start fresh."""

    def __init__(self, label: str, reason: str) -> None:
        super().__init__(reason)
        self.label = label


def check_header(path: Path) -> None:
    """Refuse a file that is not SQLite before SQLite sees it: on closing such a file,
    SQLite deletes a -wal file lying next to it, and that is the user's data too."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise HistoryError(f"cannot read the history file {path}: "
                           f"{exc.strerror or exc}") from exc
    if header and not header.startswith(SQLITE_MAGIC):
        raise Unusable("corrupt", "not an SQLite database")
    if header and len(header) < 100:
        raise Unusable("corrupt", "the file is cut short (no complete SQLite header)")


def _cheap_check(conn: sqlite3.Connection) -> None:
    version = user_version(conn)  # the first read: fails here for a file that is not SQLite
    if version > LATEST_VERSION:
        raise Unusable("newer", f"schema version {version}; this version of wan-tui "
                       f"knows up to {LATEST_VERSION}")
    conn.execute("PRAGMA schema_version").fetchone()
    # Reading the schema parses every table's definition: a damaged first page fails here.
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = "
                                               "'table'")}
    if version >= 1 and "generations" not in tables:
        raise Unusable("corrupt", "the generations table is missing")


def create_private(path: Path) -> None:
    """Prompts are private: create the file 0600 ourselves (SQLite gives its -wal and -shm
    files the database file's permissions). An empty file is a valid empty database."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def open_history(path: Path, *, after_batch: AfterBatch | None = None
                 ) -> tuple[sqlite3.Connection, bool]:
    """A migrated connection and whether full-text search is ready. Raises Unusable (move the
    file aside) or HistoryError."""
    check_header(path)
    create_private(path)
    # isolation_level=None: transactions are ours (BEGIN IMMEDIATE).
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _cheap_check(conn)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        available = fts5_available(conn)
        upgraded = False
        if user_version(conn) < LATEST_VERSION:
            _write(conn, lambda: migrate(conn))
            if user_version(conn) < LEAN_VERSION:
                rewrite_params(conn, after_batch=after_batch)
                upgraded = True
        if not fts_settled(conn, available):  # usually it is: no write (and no lock) to open
            _write(conn, lambda: setup_fts(conn, available))
            if available:
                fill_fts(conn, after_batch=after_batch)
        elif upgraded and available:  # an index written row by row: merge it once
            _write(conn, lambda: optimize(conn))
        ready = available and fts_ready(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if is_corruption(exc):
            raise Unusable("corrupt", str(exc)) from exc
        raise HistoryError(f"cannot open the history file {path}: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    conn.row_factory = sqlite3.Row
    conn.create_function("wan_has_prefix", 3, has_prefix, deterministic=True)
    return conn, ready


def _write(conn: sqlite3.Connection, work: Callable[[], object]) -> None:
    conn.execute("BEGIN IMMEDIATE")  # two processes opening a new file cannot both migrate
    try:
        work()
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
