"""The Wan API simulator, over real HTTP on loopback, checked against the API reference.

Task states are read with wan_tui.api.task.read_task: if the reader and the simulator agree,
the simulator speaks the reference's language.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from wan_tui.api.state import State
from wan_tui.api.task import read_task
from wan_tui.sim import Simulator
from wan_tui.sim.tasks import DONE_WORDS, FAILED_WORDS, UNKNOWN_WORD, WAITING_WORDS

JOB_SECONDS = 0.3
T2V = {"model": "wan2.6-t2v", "action": "text2video"}
ALL_WAITING = {w for pair in WAITING_WORDS for w in pair}


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(job_seconds=JOB_SECONDS, seed=7) as simulator:
        yield simulator


@pytest.fixture
def client(sim: Simulator) -> Iterator[httpx.Client]:
    headers = {"authorization": f"Bearer {sim.token}"}
    with httpx.Client(base_url=sim.base_url, headers=headers, timeout=10) as c:
        yield c


def submit(client: httpx.Client, prompt: str = "a red fox in snow", **extra: Any) -> str:
    reply = client.post("/wan/videos", json={**T2V, "prompt": prompt,
                                             "async": True, **extra})
    assert reply.status_code == 200, reply.text
    return reply.json()["task_id"]


def retrieve(client: httpx.Client, task_id: str) -> httpx.Response:
    return client.post("/wan/tasks", json={"action": "retrieve", "id": task_id})


def poll(client: httpx.Client, task_id: str, done: Callable[[dict[str, Any]], bool],
         timeout: float = 5.0) -> list[dict[str, Any]]:
    """Every task object seen until `done` holds for one (fails at the deadline)."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = retrieve(client, task_id)
        assert reply.status_code == 200, reply.text
        seen.append(reply.json())
        if done(seen[-1]):
            return seen
        time.sleep(0.01)
    raise AssertionError(f"task {task_id} never got there; last seen {seen[-1:]}")


def ended(task: dict[str, Any]) -> bool:
    return "finished_at" in task


def assert_error(reply: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["trace_id"] == reply.headers["x-trace-id"]
    return body


# -- transport, auth, errors -------------------------------------------------------------


def test_bearer_missing_then_wrong(sim: Simulator) -> None:
    url = sim.base_url + "/wan/tasks"
    body = {"action": "retrieve_batch", "ids": []}
    assert_error(httpx.post(url, json=body), 400, "no_token")
    assert_error(httpx.post(url, json=body, headers={"authorization": "Bearer nope"}),
                 401, "invalid_token")
    ok = httpx.post(url, json=body, headers={"authorization": f"Bearer {sim.token}"})
    assert ok.status_code == 200 and ok.json()["count"] == 0
    assert sim.token.startswith("sim-")


def test_every_answer_carries_the_same_trace_id_in_body_and_header(
        sim: Simulator, client: httpx.Client) -> None:
    task_id = submit(client)
    replies = [
        client.post("/wan/videos", json={**T2V, "prompt": "x", "async": True}),
        retrieve(client, task_id),
        client.post("/wan/tasks", json={"action": "retrieve_batch", "ids": [task_id]}),
        client.post("/wan/tasks", json={"action": "retrieve_batch"}),
        client.post("/wan/tasks", json={"action": "explode"}),
        client.post("/nowhere", json={}),
        client.get("/wan/tasks"),
        client.get("/_sim/stats"),
    ]
    for reply in replies:
        assert reply.json()["trace_id"] == reply.headers["x-trace-id"], reply.text
    assert len({r.headers["x-trace-id"] for r in replies}) == len(replies)
    # A task object keeps the trace id of the request that created it, header included.
    assert retrieve(client, task_id).headers["x-trace-id"] == replies[1].json()["trace_id"]


def test_unknown_path_method_action_and_id(client: httpx.Client) -> None:
    assert_error(client.post("/wan/nothing", json={}), 404, "not_found")
    not_allowed = client.get("/wan/videos")
    assert_error(not_allowed, 405, "method_not_allowed")
    assert not_allowed.headers["allow"] == "POST"
    assert_error(client.post("/wan/tasks", json={"action": "cancel", "id": "x"}),
                 400, "bad_request")
    missing = assert_error(retrieve(client, "no-such-task"), 400, "bad_request")
    assert "task not found" in missing["error"]["message"]
    assert_error(client.post("/wan/tasks", json={"action": "retrieve"}), 400, "bad_request")


def test_unparsable_or_non_object_body_is_bad_request(client: httpx.Client) -> None:
    for content in (b"{not json", b"[1, 2]", b""):
        reply = client.post("/wan/tasks", content=content,
                            headers={"content-type": "application/json"})
        assert_error(reply, 400, "bad_request")


# -- submissions (each accept/refuse rule: test_sim_rules.py) -------------------------------


def test_moderation_refuses_with_403(sim: Simulator, client: httpx.Client) -> None:
    for prompt in ("an NSFW scene", "the Forbidden city at night"):
        assert_error(client.post("/wan/videos", json={**T2V, "prompt": prompt,
                                                      "async": True}), 403, "forbidden")
    assert sim.stats.created == 0


def test_acknowledgements_come_in_both_shapes(sim: Simulator, client: httpx.Client) -> None:
    acks = [client.post("/wan/videos", json={**T2V, "prompt": f"ack {i}",
                                             "async": True}).json() for i in range(4)]
    assert {"success" in ack for ack in acks} == {True, False}
    assert all(ack.get("success", True) is True and ack["task_id"] and ack["trace_id"]
               for ack in acks)
    assert sim.stats.created == 4
    assert sim.stats.submissions_by_prompt == {f"ack {i}": 1 for i in range(4)}


def test_synchronous_submission_holds_until_the_task_ends(
        sim: Simulator, client: httpx.Client) -> None:
    started = time.monotonic()
    reply = client.post("/wan/videos", json={**T2V, "prompt": "sync please"})
    assert reply.status_code == 200
    assert time.monotonic() - started >= JOB_SECONDS * 2 / 3 - 0.05
    answer = reply.json()
    assert answer["success"] is True and answer["state"] in DONE_WORDS
    assert answer["video_url"].endswith(f"/_sim/media/{answer['task_id']}.mp4")
    assert answer["trace_id"] == reply.headers["x-trace-id"]
    assert ended(retrieve(client, answer["task_id"]).json())


def test_synchronous_submission_of_a_stalled_task_times_out(
        sim: Simulator, client: httpx.Client) -> None:
    sim.sync_timeout = 0.3
    reply = client.post("/wan/videos", json={**T2V, "prompt": "stall sync"})
    assert_error(reply, 504, "timeout")
    assert sim.stats.created == 1


# -- lifecycle, read with the project's own state reader ------------------------------------


def test_lifecycle_pending_then_running_then_succeeded(
        sim: Simulator, client: httpx.Client) -> None:
    sim.job_seconds = 1.0  # a silent first 20% long enough to be seen even on a busy machine
    task_id = submit(client)
    seen = poll(client, task_id, ended)
    first, last = seen[0], seen[-1]
    assert "response" not in first and "finished_at" not in first  # upstream has not answered
    assert read_task(first).state is State.PENDING
    running = [t for t in seen if read_task(t).state is State.RUNNING]
    assert running and all(t["response"]["state"] in ALL_WAITING for t in running)
    states = [read_task(t).state for t in seen]
    assert states == sorted(states, key=[State.PENDING, State.RUNNING, State.SUCCEEDED].index)

    snapshot = read_task(last)
    assert snapshot.state is State.SUCCEEDED and snapshot.state_word in DONE_WORDS
    assert last["elapsed"] == pytest.approx(last["finished_at"] - last["started_at"], abs=1e-3)
    assert last["type"] == "videos" and last["request"]["prompt"] == "a red fox in snow"
    assert last["created_at"] <= last["started_at"] <= last["finished_at"]
    response = last["response"]
    assert response["task_id"] == task_id and response["prompt"] == "a red fox in snow"
    assert (response["video_width"], response["video_height"]) == (1280, 720)
    assert snapshot.video_url and snapshot.thumbnail_url and snapshot.video_url.endswith(".mp4")


@pytest.mark.parametrize("prompt", ["this will FAIL", "plain prompt, fail_rate 1"])
def test_failing_task_ends_failed(sim: Simulator, client: httpx.Client, prompt: str) -> None:
    if "fail_rate" in prompt:
        sim.fail_rate = 1.0
    last = poll(client, submit(client, prompt), ended)[-1]
    assert last["response"]["success"] is False and "video_url" not in last["response"]
    assert last["response"]["state"] in FAILED_WORDS
    snapshot = read_task(last)
    assert snapshot.state is State.FAILED
    assert snapshot.error_code == "api_error" and "simulated" in (snapshot.error_message or "")


def test_stalled_task_never_ends(sim: Simulator, client: httpx.Client) -> None:
    task_id = submit(client, "stall forever")
    time.sleep(JOB_SECONDS * 4 / 3 + 0.1)  # past the longest possible duration
    task = retrieve(client, task_id).json()
    assert not ended(task) and task["response"]["state"] in ALL_WAITING
    assert read_task(task).state is State.RUNNING


def test_hiccup_reports_an_error_while_running_then_succeeds(
        sim: Simulator, client: httpx.Client) -> None:
    sim.job_seconds = 0.8  # a hiccup window of at least 0.16 s
    seen = poll(client, submit(client, "a Hiccup on the way"), ended)
    hiccups = [t for t in seen if t.get("response", {}).get("success") is False]
    assert hiccups, "never saw the hiccup"
    for task in hiccups:
        assert task["response"]["error"]["code"] and task["response"]["state"] in ALL_WAITING
        snapshot = read_task(task)
        assert snapshot.state is State.RUNNING and snapshot.error is None  # rule 4
    assert read_task(seen[-1]).state is State.SUCCEEDED


def test_weird_state_word_reads_as_running(client: httpx.Client) -> None:
    seen = poll(client, submit(client, "something weird"), ended)
    weird = [t for t in seen if t.get("response", {}).get("state") == UNKNOWN_WORD]
    assert weird and all(read_task(t).state is State.RUNNING for t in weird)  # rule 5
    assert read_task(seen[-1]).state is State.SUCCEEDED


def test_vanished_task_drops_out_of_every_answer(sim: Simulator, client: httpx.Client) -> None:
    sim.job_seconds = 2.0  # a first ~20% long enough to see it before it goes
    task_id = submit(client, "vanish without trace")
    assert retrieve(client, task_id).status_code == 200
    deadline = time.monotonic() + 5
    while retrieve(client, task_id).status_code == 200:
        assert time.monotonic() < deadline, "never vanished"
        time.sleep(0.02)
    assert_error(retrieve(client, task_id), 400, "bad_request")
    batch = client.post("/wan/tasks", json={"action": "retrieve_batch", "ids": [task_id]})
    assert batch.json() == {"count": 0, "items": [], "trace_id": batch.headers["x-trace-id"]}
    listing = client.post("/wan/tasks", json={"action": "retrieve_batch"}).json()
    assert task_id not in {t["id"] for t in listing["items"]}


def test_size_and_resolution_decide_the_video_and_thumbnail_size(client: httpx.Client) -> None:
    portrait = submit(client, size="720*1280")
    full_hd = submit(client, resolution="1080P")
    for task_id, video, thumb in ((portrait, (720, 1280), (90, 160)),
                                  (full_hd, (1920, 1080), (160, 90))):
        response = poll(client, task_id, ended)[-1]["response"]
        assert (response["video_width"], response["video_height"]) == video
        assert (response["thumbnail_width"], response["thumbnail_height"]) == thumb


# -- reading many tasks ----------------------------------------------------------------------


def test_batch_is_shuffled_skips_unknown_ids_and_is_counted(
        sim: Simulator, client: httpx.Client) -> None:
    ids = [submit(client, f"batch {i}") for i in range(6)]
    asked = ids + ["unknown-1", "unknown-2"]
    orders = set()
    for _ in range(5):
        answer = client.post("/wan/tasks", json={"action": "retrieve_batch", "ids": asked})
        body = answer.json()
        assert body["count"] == 6 and sorted(t["id"] for t in body["items"]) == sorted(ids)
        orders.add(tuple(t["id"] for t in body["items"]))
    assert len(orders) > 1, "items always came in the same order"
    assert sim.stats.max_batch_ids == 8 and sim.stats.batch_sizes == {8: 5}
    assert sim.stats.oversized_batches == 0

    oversized = client.post("/wan/tasks", json={"action": "retrieve_batch",
                                                "ids": ids + [f"x{i}" for i in range(60)]})
    assert oversized.status_code == 200 and oversized.json()["count"] == 6
    assert sim.stats.oversized_batches == 1 and sim.stats.max_batch_ids == 66
    assert_error(client.post("/wan/tasks", json={"action": "retrieve_batch", "ids": "a,b"}),
                 400, "bad_request")


def test_listing_pages_newest_first(sim: Simulator, client: httpx.Client) -> None:
    ids = [submit(client, f"listing {i}") for i in range(5)]
    newest_first = list(reversed(ids))

    def page(**params: Any) -> dict[str, Any]:
        reply = client.post("/wan/tasks", json={"action": "retrieve_batch", **params})
        assert reply.status_code == 200, reply.text
        return reply.json()

    assert [t["id"] for t in page()["items"]] == newest_first  # default limit 20
    first, second = page(limit=2), page(limit=2, offset=2)
    assert first["count"] == second["count"] == 5
    assert [t["id"] for t in first["items"] + second["items"]] == newest_first[:4]
    third_created = retrieve(client, ids[2]).json()["created_at"]
    recent = page(created_at_min=third_created)
    assert recent["count"] == 3 and [t["id"] for t in recent["items"]] == newest_first[:3]
    older = page(created_at_max=third_created)
    assert [t["id"] for t in older["items"]] == newest_first[2:]
    assert len(page(limit=500)["items"]) == 5  # clamped to 100, not refused
    assert_error(client.post("/wan/tasks", json={"action": "retrieve_batch", "limit": 0}),
                 400, "bad_request")
    assert sim.stats.list_calls == 6


# -- media and stats -------------------------------------------------------------------------


def test_media_are_a_real_png_and_mp4(sim: Simulator, client: httpx.Client) -> None:
    response = poll(client, submit(client), ended)[-1]["response"]
    png = httpx.get(response["thumbnail_url"])  # no token: media URLs are public
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert int(png.headers["content-length"]) == len(png.content)
    width, height = struct.unpack(">II", png.content[16:24])
    assert (width, height) == (response["thumbnail_width"], response["thumbnail_height"])
    idat_length = struct.unpack(">I", png.content[33:37])[0]
    pixels = zlib.decompress(png.content[41:41 + idat_length])
    assert len(pixels) == height * (1 + 3 * width)

    mp4 = httpx.get(response["video_url"])
    assert mp4.status_code == 200 and mp4.headers["content-type"] == "video/mp4"
    assert mp4.content[4:8] == b"ftyp" and b"moov" in mp4.content
    assert int(mp4.headers["content-length"]) == len(mp4.content) < 50_000
    assert httpx.head(response["video_url"]).headers["content-length"] == str(len(mp4.content))

    assert httpx.get(sim.base_url + "/_sim/media/nope.png").status_code == 404
    assert sim.stats.requests["/_sim/media"] == 4


def test_video_size_rate_and_range_act_as_a_video_host(sim: Simulator,
                                                      client: httpx.Client) -> None:
    response = poll(client, submit(client), ended)[-1]["response"]
    url = response["video_url"]
    sim.video_size, sim.media_rate = 512 * 1024, 1024 * 1024
    started = time.monotonic()
    whole = httpx.get(url, timeout=10)
    assert time.monotonic() - started >= 0.4  # half a MB at 1 MB/s
    assert whole.status_code == 200 and len(whole.content) == 512 * 1024
    assert whole.headers["accept-ranges"] == "bytes"
    boxes, offset = [], 0  # still a valid MP4: top-level boxes that add up to the file
    while offset < len(whole.content):
        size, kind = struct.unpack(">I4s", whole.content[offset:offset + 8])
        boxes.append(kind)
        offset += size
    assert offset == len(whole.content) and boxes[0] == b"ftyp" and boxes[-1] == b"free"

    sim.media_rate = 0
    rest = httpx.get(url, headers={"range": "bytes=1000-"})
    assert rest.status_code == 206 and rest.content == whole.content[1000:]
    assert rest.headers["content-range"] == f"bytes 1000-{512 * 1024 - 1}/{512 * 1024}"
    middle = httpx.get(url, headers={"range": "bytes=10-19"})
    assert middle.status_code == 206 and middle.content == whole.content[10:20]
    beyond = httpx.get(url, headers={"range": f"bytes={512 * 1024}-"})
    assert beyond.status_code == 200 and beyond.content == whole.content  # the whole file


def test_stats_endpoint_needs_no_token(sim: Simulator, client: httpx.Client) -> None:
    submit(client, "counted")
    client.post("/wan/tasks", json={"action": "retrieve_batch", "ids": ["a", "b"]})
    stats = httpx.get(sim.base_url + "/_sim/stats").json()
    assert stats["created"] == 1 and stats["submissions_by_prompt"] == {"counted": 1}
    assert stats["videos_posts"] == 1 and stats["tasks_posts"] == 1
    assert stats["batch_sizes"] == {"2": 1} and stats["max_batch_ids"] == 2
    assert stats["requests"] == {"/wan/videos": 1, "/wan/tasks": 1, "/_sim/stats": 1}
    assert json.loads(json.dumps(sim.stats.to_json()))["created"] == 1


# -- running it ------------------------------------------------------------------------------


def test_serve_prints_url_and_token_and_stops_cleanly_on_sigterm() -> None:
    code = ("from wan_tui.sim import serve; "
            "serve('127.0.0.1', 0, 'tok-1', 0.3, 0.0, 0.0, seed=1)")
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "0"})
    try:
        assert process.stdout is not None
        banner = process.stdout.readline().strip()
        assert banner.startswith("Wan API simulator on http://127.0.0.1:")
        assert process.stdout.readline().strip() == "token: tok-1"
        base_url = banner.rsplit(" ", 1)[1]
        reply = httpx.post(base_url + "/wan/tasks", json={"action": "retrieve_batch"},
                           headers={"authorization": "Bearer tok-1"})
        assert reply.json()["count"] == 0
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0 and "Traceback" not in stderr
