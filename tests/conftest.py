"""Shared fixtures: every test runs with its own config and data folders, and any request
that forgot its simulator goes to a closed loopback port, never to the real API host."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from wan_tui.api.client import RetryPolicy
from wan_tui.sim import Simulator

NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens, a call fails at once


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WAN_TUI_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("WAN_TUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("WAN_TUI_CACHE_DIR", str(tmp_path / "cache"))  # thumbnails
    monkeypatch.setenv("ACEDATACLOUD_API_BASE_URL", NOWHERE)
    monkeypatch.delenv("ACEDATACLOUD_API_TOKEN", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


@pytest.fixture
def snapshot_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Pictures are the same anywhere: colours on (they are part of the picture), UTC times."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """A simulator with quick jobs (about half a second) on a free loopback port."""
    with Simulator(job_seconds=0.5, seed=7) as simulator:
        yield simulator


@pytest.fixture
def sim_env(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    """Point the CLI at the simulator through the environment, as a user would."""
    monkeypatch.setenv("ACEDATACLOUD_API_BASE_URL", sim.base_url)
    monkeypatch.setenv("ACEDATACLOUD_API_TOKEN", sim.token)
    return sim


async def _no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
def fast_retry() -> RetryPolicy:
    """Backoff that records its delays instead of waiting them."""
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    policy = RetryPolicy(sleep=sleep)
    policy.delays = delays  # type: ignore[attr-defined]
    return policy


FAST_POLLING = """
[polling]
first_poll_seconds = 0.05
interval_seconds = 0.2
max_requests_per_second = 50.0
"""


@pytest.fixture
def cli(sim_env: Simulator, isolated: Path, capsys: pytest.CaptureFixture[str]):
    """Run `wan-tui ARGS` in this process against the simulator; (exit code, stdout, stderr)."""
    from wan_tui.cli import main

    config = Path(os.environ["WAN_TUI_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(FAST_POLLING)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_json(cli, *args: str):
    code, out, err = cli(*args, "--json")
    return code, json.loads(out), err
