"""`wan-tui login`: take the API token without putting it on the command line.

A token given as `--token` is visible to every user of the machine in `ps`; this reads it
hidden from the terminal (or from standard input, for scripts), checks it with one free
request, and saves it in the config file (mode 0600).
"""

from __future__ import annotations

import getpass
import sys

from ..session import Connection
from ..store.config import ConfigError
from ..store.config_keys import KEYS
from .context import CliContext, UsageError

TOKEN_READ_LIMIT = 8192  # characters read from stdin: far more than any token


def read_token() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("API token (hidden): ")
    return sys.stdin.readline(TOKEN_READ_LIMIT)


async def run(ctx: CliContext) -> int:
    token = read_token().strip()
    if not token:
        raise UsageError("no token given; paste it at the prompt, or pipe it: "
                         "`wan-tui login < token.txt`")
    problem = KEYS["api.token"].problem(token)
    if problem:  # never repeat the token itself
        raise UsageError(f"that token {problem}; nothing was saved")
    session = ctx.offline()
    base_url = session.settings(cli_base_url=getattr(ctx.args, "base_url", None)).base_url
    if not ctx.args.no_check:
        try:
            await session.verify(Connection(base_url, token))
        finally:
            await session.disconnect()
        ctx.out.info(f"the token works with {base_url}")
    try:
        loaded = session.save_settings({"api.token": token})
    except ConfigError as error:
        raise UsageError(str(error)) from None
    ctx.out.info(f"saved in {loaded.path} (readable by you only)")
    return 0
