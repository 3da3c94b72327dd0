"""What `wan-tui doctor` and `wan-tui spend` ask of the history: a full check, sizes,
compaction, and sums of recorded costs."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


COMPACT_MIN_BYTES = 1_000_000


@dataclass(frozen=True)
class Stats:
    rows: int
    file_bytes: int  # the database file plus its -wal
    page_size: int
    pages: int
    free_pages: int  # reusable space, returned to the disk by vacuum()

    @property
    def bytes_per_row(self) -> float:
        """Space in use per row (free pages not counted)."""
        return (self.pages - self.free_pages) * self.page_size / self.rows if self.rows else 0.0

    @property
    def worth_compacting(self) -> bool:
        """Whether vacuum() would give back enough to be worth its time (it rewrites the whole
        file, minutes at a million rows, and needs as much free disk again): a tenth of the
        file, and at least COMPACT_MIN_BYTES. 1.9 MB free in a 1.8 GB file is not."""
        free = self.free_pages * self.page_size
        return free >= COMPACT_MIN_BYTES and self.free_pages * 10 >= self.pages


@dataclass(frozen=True)
class SpendLine:
    key: str  # the local date (YYYY-MM-DD) or the model
    currency: str
    amount: float
    tasks: int  # tasks with a known cost


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """Problems found by SQLite's full check of every page; [] when the file is sound."""
    try:
        found = [str(line) for (line,) in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:  # damage bad enough to stop the check itself
        return [str(exc)]
    return [] if found == ["ok"] else found


def stats(conn: sqlite3.Connection, path: Path) -> Stats:
    def pragma(name: str) -> int:
        return int(conn.execute(f"PRAGMA {name}").fetchone()[0])

    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    rows = int(conn.execute("SELECT count(*) FROM generations").fetchone()[0])
    return Stats(rows, size, pragma("page_size"), pragma("page_count"), pragma("freelist_count"))


def spend(conn: sqlite3.Connection, since: float | None, until: float | None,
          by: str) -> list[SpendLine]:
    """Recorded costs summed per day (local time) or per model, and per currency."""
    if by not in ("day", "model"):
        raise ValueError(f"spend is summed by day or model, not {by!r}")
    key = "date(created_at, 'unixepoch', 'localtime')" if by == "day" else "model"
    where = ["cost_amount IS NOT NULL"]
    args: list[float] = []
    if since is not None:
        where.append("created_at >= ?")
        args.append(since)
    if until is not None:
        where.append("created_at < ?")
        args.append(until)
    rows = conn.execute(
        f"SELECT {key}, cost_currency, sum(cost_amount), count(*) FROM generations "
        f"INDEXED BY generations_spend WHERE {' AND '.join(where)} "
        f"GROUP BY 1, 2 ORDER BY 1, 2", args)
    return [SpendLine(str(k), str(c or ""), float(a), int(n)) for k, c, a, n in rows]
