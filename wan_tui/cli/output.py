"""How the CLI speaks: JSON on stdout for scripts, readable colour-aware text for people.

Untrusted text (prompts, server messages, URLs) is printed as plain Text, never as markup,
and every string passes `_assemble`, which drops terminal control characters. Errors go to
stderr.
"""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rich.console import Console
from rich.text import Text

from ..api.state import State
from ..api.text import printable

STATE_STYLES: dict[str, str] = {
    State.SUCCEEDED: "bold green",
    State.FAILED: "bold red",
    State.RUNNING: "yellow",
    State.PENDING: "cyan",
    State.SUBMITTING: "cyan",
    State.UNKNOWN: "bold magenta",
    State.EXPIRED: "red",
    State.LOST: "red",
}
# json.dumps escapes C0 controls but, with ensure_ascii=False, writes DEL and C1 as they are.
_JSON_RAW_CONTROLS = re.compile(r"[\x7f-\x9f]")

Part = str | tuple[str, str] | Text


def json_text(value: Any, indent: int | None = None) -> str:
    """JSON in which no character reaches a terminal raw: DEL and C1 escaped like C0."""
    text = json.dumps(value, indent=indent, ensure_ascii=False, default=str)
    return _JSON_RAW_CONTROLS.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def _assemble(*parts: Part, style: str = "") -> Text:
    """The only way printed text is built: every part made printable first."""
    return Text.assemble(*(_printable_part(part) for part in parts), style=style)


def _printable_part(part: Part) -> Part:
    if isinstance(part, tuple):
        return printable(part[0]), part[1]
    if isinstance(part, Text):
        clean = printable(part.plain)
        # Rebuilt only when something was dropped (its spans would no longer line up).
        return part if clean == part.plain else Text(clean, style=part.style)
    return printable(str(part))


class Output:
    def __init__(self, *, json_mode: bool = False) -> None:
        self.json_mode = json_mode
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)

    def json(self, value: Any) -> None:
        sys.stdout.write(json_text(value, indent=2) + "\n")
        sys.stdout.flush()

    def line(self, *parts: Part) -> None:
        self.out.print(_assemble(*parts))

    def error(self, message: str, *, hint: str | None = None) -> None:
        hint_part = (f"\n  {hint}", "dim") if hint else ""
        self.err.print(_assemble(("error: ", "bold red"), message, hint_part))

    def warn(self, message: str) -> None:
        self.err.print(_assemble(("warning: ", "yellow"), message))

    def info(self, message: str) -> None:
        """Progress chatter: stderr, so stdout stays clean for pipes."""
        self.err.print(_assemble(message, style="dim"))

    def rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Tasks in human form, one block each (rows are `to_json()` dicts)."""
        for row in rows:
            self.task(row)

    def history_row(self, row: Mapping[str, Any]) -> None:
        """One line per generation: when, state, id, model, prompt."""
        when = _local_time(row.get("created_at"))
        state = str(row.get("state") or "")
        self.line((f"{when}  ", "dim"), (f"{state:<10}", STATE_STYLES.get(state, "")),
                  f" {row.get('task_id') or '(no task id)'}",
                  (f"  {row.get('model') or ''}  ", "dim"), one_line(str(row.get("prompt") or ""), 60))

    def task(self, row: Mapping[str, Any]) -> None:
        state = str(row.get("state") or "")
        head: list[Part] = [(f"{state:<10}", STATE_STYLES.get(state, "")),
                            f" {row.get('task_id') or '(no task id)'}"]
        if row.get("model"):
            head.append((f"  {row['model']}", "dim"))
        word = row.get("state_word")
        if word and str(word).lower() != state:
            head.append((f"  [{word}]", "dim"))
        self.line(*head)
        if row.get("prompt"):
            self.line(f"  prompt: {one_line(str(row['prompt']))}")
        error = row.get("error")
        if error:
            message = error.get("message") or error.get("code")
            self.line((f"  reason: {message}", "red"))
        for key in ("video_url", "thumbnail_url", "local_path"):
            if row.get(key):
                self.line(f"  {key.split('_')[0]}: {row[key]}")
        if row.get("trace_id"):
            self.line((f"  trace id: {row['trace_id']}", "dim"))


def _local_time(value: Any) -> str:
    try:
        return datetime.fromtimestamp(float(value)).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError, OverflowError, OSError):
        return "????-??-?? ??:??"


def one_line(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


DONE_STATES = frozenset({State.SUCCEEDED, State.FAILED, State.EXPIRED, State.LOST,
                         State.UNKNOWN})
PIPED_EVERY = 5.0  # seconds between plain progress lines in a log
BYTES_EVERY = 0.1  # seconds between two redraws of a bytes line (told of every chunk or line)


class Progress:
    """Progress of a wait, where it runs: a live bar on a terminal's stderr, a plain line
    every few seconds when stderr is a pipe or a CI log, nothing with --quiet or --json."""

    def __init__(self, output: Output, *, quiet: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.live = output.err.is_terminal
        self.enabled = not quiet
        self.console = output.err
        self.clock = clock
        self.start = clock()
        self.last = ""
        self.last_plain = -PIPED_EVERY
        self.last_bytes = -BYTES_EVERY
        self.counts: dict[str, int] = {}
        self.printed: dict[str, int] = {}  # the counts of the last plain line

    def update(self, counts: Mapping[str, int]) -> None:
        if not self.enabled:
            return
        self.counts = dict(counts)
        line = progress_line(counts, self.clock() - self.start, bar=self.live)
        if self.live:
            if line != self.last:
                self.last = line
                self.console.file.write("\r\x1b[2K" + line)
                self.console.file.flush()
        elif self.clock() - self.last_plain >= PIPED_EVERY and self.counts != self.printed:
            self.last_plain, self.printed = self.clock(), dict(self.counts)
            self.console.file.write(line + "\n")
            self.console.file.flush()

    def update_bytes(self, done: int, total: int | None) -> None:
        """Bytes moved (a download, an export, an import): sizes on a terminal, with a bar when
        the whole size is known; nothing in a log."""
        if not self.enabled or not self.live:
            return
        now = self.clock()
        if now - self.last_bytes < BYTES_EVERY and done != total:
            return  # a few redraws a second, and the last one when whole
        self.last_bytes = now
        bar = f"{bar_text(done / total)} " if total else ""  # no size known: no bar
        line = (f"{bar}{done / 1e6:,.1f}" + (f" of {total / 1e6:,.1f} MB" if total else " MB")
                + f" · {clock_text(now - self.start)}")
        if line != self.last:
            self.last = line
            self.console.file.write("\r\x1b[2K" + line)
            self.console.file.flush()

    def done(self) -> None:
        """End the live line; in a log, the final counts if the last line is stale."""
        if not self.enabled:
            return
        if self.live and self.last:
            self.console.file.write("\n")
        elif not self.live and self.counts:
            if self.counts != self.printed:
                line = progress_line(self.counts, self.clock() - self.start, bar=False)
                self.console.file.write(line + "\n")
        self.console.file.flush()
        self.last = ""


def progress_line(counts: Mapping[str, int], elapsed: float, *, bar: bool) -> str:
    """`[######----] 12/40 done · succeeded 10 · failed 2 · running 28 · 0:42 · ~1:10 left`."""
    total = sum(counts.values())
    done = sum(n for state, n in counts.items() if state in DONE_STATES)
    parts = [f"{done}/{total} done"]
    parts += [f"{state} {n}" for state, n in sorted(counts.items()) if n]
    parts.append(clock_text(elapsed))
    if 0 < done < total:
        parts.append(f"~{clock_text(elapsed / done * (total - done))} left")
    line = " · ".join(parts)
    if bar and total:
        line = f"{bar_text(done / total)} {line}"
    return line


def bar_text(share: float, width: int = 20) -> str:
    """`[#####---------------]` for a share from 0 to 1."""
    filled = round(width * min(max(share, 0.0), 1.0))
    return f"[{'#' * filled}{'-' * (width - filled)}]"


def clock_text(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
