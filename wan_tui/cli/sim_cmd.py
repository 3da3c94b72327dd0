"""`wan-tui sim`: the Wan API simulator as a foreground server."""

from __future__ import annotations

from .context import CliContext, UsageError


def run(ctx: CliContext) -> int:
    args = ctx.args  # the parser has checked the numbers
    from ..sim import MAX_SEED_TASKS, serve

    if args.seed_tasks > MAX_SEED_TASKS:
        raise UsageError(f"--seed-tasks: at most {MAX_SEED_TASKS} (got {args.seed_tasks})")
    try:
        serve(args.host, args.port, args.token, args.job_seconds, args.fail_rate,
              args.fault_rate, seed=args.seed, latency=args.latency,
              seed_tasks=args.seed_tasks)
    except OSError as error:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error.strerror}; "
                         "pick another --port") from None
    return 0
