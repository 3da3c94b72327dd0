"""`wan-tui download TASK_ID...`: save finished videos; every id gets its own outcome.

One bad id never stops the rest. Each outcome is printed as it ends (the saved file's path on
stdout; problems on stderr), or with --json as one list of `{task_id, ok, path, already,
error}` objects; the exit code is 1 when any id was not saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..api.errors import WanError
from ..api.state import State
from ..session import DownloadError, Session
from .context import CliContext
from .output import Progress


async def run(ctx: CliContext) -> int:
    args = ctx.args
    folder = Path(args.output_dir).expanduser() if args.output_dir else None
    outcomes: list[dict[str, Any]] = []
    async with ctx.session(poll=False) as session:
        for task_id in dict.fromkeys(args.task_ids):
            outcome = await save_one(ctx, session, task_id, folder)
            outcomes.append(outcome)
            if not ctx.out.json_mode and outcome["ok"]:
                if outcome["already"]:
                    ctx.out.info(f"{task_id}: already saved at {outcome['path']}")
                print(outcome["path"], flush=True)
    if ctx.out.json_mode:
        ctx.out.json(outcomes)
    return 0 if all(o["ok"] for o in outcomes) else 1


async def save_one(ctx: CliContext, session: Session, task_id: str,
                   folder: Path | None) -> dict[str, Any]:
    outcome: dict[str, Any] = {"task_id": task_id, "ok": False, "path": None,
                               "already": False, "error": None}
    progress = Progress(ctx.out, quiet=getattr(ctx.args, "quiet", False))

    def advance(done: int, total: int | None) -> None:
        progress.update_bytes(done, total)

    try:
        row = session.by_task_id(task_id)
        if row is None or row.state != State.SUCCEEDED:
            # Not known here yet, or not finished when last seen: ask the service once.
            row = await session.look_up(task_id)
        saved = await session.download(row, folder, progress=advance)
    except (DownloadError, WanError) as error:
        progress.done()
        ctx.out.error(f"{task_id}: {error}")
        code = error.code if isinstance(error, WanError) else "not_saved"
        outcome["error"] = {"code": code, "message": str(error)}
        return outcome
    progress.done()
    outcome.update(ok=True, path=str(saved.path), already=saved.already)
    return outcome
