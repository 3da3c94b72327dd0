"""Listing the account's tasks (retrieve_batch without ids), with tasks "made by another
client" seeded into the simulator: constructor, test hook and `wan-tui sim --seed-tasks`."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from wan_tui.sim import Simulator
from wan_tui.sim.rules import problems
from wan_tui.sim.seeding import DAY

SEEDED = 120


@pytest.fixture(scope="module")
def seeded() -> Iterator[Simulator]:
    with Simulator(job_seconds=60, seed=3, seed_tasks=SEEDED) as sim:
        yield sim


def listing(sim: Simulator, **params: Any) -> dict[str, Any]:
    reply = httpx.post(sim.base_url + "/wan/tasks", json={"action": "retrieve_batch", **params},
                       headers={"authorization": f"Bearer {sim.token}"}, timeout=10)
    assert reply.status_code == 200, reply.text
    answer: dict[str, Any] = reply.json()
    return answer


def every_page(sim: Simulator, limit: int, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while page := listing(sim, limit=limit, offset=len(items), **params)["items"]:
        items += page
    return items


def test_seeded_tasks_page_newest_first(seeded: Simulator) -> None:
    first = listing(seeded, limit=50, type="videos")
    assert first["count"] == SEEDED and len(first["items"]) == 50
    items = every_page(seeded, 50, type="videos")
    assert len(items) == len({t["id"] for t in items}) == SEEDED
    created = [t["created_at"] for t in items]
    assert created == sorted(created, reverse=True)
    assert created[0] - created[-1] > 7 * DAY  # spread over days, as an account's history
    assert all("finished_at" in t for t in items)  # made long ago: all ended


def test_seeded_tasks_are_varied_and_valid(seeded: Simulator) -> None:
    items = every_page(seeded, 100)
    assert {t["request"]["model"] for t in items} == {
        "wan2.6-t2v", "wan2.6-i2v", "wan2.6-i2v-flash", "wan2.6-r2v", "wan3.0-video"}
    assert len({t["request"]["prompt"] for t in items}) > 60
    assert all(problems(t["request"]) == [] for t in items)  # bodies the service accepts
    costs = [t["response"]["cost"] for t in items]
    objects = [c for c in costs if isinstance(c, dict)]
    numbers = [c for c in costs if isinstance(c, int | float)]
    assert objects and numbers and len(objects) + len(numbers) == SEEDED  # both shapes
    failed = [t for t in items if t["response"]["success"] is False]
    assert 0 < len(failed) < SEEDED / 4
    assert len({t["trace_id"] for t in items}) == SEEDED
    wan3 = [t["response"] for t in items if t["request"]["model"] == "wan3.0-video"
            and t["response"]["success"]]
    assert wan3 and all("video_url" in r["data"] for r in wan3)


def test_listing_filters_by_time_and_type(seeded: Simulator) -> None:
    items = every_page(seeded, 100)
    middle = items[SEEDED // 2]["created_at"]
    newer = listing(seeded, created_at_min=middle, limit=100)
    assert newer["count"] == SEEDED // 2 + 1
    assert [t["id"] for t in newer["items"]] == [t["id"] for t in items[:SEEDED // 2 + 1]]
    older = listing(seeded, created_at_max=middle, limit=100)
    assert older["count"] == SEEDED - SEEDED // 2
    images = listing(seeded, type="images")
    assert images["count"] == 0 and images["items"] == []  # every task here is a video
    for bad in ({"type": 3}, {"limit": "ten"}, {"offset": -1}, {"created_at_min": "today"}):
        reply = httpx.post(seeded.base_url + "/wan/tasks",
                           json={"action": "retrieve_batch", **bad},
                           headers={"authorization": f"Bearer {seeded.token}"})
        assert reply.status_code == 400 and reply.json()["error"]["code"] == "bad_request"


def test_new_tasks_list_before_seeded_ones() -> None:
    with Simulator(job_seconds=60, seed=4, seed_tasks=5) as sim:
        reply = httpx.post(sim.base_url + "/wan/videos", headers={
            "authorization": f"Bearer {sim.token}"}, json={
            "model": "wan2.6-t2v", "action": "text2video", "prompt": "mine", "async": True})
        assert [t["request"]["prompt"] for t in listing(sim)["items"]][0] == "mine"
        assert listing(sim)["items"][0]["id"] == reply.json()["task_id"]
        assert sim.stats.created == 1 and sim.stats.seeded == 5


def test_seeding_repeats_with_the_seed() -> None:
    def ids(seed: int | None) -> list[str]:
        with Simulator(seed=seed, seed_tasks=4) as sim:
            return [t["id"] for t in every_page(sim, 100)]

    assert ids(9) == ids(9) != ids(10)
    assert ids(None) != ids(None)
    with Simulator(seed=9) as sim:  # a second seeding adds tasks, never the same ones
        first, second = sim.seed_tasks(3), sim.seed_tasks(3)
        assert len(set(first + second)) == 6 and listing(sim)["count"] == 6


def test_seed_hook_adds_tasks() -> None:
    with Simulator(seed=2) as sim:
        reply = httpx.post(sim.base_url + "/_sim/seed", json={"count": 7, "days": 2})
        assert reply.status_code == 200 and reply.json()["seeded"] == 7
        items = every_page(sim, 100)
        assert sorted(t["id"] for t in items) == sorted(reply.json()["ids"])
        assert items[0]["created_at"] - items[-1]["created_at"] < 2 * DAY
        for bad in ({"count": -1}, {"count": "7"}, {"count": 10**9}, {"count": 1, "days": 0}):
            assert httpx.post(sim.base_url + "/_sim/seed", json=bad).status_code == 400
        assert httpx.get(sim.base_url + "/_sim/seed").status_code == 405


def test_cli_seeds_tasks() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "wan_tui", "sim", "--port", "0", "--token", "tok-s",
         "--seed", "1", "--seed-tasks", "12"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip().rsplit(" ", 1)[1]
        reply = httpx.post(base_url + "/wan/tasks", json={"action": "retrieve_batch"},
                           headers={"authorization": "Bearer tok-s"})
        assert reply.json()["count"] == 12
    finally:
        process.terminate()
        process.communicate(timeout=10)
    too_many = subprocess.run([sys.executable, "-m", "wan_tui", "sim", "--seed-tasks",
                               "1000000"], capture_output=True, text=True, timeout=60)
    assert too_many.returncode == 2 and "--seed-tasks" in too_many.stderr
