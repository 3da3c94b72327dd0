"""The attack suites of bench/ at their quick sizes (issue 10, "keep the attack in the repo").

Each suite drives wan-tui only from outside: the CLI as a subprocess, the simulator (and the
delaying proxy of tests/proxy.py) as separate processes. They spend their time waiting on
simulated jobs, not computing, so all start at once and each test collects its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SUITES = {
    "soak": ("soak.py", "--quick"),
    "crash": ("kill_many.py", "--quick"),
    "race": ("adoption_race.py", "--quick"),
    "in-flight": ("kill_many.py", "--count", "2", "--lanes", "1", "--only", "in flight",
                  "--strict"),
    "sweep": ("token_sweep.py",),
    "sweep-echo": ("token_sweep.py", "--echo"),
}
SUITE_DEADLINE = 300.0  # far above their usual minute; a hung suite fails instead of blocking
CLEAN = ("0 lost", "0 duplicated", "0 wrong", "0 vanished", "0 tracebacks", "0 hangs")


class Suites:
    """The suites' processes, started together; `result(name)` waits for one."""

    def __init__(self) -> None:
        # Each in its own process group: a suite killed at its deadline takes its simulator,
        # proxy and CLI processes with it.
        self.procs = {name: subprocess.Popen([sys.executable, str(BENCH / script), *args],
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                             text=True, start_new_session=True)
                      for name, (script, *args) in SUITES.items()}
        self.results: dict[str, tuple[int | None, str]] = {}

    def result(self, name: str) -> tuple[int | None, str]:
        """Exit code (None: killed at the deadline) and stdout+stderr of suite `name`."""
        if name not in self.results:
            proc = self.procs[name]
            try:
                out, err = proc.communicate(timeout=SUITE_DEADLINE)
            except subprocess.TimeoutExpired:
                kill_group(proc)
                out, err = proc.communicate()
            self.results[name] = (proc.returncode if proc.returncode >= 0 else None, out + err)
        return self.results[name]

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                kill_group(proc)
            proc.communicate()


def kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def suites() -> Iterator[Suites]:
    running = Suites()
    yield running
    running.stop()


def summary(output: str, prefix: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith(prefix)]
    assert lines, f"no `{prefix}` summary line in:\n{output[-3000:]}"
    return lines[-1]


@pytest.mark.parametrize(("name", "prefix"), [("soak", "soak:"), ("crash", "crash:"),
                                              ("race", "adoption race:")])
def test_no_task_lost_duplicated_or_wrong(suites: Suites, name: str, prefix: str) -> None:
    code, output = suites.result(name)
    line = summary(output, prefix)
    for figure in CLEAN:
        assert figure in line, output[-3000:]
    assert code == 0, output[-3000:]


def test_wait_all_identifies_tasks_made_after_the_batch_was_killed(suites: Suites) -> None:
    code, output = suites.result("in-flight")
    line = summary(output, "crash:")
    assert "0 lost" in line and "0 unknown" in line, output[-3000:]
    assert code == 0, output[-3000:]


def test_token_only_in_the_config_file(suites: Suites) -> None:
    code, output = suites.result("sweep")
    assert summary(output, "token sweep").endswith("leaks: 0"), output[-3000:]
    assert code == 0, output[-3000:]


def test_token_only_in_the_config_file_even_when_the_server_echoes_it(suites: Suites) -> None:
    code, output = suites.result("sweep-echo")
    assert summary(output, "token sweep").endswith("leaks: 0"), output[-3000:]
    assert code == 0, output[-3000:]


def test_suites_print_their_options() -> None:
    """Each script answers --help (the CI sizes and the full sizes are documented there)."""
    for script in sorted({script for script, *_ in SUITES.values()}):
        answer = subprocess.run([sys.executable, str(BENCH / script), "--help"],
                                capture_output=True, text=True, timeout=60)
        assert answer.returncode == 0 and "usage:" in answer.stdout, answer.stderr
