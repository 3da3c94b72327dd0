"""Helpers for scripts in bench/: a simulator in its own process, and the CLI as a user runs it.

The simulator runs in another process so its work counts neither against our CPU figures nor
against our event loop.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

TOKEN = "bench-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SimProcess:
    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wan_tui", "sim", "--port", str(self.port), "--token", TOKEN, *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert self.proc.stdout is not None
        self.proc.stdout.readline()  # "Wan API simulator on …": it listens

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.base_url + "/_sim/stats", timeout=10) as answer:
            return json.load(answer)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def cli_env(sim: SimProcess, folder: Path) -> dict[str, str]:
    """An environment with its own config and history, pointed at the simulator."""
    folder.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "WAN_TUI_CONFIG": str(folder / "config.toml"),
            "WAN_TUI_DATA_DIR": str(folder / "data"), "ACEDATACLOUD_API_BASE_URL": sim.base_url,
            "ACEDATACLOUD_API_TOKEN": TOKEN, "NO_COLOR": "1"}


def wan(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wan_tui", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def clock() -> float:
    return time.monotonic()
