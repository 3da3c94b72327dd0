"""python -m wan_tui.sim: run the simulator in the foreground."""

from __future__ import annotations

import argparse

from .simulator import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m wan_tui.sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--token", default=None, help="accepted bearer token (random if unset)")
    parser.add_argument("--job-seconds", type=float, default=15.0)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.token, args.job_seconds, args.fail_rate, args.fault_rate,
          args.seed)


if __name__ == "__main__":
    main()
