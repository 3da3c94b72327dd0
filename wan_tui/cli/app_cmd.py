"""Opening the terminal app (the TUI) from the command line."""

from __future__ import annotations

from .context import CliContext


def run_app(ctx: CliContext) -> int:
    ctx.out.error("the terminal app is not built yet; use the commands (`wan-tui --help`)")
    return 2
