"""Reading the history fast at a million rows: the SQL for a page and for a count.

A page is newest first (created_at, then id, descending). With free words there are four
ways to read it, and the cheapest depends on how many rows the words match (n) among all (N):
- few matches: let the full-text index drive (fetch the n rows, sort them);
- many: walk the history in order, keeping rows whose id is in the (materialized) matches;
- most rows: walk in order and probe the index row by row, a page fills almost at once;
- most rows, the last word a prefix longer than the index's prefix entries (a word being
  typed, or a whole word that may start longer ones): walk in order, probe the index for the
  other words and check the prefix in the row's text (asking the index would merge every word
  starting so, on each row).
n is counted from the index alone, capped, which costs little at any size. The costs per row
below were measured (bench/bench_store.py); only their ratios matter.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from wan_tui.store.fts import FTS_TABLE
from wan_tui.store.search import (
    DRIVEN,
    FILTERED,
    PROBED,
    SCANNED,
    Filters,
    merges_prefix,
    prefix_variants,
    text_match,
    where_parts,
)

DRIVE_MAX = 2000  # up to this many matches, the index drives
_FETCH_US, _MATERIALIZE_US, _WALK_US, _PROBE_US = 6.0, 0.2, 0.15, 10.0

Keyset = tuple[float, int]  # (created_at, id) of the last row of the previous page
Condition = tuple[str, str]  # (SQL with one "?", its argument)


def matches_capped(conn: sqlite3.Connection, match: str, cap: int) -> int:
    """How many rows the FTS5 query matches, counting at most cap + 1 (index only)."""
    found = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} "
                         f"MATCH ? LIMIT ?)", (match, cap + 1)).fetchone()
    return int(found[0])


def _probe_from(conn: sqlite3.Connection, wanted: int) -> int:
    """Beyond this many matches, walking in order and probing beats materializing them."""
    total = int(conn.execute("SELECT coalesce(max(id), 0) FROM generations").fetchone()[0])
    return max(int((wanted * total * _PROBE_US / _MATERIALIZE_US) ** 0.5), DRIVE_MAX)


def text_conditions(conn: sqlite3.Connection, filters: Filters, match: str,
                    wanted: int) -> list[Condition]:
    """How the full-text condition joins a page of `wanted` rows (see the module text)."""
    probe_from = _probe_from(conn, wanted)
    if merges_prefix(filters.words):
        others, exact, short, folded = prefix_variants(filters.words)
        joined = " ".join(q for q in (others, short) if q)
        if matches_capped(conn, joined, DRIVE_MAX) <= DRIVE_MAX:
            return [(DRIVEN, match)]  # few: the merge is small
        dense = " ".join(q for q in (others, exact) if q)
        if matches_capped(conn, dense, probe_from) > probe_from:
            return ([(PROBED, others)] if others else []) + [(SCANNED, folded)]
        return [(FILTERED, match)]
    n = matches_capped(conn, match, probe_from)
    if n <= DRIVE_MAX:
        return [(DRIVEN, match)]
    if n > probe_from:
        return [(PROBED, match)]
    total = probe_from ** 2 * _MATERIALIZE_US / _PROBE_US / wanted  # N, from _probe_from
    walk = wanted * total / n * _WALK_US + n * _MATERIALIZE_US
    return [(DRIVEN, match)] if n * _FETCH_US < walk else [(FILTERED, match)]


def page_sql(conn: sqlite3.Connection, filters: Filters, *, fts: bool, limit: int,
             offset: int = 0, after: Keyset | None = None, oldest_first: bool = False
             ) -> tuple[str, list[Any]]:
    """SELECT * for one page. `after`: the (created_at, id) of the previous page's last row
    (keyset paging: as fast deep in the history as at its start); else `offset`."""
    match = text_match(filters, fts)
    joins = text_conditions(conn, filters, match, limit + offset) if match else []
    parts, args = where_parts(filters, fts=fts, match_sql=None)
    parts = [sql for sql, _ in joins] + parts
    args = [arg for _, arg in joins] + args
    if after is not None:
        parts.append(f"(created_at, id) {'>' if oldest_first else '<'} (?, ?)")
        args += [after[0], after[1]]
    where = "WHERE " + " AND ".join(parts) if parts else ""
    order = "" if oldest_first else " DESC"
    return (f"SELECT * FROM generations {where} ORDER BY created_at{order}, id{order} "
            f"LIMIT ? OFFSET ?", [*args, limit, offset])


def count_sql(conn: sqlite3.Connection, filters: Filters, *, fts: bool, cap: int | None
              ) -> tuple[str, list[Any]]:
    """SELECT count(*) of the matching rows; with `cap`, counting stops past cap (the result
    is min(n, cap + 1), so "1,000+" can be shown) and costs at most cap rows."""
    match = text_match(filters, fts)
    parts, args = where_parts(filters, fts=fts, match_sql=DRIVEN)
    only_text = match is not None and len(parts) == 1
    if only_text and cap is not None and merges_prefix(filters.words):
        others, exact, _, _ = prefix_variants(filters.words)
        dense = " ".join(q for q in (others, exact) if q)
        if matches_capped(conn, dense, cap) > cap:  # the whole word alone passes the cap
            return "SELECT ?", [cap + 1]
    if only_text:  # the index alone answers
        source = f"SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?"
    else:
        source = "SELECT 1 FROM generations" + (" WHERE " + " AND ".join(parts) if parts else "")
    if cap is None:
        return f"SELECT count(*) FROM ({source})", args
    return f"SELECT count(*) FROM ({source} LIMIT ?)", [*args, cap + 1]
