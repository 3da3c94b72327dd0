"""`wan-tui`: the terminal app without a command, a headless command line with one.

Only the parser is imported before the arguments are read, so `--version` and `--help` answer
at once; the core (HTTP, SQLite, the session) loads when a command needs it.
"""

from __future__ import annotations

import sys

EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    from .parser import build_parser

    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error argparse has printed
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    from .dispatch import execute

    return execute(args)


def run() -> None:
    sys.exit(main())
