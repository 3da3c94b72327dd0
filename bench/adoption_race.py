"""The adoption race (issue 10, defect 1): a proxy holds every submit answer for 4 s and delays
account listings by 1.5 s; `wan-tui generate P` is SIGKILLed while its answer is held, `wan-tui
generate P` runs again, then `wan-tui wait --all`. Every task the simulator created for P must
have exactly one history row (no `unknown` stand-in), and no row may vanish.

    python bench/adoption_race.py [--quick | --full] [--count R]

Each round has its own history. Prints one line:
`adoption race: R rounds, … lost, … duplicated, … wrong, … tracebacks, … hangs`.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from cli_runs import CliRuns, chosen_size, suite_parser
from ledger import Audit, Row, audit, prompt_of, report
from simproc import ProxyProcess, SimProcess, cli_env

FULL, QUICK = 5, 1
HOLD_SUBMIT, DELAY_LIST = "4", "1.5"
KILL_AFTER_CREATED = 0.5  # seconds after the simulator made the task: its answer is still held
STEP_DEADLINE = 120.0


def main() -> int:
    parser = suite_parser(__doc__, QUICK, FULL, "rounds")
    args = parser.parse_args()
    rounds = chosen_size(args, QUICK, FULL)
    total = Audit()
    tracebacks = hangs = 0
    with tempfile.TemporaryDirectory(prefix="wan-race-") as tmp, \
            SimProcess("--job-seconds", "2", "--seed", "1") as sim, \
            ProxyProcess(sim.base_url, "--hold-submit", HOLD_SUBMIT,
                         "--delay-list", DELAY_LIST) as proxy:
        for number in range(rounds):
            runs = CliRuns(cli_env(proxy, Path(tmp) / f"round{number}"))
            runs.fast_polling()
            prompt = f"a lighthouse in a storm, take {number}"
            looks = race(runs, sim, prompt)
            mine = [t for t in sim.tasks() if prompt_of(t) == prompt]
            result = audit(mine, looks[-1], {prompt: 2}, earlier=looks[:-1])
            total.add(result)
            runs.report_problems()
            tracebacks += len(runs.tracebacks)
            hangs += len(runs.hangs)
    # Here an `unknown` row standing in for a created task is a failure: the task had a row.
    total.lost += ["(unknown stand-in)"] * total.unknown_reported
    ok = report("adoption race", f"{rounds} rounds", total, tracebacks, hangs)
    return 0 if ok else 1


def race(runs: CliRuns, sim: SimProcess, prompt: str) -> list[list[Row]]:
    """The three steps; the history after each (the last is the final one)."""
    created_before = sim.stats()["created"]
    first = runs.start("generate", prompt)
    wait_until_created(sim, created_before + 1, first.pid)
    runs.kill(first, KILL_AFTER_CREATED, "generate", prompt)
    looks = [runs.history()]
    runs.run("generate", prompt, deadline=STEP_DEADLINE)
    looks.append(runs.history())
    runs.run("wait", "--all", "--json", deadline=STEP_DEADLINE)
    looks.append(runs.history())
    return looks


def wait_until_created(sim: SimProcess, count: int, pid: int) -> None:
    """Until the simulator made the first generation's task (bounded: 30 s)."""
    for _ in range(300):
        if sim.stats()["created"] >= count:
            return
        time.sleep(0.1)
    raise RuntimeError(f"wan-tui generate (pid {pid}) never reached the simulator")


if __name__ == "__main__":
    raise SystemExit(main())
