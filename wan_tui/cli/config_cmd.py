"""`wan-tui config show|set|unset|path`."""

from __future__ import annotations

from ..store.config import ConfigError
from .context import CliContext, UsageError


def run(ctx: CliContext) -> int:
    action = ctx.args.config_command or "show"
    if action == "path":
        print(ctx.loaded.path)
        return 0
    if action in ("set", "unset"):
        try:
            if action == "set":
                loaded = ctx.offline().set_setting(ctx.args.key, ctx.args.value)
            else:
                loaded = ctx.offline().unset_setting(ctx.args.key)
        except ConfigError as error:
            raise UsageError(str(error)) from None
        item = next((i for i in loaded.items() if i.key == ctx.args.key), None)
        shown = item.display if item else "(unset)"
        ctx.out.info(f"{ctx.args.key} = {shown}  ({loaded.path})")
        return 0
    items = ctx.loaded.items()
    if getattr(ctx.args, "json", False):
        ctx.out.json({
            "path": str(ctx.loaded.path),
            "problems": ctx.loaded.problems,
            "values": {i.key: (i.display if i.spec.secret else i.value) for i in items},
        })
        return 0
    ctx.out.line(("config file: ", "dim"), str(ctx.loaded.path))
    for item in items:
        ctx.out.line((f"{item.key:<34}", "bold" if item.from_file else ""), item.display,
                     ("" if item.from_file else "  (default)", "dim"))
    return 0
