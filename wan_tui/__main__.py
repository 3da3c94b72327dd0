"""`python -m wan_tui` does what the `wan-tui` command does."""

from .cli import run

run()
