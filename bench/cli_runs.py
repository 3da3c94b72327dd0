"""Running `wan-tui` as a subprocess with a deadline, counting what must never happen:
a traceback (the word in its output, or exit code 70, our "internal error") and a hang (a
command still running at its deadline, then killed)."""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INTERNAL_ERROR = 70
# Polling paced for a simulator whose jobs take seconds, not minutes (defaults: 7 s, 15 s, 1/s).
FAST_POLLING = {"polling.first_poll_seconds": "0.5", "polling.interval_seconds": "0.5",
                "polling.max_requests_per_second": "10"}


@dataclass
class Outcome:
    args: tuple[str, ...]
    returncode: int | None  # None: killed by us (a hang, or a deliberate SIGKILL)
    stdout: str
    stderr: str


@dataclass
class CliRuns:
    """Every command one suite ran, for the tracebacks and hangs figures."""

    env: dict[str, str]
    tracebacks: list[Outcome] = field(default_factory=list)
    hangs: list[Outcome] = field(default_factory=list)
    outputs: list[Outcome] = field(default_factory=list)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "wan_tui", *args]

    def run(self, *args: str, deadline: float, stdin: str | None = None) -> Outcome:
        """Run to the end; past `deadline` seconds it is killed and counted as a hang."""
        proc = subprocess.Popen(self.command(*args), env=self.env, text=True,
                                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = proc.communicate(stdin, timeout=deadline)
            outcome = Outcome(args, proc.returncode, out, err)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate(timeout=30)
            outcome = Outcome(args, None, out, err)
            self.hangs.append(outcome)
        return self.note(outcome)

    def fast_polling(self) -> None:
        """Set FAST_POLLING in this environment's config file, through the CLI."""
        for key, value in FAST_POLLING.items():
            outcome = self.run("config", "set", key, value, deadline=30)
            if outcome.returncode != 0:
                raise RuntimeError(f"config set {key} {value}: {outcome.stderr.strip()}")

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start a command to be killed later (see `kill`)."""
        return subprocess.Popen(self.command(*args), env=self.env, text=True,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)

    def kill(self, proc: subprocess.Popen[str], after: float, *args: str) -> Outcome:
        """SIGKILL `proc` `after` seconds from now (unless it ended first); its outcome."""
        try:
            out, err = proc.communicate(timeout=after)
            return self.note(Outcome(args, proc.returncode, out, err))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate(timeout=30)
            return self.note(Outcome(args, None, out, err))

    def history(self, limit: int = 100_000) -> list[dict[str, Any]]:
        """`wan-tui history --json` now (empty when it failed: the figures will show it)."""
        look = self.run("history", "--json", "--limit", str(limit), deadline=60)
        rows: list[dict[str, Any]] = json.loads(look.stdout) if look.returncode == 0 else []
        return rows

    def note(self, outcome: Outcome) -> Outcome:
        self.outputs.append(outcome)
        if (outcome.returncode == INTERNAL_ERROR or "Traceback" in outcome.stdout
                or "Traceback" in outcome.stderr):
            self.tracebacks.append(outcome)
        return outcome

    def report_problems(self, tracebacks: bool = True) -> None:
        """What went wrong, briefly (on stderr), for whoever reruns the suite."""
        kinds = [("traceback", self.tracebacks)] if tracebacks else []
        for kind, outcomes in [*kinds, ("hang", self.hangs)]:
            for outcome in outcomes[:5]:
                tail = (outcome.stderr or outcome.stdout)[-800:]
                print(f"{kind}: wan-tui {' '.join(outcome.args)[:200]}\n{tail}", file=sys.stderr)


def suite_parser(doc: str, quick: int, full: int, what: str) -> argparse.ArgumentParser:
    """The options every suite shares: --quick (CI) or --full (the default), or --count N."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help=f"{quick} {what} (CI)")
    size.add_argument("--full", action="store_true", help=f"{full} {what} (the default)")
    size.add_argument("--count", type=int, metavar="N", help=f"N {what}")
    return parser


def chosen_size(args: argparse.Namespace, quick: int, full: int) -> int:
    count: int = args.count or (quick if args.quick else full)
    return count


def write_prompts(path: Path, prompts: list[str]) -> Path:
    path.write_text("".join(f"{p}\n" for p in prompts), encoding="utf-8")
    return path


def elapsed_since(start: float) -> float:
    return time.monotonic() - start
