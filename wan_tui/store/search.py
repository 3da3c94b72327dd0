"""Turning history filters into a safe SQL WHERE clause (FTS5 MATCH or LIKE)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wan_tui.store.schema import FTS_TABLE

_TOKEN_CHAR = re.compile(r"[^\W_]")  # what FTS5's unicode61 tokenizer keeps (letters, digits)


@dataclass(frozen=True)
class Filters:
    text: str | None = None
    states: Sequence[str] = ()
    model: str | None = None
    action: str | None = None
    since: float | None = None  # created_at >= since
    until: float | None = None  # created_at < until


def fts_query(text: str) -> str | None:
    """User text as an FTS5 query that cannot be a syntax error: every term a quoted string
    (so AND, (, * and quotes are just text), all terms required, the last one a prefix so
    results come while typing. None when no term has anything the index can match."""
    terms = [term for term in text.split() if _TOKEN_CHAR.search(term)]
    if not terms:
        return None
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where_clause(filters: Filters, *, fts: bool, paged: bool = True) -> tuple[str, list[Any]]:
    """("WHERE ...", parameters) over table `generations`; "" when nothing filters.

    `paged`: the query reads rows in history order with a LIMIT (a page), rather than all of
    them (a count); it decides how full-text matches are best joined in."""
    parts: list[str] = []
    args: list[Any] = []
    text = (filters.text or "").strip()
    match = fts_query(text) if fts and text else None
    if match:
        # For a page, "+id" makes the matches a filter rather than the driver: otherwise SQLite
        # fetches and sorts every matching row (50 ms for a common word in 100,000 rows)
        # instead of walking an index in history order until the page is full. A count has
        # no order, so there the matches drive.
        column = "+id" if paged else "id"
        parts.append(f"{column} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)")
        args.append(match)
    elif text:  # no FTS5, or only punctuation was typed (which the index does not hold)
        for term in text.split():
            parts.append("(prompt LIKE ? ESCAPE '\\' OR negative_prompt LIKE ? ESCAPE '\\')")
            args += [_like_pattern(term)] * 2
    if filters.states:
        parts.append(f"state IN ({', '.join('?' * len(filters.states))})")
        args += [str(state) for state in filters.states]
    for column, value in (("model", filters.model), ("action", filters.action)):
        if value:
            parts.append(f"{column} = ?")
            args.append(value)
    if filters.since is not None:
        parts.append("created_at >= ?")
        args.append(filters.since)
    if filters.until is not None:
        parts.append("created_at < ?")
        args.append(filters.until)
    return ("WHERE " + " AND ".join(parts) if parts else ""), args
