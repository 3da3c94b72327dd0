"""Reading the history fast at a million rows: the SQL for a page and for a count.

A page is newest first (created_at, then id, descending). With free words there are four
ways to read it, and the cheapest depends on how many rows the words match (n) among all (N):
- few matches: let the full-text index drive (fetch the n rows, sort them);
- many: walk the history in order, keeping rows whose id is in the (materialized) matches;
- most rows: walk in order and probe the index row by row, a page fills almost at once; the
  last word is a prefix (typed words find longer ones), which the index would answer by
  merging every word starting so on each probe: the walk checks it in the row's text, and
  probes the index for the other words.
Which one: count the matches up to DRIVE_MAX (index only, cheap); beyond that, look at the
share of matches among the newest rows: a walk is chosen when, at that share, it costs less
than materializing every match. The costs per row were measured with bench/bench_store.py.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import replace
from typing import Any

from wan_tui.store.fts import FTS_TABLE
from wan_tui.store.search import (
    DRIVEN,
    FILTERED,
    PROBED,
    SCANNED,
    Filters,
    has_prefix,
    merges_prefix,
    prefix_variants,
    text_match,
    where_parts,
    whole_word,
)

DRIVE_MAX = 2000  # up to this many matches, the index drives (~6 us a row to fetch and sort)
# Measured costs per row (only their ratios matter): probing the index for one row, checking
# one row's text, materializing one match of the index.
# (a prefix merges the lists of every word it starts: more entries than matching rows).
_PROBE_US, _SCAN_US, _MATERIALIZE_US = 10.0, 30.0, 0.5
RECENT_WINDOW = 5000  # newest rows whose share of matches predicts a walk's length
SAMPLE = 100  # newest rows read to predict the length of a walk that checks the text

Keyset = tuple[float, int]  # (created_at, id) of the last row of the previous page
Condition = tuple[str, str]  # (SQL with one "?", its argument)


def matches_capped(conn: sqlite3.Connection, match: str, cap: int) -> int:
    """How many rows the FTS5 query matches, counting at most cap + 1 (index only)."""
    found = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} "
                         f"MATCH ? LIMIT ?)", (match, cap + 1)).fetchone()
    return int(found[0])


def _recent_share(conn: sqlite3.Connection, match: str) -> float:
    """The share of the newest rows (by id, about the newest by date) the query matches: how
    soon a walk in history order fills a page. Costs a look at a small range of the index."""
    newest = int(conn.execute("SELECT coalesce(max(id), 0) FROM generations").fetchone()[0])
    window = min(RECENT_WINDOW, newest) or 1
    found = conn.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? "
                         f"AND rowid > ?", (match, newest - window)).fetchone()
    return int(found[0]) / window


def _sampled_share(conn: sqlite3.Connection, filters: Filters, folded: list[str]) -> float:
    """The share of the newest rows (that pass the other filters) holding every word, the
    last as a prefix: how soon a walk checking the text fills a page. Reads SAMPLE rows."""
    parts, args = where_parts(replace(filters, text=None), fts=False, match_sql=None)
    where = "WHERE " + " AND ".join(parts) if parts else ""
    rows = conn.execute(f"SELECT prompt, negative_prompt FROM generations {where} "
                        f"ORDER BY created_at DESC, id DESC LIMIT ?", (*args, SAMPLE)).fetchall()
    hits = sum(all(has_prefix(prompt, negative, word) for word in folded)
               for prompt, negative in rows)
    return hits / SAMPLE


def text_conditions(conn: sqlite3.Connection, filters: Filters, match: str,
                    wanted: int) -> list[Condition]:
    """How the full-text condition joins a page of `wanted` rows (see the module text)."""
    total = int(conn.execute("SELECT coalesce(max(id), 1) FROM generations").fetchone()[0])

    def walk_ok(row_us: float) -> float:
        """The share of matching rows above which a walk (wanted / share rows at row_us
        each) costs less than materializing the matches (share * total at _MATERIALIZE_US)."""
        return math.sqrt(wanted * row_us / (total * _MATERIALIZE_US))

    if merges_prefix(filters.words):
        others, folded = prefix_variants(filters.words)
        if _sampled_share(conn, filters, folded) >= walk_ok(_SCAN_US):
            # the text check first: cheaper than a probe, and it rules out most rows
            return [(SCANNED, folded[-1])] + ([(PROBED, others)] if others else [])
        # Not dense among the newest rows: let the index find them (merging the words that
        # start with the prefix once), driving when they are few.
        few = matches_capped(conn, match, DRIVE_MAX) <= DRIVE_MAX
        return [(DRIVEN if few else FILTERED, match)]
    if matches_capped(conn, match, DRIVE_MAX) <= DRIVE_MAX:
        return [(DRIVEN, match)]
    return [(PROBED if _recent_share(conn, match) >= walk_ok(_PROBE_US) else FILTERED, match)]


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
    is min(n, cap + 1), so "1,000+" can be shown) and costs about what a page of cap rows
    does (the same plans)."""
    match = text_match(filters, fts)
    parts, args = where_parts(filters, fts=fts, match_sql=DRIVEN)
    only_text = match is not None and len(parts) == 1
    if cap is None:
        source = (f"SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?" if only_text else
                  "SELECT 1 FROM generations" + (" WHERE " + " AND ".join(parts) if parts else ""))
        return f"SELECT count(*) FROM ({source})", args
    if only_text and not merges_prefix(filters.words):  # the index alone answers
        return (f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? "
                f"LIMIT ?)", [match, cap + 1])
    if only_text:
        others, folded = prefix_variants(filters.words)
        whole = " ".join(q for q in (others, whole_word(folded[-1])) if q)
        if matches_capped(conn, whole, cap) > cap:  # the whole word alone passes the cap
            return "SELECT ?", [cap + 1]
    joins = text_conditions(conn, filters, match, cap + 1) if match else []
    parts, args = where_parts(filters, fts=fts, match_sql=None)
    conditions = [sql for sql, _ in joins] + parts
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    return (f"SELECT count(*) FROM (SELECT 1 FROM generations{where} LIMIT ?)",
            [*(arg for _, arg in joins), *args, cap + 1])
