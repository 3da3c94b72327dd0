"""The client against a hostile service: bounded reads, one deadline per exchange, and a
submission's fate told exactly (refused / not sent / unknown)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hostile_server import HostileServer
from wan_tui.api.client import RetryPolicy, WanClient
from wan_tui.api.errors import (
    AnswerTooLarge,
    BadRequest,
    NoAnswerInTime,
    NotSent,
    ServerError,
    SubmissionUnknown,
)
from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.store.history import HistoryStore
from wan_tui.tracker import Pacing, Tracker

TOKEN = "tk_test_hostile_0123456789"


def t2v(prompt: str = "a paper boat") -> GenerationRequest:
    return GenerationRequest(action="text2video", model="wan2.6-t2v", prompt=prompt)


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer(lifetime=60) as server:
        yield server


def client_for(server: HostileServer, *, timeout: float = 30.0, attempts: int = 1) -> WanClient:
    async def no_wait(_: float) -> None:
        return None

    return WanClient(server.base_url, TOKEN, timeout=timeout,
                     retry=RetryPolicy(attempts=attempts, sleep=no_wait))


# -- bounded reads ---------------------------------------------------------------------------

@pytest.mark.parametrize("mode,error", [("endless", AnswerTooLarge), ("huge", AnswerTooLarge),
                                        ("huge_declared", AnswerTooLarge),
                                        ("html_500", ServerError), ("empty_502", ServerError)])
async def test_an_unreadable_read_is_retried_then_typed(hostile, mode, error) -> None:
    hostile.mode = mode
    async with client_for(hostile, attempts=2) as client:
        with pytest.raises(error) as caught:
            await client.retrieve("t")
    assert "MB" in str(caught.value) or "failed" in str(caught.value)
    assert len(hostile.received) == 2  # retried once, then given up


async def test_an_oversized_answer_to_a_submission_is_unknown(hostile) -> None:
    hostile.mode = "endless"
    async with client_for(hostile) as client:
        with pytest.raises(SubmissionUnknown):
            await client.submit(t2v())
    assert len(hostile.received) == 1


@pytest.mark.parametrize("mode", ["drip_body", "drip_header"])
async def test_a_slow_drip_ends_with_a_timeout(hostile, mode) -> None:
    hostile.mode = mode
    async with client_for(hostile, timeout=0.6) as client:
        with pytest.raises(NoAnswerInTime):
            await client.retrieve("t")
        with pytest.raises(SubmissionUnknown) as caught:
            await client.submit(t2v())
    assert isinstance(caught.value.__cause__, NoAnswerInTime)


async def test_a_delayed_answer_inside_the_deadline_is_read(hostile) -> None:
    hostile.mode, hostile.params["delay"] = "delay", 0.2
    async with client_for(hostile, timeout=20) as client:
        snap = await client.retrieve("t-late")
    assert snap.state is State.SUCCEEDED and snap.task_id == "t-late"


# -- a submission's fate ---------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["html_500", "empty_500", "empty_502", "json_500", "html_200"])
async def test_a_submission_without_proof_of_refusal_is_unknown(hostile, mode) -> None:
    hostile.mode = mode
    async with client_for(hostile) as client:
        with pytest.raises(SubmissionUnknown) as caught:
            await client.submit(t2v())
    assert "not resent" in str(caught.value) and len(hostile.received) == 1


async def test_a_json_refusal_is_a_refusal(hostile) -> None:
    hostile.mode = "json_400"
    async with client_for(hostile) as client:
        with pytest.raises(BadRequest) as caught:
            await client.submit(t2v())
    error = caught.value
    assert error.server_message == "no such task" and error.trace_id == "tr-400"
    assert error.to_json() == {"code": "bad_request", "message": "no such task",
                               "hint": None, "status": 400, "trace_id": "tr-400"}


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:9", "http://999.999.999.999",
                                      "http://no-such-host.invalid", "ftp://example.com",
                                      "http://[bad", "localhost:9"])
async def test_a_connection_never_made_is_not_sent(base_url) -> None:
    async with WanClient(base_url, TOKEN, retry=RetryPolicy(attempts=1)) as client:
        with pytest.raises(NotSent) as caught:
            await client.submit(t2v())
        with pytest.raises(NotSent):
            await client.retrieve("t")
    assert "nothing was sent" in str(caught.value)


# -- the CLI against it ----------------------------------------------------------------------

def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wan_tui", *args], capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.fixture
def cli_env(isolated: Path) -> dict[str, str]:
    return {**os.environ, "ACEDATACLOUD_API_TOKEN": TOKEN}


def test_cli_records_a_proxy_500_on_submit_as_unknown(hostile, cli_env) -> None:
    hostile.mode = "empty_500"
    done = run_cli("generate", "a paper boat", "--base-url", hostile.base_url, "--json",
                   env=cli_env)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["state"] == "unknown"
    assert len([r for r in hostile.received if r[0] == "/wan/videos"]) == 1


def test_cli_records_an_unreachable_service_as_not_sent(cli_env) -> None:
    done = run_cli("generate", "a paper boat", "--base-url", "http://999.999.999.999", "--json",
                   env=cli_env)
    assert done.returncode == 1, done.stderr
    row = json.loads(done.stdout)
    assert row["state"] == "failed" and "nothing was sent" in done.stderr
    assert "internal error" not in done.stderr


def test_cli_reads_a_poisoned_task(hostile, cli_env) -> None:
    hostile.mode = "poison"
    done = run_cli("task", "bad-1", "--base-url", hostile.base_url, "--json", env=cli_env)
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout)
    assert row["state"] == "succeeded" and row["video_url"].endswith("bad-1.mp4")


# -- the tracker against it ------------------------------------------------------------------

async def test_the_tracker_settles_a_batch_holding_poisoned_tasks(hostile, tmp_path: Path) -> None:
    hostile.mode = "poison"
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        ids = []
        for task_id in ("good-1", "bad-1", "good-2", "bad-2"):
            local = store.add_submission(t2v(task_id))
            store.mark_submitted(local, task_id, None)
            ids.append(local)
        async with client_for(hostile) as client:
            tracker = Tracker(client, store, Pacing(max_requests_per_second=50, first_poll=0))
            running = asyncio.create_task(tracker.run())
            try:
                for local in ids:
                    row = store.get(local)
                    tracker.track(row.task_id, now=True)
                assert await tracker.wait_for(ids, timeout=60)
            finally:
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
        rows = [store.get(i) for i in ids]
    assert [r.state for r in rows] == [State.SUCCEEDED] * 4
    assert all(r.video_url for r in rows)
