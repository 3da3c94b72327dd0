"""`wan-tui download TASK_ID...`: save finished videos, recording where in the history."""

from __future__ import annotations

from pathlib import Path

from ..api.state import State
from ..session import DownloadError
from ..store.rows import Row
from .context import CliContext


async def run(ctx: CliContext) -> int:
    args = ctx.args
    folder = Path(args.output_dir).expanduser() if args.output_dir else ctx.loaded.config.downloads.dir
    saved: list[Row] = []
    failed = 0
    async with ctx.session(poll=False) as session:
        for task_id in dict.fromkeys(args.task_ids):
            row = session.by_task_id(task_id)
            if row is None or row.state != State.SUCCEEDED:
                # Not known here yet, or not finished when last seen: ask the service once.
                row = await session.look_up(task_id)
            try:
                row = await session.download(row, folder)
            except DownloadError as error:
                ctx.out.error(f"{task_id}: {error}")
                failed += 1
                continue
            saved.append(row)
            if not ctx.out.json_mode:
                print(row.local_path)
    if ctx.out.json_mode:
        ctx.out.json([r.to_json() for r in saved])
    return 1 if failed else 0
