"""Helpers for scripts in bench/: a simulator (and a delaying proxy) in their own processes,
and the CLI as a user runs it.

The simulator runs in another process so its work counts neither against our CPU figures nor
against our event loop, and so the suites test wan-tui only from outside.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.client import HTTPException
from pathlib import Path
from typing import Any, Self

TOKEN = "bench-token-0123456789"
REPO = Path(__file__).resolve().parent.parent
PROXY_SCRIPT = REPO / "tests" / "proxy.py"
LIST_PAGE = 100  # the simulator's largest listing page
READ_ATTEMPTS = 40  # the simulator may inject faults into our own reads too


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Background:
    """A helper process that prints one line once it listens, and stops on SIGTERM."""

    def __init__(self, command: list[str], base_url: str | None = None) -> None:
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()  # it listens once this line is out
        if not first:
            self.proc.wait(timeout=10)
            raise RuntimeError(f"{command[1:4]} did not start (exit {self.proc.returncode})")
        self.base_url = base_url or first.split()[-1]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SimProcess(Background):
    def __init__(self, *args: str) -> None:
        self.port = free_port()
        super().__init__([sys.executable, "-m", "wan_tui", "sim", "--port", str(self.port),
                          "--token", TOKEN, *args], f"http://127.0.0.1:{self.port}")

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.base_url + "/_sim/stats", timeout=10) as answer:
            result: dict[str, Any] = json.load(answer)
            return result

    def tasks(self) -> list[dict[str, Any]]:
        """Every task the simulator created (and still shows), paging through its listing."""
        found: list[dict[str, Any]] = []
        for _ in range(100_000 // LIST_PAGE):  # bounded: far more pages than any suite makes
            page = self.call_tasks({"action": "retrieve_batch", "limit": LIST_PAGE,
                                    "offset": len(found)})
            found += page["items"]
            if not page["items"] or len(found) >= page["count"]:
                break
        return found

    def call_tasks(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /wan/tasks, retried through the simulator's injected faults."""
        request = urllib.request.Request(
            self.base_url + "/wan/tasks", data=json.dumps(body).encode(), method="POST",
            headers={"authorization": f"Bearer {TOKEN}", "content-type": "application/json"})
        for attempt in range(READ_ATTEMPTS):
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    result: dict[str, Any] = json.load(answer)
                    return result
            except urllib.error.HTTPError as exc:
                if exc.code < 429:
                    raise
            except (urllib.error.URLError, HTTPException, ConnectionError, ValueError):
                pass
            time.sleep(min(0.05 * (attempt + 1), 1.0))
        raise RuntimeError(f"the simulator kept failing {body['action']} {READ_ATTEMPTS} times")


class ProxyProcess(Background):
    """tests/proxy.py in front of `upstream`, with its options (e.g. "--hold-submit", "4")."""

    def __init__(self, upstream: str, *args: str) -> None:
        super().__init__([sys.executable, str(PROXY_SCRIPT), "--upstream", upstream, *args])


def cli_env(sim: Background, folder: Path) -> dict[str, str]:
    """An environment with its own config and history, pointed at the simulator (or proxy)."""
    folder.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "WAN_TUI_CONFIG": str(folder / "config.toml"),
            "WAN_TUI_DATA_DIR": str(folder / "data"), "ACEDATACLOUD_API_BASE_URL": sim.base_url,
            "ACEDATACLOUD_API_TOKEN": TOKEN, "NO_COLOR": "1"}


def wan(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wan_tui", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def clock() -> float:
    return time.monotonic()
