"""Faults a client must survive, injected by the simulator: 429, 500, a proxy's HTML 502 and
dropped connections, forced one by one or drawn at a rate."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from test_sim import T2V, assert_error

from wan_tui.sim import FAULT_KINDS, MAGIC_WORDS, Simulator


@pytest.fixture
def client(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.base_url, timeout=10,
                      headers={"authorization": f"Bearer {sim.token}"}) as c:
        yield c


@pytest.mark.parametrize("endpoint", ["tasks", "videos"])
def test_forced_http_faults(sim: Simulator, client: httpx.Client, endpoint: str) -> None:
    path, body = (("/wan/tasks", {"action": "retrieve_batch", "ids": []}) if endpoint == "tasks"
                  else ("/wan/videos", {**T2V, "prompt": "faulty", "async": True}))
    for kind in ("429", "500", "502"):
        sim.force_faults(kind, 1, endpoint=endpoint)
    limited = client.post(path, json=body)
    assert_error(limited, 429, "too_many_requests")
    assert limited.headers["retry-after"] == "1"
    assert_error(client.post(path, json=body), 500, "api_error")
    gateway = client.post(path, json=body)
    assert gateway.status_code == 502 and gateway.headers["content-type"].startswith("text/html")
    assert "Bad Gateway" in gateway.text and gateway.text.lstrip().startswith("<html>")
    assert sim.stats.created == 0  # nothing is created before a fault
    assert client.post(path, json=body).status_code == 200  # the faults are used up
    assert sim.stats.faults == {"429": 1, "500": 1, "502": 1}


def test_dropped_read_closes_without_an_answer(sim: Simulator, client: httpx.Client) -> None:
    sim.force_faults("drop", 2)
    for _ in range(2):
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.post("/wan/tasks", json={"action": "retrieve_batch", "ids": []})
    assert client.post("/wan/tasks", json={"action": "retrieve_batch", "ids": []}).is_success
    assert sim.stats.faults == {"drop": 2}


def test_dropped_submission_still_created_the_task(sim: Simulator, client: httpx.Client) -> None:
    sim.force_faults("drop", 1, endpoint="videos")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.post("/wan/videos", json={**T2V, "prompt": "lost answer", "async": True})
    assert sim.stats.created == 1 and sim.stats.submissions_by_prompt == {"lost answer": 1}
    listing = client.post("/wan/tasks", json={"action": "retrieve_batch"}).json()
    assert [t["request"]["prompt"] for t in listing["items"]] == ["lost answer"]


def test_fault_rate_applies_to_later_requests(sim: Simulator, client: httpx.Client) -> None:
    sim.fault_rate = 1.0
    outcomes = []
    for _ in range(40):
        try:
            reply = client.post("/wan/tasks", json={"action": "retrieve_batch", "ids": []})
            outcomes.append(str(reply.status_code))
        except (httpx.RemoteProtocolError, httpx.ReadError):
            outcomes.append("drop")
    assert set(outcomes) == set(FAULT_KINDS)
    assert sum(sim.stats.faults.values()) == 40
    sim.fault_rate = 0.0
    assert client.post("/wan/tasks", json={"action": "retrieve_batch", "ids": []}).is_success


def test_force_faults_rejects_unknown_kinds(sim: Simulator) -> None:
    with pytest.raises(ValueError):
        sim.force_faults("teapot", 1)
    with pytest.raises(ValueError):
        sim.force_faults("429", 1, endpoint="media")
    assert set(MAGIC_WORDS) == {"fail", "stall", "hiccup", "vanish", "weird"}
