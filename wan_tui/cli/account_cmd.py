"""The account and the history's health: `sync`, `spend`, `doctor`."""

from __future__ import annotations

from dataclasses import asdict

from ..api.pricing import money
from ..session import SyncResult
from .context import CliContext
from .history_cmd import date_option
from .output import Progress


async def sync(ctx: CliContext) -> int:
    """Page the account's tasks into the history (tasks made in the web app or elsewhere)."""
    since = date_option(ctx.args.since, "--since")
    progress = Progress(ctx.out, quiet=ctx.args.quiet)

    def shown(result: SyncResult) -> None:
        progress.update({"listed": result.seen})

    async with ctx.session(poll=False) as session:
        result = await session.sync(since, shown)
    progress.done()
    if ctx.out.json_mode:
        ctx.out.json(result.to_json())
    else:
        ctx.out.info(f"{result.seen} tasks listed: {result.added} new in the history, "
                     f"{result.updated} updated"
                     + ("" if result.complete else "; stopped at the page limit, run it again "
                                                   "with --since to go on"))
    return 0


def spend(ctx: CliContext) -> int:
    """Sum the recorded costs (what the service settled for finished tasks)."""
    session = ctx.offline()
    try:
        lines = session.spend(date_option(ctx.args.since, "--since"),
                              date_option(ctx.args.until, "--until"), by=ctx.args.by)
    finally:
        session.close_history()
    totals: dict[str, float] = {}
    for line in lines:
        totals[line.currency] = totals.get(line.currency, 0.0) + line.amount
    if ctx.out.json_mode:
        ctx.out.json({"by": ctx.args.by, "lines": [asdict(line) for line in lines],
                      "totals": [{"currency": c, "amount": round(a, 6)}
                                 for c, a in sorted(totals.items())]})
        return 0
    if not lines:
        ctx.out.info("no recorded costs (costs arrive with finished tasks)")
        return 0
    for line in lines:
        ctx.out.line(f"{line.key:<20} {money(line.amount, line.currency):>12}  "
                     f"{line.tasks} task{'s' if line.tasks != 1 else ''}")
    for currency, amount in sorted(totals.items()):
        ctx.out.line(("total", "bold"), f"{'':<15} {money(amount, currency):>12}")
    return 0


def doctor(ctx: CliContext) -> int:
    """Check the whole history file (slow on a large one), report its size, and compact it."""
    session = ctx.offline()
    try:
        notice = session.open_history()
        if notice:
            ctx.out.warn(notice)
        problems = session.check_history()
        stats = session.compact_history() if ctx.args.vacuum else session.history_stats()
    finally:
        session.close_history()
    report = {"problems": problems, **asdict(stats),
              "bytes_per_row": round(stats.bytes_per_row, 1)}
    if ctx.out.json_mode:
        ctx.out.json(report)
    else:
        ctx.out.line("history: " + ("sound" if not problems else "DAMAGED"))
        for problem in problems[:20]:
            ctx.out.line(f"  {problem}")
        ctx.out.line(f"rows: {stats.rows:,}  file: {stats.file_bytes / 1e6:,.1f} MB  "
                     f"({stats.bytes_per_row:,.0f} bytes per row, "
                     f"{stats.free_pages * stats.page_size / 1e6:,.1f} MB free inside)")
        if problems:
            ctx.out.info("move the file aside (`wan-tui` does so when it cannot read it) or "
                         "restore an export with `wan-tui history import`")
        elif stats.worth_compacting and not ctx.args.vacuum:
            ctx.out.info("`wan-tui doctor --vacuum` returns the free space to the disk")
    return 1 if problems else 0
