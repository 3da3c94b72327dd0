"""What the simulator answers about tasks: Wan 3's `data` nesting, `usage` and `cost` in both
shapes, `delete`, and the record of received bodies. Straight over HTTP, no wan_tui client."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from wan_tui.sim import Simulator
from wan_tui.sim.usage import PRICE_WAN26, REFERENCE_VIDEO_SECONDS

T2V = {"model": "wan2.6-t2v", "action": "text2video", "prompt": "a red fox"}
WAN3 = {"model": "wan3.0-video", "prompt": "a paper boat"}
VIDEO_FIELDS = {"video_id", "video_url", "video_width", "video_height", "thumbnail_url",
                "thumbnail_width", "thumbnail_height"}


@pytest.fixture
def api() -> Iterator[tuple[Simulator, httpx.Client]]:
    with Simulator(job_seconds=0.2, seed=5) as sim, httpx.Client(
            base_url=sim.base_url, headers={"authorization": f"Bearer {sim.token}"},
            timeout=10) as client:
        yield sim, client


def submit(client: httpx.Client, body: dict[str, Any]) -> str:
    reply = client.post("/wan/videos", json={**body, "async": True})
    assert reply.status_code == 200, reply.text
    return str(reply.json()["task_id"])


def tasks(client: httpx.Client, **body: Any) -> httpx.Response:
    return client.post("/wan/tasks", json=body)


def ended(client: httpx.Client, task_id: str) -> dict[str, Any]:
    """The task once it has ended (fails after a generous deadline)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        task: dict[str, Any] = tasks(client, action="retrieve", id=task_id).json()
        if "finished_at" in task:
            return task
        time.sleep(0.02)
    raise AssertionError(f"task {task_id} never ended")


def amount(cost: Any) -> float:
    return float(cost["amount"] if isinstance(cost, dict) else cost)


# -- Wan 3 nesting -----------------------------------------------------------------------------


def test_wan3_puts_the_video_fields_in_data(api: tuple[Simulator, httpx.Client]) -> None:
    sim, client = api
    body = {**WAN3, "prompt": "", "ratio": "9:16",
            "media": [{"type": "first_frame", "url": "https://example.com/a.png"},
                      {"type": "last_frame", "url": "https://example.com/z.png"}]}
    response = ended(client, submit(client, body))["response"]
    data = response["data"]
    assert set(data) == VIDEO_FIELDS and not VIDEO_FIELDS & set(response)
    assert (data["video_width"], data["video_height"]) == (720, 1280)
    assert response["success"] is True and response["usage"] and "cost" in response
    assert httpx.get(data["video_url"]).headers["content-type"] == "video/mp4"
    assert httpx.get(data["thumbnail_url"]).headers["content-type"] == "image/png"


def test_wan26_keeps_the_video_fields_at_the_top(api: tuple[Simulator, httpx.Client]) -> None:
    _, client = api
    response = ended(client, submit(client, T2V))["response"]
    assert VIDEO_FIELDS <= set(response) and "data" not in response


def test_synchronous_wan3_answer_is_nested_too(api: tuple[Simulator, httpx.Client]) -> None:
    _, client = api
    answer = client.post("/wan/videos", json=WAN3).json()  # no async: held until the end
    assert answer["data"]["video_url"].endswith(f"{answer['task_id']}.mp4")
    assert "video_url" not in answer and amount(answer["cost"]) == pytest.approx(0.5)


# -- usage and cost ----------------------------------------------------------------------------


@pytest.mark.parametrize(("extra", "resolution", "seconds", "input_seconds", "price"), [
    ({}, "720P", 5, 0, 0.5),  # defaults: 720P, smart duration taken as 5 s
    ({"duration": -1, "resolution": "480p"}, "480P", 5, 0, 0.25),
    ({"duration": 12, "resolution": "1080P"}, "1080P", 12, 0, 2.4),
    ({"duration": 12, "size": "832x480"}, "480P", 12, 0, 0.6),
    ({"resolution": "720P", "size": "1920*1080"}, "1080P", 5, 0, 1.0),  # the frame made
    ({"duration": 8, "media": [{"type": "reference_video", "url": "https://e.com/1.mp4"},
                               {"type": "reference_video", "url": "https://e.com/2.mp4"},
                               {"type": "reference_image", "url": "https://e.com/3.png"}]},
     "720P", 8, 2 * REFERENCE_VIDEO_SECONDS, 1.8),  # (8 + 10) s at $0.10
])
def test_wan3_cost_follows_the_published_price(
        api: tuple[Simulator, httpx.Client], extra: dict[str, Any], resolution: str,
        seconds: int, input_seconds: int, price: float) -> None:
    _, client = api
    response = ended(client, submit(client, {**WAN3, **extra}))["response"]
    usage = response["usage"]
    assert usage["resolution"] == resolution and usage["output_video_seconds"] == seconds
    assert usage["input_video_seconds"] == input_seconds
    assert usage["frame_rate"] > 0 and usage["aspect_ratio"] in ("16:9", "4:3", "1:1")
    assert amount(response["cost"]) == pytest.approx(price)


def test_cost_comes_in_both_shapes(api: tuple[Simulator, httpx.Client]) -> None:
    _, client = api
    ids = [submit(client, {**T2V, "duration": 10}) for _ in range(4)]
    costs = [ended(client, task_id)["response"]["cost"] for task_id in ids]
    numbers = [c for c in costs if isinstance(c, float | int)]
    objects = [c for c in costs if isinstance(c, dict)]
    assert len(numbers) == len(objects) == 2
    assert all(set(c) == {"amount", "currency"} and c["currency"] == "USD" for c in objects)
    assert all(amount(c) == pytest.approx(10 * PRICE_WAN26) for c in costs)


def test_r2v_usage_counts_reference_seconds(api: tuple[Simulator, httpx.Client]) -> None:
    _, client = api
    body = {"model": "wan2.6-r2v", "action": "image2video", "prompt": "dance",
            "reference_video_urls": ["https://e.com/1.mp4", "https://e.com/2.mp4"]}
    response = ended(client, submit(client, body))["response"]
    assert response["usage"]["input_video_seconds"] == 2 * REFERENCE_VIDEO_SECONDS
    assert amount(response["cost"]) == pytest.approx((5 + 10) * PRICE_WAN26)


def test_failed_and_running_tasks_cost_nothing(api: tuple[Simulator, httpx.Client]) -> None:
    sim, client = api
    failed = ended(client, submit(client, {**WAN3, "prompt": "this will fail"}))["response"]
    assert failed["success"] is False and amount(failed["cost"]) == 0
    assert "usage" not in failed
    stalled = submit(client, {**T2V, "prompt": "stall here"})
    deadline = time.monotonic() + 10
    while "response" not in (task := tasks(client, action="retrieve", id=stalled).json()):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert "cost" not in task["response"] and "usage" not in task["response"]


# -- delete ------------------------------------------------------------------------------------


def test_delete_removes_the_record_but_not_the_video(
        api: tuple[Simulator, httpx.Client]) -> None:
    sim, client = api
    task_id, kept = submit(client, T2V), submit(client, T2V)
    video_url = ended(client, task_id)["response"]["video_url"]
    answer = tasks(client, action="delete", id=task_id)
    assert answer.status_code == 200 and answer.json()["success"] is True
    assert answer.json()["id"] == task_id
    gone = tasks(client, action="retrieve", id=task_id)
    assert gone.status_code == 400 and "task not found" in gone.json()["error"]["message"]
    batch = tasks(client, action="retrieve_batch", ids=[task_id, kept]).json()
    assert [t["id"] for t in batch["items"]] == [kept]
    listing = tasks(client, action="retrieve_batch").json()
    assert [t["id"] for t in listing["items"]] == [kept] and listing["count"] == 1
    assert httpx.get(video_url).status_code == 200  # the CDN keeps the video
    again = tasks(client, action="delete", id=task_id)
    assert again.status_code == 400 and again.json()["error"]["code"] == "bad_request"
    assert tasks(client, action="delete", id="no-such-task").status_code == 400
    assert tasks(client, action="delete").status_code == 400
    assert sim.stats.delete_calls == 4


# -- the record of received bodies --------------------------------------------------------------


def test_received_bodies_are_recorded_exactly(api: tuple[Simulator, httpx.Client]) -> None:
    sim, client = api
    sent = [{**T2V, "async": True, "duration": 7},
            {**WAN3, "seed": 42, "ratio": "16:9", "async": True}]
    ids = [client.post("/wan/videos", json=body).json()["task_id"] for body in sent]
    refused = {**T2V, "duration": 99, "async": True}
    client.post("/wan/videos", json=refused)
    sim.force_faults("drop", 1, endpoint="videos")
    with pytest.raises(httpx.TransportError):
        client.post("/wan/videos", json={**T2V, "prompt": "lost", "async": True})
    tasks(client, action="retrieve", id=ids[0])

    record = httpx.get(sim.base_url + "/_sim/requests", params={"endpoint": "videos"}).json()
    assert [item["body"] for item in record["items"]] == [
        *sent, refused, {**T2V, "prompt": "lost", "async": True}]
    assert [item["status"] for item in record["items"]] == [200, 200, 400, "dropped"]
    assert [item["task_id"] for item in record["items"]][:3] == [*ids, None]
    assert record["items"][3]["task_id"]  # created, though its answer was lost
    assert sim.received.bodies("tasks") == [{"action": "retrieve", "id": ids[0]}]
    last = httpx.get(sim.base_url + "/_sim/requests", params={"limit": 1}).json()
    assert last["count"] == 1 and last["items"][0]["endpoint"] == "tasks"


def test_the_record_never_holds_the_token(api: tuple[Simulator, httpx.Client]) -> None:
    sim, client = api
    client.post("/wan/videos", json={**T2V, "prompt": f"oops {sim.token}", "async": True})
    client.post("/wan/videos", content=b"not json at all")
    text = httpx.get(sim.base_url + "/_sim/requests").text
    assert sim.token not in text
    leaked, garbled = sim.received.items()
    assert leaked["token_in_body"] is True and leaked["body"]["prompt"] == "oops [token]"
    assert garbled["body"] is None and garbled["raw"] == "not json at all"


def test_held_answer_arrives_after_the_task_exists(api: tuple[Simulator, httpx.Client]) -> None:
    sim, client = api
    sim.answer_delays["videos"] = 60.0  # released by stop(), never waited out
    answers: list[httpx.Response] = []
    sender = threading.Thread(target=lambda: answers.append(httpx.post(
        sim.base_url + "/wan/videos", json={**T2V, "async": True},
        headers={"authorization": f"Bearer {sim.token}"}, timeout=30)))
    sender.start()
    deadline = time.monotonic() + 10
    while not (listing := tasks(client, action="retrieve_batch").json())["items"]:
        assert time.monotonic() < deadline, "the task never appeared"
        time.sleep(0.02)
    assert sender.is_alive() and not answers  # listed, yet its submitter has no answer
    sim.stop()
    sender.join(timeout=10)
    assert answers[0].json()["task_id"] == listing["items"][0]["id"]
