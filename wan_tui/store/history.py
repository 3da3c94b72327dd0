"""The history store: every generation, in SQLite, the program's one source of truth.

Each change is its own short transaction, committed before the call returns, so a crash loses
nothing. WAL mode and a 5 s busy timeout let the TUI and a CLI command write the same file at
once; write transactions start with BEGIN IMMEDIATE so a writer waits for the other instead of
failing with "database is locked" when a read would have to turn into a write. SQLite failures
become HistoryErrors that say what was not saved (errors.py). A row that has (or had) a task
id is only ever deleted by the user (`delete`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import FINAL_STATES, State
from wan_tui.store.batches import AfterBatch
from wan_tui.store.errors import HistoryError, TaskIdTaken, explained
from wan_tui.store.files import move_aside
from wan_tui.store.opening import Unusable, open_history
from wan_tui.store.paths import data_dir
from wan_tui.store.reading import ChangeMarker, HistoryReader
from wan_tui.store.rows import Row, request_columns

if TYPE_CHECKING:
    from wan_tui.api.task import TaskSnapshot
    from wan_tui.store.transfer import ImportResult

__all__ = ["ChangeMarker", "HistoryError", "HistoryStore", "Row", "TaskIdTaken"]

HISTORY_FILE = "history.sqlite3"
# No submission POST takes this long: older "submitting" rows are interrupted whoever owns them.
_SUBMISSION_MAX_AGE = 3600.0
_SIBLINGS = ("-wal", "-shm", "-journal")
_INTERRUPTED_MESSAGE = ("wan-tui stopped before the service answered: the task may or may "
                        "not exist (and be billed); check before submitting again")


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would terminate the process there; rely on the age limit
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by another user
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed process its parent has not reaped yet: it exists, but sends nothing more."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False  # no /proc (macOS): trust os.kill, and the age limit
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


class HistoryStore(HistoryReader):
    """Open (creating and migrating) the history at `path`.

    One sqlite3 connection per store, opened with check_same_thread=False so it can be handed
    to worker threads; calls are serialized by a lock. `fts=False` forces the LIKE search
    fallback. `progress(what, last_id)` hears about each batch of a long upgrade.
    """

    def __init__(self, path: Path | str | None = None, *, clock: Callable[[], float] = time.time,
                 fts: bool | None = None, progress: AfterBatch | None = None) -> None:
        self.path = Path(path) if path is not None else data_dir() / HISTORY_FILE
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._clock = clock
        self._lock = threading.RLock()
        self._in_flight: set[int] = set()  # submissions this store is sending right now
        self.recovered_from: Path | None = None
        self.notice: str | None = None
        try:
            self._conn, available = open_history(self.path, after_batch=progress)
        except Unusable as exc:
            self._move_aside(exc)
            self._conn, available = open_history(self.path, after_batch=progress)
        self.fts: bool = available and fts is not False

    def _move_aside(self, exc: Unusable) -> None:
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
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        """A write transaction; on failure nothing of it is kept and the HistoryError says
        that `what` was not saved."""
        with self._lock, explained(self.path, what, write=True), _transaction(self._conn):
            yield self._conn

    def _rows_by_id(self, conn: sqlite3.Connection, ids: Sequence[int]) -> list[Row]:
        out = []
        for local_id in ids:  # few ids (one poll batch); the primary key makes each instant
            row = conn.execute("SELECT * FROM generations WHERE id = ?", (local_id,)).fetchone()
            if row is not None:
                out.append(Row.from_sql(row))
        return out

    def _update(self, what: str, local_id: int, **values: Any) -> Row:
        with self._write(what) as conn:
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
        """Record a generation before its POST is sent (state submitting); its local id.
        A HistoryError here means nothing was recorded: do not send."""
        now = self._clock()
        columns = {**request_columns(request), "state": str(State.SUBMITTING),
                   "created_at": now, "updated_at": now, "submitter_pid": os.getpid()}
        with self._write("the submission (it was not sent)") as conn:
            local_id = _insert(conn, columns)
        self._in_flight.add(local_id)
        return local_id

    def mark_submitted(self, local_id: int, task_id: str, trace_id: str | None) -> Row:
        """The service accepted the submission: it now has a task id (state pending).

        Raises TaskIdTaken, changing nothing, when another row already holds the id: no row
        that has a task id is deleted to make room. The caller decides, by the holder's
        `adopted_at`: an adoption took this task by mistake (`release_task_id` it, then call
        again), or the holder is the service's record of this very task, read first by a poll
        or a sync (`fold_submission` into it)."""
        self._in_flight.discard(local_id)
        return self._give_task_id(local_id, task_id, trace_id, adopted=False)

    def adopt(self, local_id: int, task_id: str, trace_id: str | None) -> Row:
        """Reconciliation matched an unknown submission to a listed task: like mark_submitted
        (TaskIdTaken included), and the row remembers it was a match (`adopted_at`)."""
        return self._give_task_id(local_id, task_id, trace_id, adopted=True)

    def _give_task_id(self, local_id: int, task_id: str, trace_id: str | None, *,
                      adopted: bool) -> Row:
        with self._write(f"task id {task_id} for history row #{local_id}") as conn:
            holder = conn.execute("SELECT * FROM generations WHERE task_id = ? AND id != ?",
                                  (task_id, local_id)).fetchone()
            if holder is not None:
                raise TaskIdTaken(task_id, local_id, Row.from_sql(holder))
            return self._set(conn, local_id, task_id=task_id, trace_id=trace_id,
                             state=str(State.PENDING), submitter_pid=None,
                             adopted_at=self._clock() if adopted else None)

    def release_task_id(self, local_id: int, message: str) -> Row:
        """Undo an adoption: the row goes back to unknown without a task id (nothing about
        it is lost but the id, which belongs to another submission)."""
        return self._update(f"the release of history row #{local_id}'s task id", local_id,
                            task_id=None, state=str(State.UNKNOWN), error_message=message,
                            finished_at=None, adopted_at=None)

    def fold_submission(self, local_id: int, into_id: int) -> Row:
        """Our submission's task was already recorded (row `into_id`, from a poll or a sync
        that read it first): drop our record of sending it, which never had a task id, and
        return the task's row. A row that has a task id is never dropped here."""
        self._in_flight.discard(local_id)
        with self._write(f"the merge of history row #{local_id} into #{into_id}") as conn:
            conn.execute("DELETE FROM generations WHERE id = ? AND task_id IS NULL", (local_id,))
            rows = self._rows_by_id(conn, [into_id])
            if not rows:
                raise LookupError(f"no generation with local id {into_id} in the history")
            return rows[0]

    def mark_refused(self, local_id: int, code: str, message: str, trace_id: str | None) -> Row:
        """The service refused the submission (nothing was created): failed, with the reason."""
        self._in_flight.discard(local_id)
        return self._update(f"the refusal of history row #{local_id}", local_id,
                            state=str(State.FAILED), error_code=code, error_message=message,
                            trace_id=trace_id, finished_at=self._clock(), submitter_pid=None)

    def mark_unknown(self, local_id: int, message: str) -> Row:
        """No answer came: a task may or may not exist. Never resent automatically."""
        self._in_flight.discard(local_id)
        return self._update(f"the outcome of history row #{local_id}", local_id,
                            state=str(State.UNKNOWN), error_message=message, submitter_pid=None)

    def recover_interrupted(self) -> list[Row]:
        """Turn submissions left 'submitting' by a process that died into 'unknown'.

        Rows another live process is still sending are left alone (the TUI and a CLI command
        may run together); so are this store's own submissions in flight. Nothing is deleted.
        """
        now = self._clock()
        with self._write("the recovery of interrupted submissions") as conn:
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
        """Record one poll's (or one listing page's) results in one transaction; the rows
        whose shown fields changed. Unknown task ids get a new row, so tasks made elsewhere
        join the history; known ones are updated, never duplicated. Every row read gets
        last_polled_at."""
        from wan_tui.store import snapshots  # the tracker's: after the first frame
        with self._write("the tasks' latest states") as conn:
            return self._rows_by_id(conn, snapshots.apply(conn, snaps, self._clock()))

    def mark_states(self, task_ids: Iterable[str], state: State,
                    message: str | None = None) -> list[Row]:
        """Set a local verdict (e.g. expired, lost) on tasks; the rows that changed."""
        now = self._clock()
        finished = now if state in FINAL_STATES else None
        with self._write(f"the tasks' new state ({state})") as conn:
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

    def set_local_path(self, task_id: str, path: str) -> None:
        with self._write(f"where the video of {task_id} was saved") as conn:
            conn.execute("UPDATE generations SET local_path = ?, updated_at = ? WHERE task_id = ?",
                         (path, self._clock(), task_id))

    def mark_remote_deleted(self, task_id: str) -> Row | None:
        """The task was deleted on the service: the local row stays and says so."""
        with self._write(f"that {task_id} was deleted on the service") as conn:
            row = conn.execute("SELECT id FROM generations WHERE task_id = ?",
                               (task_id,)).fetchone()
            if row is None:
                return None
            now = self._clock()
            return self._set(conn, row["id"], remote_deleted_at=now)

    def delete(self, task_id: str) -> bool:
        """The user's choice: remove a task from the (local) history."""
        with self._write(f"the deletion of {task_id}") as conn:
            return conn.execute("DELETE FROM generations WHERE task_id = ?",
                                (task_id,)).rowcount > 0

    def delete_id(self, local_id: int) -> bool:
        """The user's choice, by local id (rows in state unknown have no task id)."""
        with self._write(f"the deletion of history row #{local_id}") as conn:
            return conn.execute("DELETE FROM generations WHERE id = ?", (local_id,)).rowcount > 0

    # -- import / export ---------------------------------------------------------------------

    def import_lines(self, lines: Iterable[str | bytes]) -> ImportResult:
        """Import an export file, line by line, in one transaction. Any bad line (named by its
        number in the ImportRefused raised) and nothing is imported. A task id already in the
        history is merged (the more recently updated record wins; a local download path is
        kept); a row without one is recognized by created_at, prompt and params, so importing
        the same file twice adds nothing."""
        from wan_tui.store.transfer import Importer, numbered_items  # on first use
        with self._write("the import") as conn:
            importer = Importer(conn, self._clock(), refuse=True)
            for number, item in numbered_items(lines):
                importer.add(number, item)
            return importer.finish()

    def import_rows(self, rows: Iterable[dict[str, Any]]) -> ImportResult:
        """Like import_lines for already-decoded rows, but rows that cannot be history rows
        are skipped (and listed in the result) instead of refusing the rest."""
        from wan_tui.store.transfer import Importer
        with self._write("the import") as conn:
            importer = Importer(conn, self._clock(), refuse=False, label="row")
            for number, item in enumerate(rows, 1):
                importer.add(number, item)
            return importer.finish()

@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")  # take the write lock now (waits up to busy_timeout)
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (disk full, ...)
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _insert(conn: sqlite3.Connection, columns: dict[str, Any]) -> int:
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    cursor = conn.execute(f"INSERT INTO generations ({names}) VALUES ({marks})",
                          tuple(columns.values()))
    return int(cursor.lastrowid or 0)
