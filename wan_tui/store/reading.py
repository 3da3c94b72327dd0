"""Reading the history: rows, pages, counts, probes for changes, costs, export, health.

HistoryStore (history.py) opens the file and adds the writes; this half only reads.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wan_tui.api.state import ACTIVE_STATES
from wan_tui.store.errors import explained
from wan_tui.store.fts import optimize
from wan_tui.store.plans import Keyset, count_sql, page_sql
from wan_tui.store.query import model_aliases
from wan_tui.store.rows import Row
from wan_tui.store.search import Filters

if TYPE_CHECKING:  # costs, checks and sizes (health) are read on first use, not at start-up
    from wan_tui.store.health import SpendLine, Stats

_EXPORT_CHUNK = 1000
_ACTIVE = tuple(str(s) for s in ACTIVE_STATES)


@dataclass(frozen=True)
class ChangeMarker:
    """Where the history was when last looked at (see HistoryStore.change_marker)."""

    data_version: int
    max_id: int
    max_updated_at: float


def filters_of(text: str | None = None, states: Sequence[str] = (), model: str | None = None,
               models: Sequence[str] = (), **rest: Any) -> Filters:
    """The Filters that `search`'s separate arguments stand for (short model names read)."""
    wanted = list(models) + ([model] if model else [])
    aliases = model_aliases()
    resolved = [m for name in wanted for m in aliases.get(name.lower(), (name,))]
    return Filters(text, tuple(states), tuple(dict.fromkeys(resolved)), **rest)


class HistoryReader:
    """The reading half of HistoryStore (which sets these attributes when it opens)."""

    path: Path
    fts: bool
    _conn: sqlite3.Connection
    _lock: threading.RLock

    @contextmanager
    def _read(self, what: str = "the history") -> Iterator[sqlite3.Connection]:
        with self._lock, explained(self.path, what, write=False):
            yield self._conn

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        with self._read() as conn:
            return [Row.from_sql(r) for r in conn.execute(sql, args)]

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

    def active_ids(self) -> list[tuple[int, str, float]]:
        """(local id, task id, created_at) of the tasks to poll, oldest first: what a rescan
        needs, without building rows."""
        marks = ", ".join("?" * len(_ACTIVE))
        with self._read() as conn:
            return [(int(i), str(t), float(c)) for i, t, c in conn.execute(
                f"SELECT id, task_id, created_at FROM generations WHERE state IN ({marks}) "
                f"AND task_id IS NOT NULL ORDER BY created_at, id", _ACTIVE)]

    def search(self, text: str | None = None, *, states: Sequence[str] = (),
               model: str | None = None, models: Sequence[str] = (), action: str | None = None,
               since: float | None = None, until: float | None = None,
               has_video: bool | None = None, saved: bool | None = None,
               deleted_remote: bool | None = None, filters: Filters | None = None,
               limit: int = 50, offset: int = 0, after: Keyset | None = None,
               oldest_first: bool = False) -> list[Row]:
        """One page of the history, newest first (created_at, then id, descending; oldest
        first with `oldest_first`). `filters` (e.g. from query.parse_query) replaces the
        separate arguments. `after`: the (created_at, id) of the previous page's last row."""
        wanted = filters or filters_of(text, states, model, models, action=action, since=since,
                                     until=until, has_video=has_video, saved=saved,
                                     deleted_remote=deleted_remote)
        with self._read() as conn:
            sql, args = page_sql(conn, wanted, fts=self.fts, limit=limit, offset=offset,
                                 after=after, oldest_first=oldest_first)
            return [Row.from_sql(r) for r in conn.execute(sql, args)]

    def count(self, text: str | None = None, *, states: Sequence[str] = (),
              model: str | None = None, models: Sequence[str] = (), action: str | None = None,
              since: float | None = None, until: float | None = None,
              filters: Filters | None = None, cap: int | None = None) -> int:
        """How many rows match; with `cap`, min(n, cap + 1) at a cost bounded by cap (show
        "1,000+" when the result is above cap)."""
        wanted = filters or filters_of(text, states, model, models, action=action, since=since,
                                     until=until)
        with self._read() as conn:
            sql, args = count_sql(conn, wanted, fts=self.fts, cap=cap)
            return int(conn.execute(sql, args).fetchone()[0])

    def counts_by_state(self) -> dict[str, int]:
        with self._read() as conn:
            return {str(s): int(n) for s, n in conn.execute(
                "SELECT state, count(*) FROM generations GROUP BY state")}

    def change_marker(self) -> ChangeMarker:
        """Cheap (index reads only): compare with an earlier marker to learn whether another
        process changed the history; `changed_since` then says which rows."""
        with self._read() as conn:
            version = int(conn.execute("PRAGMA data_version").fetchone()[0])
            max_id, updated = conn.execute(
                "SELECT (SELECT coalesce(max(id), 0) FROM generations), "
                "(SELECT coalesce(max(updated_at), 0) FROM generations)").fetchone()
        return ChangeMarker(version, int(max_id), float(updated))

    def changed_since(self, marker: ChangeMarker, limit: int = 1000) -> list[Row]:
        """Rows added or updated after `marker` was taken, oldest change first (deletions are
        not listed). Polls' last_polled_at alone does not count as a change."""
        return self._rows("SELECT * FROM generations WHERE updated_at > ? OR id > ? "
                          "ORDER BY updated_at, id LIMIT ?",
                          (marker.max_updated_at, marker.max_id, limit))

    def spend(self, since: float | None = None, until: float | None = None,
              by: str = "day") -> list[SpendLine]:
        """Recorded costs summed by "day" (local date of creation) or "model", per currency."""
        from wan_tui.store.health import spend  # on first use: not needed at start-up
        with self._read("the recorded costs") as conn:
            return spend(conn, since, until, by)

    # -- export and health (`wan-tui doctor`) ---------------------------------------------

    def export_rows(self, filters: Filters | None = None) -> Iterator[dict[str, Any]]:
        """Matching rows (all by default) as JSON-ready dicts, oldest first, read in pages by
        key: constant memory, and other writers are not blocked between pages."""
        after: Keyset | None = None
        while True:
            rows = self.search(filters=filters or Filters(), limit=_EXPORT_CHUNK, after=after,
                               oldest_first=True)
            yield from (row.to_json() for row in rows)
            if len(rows) < _EXPORT_CHUNK:
                return
            after = (rows[-1].created_at, rows[-1].id)

    def check(self) -> list[str]:
        """SQLite's full check of every page (slow on a large file); [] when it is sound."""
        from wan_tui.store.health import quick_check
        with self._read("the check") as conn:
            return quick_check(conn)

    def stats(self) -> Stats:
        from wan_tui.store.health import stats
        with self._read("the history's size") as conn:
            return stats(conn, self.path)

    def vacuum(self) -> Stats:
        """Rewrite the file compactly (returns free pages to the disk); needs free space about
        the file's size, and locks the history meanwhile."""
        from wan_tui.store.health import stats
        with self._read("the compaction") as conn:
            if self.fts:
                optimize(conn)  # merge the full-text index's segments too
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return stats(conn, self.path)
