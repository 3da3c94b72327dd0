"""`wan-tui history`: browse, search, export, import and delete past generations."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from ..api.state import State
from ..api.text import printable
from ..session import ImportRefused, QueryError, Session, parse_date, parse_until
from .context import CliContext, UsageError
from .output import Progress, json_text

CSV_COLUMNS = ("id", "task_id", "state", "state_word", "action", "model", "prompt",
               "negative_prompt", "params", "video_url", "thumbnail_url", "error_code",
               "error_message", "trace_id", "created_at", "updated_at", "finished_at",
               "local_path", "usage", "cost", "remote_deleted_at")
_STATES = {str(s) for s in State}
_SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def run(ctx: CliContext) -> int:
    action = ctx.args.history_command
    session = ctx.offline()
    try:
        notice = session.open_history()
        if notice:
            ctx.out.warn(notice)
        if action == "export":
            return export(ctx, session)
        if action == "import":
            return import_(ctx, session)
        if action == "delete":
            return delete(ctx, session)
        return browse(ctx, session)
    finally:
        session.close_history()


def delete(ctx: CliContext, session: Session) -> int:
    """Remove a task from the history; with --remote, delete it on the service instead (asked
    first), keeping the local row, which then says it was deleted there."""
    task_id = ctx.args.task_id
    if ctx.args.remote:
        if not ctx.args.yes and not confirm(f"delete {task_id} on the service? This cannot "
                                            "be undone (the video link stays valid) [y/N] "):
            ctx.out.info("nothing was deleted")
            return 1
        asyncio.run(delete_on_service(ctx, task_id))
        kept = session.by_task_id(task_id) is not None
        ctx.out.info(f"deleted {task_id} on the service"
                     + ("; the history keeps its row, marked as deleted there (remove it with "
                        f"`wan-tui history delete {task_id}`)" if kept else ""))
        return 0
    if not session.delete(task_id):
        ctx.out.error(f"no task {task_id} in the history")
        return 1
    ctx.out.info(f"deleted {task_id} from the history (not from the service: --remote does)")
    return 0


async def delete_on_service(ctx: CliContext, task_id: str) -> None:
    async with ctx.session(poll=False) as remote:
        await remote.delete_remote(task_id)


def confirm(question: str) -> bool:
    """A yes from the terminal; never from a pipe (scripts say --yes)."""
    if not sys.stdin.isatty():
        raise UsageError("deleting on the service needs a yes: add --yes (there is no "
                         "terminal to ask)")
    return input(question).strip().lower() in ("y", "yes")


def browse(ctx: CliContext, session: Session) -> int:
    args = ctx.args
    if args.limit < 1 or args.offset < 0:
        raise UsageError("--limit must be 1 or more and --offset 0 or more")
    filters = history_filters(ctx)
    found = session.search(**filters, limit=args.limit + 1, offset=args.offset)
    rows, more = found[: args.limit], len(found) > args.limit
    if ctx.out.json_mode:
        ctx.out.json([row.to_json() for row in rows])
    elif rows:
        for row in rows:
            ctx.out.history_row(row.to_json())
        if more:
            ctx.out.info(f"more: --offset {args.offset + args.limit}")
    elif any(v is not None and v != [] for v in filters.values()) or args.offset:
        ctx.out.info("no generations match" + (f" at --offset {args.offset}" if args.offset
                                               else " these filters"))
    else:
        ctx.out.info("the history is empty: make one with `wan-tui generate PROMPT`")
    return 0


def history_filters(ctx: CliContext) -> dict[str, Any]:
    """The search and filters typed on the command line (for browsing and exporting)."""
    args = ctx.args
    states = [s.lower() for s in getattr(args, "state", [])]
    bad = [s for s in states if s not in _STATES]
    if bad:
        raise UsageError(f"unknown state {bad[0]!r}; states are {', '.join(sorted(_STATES))}")
    return {"text": getattr(args, "search", None), "states": states,
            "model": getattr(args, "model", None), "action": getattr(args, "action", None),
            "since": date_option(getattr(args, "since", None), "--since"),
            "until": date_option(getattr(args, "until", None), "--until")}


def date_option(text: str | None, option: str) -> float | None:
    """A local date or date-time (or today, yesterday) as Unix seconds, read as the history
    screen reads since: and until: (--until 2026-11-30 includes that day)."""
    if text is None:
        return None
    try:
        return (parse_until if option == "--until" else parse_date)(text, option)
    except QueryError as problem:
        raise UsageError(str(problem)) from None


def export(ctx: CliContext, session: Session) -> int:
    target = ctx.args.output
    to_stdout = not target or target == "-"
    counted = _Counted(session.export_rows(**history_filters(ctx)))
    # no progress between the rows themselves when they are printed on the terminal
    progress = Progress(ctx.out, quiet=getattr(ctx.args, "quiet", False)
                        or (to_stdout and sys.stdout.isatty()))
    lines = _reporting(_csv_lines(counted) if ctx.args.format == "csv" else (
        json_text(row) + "\n" for row in counted), progress)
    if to_stdout:
        sys.stdout.writelines(lines)
        progress.done()
        return 0
    path = Path(target)
    if path.exists():
        raise UsageError(f"{path} already exists; name a new file (nothing was overwritten)")
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "x", encoding="utf-8", newline="") as handle:
            handle.writelines(lines)
        os.link(partial, path)  # fails rather than replace a file made meanwhile
    except FileExistsError:
        raise UsageError(f"{path} already exists; name a new file (nothing was overwritten)") from None
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None
    finally:
        progress.done()
        partial.unlink(missing_ok=True)
    ctx.out.info(f"exported {counted.count:,} row{'' if counted.count == 1 else 's'} to {path}")
    return 0


class _Counted:
    """The rows of an export, counted as they go by (its last message says how many)."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def _reporting(lines: Iterable[str], progress: Progress) -> Iterator[str]:
    """The lines, with how much is written so far on a terminal (1M rows take ~50 s)."""
    written = 0
    for line in lines:
        written += len(line)
        progress.update_bytes(written, None)
        yield line


class _ReadCounter(io.RawIOBase):
    """A file read through this says how far the reading is (an import of 1M rows, ~0.8 GB,
    takes minutes): read it as io.BufferedReader(_ReadCounter(...))."""

    def __init__(self, handle: BinaryIO, size: int | None, progress: Progress) -> None:
        self.handle, self.size, self.progress = handle, size, progress
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.handle.read(len(buffer))
        buffer[:len(data)] = data
        self.done += len(data)
        self.progress.update_bytes(self.done, self.size)
        return len(data)


def _csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        error = row.get("error") or {}
        values = {**row, "params": json.dumps(row.get("params") or {}, ensure_ascii=False),
                  **{k: json.dumps(row[k], ensure_ascii=False) for k in ("usage", "cost")
                     if row.get(k) is not None},
                  "error_code": error.get("code"), "error_message": error.get("message")}
        writer.writerow([_cell(values.get(c)) for c in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _cell(value: Any) -> Any:
    # A CSV is read in terminals and spreadsheets: no control character reaches either raw,
    # and a prompt such as "=HYPERLINK(...)" must stay text in a spreadsheet.
    if isinstance(value, str):
        value = printable(value)
        return "'" + value if value.startswith(_SPREADSHEET_FORMULA) else value
    return "" if value is None else value


def import_(ctx: CliContext, session: Session) -> int:
    """Merge a JSONL export, streamed: checked line by line, refused whole on a bad line."""
    name = ctx.args.file
    try:
        with open(name, "rb") as handle:
            first = handle.readline(4096).strip()
            if first and not first.startswith(b"{"):
                raise UsageError(f"{name}: `history import` takes JSONL, one JSON object per "
                                 "line, as `wan-tui history export` writes by default (a CSV "
                                 "export cannot be imported); nothing was imported")
            handle.seek(0)
            progress = Progress(ctx.out, quiet=getattr(ctx.args, "quiet", False))
            size = os.fstat(handle.fileno()).st_size or None
            try:
                result = session.import_file(
                    io.BufferedReader(_ReadCounter(handle, size, progress)))
            finally:
                progress.done()
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from None
    except ImportRefused as error:
        raise UsageError(f"{name}: {error}") from None
    ctx.out.info(f"imported {name}: {result.added:,} added, {result.merged:,} merged")
    if ctx.out.json_mode:
        ctx.out.json({"added": result.added, "merged": result.merged})
    return 0
