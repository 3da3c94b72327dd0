"""Crash: K SIGKILLs (20; 3 with --quick) of a `wan-tui batch` at random moments, each followed
by `wan-tui wait --all`; then the history is compared with what the simulator created (see
ledger.py for the exact figures; `unknown` rows with a reason are honest, not lost).

    python bench/kill_many.py [--quick | --full] [--count K] [--prompts M] [--seed S]

Prints one line: `crash: K kills, … lost, … duplicated, … wrong, … tracebacks, … hangs`;
exits 1 when any of them is not zero.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from cli_runs import CliRuns, write_prompts, chosen_size, suite_parser
from ledger import Row, audit, report
from simproc import SimProcess, cli_env

FULL, QUICK = 20, 3
KILL_WINDOW = (0.5, 2.5)  # seconds after start: from mid-import to well into the waiting
WAIT_DEADLINE = 180.0


def main() -> int:
    parser = suite_parser(__doc__, QUICK, FULL, "kills")
    parser.add_argument("--prompts", type=int, default=15, help="prompts per batch")
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    kills = chosen_size(args, QUICK, FULL)
    chance = random.Random(args.seed)
    looks: list[list[Row]] = []
    # The CLI submits about 1 s after it starts; 200 ms per answer spreads a batch's
    # submissions over the next second, so kills land before, during and after them.
    with tempfile.TemporaryDirectory(prefix="wan-crash-") as tmp, SimProcess(
        "--job-seconds", "1", "--latency", "0.2", "--fault-rate", str(args.fault_rate),
        "--fail-rate", "0.1", "--seed", str(args.seed)
    ) as sim:
        folder = Path(tmp)
        runs = CliRuns(cli_env(sim, folder))
        runs.fast_polling()
        for kill in range(kills):
            prompts = [f"crash round {kill} clip {i}" for i in range(args.prompts)]
            waiting = ["--wait"] if chance.random() < 0.5 else []
            batch_file = str(write_prompts(folder / f"round{kill}.txt", prompts))
            batch = runs.start("batch", batch_file, *waiting)
            runs.kill(batch, chance.uniform(*KILL_WINDOW), "batch", batch_file, *waiting)
            runs.run("wait", "--all", "--json", deadline=WAIT_DEADLINE)
            looks.append(runs.history())
        rows = runs.history()
        tasks = sim.tasks()
    result = audit(tasks, rows, earlier=looks)
    runs.report_problems()
    ok = report("crash", f"{kills} kills of {args.prompts}-prompt batches", result,
                len(runs.tracebacks), len(runs.hangs))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
