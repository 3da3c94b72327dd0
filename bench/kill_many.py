"""Crash: K SIGKILLs (20; 3 with --quick) of a `wan-tui batch` at random moments, each followed
by `wan-tui wait --all`; then the history is compared with what the simulator created (see
ledger.py for the exact figures; `unknown` rows with a reason are honest, not lost).

    python bench/kill_many.py [--quick | --full] [--count K] [--lanes L] [--prompts M] [--seed S]
                              [--only MOMENT] [--strict]

Kills cycle through four moments: mid-submission (the simulator made some of the tasks),
before submitting (the CLI still starting), while waiting (`--wait`, all tasks made) and in
flight (a submission received, its task not made yet: it is made after the client died).

An answer lost mid-submission keeps `wait --all` about a minute (until the service's listing
proves the task was not created), so the kills run in L lanes at once, each lane its own
history with its rounds one after another. Prints one line:
`crash: K kills …, … lost, … duplicated, … wrong, … tracebacks, … hangs`; exits 1 when any of
them is not zero.
"""

from __future__ import annotations

import collections
import random
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cli_runs import CliRuns, chosen_size, suite_parser, write_prompts
from ledger import Audit, Row, audit, prompt_of, report
from simproc import SimProcess, cli_env

FULL, QUICK = 20, 3
# Kill k (counting across lanes) lands at MOMENTS[k % 4]: any 3 kills cover every kind.
# "in flight": the simulator has received a submission and not yet made its task, so the
# task is made (and billed) after the client died.
MOMENTS = ("mid-submission", "before submitting", "while waiting", "in flight")
WAIT_DEADLINE = 180.0


def main() -> int:
    parser = suite_parser(__doc__, QUICK, FULL, "kills")
    parser.add_argument("--lanes", type=int, default=4, help="histories killed in parallel")
    parser.add_argument("--prompts", type=int, default=15, help="prompts per batch")
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=MOMENTS, help="every kill at this kind of moment")
    parser.add_argument("--strict", action="store_true", help="an `unknown` row standing in "
                        "for a task the server made counts as lost (wait --all should find it)")
    args = parser.parse_args()
    kills = chosen_size(args, QUICK, FULL)
    lanes = max(1, min(args.lanes, kills))
    # 200 ms per answer spreads a batch's submissions over about a second, so a kill can land
    # between the simulator creating tasks and the client hearing of them.
    with tempfile.TemporaryDirectory(prefix="wan-crash-") as tmp, SimProcess(
        "--job-seconds", "1", "--latency", "0.2", "--fault-rate", str(args.fault_rate),
        "--fail-rate", "0.1", "--seed", str(args.seed)
    ) as sim, ThreadPoolExecutor(lanes) as pool:
        work = [Lane(sim, Path(tmp) / f"lane{n}", n, args.prompts, args.seed, args.only)
                for n in range(lanes)]
        list(pool.map(lambda lane: lane.run(range(lane.number, kills, lanes)), work))
        tasks = sim.tasks()
        total = Audit()
        for lane in work:
            mine = [t for t in tasks if prompt_of(t).startswith(lane.prefix)]
            total.add(audit(mine, lane.runs.history(), earlier=lane.looks))
            lane.runs.report_problems()
    if args.strict:
        total.lost += ["(unknown stand-in)"] * total.unknown_reported
    moments = sum((lane.moments for lane in work), collections.Counter[str]())
    when = ", ".join(f"{n} {kind}" for kind, n in sorted(moments.items()))
    ok = report("crash", f"{kills} kills of {args.prompts}-prompt batches ({when})", total,
                sum(len(lane.runs.tracebacks) for lane in work),
                sum(len(lane.runs.hangs) for lane in work))
    return 0 if ok else 1


class Lane:
    """One history: batches started, killed and waited for, one round after another."""

    def __init__(self, sim: SimProcess, folder: Path, number: int, prompts: int,
                 seed: int, only: str | None = None) -> None:
        self.sim, self.folder, self.number, self.prompts = sim, folder, number, prompts
        self.only = only
        self.prefix = f"crash lane {number} "
        self.chance = random.Random(seed * 1000 + number)
        self.runs = CliRuns(cli_env(sim, folder))
        self.looks: list[list[Row]] = []
        self.moments: collections.Counter[str] = collections.Counter()

    def run(self, kills: range) -> None:
        self.runs.fast_polling()
        for kill in kills:
            prompts = [f"{self.prefix}kill {kill} clip {i}" for i in range(self.prompts)]
            batch_file = write_prompts(self.folder / f"kill{kill}.txt", prompts)
            moment = self.only or MOMENTS[kill % len(MOMENTS)]
            self.moments[self.kill_at_random(str(batch_file), prompts, moment)] += 1
            self.runs.run("wait", "--all", "--json", deadline=WAIT_DEADLINE)
            self.looks.append(self.runs.history())

    def kill_at_random(self, batch_file: str, prompts: list[str], moment: str) -> str:
        """Start `wan-tui batch`, SIGKILL it at a random time of the `moment` kind; the kind
        it turned out to be."""
        chance = self.chance
        waiting = ["--wait"] if moment == "while waiting" or chance.random() < 0.5 else []
        args = ("batch", batch_file, *waiting)
        batch = self.runs.start(*args)
        if moment == "before submitting":
            delay = chance.uniform(0.1, 0.9)  # the CLI is still starting up
        elif moment == "in flight":
            self.received(self.sim.stats()["videos_posts"] + 1, batch)
            delay = 0.0
        else:
            # Mid-submission: once the simulator made 1..n-1 of the tasks, some answers are
            # on their way and some prompts unsent. While waiting: once it made them all.
            goal = len(prompts) if moment == "while waiting" else chance.randint(
                1, len(prompts) - 1)
            self.created_at_least(prompts, goal, batch)
            delay = chance.uniform(0.0, 1.0) if moment == "while waiting" else 0.0
        ended = self.runs.kill(batch, delay, *args)
        return moment if ended.returncode is None else "too late (it had ended)"

    def created_at_least(self, prompts: list[str], count: int,
                         batch: subprocess.Popen[str]) -> None:
        """Until the simulator made `count` tasks of `prompts`, or the batch ended (60 s)."""
        for _ in range(3000):
            made = self.sim.stats()["submissions_by_prompt"]
            if batch.poll() is not None or sum(made.get(p, 0) for p in prompts) >= count:
                return
            time.sleep(0.02)

    def received(self, posts: int, batch: subprocess.Popen[str]) -> None:
        """Until the simulator has received `posts` submissions in all (60 s at most)."""
        for _ in range(6000):
            if batch.poll() is not None or self.sim.stats()["videos_posts"] >= posts:
                return
            time.sleep(0.01)


if __name__ == "__main__":
    raise SystemExit(main())
