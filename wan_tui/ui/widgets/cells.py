"""How a history row looks in a table cell: state marks, colours, short times.

Every function returns a rich `Text` built from plain strings, never from markup: prompts,
server messages and URLs are data (a prompt "[b]x[/b]" shows its brackets), and lose their
terminal control characters (`printable`) before they are shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from rich.text import Text
from textual.color import Color

from wan_tui.api.state import ACTIVE_STATES, State
from wan_tui.api.text import printable
from wan_tui.store.rows import Row

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
# Marks for states that do not spin. Active states (and submitting) show a spinner frame.
MARKS = {
    State.SUCCEEDED: "✔",
    State.FAILED: "✘",
    State.UNKNOWN: "?",
    State.EXPIRED: "○",
    State.LOST: "∅",
}
SPINNING = frozenset({*ACTIVE_STATES, State.SUBMITTING})
ACTION_WORDS = {"text2video": "text", "image2video": "image"}


class Palette(NamedTuple):  # not a frozen dataclass: ~0.4 ms less start-up
    """Concrete colours from the current theme (rich styles cannot read theme variables)."""

    success: str = "green"
    error: str = "red"
    warning: str = "yellow"
    accent: str = "cyan"
    muted: str = "bright_black"

    @classmethod
    def from_variables(cls, variables: dict[str, str]) -> Palette:
        def pick(name: str, fallback: str) -> str:
            try:
                return Color.parse(variables[name]).hex6
            except Exception:  # noqa: BLE001 - a theme without the variable: keep a default
                return fallback

        try:  # the app's readable muted colour (contrast.py), else a blend of its own
            muted = Color.parse(variables.get("wan-muted") or Color.parse(
                variables["foreground"]).blend(Color.parse(variables["background"]), 0.45)
                .hex6).hex6
        except Exception:  # noqa: BLE001
            muted = cls.muted
        return cls(success=pick("text-success", cls.success), error=pick("text-error", cls.error),
                   warning=pick("text-warning", cls.warning),
                   accent=pick("text-primary", cls.accent), muted=muted)

    def state_style(self, state: str) -> str:
        return {
            State.SUCCEEDED: self.success,
            State.FAILED: self.error,
            State.RUNNING: f"bold {self.accent}",
            State.PENDING: self.accent,
            State.SUBMITTING: self.warning,
            State.UNKNOWN: f"bold {self.warning}",
            State.EXPIRED: self.muted,
            State.LOST: self.muted,
        }.get(state, "")  # type: ignore[call-overload]


def state_cell(state: str, palette: Palette, frame: int = 0) -> Text:
    mark = SPINNER[frame % len(SPINNER)] if state in SPINNING else MARKS.get(state, "·")  # type: ignore[call-overload]
    return Text(f"{mark} {state}", style=palette.state_style(state), no_wrap=True, end="")


def plain(value: str | None, style: str = "") -> Text:
    value = printable(value) if value else value
    return Text(value or "—", style=style if value else "dim", no_wrap=True,
                overflow="ellipsis", end="")


PROMPT_CHARS = 300  # a table's prompt cell is cut here: DataTable measures every new cell
# whole, and no prompt column is this wide


def prompt_cell_text(prompt: str) -> str:
    """A prompt as a table cell shows it: its start, on one line."""
    return one_line(prompt[:PROMPT_CHARS])


def one_line(text: str) -> str:
    """A prompt on one line: line breaks become a visible mark, runs of spaces one space."""
    words = (printable(word) for word in text.replace("\r\n", "\n").replace("\n", " ⏎ ").split())
    return " ".join(word for word in words if word)


def duration_text(row: Row) -> str | None:
    duration = row.params.get("duration")
    return f"{duration}s" if isinstance(duration, int) and not isinstance(duration, bool) else None


def resolution_text(row: Row) -> str | None:
    resolution = row.params.get("resolution")
    if isinstance(resolution, str) and resolution:
        return resolution
    if row.video_height and row.video_width:
        return f"{min(row.video_width, row.video_height)}P"
    return None


def short_span(seconds: float) -> str:
    """3s, 4m, 2h, 5d, 14w, 2y: how long ago, in one word of at most three characters
    below a century (the board's age column is 7 wide: "52w ago")."""
    seconds = max(0, int(seconds))
    days = seconds // 86400
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if days < 1:
        return f"{seconds // 3600}h"
    if days < 100:
        return f"{days}d"
    if days < 365:
        return f"{days // 7}w"
    return f"{days // 365}y"


def clock_span(seconds: float) -> str:
    """0:42, 12:05, 1:02:03: a running stopwatch."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def time_text(row: Row, now: float) -> str:
    """A running task's stopwatch (past 10 hours, a short span: "2d"), else how long ago
    it was made; at most 7 characters."""
    if row.state in SPINNING:
        elapsed = now - row.created_at
        return clock_span(elapsed) if elapsed < 36000 else short_span(elapsed)
    return f"{short_span(now - row.created_at)} ago"


def time_cell(row: Row, now: float, palette: Palette) -> Text:
    style = palette.accent if row.state in SPINNING else palette.muted
    return Text(time_text(row, now), style=style, no_wrap=True, justify="right", end="")


def took(row: Row) -> str | None:
    if row.finished_at is None:
        return None
    return clock_span(row.finished_at - row.created_at)


def local_time(timestamp: float | None) -> str:
    if timestamp is None:
        return "—"
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")
