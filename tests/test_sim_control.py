"""/_sim/control: a simulator in another process is steered over HTTP, as bench/ scripts do."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from wan_tui.sim import Simulator


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(job_seconds=5, seed=8) as simulator:
        yield simulator


def control(sim: Simulator, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(sim.base_url + "/_sim/control", json=body, timeout=10)


def current(sim: Simulator) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.get(sim.base_url + "/_sim/control").json()
    answer.pop("trace_id")
    return answer


def read_tasks(sim: Simulator, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(sim.base_url + "/wan/tasks", json=body, timeout=10,
                      headers={"authorization": f"Bearer {sim.token}"})


def test_settings_change_over_http(sim: Simulator) -> None:
    before = current(sim)
    assert before["job_seconds"] == 5 and before["answer_delays"] == {}
    answer = control(sim, {"job_seconds": 0.5, "fail_rate": 1, "fault_rate": 0.25,
                           "latency": 0, "sync_timeout": 9, "video_size": 2**20,
                           "media_rate": 5e5,
                           "answer_delays": {"videos": 4, "listing": 1.5}})
    assert answer.status_code == 200, answer.text
    assert (sim.job_seconds, sim.fail_rate, sim.fault_rate, sim.sync_timeout) == (
        0.5, 1.0, 0.25, 9.0)
    assert sim.answer_delays == {"videos": 4.0, "listing": 1.5}
    assert (sim.video_size, sim.media_rate) == (2**20, 5e5)
    assert answer.json()["answer_delays"] == sim.answer_delays


@pytest.mark.parametrize("body", [
    {"job_seconds": 0}, {"fail_rate": 1.5}, {"fault_rate": "0.1"}, {"latency": -1},
    {"latency": 1e308}, {"sync_timeout": True}, {"answer_delays": {"media": 1}},
    {"answer_delays": [1]}, {"answer_delays": {"videos": -2}}, {"refuse_listing": "yes"},
    {"video_size": 2**40}, {"media_rate": -1},
    {"force_faults": [{"kind": "418"}]}, {"force_faults": [{"kind": "429", "count": 0}]},
    {"force_faults": {"kind": "429"}}, {"force_faults": 3}, {"colour": "red"},
    {"job_seconds": 1, "fail_rate": 2},  # one bad value: nothing changes
])
def test_a_bad_setting_changes_nothing(sim: Simulator, body: dict[str, Any]) -> None:
    before = current(sim)
    answer = control(sim, body)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "bad_request"
    assert current(sim) == before
    assert read_tasks(sim, {"action": "retrieve_batch", "ids": []}).status_code == 200


def test_faults_are_forced_over_http(sim: Simulator) -> None:
    assert control(sim, {"force_faults": [{"kind": "429", "count": 2},
                                          {"kind": "500", "endpoint": "videos"}]}).is_success
    statuses = [read_tasks(sim, {"action": "retrieve_batch", "ids": []}).status_code
                for _ in range(3)]
    assert statuses == [429, 429, 200]
    video = httpx.post(sim.base_url + "/wan/videos", json={"model": "wan2.6-t2v"},
                       headers={"authorization": f"Bearer {sim.token}"})
    assert video.status_code == 500 and sim.stats.faults == {"429": 2, "500": 1}


def test_a_service_without_listing(sim: Simulator) -> None:
    task_id = sim.seed_tasks(1)[0]
    assert control(sim, {"refuse_listing": True}).json()["refuse_listing"] is True
    refused = read_tasks(sim, {"action": "retrieve_batch", "limit": 10})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "bad_request"
    found = read_tasks(sim, {"action": "retrieve_batch", "ids": [task_id]}).json()
    assert found["count"] == 1  # batches by id keep working
    control(sim, {"refuse_listing": False})
    assert read_tasks(sim, {"action": "retrieve_batch"}).json()["count"] == 1


def test_control_answers_only_get_and_post(sim: Simulator) -> None:
    assert httpx.put(sim.base_url + "/_sim/control", json={}).status_code == 405
    assert httpx.post(sim.base_url + "/_sim/control", content=b"[1]").status_code == 400
