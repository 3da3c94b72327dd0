"""The history store: every generation, in SQLite, the program's one source of truth.

Each change is its own short transaction, committed before the call returns, so a crash loses
nothing. WAL mode and a 5 s busy timeout let the TUI and a CLI command write the same file at
once; write transactions start with BEGIN IMMEDIATE so a writer waits for the other instead of
failing with "database is locked" when a read would have to turn into a write.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import ACTIVE_STATES, FINAL_STATES, State, TaskSnapshot
from wan_tui.store.files import move_aside
from wan_tui.store.paths import data_dir
from wan_tui.store.rows import ImportResult, Row, columns_from_json, request_columns
from wan_tui.store.schema import LATEST_VERSION, fts5_available, migrate, setup_fts, user_version
from wan_tui.store.search import Filters, where_clause

HISTORY_FILE = "history.sqlite3"
BUSY_TIMEOUT_MS = 5000
# No submission POST takes this long: older "submitting" rows are interrupted whoever owns them.
_SUBMISSION_MAX_AGE = 3600.0
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26
_SIBLINGS = ("-wal", "-shm", "-journal")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_EXPORT_CHUNK = 500
# Columns a poll may fill in without it counting as a change the user would see.
_QUIET = frozenset({"trace_id", "server_created_at"})
_ACTIVE = tuple(str(s) for s in ACTIVE_STATES)
_SETTLED = (State.SUCCEEDED, State.FAILED)  # a late "running" read must not undo these
_INTERRUPTED_MESSAGE = ("wan-tui stopped before the service answered: the task may or may "
                        "not exist (and be billed); check before submitting again")


class HistoryError(Exception):
    """The history file cannot be used and moving it aside would not help (permissions,
    disk errors, a lock held too long). The message names the file."""


class _Unusable(Exception):
    """The file is not a history this version can use: move it aside and start fresh."""

    def __init__(self, label: str, reason: str) -> None:
        super().__init__(reason)
        self.label = label


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would terminate the process there; rely on the age limit
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by another user
    return True


class HistoryStore:
    """Open (creating and migrating) the history at `path`.

    One sqlite3 connection per store, opened with check_same_thread=False so it can be handed
    to worker threads; calls are serialized by a lock, but the store is meant to be used from
    the asyncio thread (every call is short). `fts=False` forces the LIKE search fallback.
    """

    def __init__(self, path: Path | str | None = None, *, clock: Callable[[], float] = time.time,
                 fts: bool | None = None) -> None:
        self.path = Path(path) if path is not None else data_dir() / HISTORY_FILE
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._clock = clock
        self._lock = threading.RLock()
        self._in_flight: set[int] = set()  # submissions this store is sending right now
        self.recovered_from: Path | None = None
        self.notice: str | None = None
        try:
            self._conn, available = self._open()
        except _Unusable as exc:
            self._move_aside(exc)
            self._conn, available = self._open()
        self.fts: bool = available and fts is not False

    # -- opening -------------------------------------------------------------------------

    def _open(self) -> tuple[sqlite3.Connection, bool]:
        self._check_header()
        # Prompts are private: create the file 0600 ourselves (SQLite gives its -wal and -shm
        # files the database file's permissions). An empty file is a valid empty database.
        try:
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        # isolation_level=None: transactions are ours (BEGIN IMMEDIATE in _transaction).
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._check(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            available = fts5_available(conn)
            with _transaction(conn):
                migrate(conn)
                setup_fts(conn, available)
        except sqlite3.DatabaseError as exc:
            conn.close()
            code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
            if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
                raise _Unusable("corrupt", str(exc)) from exc
            raise HistoryError(f"cannot open the history file {self.path}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        conn.row_factory = sqlite3.Row
        return conn, available

    def _check_header(self) -> None:
        """Refuse a file that is not SQLite before SQLite sees it: on closing such a file,
        SQLite deletes a -wal file lying next to it, and that is the user's data too."""
        try:
            with self.path.open("rb") as handle:
                header = handle.read(len(_SQLITE_MAGIC))
        except FileNotFoundError:
            return
        except OSError as exc:
            raise HistoryError(f"cannot read the history file {self.path}: "
                               f"{exc.strerror or exc}") from exc
        if header and header != _SQLITE_MAGIC:
            raise _Unusable("corrupt", "not an SQLite database")

    def _check(self, conn: sqlite3.Connection) -> None:
        version = user_version(conn)  # the first read: fails here for a file that is not SQLite
        if version > LATEST_VERSION:
            raise _Unusable("newer", f"schema version {version}; this version of wan-tui "
                            f"knows up to {LATEST_VERSION}")
        problems = [line for (line,) in conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise _Unusable("corrupt", problems[0])

    def _move_aside(self, exc: _Unusable) -> None:
        try:
            target = move_aside(self.path, exc.label, when=self._clock(), siblings=_SIBLINGS)
        except OSError as err:
            raise HistoryError(f"the history file {self.path} cannot be used ({exc}) and could "
                               f"not be moved aside ({err.strerror or err})") from err
        self.recovered_from = target
        if exc.label == "newer":
            self.notice = (f"history file {self.path} was written by a newer wan-tui ({exc}); "
                           f"moved to {target}; started a fresh history (upgrade wan-tui and "
                           f"move the file back to use it again)")
        else:
            self.notice = (f"history file {self.path} was unreadable ({exc}); moved to "
                           f"{target}; started a fresh history")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- small helpers ---------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _transaction(self._conn):
            yield self._conn

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        with self._lock:
            return [Row.from_sql(r) for r in self._conn.execute(sql, args)]

    def _rows_by_id(self, conn: sqlite3.Connection, ids: Sequence[int]) -> list[Row]:
        out = []
        for local_id in ids:  # few ids (one poll batch); the primary key makes each instant
            row = conn.execute("SELECT * FROM generations WHERE id = ?", (local_id,)).fetchone()
            if row is not None:
                out.append(Row.from_sql(row))
        return out

    def _update(self, local_id: int, **values: Any) -> Row:
        with self._write() as conn:
            return self._set(conn, local_id, **values)

    def _set(self, conn: sqlite3.Connection, local_id: int, **values: Any) -> Row:
        values["updated_at"] = self._clock()
        assignments = ", ".join(f"{column} = ?" for column in values)
        cursor = conn.execute(f"UPDATE generations SET {assignments} WHERE id = ?",
                              (*values.values(), local_id))
        if cursor.rowcount == 0:
            raise LookupError(f"no generation with local id {local_id} in the history")
        return self._rows_by_id(conn, [local_id])[0]

    # -- the write-ahead submission flow ---------------------------------------------------

    def add_submission(self, request: GenerationRequest) -> int:
        """Record a generation before its POST is sent (state submitting); its local id."""
        now = self._clock()
        columns = {**request_columns(request), "state": str(State.SUBMITTING),
                   "created_at": now, "updated_at": now, "submitter_pid": os.getpid()}
        with self._write() as conn:
            local_id = _insert(conn, columns)
        self._in_flight.add(local_id)
        return local_id

    def mark_submitted(self, local_id: int, task_id: str, trace_id: str | None) -> Row:
        """The service accepted the submission: it now has a task id (state pending)."""
        self._in_flight.discard(local_id)
        with self._write() as conn:
            # A row for this id can only exist if another process recorded the task (from a
            # poll or `wan-tui task ID`) in the instant before this call; ours is the record.
            conn.execute("DELETE FROM generations WHERE task_id = ? AND id != ?",
                         (task_id, local_id))
            return self._set(conn, local_id, task_id=task_id, trace_id=trace_id,
                             state=str(State.PENDING), submitter_pid=None)

    def mark_refused(self, local_id: int, code: str, message: str, trace_id: str | None) -> Row:
        """The service refused the submission (nothing was created): failed, with the reason."""
        self._in_flight.discard(local_id)
        return self._update(local_id, state=str(State.FAILED), error_code=code,
                            error_message=message, trace_id=trace_id,
                            finished_at=self._clock(), submitter_pid=None)

    def mark_unknown(self, local_id: int, message: str) -> Row:
        """No answer came: a task may or may not exist. Never resent automatically."""
        self._in_flight.discard(local_id)
        return self._update(local_id, state=str(State.UNKNOWN), error_message=message,
                            submitter_pid=None)

    def recover_interrupted(self) -> list[Row]:
        """Turn submissions left 'submitting' by a process that died into 'unknown'.

        Rows another live process is still sending are left alone (the TUI and a CLI command
        may run together); so are this store's own submissions in flight.
        """
        now = self._clock()
        with self._write() as conn:
            candidates = conn.execute(
                "SELECT id, submitter_pid, created_at FROM generations WHERE state = ?",
                (str(State.SUBMITTING),)).fetchall()
            stale = [r["id"] for r in candidates if r["id"] not in self._in_flight and (
                r["submitter_pid"] in (None, os.getpid())
                or now - r["created_at"] > _SUBMISSION_MAX_AGE
                or not _pid_alive(r["submitter_pid"]))]
            conn.executemany(
                "UPDATE generations SET state = ?, error_message = ?, updated_at = ?, "
                "submitter_pid = NULL WHERE id = ?",
                [(str(State.UNKNOWN), _INTERRUPTED_MESSAGE, now, i) for i in stale])
            return self._rows_by_id(conn, stale)

    # -- learning from the service ---------------------------------------------------------

    def apply_snapshots(self, snaps: Iterable[TaskSnapshot]) -> list[Row]:
        """Record one poll's results in one transaction; the rows whose shown fields changed.

        Unknown task ids get a new row built from the task's request, so a task made elsewhere
        (`wan-tui task ID`) joins the history. Every row read gets last_polled_at.
        """
        now = self._clock()
        changed: list[int] = []
        with self._write() as conn:
            for snap in snaps:
                if not snap.task_id:
                    continue
                current = conn.execute("SELECT * FROM generations WHERE task_id = ?",
                                       (snap.task_id,)).fetchone()
                if current is None:
                    columns = {**request_columns(snap.request), "task_id": snap.task_id,
                               "created_at": snap.created_at or now, "updated_at": now,
                               "last_polled_at": now, **_snapshot_columns(None, snap, now)}
                    changed.append(_insert(conn, columns))
                    continue
                values = _snapshot_columns(Row.from_sql(current), snap, now)
                values = {k: v for k, v in values.items() if current[k] != v}
                if values.keys() - _QUIET:
                    changed.append(current["id"])
                if values:
                    values["updated_at"] = now
                values["last_polled_at"] = now
                assignments = ", ".join(f"{column} = ?" for column in values)
                conn.execute(f"UPDATE generations SET {assignments} WHERE id = ?",
                             (*values.values(), current["id"]))
            return self._rows_by_id(conn, changed)

    def mark_states(self, task_ids: Iterable[str], state: State,
                    message: str | None = None) -> list[Row]:
        """Set a local verdict (e.g. expired, lost) on tasks; the rows that changed."""
        now = self._clock()
        finished = now if state in FINAL_STATES else None
        with self._write() as conn:
            changed = []
            for task_id in task_ids:
                row = conn.execute("SELECT id FROM generations WHERE task_id = ? AND state != ?",
                                   (task_id, str(state))).fetchone()
                if row is None:
                    continue
                conn.execute(
                    "UPDATE generations SET state = ?, error_message = coalesce(?, error_message),"
                    " finished_at = coalesce(finished_at, ?), updated_at = ? WHERE id = ?",
                    (str(state), message, finished, now, row["id"]))
                changed.append(row["id"])
            return self._rows_by_id(conn, changed)

    def touch_polled(self, task_ids: Iterable[str], when: float | None = None) -> None:
        when = self._clock() if when is None else when
        with self._write() as conn:
            conn.executemany("UPDATE generations SET last_polled_at = ? WHERE task_id = ?",
                             [(when, task_id) for task_id in task_ids])

    def set_local_path(self, task_id: str, path: str) -> None:
        with self._write() as conn:
            conn.execute("UPDATE generations SET local_path = ?, updated_at = ? WHERE task_id = ?",
                         (path, self._clock(), task_id))

    def delete(self, task_id: str) -> bool:
        with self._write() as conn:
            return conn.execute("DELETE FROM generations WHERE task_id = ?",
                                (task_id,)).rowcount > 0

    def delete_id(self, local_id: int) -> bool:
        """Delete by local id (rows in state unknown have no task id)."""
        with self._write() as conn:
            return conn.execute("DELETE FROM generations WHERE id = ?", (local_id,)).rowcount > 0

    # -- reading -----------------------------------------------------------------------------

    def get(self, local_id: int) -> Row | None:
        rows = self._rows("SELECT * FROM generations WHERE id = ?", (local_id,))
        return rows[0] if rows else None

    def by_task_id(self, task_id: str) -> Row | None:
        rows = self._rows("SELECT * FROM generations WHERE task_id = ?", (task_id,))
        return rows[0] if rows else None

    def active(self) -> list[Row]:
        """Tasks the tracker must poll (pending/running with a task id), oldest first."""
        marks = ", ".join("?" * len(_ACTIVE))
        return self._rows(f"SELECT * FROM generations WHERE state IN ({marks}) "
                          f"AND task_id IS NOT NULL ORDER BY created_at, id", _ACTIVE)

    def search(self, text: str | None = None, *, states: Sequence[str] = (),
               model: str | None = None, action: str | None = None,
               since: float | None = None, until: float | None = None,
               limit: int = 50, offset: int = 0) -> list[Row]:
        """One page of the history, newest first (created_at, then id, descending)."""
        where, args = where_clause(Filters(text, tuple(states), model, action, since, until),
                                   fts=self.fts)
        return self._rows(f"SELECT * FROM generations {where} "
                          f"ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                          (*args, limit, offset))

    def count(self, text: str | None = None, *, states: Sequence[str] = (),
              model: str | None = None, action: str | None = None,
              since: float | None = None, until: float | None = None) -> int:
        where, args = where_clause(Filters(text, tuple(states), model, action, since, until),
                                   fts=self.fts, paged=False)
        with self._lock:
            return self._conn.execute(f"SELECT count(*) FROM generations {where}",
                                      args).fetchone()[0]

    def counts_by_state(self) -> dict[str, int]:
        with self._lock:
            return dict(self._conn.execute(
                "SELECT state, count(*) FROM generations GROUP BY state").fetchall())

    # -- import / export ---------------------------------------------------------------------

    def export_rows(self) -> Iterator[dict[str, Any]]:
        """Every row as a JSON-ready dict, oldest first, read in small pages (never the whole
        table at once; other writers are not blocked between pages)."""
        after: tuple[float, int] = (float("-inf"), 0)
        while True:
            rows = self._rows("SELECT * FROM generations WHERE (created_at, id) > (?, ?) "
                              "ORDER BY created_at, id LIMIT ?", (*after, _EXPORT_CHUNK))
            yield from (row.to_json() for row in rows)
            if len(rows) < _EXPORT_CHUNK:
                return
            after = (rows[-1].created_at, rows[-1].id)

    def import_rows(self, rows: Iterable[dict[str, Any]]) -> ImportResult:
        """Add exported rows in one transaction. A task id already in the history is merged
        (the more recently updated record wins; a local download path is kept); rows without
        a task id are always added. Rows that cannot be history rows are skipped, with why."""
        now = self._clock()
        added = merged = 0
        problems: list[str] = []
        with self._write() as conn:
            for number, item in enumerate(rows, 1):
                try:
                    columns = columns_from_json(item, now)
                except ValueError as exc:
                    problems.append(f"row {number}: {exc}")
                    continue
                existing = None
                if columns["task_id"]:
                    existing = conn.execute(
                        "SELECT id, updated_at, local_path FROM generations WHERE task_id = ?",
                        (columns["task_id"],)).fetchone()
                if existing is None:
                    _insert(conn, columns)
                    added += 1
                    continue
                merged += 1
                if columns["updated_at"] < existing["updated_at"]:
                    columns = {"local_path": existing["local_path"] or columns["local_path"]}
                else:
                    columns["local_path"] = columns["local_path"] or existing["local_path"]
                assignments = ", ".join(f"{column} = ?" for column in columns)
                conn.execute(f"UPDATE generations SET {assignments} WHERE id = ?",
                             (*columns.values(), existing["id"]))
        return ImportResult(added, merged, len(problems), tuple(problems))


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")  # take the write lock now (waits up to busy_timeout)
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _insert(conn: sqlite3.Connection, columns: dict[str, Any]) -> int:
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    cursor = conn.execute(f"INSERT INTO generations ({names}) VALUES ({marks})",
                          tuple(columns.values()))
    return int(cursor.lastrowid)


def _snapshot_columns(row: Row | None, snap: TaskSnapshot, now: float) -> dict[str, Any]:
    """The shown columns after reading `snap` for `row` (None: a new row)."""
    if row is not None and row.state in _SETTLED and snap.state in ACTIVE_STATES:
        return {}  # an out-of-date read; the task has ended
    old = (lambda name: getattr(row, name)) if row else (lambda name: None)
    finished = snap.finished_at or old("finished_at")
    if finished is None and snap.state in FINAL_STATES:
        finished = now
    return {
        "state": str(snap.state),
        "state_word": snap.state_word,
        "video_url": snap.video_url or old("video_url"),
        "thumbnail_url": snap.thumbnail_url or old("thumbnail_url"),
        "video_width": snap.video_width or old("video_width"),
        "video_height": snap.video_height or old("video_height"),
        # read_task only reports an error once the task failed: otherwise there is none now
        "error_code": snap.error_code,
        "error_message": snap.error_message,
        "trace_id": old("trace_id") or snap.trace_id,  # keep the one the user was shown
        "finished_at": finished,
        "server_created_at": snap.created_at or old("server_created_at"),
    }
