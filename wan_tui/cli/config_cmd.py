"""`wan-tui config show|set|unset|path`."""

from __future__ import annotations

from ..store.config import ConfigError, mask_token
from .context import CliContext, UsageError


def run(ctx: CliContext) -> int:
    action = ctx.args.config_command or "show"
    if action == "path":
        print(ctx.loaded.path)
        return 0
    if action in ("set", "unset"):
        try:
            if action == "set":
                check_keymap(ctx, ctx.args.key, ctx.args.value)
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
    settings = ctx.offline().settings()
    # The environment wins over the file for these two, as every command applies them.
    effective = {
        "api.token": (mask_token(settings.token) if settings.token else None,
                      settings.token_source),
        "api.base_url": (settings.base_url, settings.base_url_source),
    }
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for item in items:
        value, source = (item.display if item.spec.secret else item.value,
                         "config file" if item.from_file else "default")
        if item.key in effective:
            value, source = effective[item.key][0], effective[item.key][1] or "default"
        values[item.key], sources[item.key] = value, source
    if getattr(ctx.args, "json", False):
        ctx.out.json({"path": str(ctx.loaded.path), "problems": ctx.loaded.problems,
                      "values": values, "sources": sources})
        return 0
    ctx.out.line(("config file: ", "dim"), str(ctx.loaded.path))
    for item in items:
        source = sources[item.key]
        shown = "(unset)" if values[item.key] is None else (
            item.display if item.key not in effective else str(values[item.key]))
        ctx.out.line((f"{item.key:<34}", "bold" if source != "default" else ""), shown,
                     ("" if source == "config file" else f"  ({source})", "dim"))
    return 0


def check_keymap(ctx: CliContext, key: str, value: str) -> None:
    """A key binding is checked against the app's registry of actions before it is saved:
    an unknown id, or a key another action of the same screen already has, is refused."""
    if not key.startswith("keymap."):
        return
    from ..ui.actions import keymap_problems  # no Textual: the registry is plain data

    binding_id = key.partition(".")[2]
    problems = [p for p in keymap_problems({**ctx.loaded.config.keymap, binding_id: value})
                if p.startswith(f"{key}:")]
    if problems:
        raise UsageError("; ".join(problems) + "; nothing was saved")
