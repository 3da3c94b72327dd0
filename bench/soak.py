"""Soak: N prompts (1,000; 60 with --quick) through `wan-tui batch --wait` against a simulator
that injects faults (429, 500, HTML 502, dropped connections) and fails some tasks; then the
history is compared with what the simulator created (see ledger.py for the exact figures).

    python bench/soak.py [--quick | --full] [--count N] [--fault-rate P] [--seed S]

Prints one line: `soak: N prompts, … lost, … duplicated, … wrong, … tracebacks, … hangs`;
exits 1 when any of them is not zero.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from cli_runs import CliRuns, write_prompts, chosen_size, suite_parser
from ledger import audit, report
from simproc import SimProcess, cli_env

FULL, QUICK = 1000, 60


def main() -> int:
    parser = suite_parser(__doc__, QUICK, FULL, "prompts")
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--fail-rate", type=float, default=0.1)
    parser.add_argument("--job-seconds", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    count = chosen_size(args, QUICK, FULL)
    # Generous: submissions go 5 at a time through faults; every task then needs polling.
    deadline = 120 + count * 0.6
    with tempfile.TemporaryDirectory(prefix="wan-soak-") as tmp, SimProcess(
        "--job-seconds", str(args.job_seconds), "--fault-rate", str(args.fault_rate),
        "--fail-rate", str(args.fail_rate), "--seed", str(args.seed)
    ) as sim:
        folder = Path(tmp)
        runs = CliRuns(cli_env(sim, folder))
        runs.fast_polling()
        prompts = [f"soak clip {i} of {count}" for i in range(count)]
        batch = runs.run("batch", str(write_prompts(folder / "prompts.txt", prompts)), "--wait",
                         "--json", deadline=deadline)
        rows = runs.history()
        tasks = sim.tasks()
        stats = sim.stats()
    result = audit(tasks, rows, dict.fromkeys(prompts, 1))
    print(f"  batch exit {batch.returncode}; faults injected {stats['faults']}; "
          f"{len(rows)} history rows")
    runs.report_problems()
    ok = report("soak", f"{count} prompts", result, len(runs.tracebacks), len(runs.hangs))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
