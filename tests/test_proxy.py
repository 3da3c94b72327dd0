"""The test proxy (tests/proxy.py) does what the suites rely on: holds submit answers after the
task exists, echoes the token when asked, and stays on loopback."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from proxy import Behaviour, ProxyServer, echo_into, loopback_host
from wan_tui.sim import Simulator


def post(base_url: str, path: str, body: dict[str, Any], token: str) -> tuple[dict[str, Any],
                                                                              str]:
    request = urllib.request.Request(base_url + path, data=json.dumps(body).encode(),
                                     headers={"authorization": f"Bearer {token}",
                                              "content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer), answer.headers.get("x-trace-id", "")


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(job_seconds=0.5, seed=3) as simulator:
        yield simulator


def test_a_held_submission_exists_before_its_answer_arrives(sim: Simulator) -> None:
    proxy = ProxyServer(sim.base_url, Behaviour(hold_submit=60)).start()
    answers: list[dict[str, Any]] = []
    client = threading.Thread(target=lambda: answers.append(post(
        proxy.base_url, "/wan/videos", {"action": "text2video", "model": "wan2.6-t2v",
                                        "prompt": "held", "async": True}, sim.token)[0]))
    client.start()
    try:
        for _ in range(600):  # until the simulator made the task (bounded: 60 s)
            if sim.stats.created:
                break
            time.sleep(0.1)
        assert sim.stats.created == 1
        client.join(timeout=1)  # without the hold the answer would be back by now
        assert client.is_alive() and not answers  # held: the task exists, its answer has not come
    finally:
        proxy.stop()  # releases the held answer
        client.join(timeout=30)
    assert answers and answers[0]["task_id"]


def test_echo_mode_plants_the_token_where_careless_servers_do(sim: Simulator) -> None:
    proxy = ProxyServer(sim.base_url, Behaviour(echo_token=True)).start()
    try:
        answer, header = post(proxy.base_url, "/wan/videos", {
            "action": "text2video", "model": "wan2.6-t2v", "prompt": "x", "async": True},
                              sim.token)
    finally:
        proxy.stop()
    assert sim.token in answer["trace_id"] and sim.token in header


def test_echo_into_reaches_nested_errors_and_prompts() -> None:
    task = {"id": "t", "request": {"prompt": "p"}, "response": {"error": {"code": "c",
                                                                          "message": "m"}}}
    echoed = echo_into({"items": [task]}, "SECRET")
    text = json.dumps(echoed)
    assert text.count("SECRET") == 4  # trace id, error code, error message, prompt
    assert echoed["items"][0]["id"] == "t"


@pytest.mark.parametrize("url", ["http://example.com", "http://10.0.0.1:80", "file:///etc",
                                 "https://127.0.0.1"])
def test_the_upstream_must_be_plain_http_on_loopback(url: str) -> None:
    with pytest.raises(ValueError):
        loopback_host(url)


def test_delays_are_bounded() -> None:
    with pytest.raises(ValueError):
        Behaviour(hold_submit=1e9)
    with pytest.raises(ValueError):
        Behaviour(delay_list=-1)
