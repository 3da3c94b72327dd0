"""Reading the history fast at a million rows: the SQL for a page and for a count.

A page is newest first (created_at, then id, descending). With free words there are three
ways to read it, and the cheapest depends on how many rows the words match (n) among all (N):
- few matches: let the full-text index drive (fetch the n rows, sort them);
- many: walk the history in order, keeping rows whose id is in the (materialized) matches;
- most rows: walk in order and probe the index row by row, a page fills almost at once.
n is counted from the index alone, capped, which costs little at any size. The costs per row
below were measured (bench/bench_store.py) and only their ratios matter.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from wan_tui.store.fts import FTS_TABLE
from wan_tui.store.search import DRIVEN, FILTERED, PROBED, Filters, text_match, where_parts

DRIVE_MAX = 2000  # up to this many matches, the index drives
_FETCH_US, _MATERIALIZE_US, _WALK_US, _PROBE_US = 6.0, 0.2, 0.15, 40.0

Keyset = tuple[float, int]  # (created_at, id) of the last row of the previous page


def matches_capped(conn: sqlite3.Connection, match: str, cap: int) -> int:
    """How many rows the FTS5 query matches, counting at most cap + 1 (index only)."""
    found = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} "
                         f"MATCH ? LIMIT ?)", (match, cap + 1)).fetchone()
    return int(found[0])


def choose_text_join(conn: sqlite3.Connection, match: str, wanted: int) -> str:
    """How the full-text condition joins a page of `wanted` rows (see the module text)."""
    total = int(conn.execute("SELECT coalesce(max(id), 0) FROM generations").fetchone()[0])
    # Beyond `probe_from` matches, probing row by row beats materializing them all.
    probe_from = int((wanted * total * _PROBE_US / _MATERIALIZE_US) ** 0.5)
    n = matches_capped(conn, match, max(probe_from, DRIVE_MAX))
    if n <= DRIVE_MAX:
        return DRIVEN
    if n > probe_from:
        return PROBED
    walk = wanted * total / n * _WALK_US + n * _MATERIALIZE_US
    return DRIVEN if n * _FETCH_US < walk else FILTERED


def page_sql(conn: sqlite3.Connection, filters: Filters, *, fts: bool, limit: int,
             offset: int = 0, after: Keyset | None = None, oldest_first: bool = False
             ) -> tuple[str, list[Any]]:
    """SELECT * for one page. `after`: the (created_at, id) of the previous page's last row
    (keyset paging: as fast deep in the history as at its start); else `offset`."""
    match = text_match(filters, fts)
    join = choose_text_join(conn, match, limit + offset) if match else None
    parts, args = where_parts(filters, fts=fts, match_sql=join)
    if after is not None:
        parts.append(f"(created_at, id) {'>' if oldest_first else '<'} (?, ?)")
        args += [after[0], after[1]]
    where = "WHERE " + " AND ".join(parts) if parts else ""
    order = "" if oldest_first else " DESC"
    return (f"SELECT * FROM generations {where} ORDER BY created_at{order}, id{order} "
            f"LIMIT ? OFFSET ?", [*args, limit, offset])


def count_sql(filters: Filters, *, fts: bool, cap: int | None) -> tuple[str, list[Any]]:
    """SELECT count(*) of the matching rows; with `cap`, counting stops past cap (the result
    is min(n, cap + 1), so "1,000+" can be shown) and costs at most cap rows."""
    match = text_match(filters, fts)
    parts, args = where_parts(filters, fts=fts, match_sql=DRIVEN)
    only_text = match is not None and len(parts) == 1
    if only_text:  # the index alone answers
        source = f"SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?"
    else:
        source = "SELECT 1 FROM generations" + (" WHERE " + " AND ".join(parts) if parts else "")
    if cap is None:
        return f"SELECT count(*) FROM ({source})", args
    return f"SELECT count(*) FROM ({source} LIMIT ?)", [*args, cap + 1]
