"""The token never comes back out: a server echoing it anywhere gets "…" in its place, and a
token no real service issued (100 KB, non-ASCII) is never sent."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from hostile_server import HostileServer
from wan_tui.api.client import RetryPolicy, WanClient
from wan_tui.api.errors import ApiError, BadToken, WanError
from wan_tui.api.models import GenerationRequest
from wan_tui.api.token import HIDDEN, MAX_TOKEN_LENGTH, Scrubber, token_problem

TOKEN = "tk_test/echo+me=0123456789"


@pytest.fixture
def echo() -> Iterator[HostileServer]:
    with HostileServer("echo_token", lifetime=60) as server:
        yield server


def client_for(server: HostileServer, token: str = TOKEN) -> WanClient:
    return WanClient(server.base_url, token, retry=RetryPolicy(attempts=1))


def everything(value: object) -> str:
    return json.dumps(value, default=lambda o: getattr(o, "__dict__", str(o)), ensure_ascii=False)


@pytest.mark.parametrize("text", [
    f"plain {TOKEN} end", f"Bearer {TOKEN}", f"url?t={quote(TOKEN, safe='')}",
    f"b64 {base64.b64encode(TOKEN.encode()).decode()}", f"case {TOKEN.upper()}",
])
def test_the_scrubber_hides_the_token_and_its_obvious_encodings(text: str) -> None:
    scrubbed = Scrubber(TOKEN)(text)
    assert HIDDEN in scrubbed and "0123456789" not in scrubbed


def test_a_client_without_a_token_scrubs_nothing() -> None:
    assert Scrubber("")("anything at all") == "anything at all"


async def test_an_echoed_token_is_in_no_snapshot_field(echo) -> None:
    async with client_for(echo) as client:
        one = await client.retrieve("t-1")
        many = await client.fetch_batch(["t-2", "t-3"])
        listed = await client.list_tasks(limit=5)
    for snap in [one, *many.values(), *listed]:
        text = everything(snap.to_json()) + everything(snap.request)
        assert TOKEN not in text and "0123456789" not in text, text
        assert snap.state_word.startswith("failed:") and HIDDEN in snap.state_word
    assert one.request["prompt"] == f"echo {HIDDEN}"
    assert one.error_code == f"code-{HIDDEN}" and HIDDEN in (one.trace_id or "")
    assert one.usage == {"note": HIDDEN} and one.cost == {"currency": HIDDEN, "amount": 1}


async def test_an_echoed_token_is_in_no_ack(echo) -> None:
    async with client_for(echo) as client:
        ack = await client.submit(GenerationRequest(action="text2video", model="wan2.6-t2v",
                                                    prompt="x"))
    assert ack.task_id == "t-echo" and ack.trace_id == f"tr-{HIDDEN}"


async def test_an_echoed_token_is_in_no_error(echo) -> None:
    echo.params["where"] = "error"
    async with client_for(echo) as client:
        with pytest.raises(ApiError) as caught:
            await client.retrieve("t")
    error = caught.value
    text = str(error) + everything(error.to_json()) + repr(error.args)
    assert TOKEN not in text and "0123456789" not in text
    assert error.server_message == f"no: Bearer {HIDDEN}"


async def test_the_header_trace_id_is_scrubbed_too(echo) -> None:
    echo.params["where"] = "error"
    async with client_for(echo) as client:
        with pytest.raises(ApiError) as caught:
            await client.submit(GenerationRequest(action="text2video", model="wan2.6-t2v",
                                                  prompt="x"))
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize("status,body", [(200, {"task_id": "t-1"}), (502, None), (400, {"error": {}})])
async def test_a_header_only_trace_id_is_scrubbed(status, body) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body, headers={"x-trace-id": f"h {TOKEN}"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    async with WanClient("http://wan.test", TOKEN, http=http, retry=RetryPolicy(attempts=1)) as c:
        try:
            trace = (await c.submit(GenerationRequest(action="text2video", model="wan2.6-t2v",
                                                      prompt="x"))).trace_id
        except WanError as error:
            trace = error.trace_id
            assert TOKEN not in str(error)
    assert trace == f"h {HIDDEN}"


def test_token_problem_bounds_the_length_without_repeating_the_token() -> None:
    huge = "A" * 100_000
    problem = token_problem(huge)
    assert problem is not None and "100,000" in problem and "AAAA" not in problem
    assert token_problem("A" * MAX_TOKEN_LENGTH) is None
    assert token_problem("tök") is not None and token_problem("   ") is not None


@pytest.mark.parametrize("token", ["A" * 100_000, "sim-tök", "two words"])
async def test_a_token_no_service_issued_is_never_sent(echo, token) -> None:
    async with client_for(echo, token) as client:
        with pytest.raises(BadToken) as caught:
            await client.retrieve("t")
    assert echo.received == [] and token not in str(caught.value)
    assert "nothing was sent" in str(caught.value)


def test_cli_task_against_an_echoing_server_prints_no_token(echo, isolated: Path) -> None:
    env = {**os.environ, "ACEDATACLOUD_API_TOKEN": TOKEN}
    done = subprocess.run([sys.executable, "-m", "wan_tui", "task", "t-9", "--base-url",
                           echo.base_url, "--json"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 1, done.stderr  # the echoed task failed
    assert TOKEN not in done.stdout + done.stderr and "0123456789" not in done.stdout
    data_dir = Path(os.environ["WAN_TUI_DATA_DIR"])
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
