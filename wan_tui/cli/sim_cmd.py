"""`wan-tui sim`: the Wan API simulator as a foreground server."""

from __future__ import annotations

from .context import CliContext, UsageError


def run(ctx: CliContext) -> int:
    args = ctx.args
    for name in ("fail_rate", "fault_rate"):
        value = getattr(args, name)
        if not 0.0 <= value <= 1.0:
            raise UsageError(f"--{name.replace('_', '-')} must be between 0 and 1 (got {value})")
    if args.job_seconds <= 0:
        raise UsageError(f"--job-seconds must be greater than 0 (got {args.job_seconds})")
    from ..sim import serve

    try:
        serve(args.host, args.port, args.token, args.job_seconds, args.fail_rate,
              args.fault_rate, seed=args.seed, latency=args.latency)
    except OSError as error:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error.strerror}; "
                         "pick another --port") from None
    return 0
