"""`wan-tui`: the terminal app without a command, a headless command line with one.

Only the parser is imported before the arguments are read (and not even it for a lone
`--version`), so `--version` and `--help` answer at once; the core (HTTP, SQLite, the session)
loads when a command needs it.
"""

from __future__ import annotations

import gc
import sys

EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    if (sys.argv[1:] if argv is None else argv) == ["--version"]:
        # What argparse would print, without building the parser: it imports the model
        # tables for its choices (~40 ms, more than Python's own start).
        from .. import __version__

        print(f"wan-tui {__version__}")
        return 0
    from .parser import build_parser

    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error argparse has printed
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    # The app pauses the cyclic collector until its first frame (`WanApp.run`): the ~65,000
    # objects start-up makes live as long as the app, and a collection every 700 allocations
    # walked them again and again (~15 ms of the core's imports alone).
    paused = args.command is None and gc.isenabled()
    if paused:
        gc.disable()
    try:
        from .dispatch import execute

        return execute(args)
    finally:
        if paused:
            gc.enable()


def run() -> None:
    sys.exit(main())
