"""Streaming import and export of the history (JSON Lines, the `Row.to_json` shape).

Import reads lines one at a time and writes in batches inside the caller's one transaction;
memory stays flat whatever the file's size. A line that is not a history row (or is too
long, too deeply nested, or holds a number SQLite cannot store) is named by its number; with
`refuse=True` one bad line makes the whole import roll back.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from wan_tui.store.errors import HistoryError
from wan_tui.store.rows import columns_from_json, full_params

MAX_LINE_CHARS = 1 << 20  # 1 MB: no history row is near this
MAX_DEPTH = 16  # a row is an object of objects at most three deep; this leaves room
MAX_PROBLEMS_SHOWN = 20
_BATCH = 2000
_INT64 = 2 ** 63


@dataclass(frozen=True)
class ImportResult:
    added: int
    merged: int
    skipped: int = 0
    problems: tuple[str, ...] = ()  # why each skipped row was skipped


class ImportRefused(HistoryError):
    """Lines of an import file cannot be history rows: nothing was imported."""

    def __init__(self, problems: list[str], more: int) -> None:
        extra = f"\n  ... and {more} more" if more else ""
        super().__init__("nothing was imported; fix these lines:\n  " + "\n  ".join(problems)
                         + extra)
        self.problems = tuple(problems)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a history row can hold")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large")
    return value


def _bounded_int(text: str) -> int:
    if len(text) > 20 or abs(value := int(text)) >= _INT64:
        raise ValueError(f"the number {text[:40]}{'...' if len(text) > 40 else ''} is too large")
    return value


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def parse_line(line: str | bytes) -> Any:
    """One line's JSON value (None for a blank line); ValueError saying what is wrong."""
    if len(line) > MAX_LINE_CHARS:
        raise ValueError(f"the line is longer than {MAX_LINE_CHARS // (1 << 20)} MB")
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("is not UTF-8 text") from None
    if not line.strip():
        return None
    try:
        value = json.loads(line, parse_constant=_no_constant, parse_float=_finite_float,
                           parse_int=_bounded_int)
    except RecursionError:
        raise ValueError(f"is nested more than {MAX_DEPTH} levels deep") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if _too_deep(value):
        raise ValueError(f"is nested more than {MAX_DEPTH} levels deep")
    return value


def read_lines(handle: IO[str] | IO[bytes]) -> Iterator[str | bytes]:
    """The lines of an open file, each read with a bound: a line longer than MAX_LINE_CHARS is
    yielded cut short (import_lines names it as too long) and reading stops there, so a file
    without line ends (/dev/zero) never fills memory."""
    while True:
        line = handle.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        yield line
        if len(line) > MAX_LINE_CHARS:
            return


def numbered_items(lines: Iterable[str | bytes]) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value or the ValueError) for each non-blank line."""
    for number, line in enumerate(lines, 1):
        try:
            value = parse_line(line)
        except ValueError as exc:
            yield number, exc
            continue
        if value is not None:
            yield number, value


class Importer:
    """Writes validated rows in batches; call `add` per item, then `finish`."""

    def __init__(self, conn: sqlite3.Connection, now: float, *, refuse: bool,
                 label: str = "line") -> None:
        self.conn, self.now, self.refuse, self.label = conn, now, refuse, label
        self.problems: list[str] = []
        self.bad = 0
        self.valid = 0
        self._with_task: list[tuple[Any, ...]] = []
        self._columns: tuple[str, ...] = ()
        self._first_new = int(conn.execute("SELECT coalesce(max(id), 0) FROM generations"
                                           ).fetchone()[0])

    def add(self, number: int, item: Any) -> None:
        try:
            if isinstance(item, ValueError):
                raise item
            columns = columns_from_json(item, self.now)
        except ValueError as exc:
            self.bad += 1
            if len(self.problems) < MAX_PROBLEMS_SHOWN:
                self.problems.append(f"{self.label} {number}: {exc}")
            return
        self.valid += 1
        if self.refuse and self.bad:
            return  # the import will be refused: only keep validating
        if not self._columns:
            self._columns = tuple(columns)
        if columns["task_id"]:
            self._with_task.append(tuple(columns[name] for name in self._columns))
            if len(self._with_task) >= _BATCH:
                self._flush()
        else:
            self._flush()  # rows keep the file's order (it breaks ties of created_at)
            self._add_without_task(columns)

    def finish(self) -> ImportResult:
        if self.refuse and self.bad:
            raise ImportRefused(self.problems, self.bad - len(self.problems))
        self._flush()
        added = int(self.conn.execute("SELECT count(*) FROM generations WHERE id > ?",
                                      (self._first_new,)).fetchone()[0])
        return ImportResult(added, self.valid - added, self.bad, tuple(self.problems))

    def _flush(self) -> None:
        if self._with_task:
            self.conn.executemany(_upsert_sql(self._columns), self._with_task)
            self._with_task.clear()

    def _add_without_task(self, columns: dict[str, Any]) -> None:
        """Insert unless the same row (created_at, prompt, params) is already there: rows
        without a task id are recognized by content, so importing twice adds nothing."""
        params = full_params(columns["params"], columns)
        for (text,) in self.conn.execute(
                "SELECT params FROM generations WHERE created_at = ? AND prompt = ? "
                "AND task_id IS NULL AND model = ? AND action = ? AND negative_prompt IS ?",
                tuple(columns[k] for k in ("created_at", "prompt", "model", "action",
                                           "negative_prompt"))):
            if full_params(text, columns) == params:
                return
        names = ", ".join(columns)
        self.conn.execute(f"INSERT INTO generations ({names}) VALUES "
                          f"({', '.join('?' * len(columns))})", tuple(columns.values()))


def _upsert_sql(columns: tuple[str, ...]) -> str:
    """Insert, or merge into the row with the same task id: the more recently updated record
    wins; a local download path is kept."""
    newer = "excluded.updated_at > generations.updated_at"
    sets = [f"{c} = CASE WHEN {newer} THEN excluded.{c} ELSE generations.{c} END"
            for c in columns if c not in ("task_id", "local_path")]
    sets.append(f"local_path = CASE WHEN {newer} THEN coalesce(excluded.local_path, "
                f"generations.local_path) ELSE coalesce(generations.local_path, "
                f"excluded.local_path) END")
    return (f"INSERT INTO generations ({', '.join(columns)}) VALUES "
            f"({', '.join('?' * len(columns))}) ON CONFLICT (task_id) DO UPDATE SET "
            f"{', '.join(sets)} WHERE {newer} OR (generations.local_path IS NULL AND "
            f"excluded.local_path IS NOT NULL)")
