"""Opening the terminal app (the TUI) from the command line.

Textual is imported here, inside `run_app`, so the headless commands never load it.
"""

from __future__ import annotations

from ..session import Connection
from .context import CliContext

EXIT_OK = 0


def run_app(ctx: CliContext) -> int:
    """`wan-tui` (the app on the configured token, or the welcome screen) or `wan-tui --demo`."""
    from ..ui.app import DEMO_REQUESTED, WanApp
    from ..ui.demo import run_demo

    if getattr(ctx.args, "demo", False):
        run_demo(getattr(ctx.args, "demo_job_seconds", None))
        return EXIT_OK
    settings = ctx.settings()  # a token that cannot be sent: a usage error before the app
    connection = Connection(settings.base_url, settings.token) if settings.token else None
    app = WanApp(ctx.loaded, connection, cli_base_url=getattr(ctx.args, "base_url", None))
    result = app.run()
    if result == DEMO_REQUESTED:  # the welcome screen's "try the demo"
        run_demo(getattr(ctx.args, "demo_job_seconds", None))
    return app.return_code or EXIT_OK
