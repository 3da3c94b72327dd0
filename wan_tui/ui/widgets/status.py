"""The status line: how many tasks are in each state, and what the tracker is up to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.text import Span, Text
from textual.widgets import Static

from wan_tui.api.pricing import money
from wan_tui.api.state import State
from wan_tui.session import TrackerStatus

from .cells import Palette, short_span

if TYPE_CHECKING:
    from wan_tui.session import SpendLine

# Order of the per-state counts on the line.
COUNT_ORDER = (State.SUBMITTING, State.PENDING, State.RUNNING, State.SUCCEEDED, State.FAILED,
               State.UNKNOWN, State.EXPIRED, State.LOST)


def spend_text(lines: Iterable[SpendLine]) -> str:
    """"today $1.20" (each currency summed), or "" when no cost is known yet today."""
    totals: dict[str, float] = {}
    for line in lines:
        totals[line.currency] = totals.get(line.currency, 0.0) + line.amount
    return ("today " + " + ".join(money(amount, currency) for currency, amount
                                  in sorted(totals.items()))) if totals else ""


def status_text(counts: dict[str, int], status: TrackerStatus, now: float, palette: Palette, *,
                demo: bool = False, filter_label: str | None = None,
                connected: bool = True, notes: Sequence[str] = ()) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    if demo:
        text.append(" DEMO ", style=f"bold reverse {palette.warning}")
        text.append("  ")
    parts = [(f"{counts[state]:,} {state}", palette.state_style(state))
             for state in COUNT_ORDER if counts.get(state)]
    if not parts:
        parts = [("no generations yet", palette.muted)]
    for i, (words, style) in enumerate(parts):
        if i:
            text.append(" · ", style=palette.muted)
        text.append(words, style=style)
    for note in notes:
        text.append(f"   {note}", style=palette.muted)
    if not connected:
        text.append("   not connected", style=palette.warning)
    if status.submitting:
        text.append(f"   sending {status.submitting}", style=palette.warning)
    if status.paused_until is not None and status.paused_until > now:
        text.append(f"   ⏸ polling paused {short_span(status.paused_until - now)} (rate limited)",
                    style=f"bold {palette.warning}")
    if status.trouble:
        text.append("   ⚠ ", style=f"bold {palette.error}")
        text.append(status.trouble, style=palette.error)
    if filter_label:
        text.append(f"   filter: {filter_label}", style=palette.accent)
    return text


class StatusLine(Static):
    """One line above the footer."""

    shown: tuple[str, list[Span]] | None = None

    def show(self, text: Text) -> None:
        """Update only when the line differs (the board asks once a second)."""
        key = (text.plain, list(text.spans))
        if key != self.shown:
            self.shown = key
            self.update(text)
