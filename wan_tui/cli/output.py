"""How the CLI speaks: JSON on stdout for scripts, readable colour-aware text for people.

Untrusted text (prompts, server messages, URLs) is printed as plain Text, never as markup.
Errors go to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console
from rich.text import Text

from ..api.state import State

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


class Output:
    def __init__(self, *, json_mode: bool = False) -> None:
        self.json_mode = json_mode
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)

    def json(self, value: Any) -> None:
        sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()

    def line(self, *parts: str | Text) -> None:
        self.out.print(Text.assemble(*parts))

    def error(self, message: str, *, hint: str | None = None) -> None:
        text = Text.assemble(("error: ", "bold red"), message)
        if hint:
            text.append(f"\n  {hint}", style="dim")
        self.err.print(text)

    def warn(self, message: str) -> None:
        self.err.print(Text.assemble(("warning: ", "yellow"), message))

    def info(self, message: str) -> None:
        """Progress chatter: stderr, so stdout stays clean for pipes."""
        self.err.print(Text(message, style="dim"))

    def rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Tasks in human form, one block each (rows are `to_json()` dicts)."""
        for row in rows:
            self.task(row)

    def task(self, row: Mapping[str, Any]) -> None:
        state = str(row.get("state") or "")
        head = Text()
        head.append(f"{state:<10}", style=STATE_STYLES.get(state, ""))
        head.append(f" {row.get('task_id') or '(no task id)'}")
        if row.get("model"):
            head.append(f"  {row['model']}", style="dim")
        word = row.get("state_word")
        if word and str(word).lower() != state:
            head.append(f"  [{word}]", style="dim")
        self.out.print(head)
        if row.get("prompt"):
            self.out.print(Text(f"  prompt: {_one_line(str(row['prompt']))}"))
        error = row.get("error")
        if error:
            message = error.get("message") or error.get("code")
            self.out.print(Text(f"  reason: {message}", style="red"))
        for key in ("video_url", "thumbnail_url", "local_path"):
            if row.get(key):
                self.out.print(Text(f"  {key.split('_')[0]}: {row[key]}"))
        if row.get("trace_id"):
            self.out.print(Text(f"  trace id: {row['trace_id']}", style="dim"))


def _one_line(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class Progress:
    """One live line of counts per state on a terminal's stderr; silent elsewhere."""

    def __init__(self, output: Output) -> None:
        self.enabled = output.err.is_terminal
        self.console = output.err
        self.last = ""

    def update(self, counts: Mapping[str, int]) -> None:
        if not self.enabled:
            return
        text = "  ".join(f"{state}: {n}" for state, n in sorted(counts.items()) if n)
        if text != self.last:
            self.last = text
            self.console.file.write("\r\x1b[2K" + text)
            self.console.file.flush()

    def done(self) -> None:
        if self.enabled and self.last:
            self.console.file.write("\n")
            self.console.file.flush()
