"""The tracker against the simulator over loopback: batching, budget, faults, resume, callbacks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from wan_tui import reconcile
from wan_tui.api.client import WanClient
from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.callbacks import CallbackReceiver
from wan_tui.sim import Simulator
from wan_tui.store.history import HistoryStore
from wan_tui.tracker import Pacing, Tracker, TrackerEvent

FAST = Pacing(max_requests_per_second=50, first_poll=0.05, interval=0.15)


def t2v(prompt: str) -> GenerationRequest:
    return GenerationRequest(action="text2video", model="wan2.6-t2v", prompt=prompt)


@contextlib.asynccontextmanager
async def tracked(sim: Simulator, tmp_path: Path, pacing: Pacing = FAST, store: HistoryStore | None = None,
                  callback_listen: str | None = None, **kw):
    """A tracker polling the simulator, its loop running, as the session runs it."""
    store = store or HistoryStore(tmp_path / "history.sqlite3")
    client = WanClient(sim.base_url, sim.token, **kw)
    tracker = Tracker(client, store, pacing)
    receiver = None
    if callback_listen:
        receiver = CallbackReceiver(callback_listen, None, tracker.on_callback)
        await receiver.start()
        tracker.attach_callbacks(receiver)
    loop = asyncio.create_task(tracker.run())
    try:
        yield SimpleNamespace(tracker=tracker, store=store, client=client, callbacks=receiver)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
        if receiver is not None:
            await receiver.stop()
        await client.aclose()
        store.close()


async def submit_all(core, prompts) -> list[int]:
    rows = await asyncio.gather(*(core.tracker.submit(t2v(p)) for p in prompts))
    return [r.id for r in rows]


async def test_many_tasks_in_batches_of_at_most_50(sim, tmp_path) -> None:
    async with tracked(sim, tmp_path) as core:
        ids = await submit_all(core, [f"clip {i}" for i in range(120)])
        assert await core.tracker.wait_for(ids, timeout=30)
        states = {core.store.get(i).state for i in ids}
    assert states == {State.SUCCEEDED}
    assert sim.stats.max_batch_ids == 50 and sim.stats.oversized_batches == 0
    assert sim.stats.videos_posts == 120 and sim.stats.created == 120


async def test_the_request_budget_holds_however_many_tasks(sim, tmp_path) -> None:
    sim.job_seconds = 30  # nothing finishes: the tracker keeps polling
    pacing = Pacing(max_requests_per_second=4, first_poll=0, interval=0.01)
    async with tracked(sim, tmp_path, pacing) as core:
        await submit_all(core, [f"clip {i}" for i in range(80)])
        start_posts, start = sim.stats.tasks_posts, time.monotonic()
        await asyncio.sleep(2.0)
        posts, elapsed = sim.stats.tasks_posts - start_posts, time.monotonic() - start
    assert posts <= 4 * elapsed + 1
    assert posts >= 4  # and it did poll


async def test_a_429_pauses_all_polling_for_retry_after(sim, tmp_path) -> None:
    times: list[tuple[float, int]] = []
    async with tracked(sim, tmp_path) as core:
        core.tracker.subscribe(lambda e: times.append((time.monotonic(), e.status.requests)))
        [local] = await submit_all(core, ["fox"])
        sim.force_faults("429", 1)
        assert await core.tracker.wait_for([local], timeout=10)
        assert core.store.get(local).state == State.SUCCEEDED
    assert sim.stats.faults == {"429": 1}
    # the request after the 429 came no sooner than its Retry-After (1 s)
    firsts = {}
    for when, count in times:
        firsts.setdefault(count, when)
    gaps = [firsts[n + 1] - firsts[n] for n in range(1, max(firsts)) if n + 1 in firsts]
    assert max(gaps) >= 0.95


async def test_status_reports_the_pause_and_trouble(sim, tmp_path) -> None:
    seen: list = []
    async with tracked(sim, tmp_path) as core:
        core.tracker.subscribe(lambda e: seen.append(e.status))
        [local] = await submit_all(core, ["fox"])
        sim.force_faults("429", 1)
        assert await core.tracker.wait_for([local], timeout=10)
    assert any(s.paused_until and "too many requests" in (s.trouble or "") for s in seen)
    assert seen[-1].trouble is None and seen[-1].paused_until is None  # cleared after success


@pytest.mark.parametrize("kind", ["500", "502", "drop"])
async def test_faults_back_off_and_never_fail_a_task(sim, tmp_path, kind) -> None:
    async with tracked(sim, tmp_path) as core:
        [local] = await submit_all(core, ["fox"])
        sim.force_faults(kind, 2)
        assert await core.tracker.wait_for([local], timeout=15)
        assert core.store.get(local).state == State.SUCCEEDED
    assert sim.stats.faults[kind] == 2


async def test_missing_ids_are_looked_up_alone_then_lost(sim, tmp_path) -> None:
    async with tracked(sim, tmp_path) as core:
        [local] = await submit_all(core, ["vanish into thin air"])
        assert await core.tracker.wait_for([local], timeout=10)
        row = core.store.get(local)
    assert row.state == State.LOST and "no longer knows" in row.error_message
    assert sim.stats.retrieve_calls == 1


async def test_hiccups_and_unknown_words_stay_running_until_the_end(sim, tmp_path) -> None:
    words: set[str] = set()
    async with tracked(sim, tmp_path) as core:
        core.tracker.subscribe(lambda e: words.update(r.state_word for r in e.rows if r.state == State.RUNNING))
        ids = await submit_all(core, ["a hiccup", "something weird"])
        assert await core.tracker.wait_for(ids, timeout=10)
        assert {core.store.get(i).state for i in ids} == {State.SUCCEEDED}
    assert "thinking" in words


async def test_a_day_old_task_gets_one_last_look_then_expires(sim, tmp_path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    async with WanClient(sim.base_url, sim.token) as client:
        early = Tracker(client, store, FAST)
        stalled = await early.submit(t2v("stall please"))
        finished = await early.submit(t2v("done while nobody looked"))  # never polled here
    await asyncio.sleep(0.8)  # the simulator finishes the second one
    async with tracked(sim, tmp_path, store=store) as core:
        core.tracker._wall = lambda: time.time() + 25 * 3600
        assert await core.tracker.wait_for([stalled.id, finished.id], timeout=10)
        assert core.store.get(finished.id).state == State.SUCCEEDED  # the last look found it
        row = core.store.get(stalled.id)
    assert row.state == State.EXPIRED and "24 hours" in row.error_message
    assert sim.stats.tasks_posts >= 1


async def test_resume_picks_up_unfinished_tasks_and_interrupted_submissions(sim, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(reconcile, "NOT_CREATED_AFTER", 0.3)
    store = HistoryStore(tmp_path / "h.sqlite3")
    async with WanClient(sim.base_url, sim.token) as client:
        first = Tracker(client, store, FAST)
        rows = [await first.submit(t2v(f"clip {i}")) for i in range(3)]  # never polled
    interrupted = store.add_submission(t2v("killed mid-flight"))  # as a crash leaves it
    store.close()
    store = HistoryStore(tmp_path / "h.sqlite3")
    async with tracked(sim, tmp_path, store=store) as core:
        core.tracker.resume()
        assert await core.tracker.wait_for([r.id for r in rows] + [interrupted], timeout=10)
        assert {core.store.get(r.id).state for r in rows} == {State.SUCCEEDED}
        # never sent, so the task list has nothing for it: settled as not created
        assert core.store.get(interrupted).error_code == "not_created"


async def test_events_batch_many_changes_and_survive_a_broken_listener(sim, tmp_path) -> None:
    sizes: list[int] = []

    def broken(event: TrackerEvent) -> None:
        raise RuntimeError("a bad subscriber")

    async with tracked(sim, tmp_path) as core:
        core.tracker.subscribe(broken)
        core.tracker.subscribe(lambda e: sizes.append(len(e.rows)))
        ids = await submit_all(core, [f"clip {i}" for i in range(20)])
        assert await core.tracker.wait_for(ids, timeout=10)
    assert max(sizes) >= 10  # one poll's changes come as one event


async def test_at_most_n_submissions_in_flight(sim, tmp_path) -> None:
    most = 0

    def watch(event: TrackerEvent) -> None:
        nonlocal most
        most = max(most, event.status.submitting)

    async with tracked(sim, tmp_path, Pacing(max_in_flight=3, first_poll=0.05, interval=0.15,
                                             max_requests_per_second=50)) as core:
        core.tracker.subscribe(watch)
        ids = await submit_all(core, [f"clip {i}" for i in range(15)])
    assert most == 3 and len(ids) == 15 and sim.stats.created == 15


async def test_a_429_on_submit_waits_and_asks_again_creating_once(sim, tmp_path) -> None:
    async with tracked(sim, tmp_path) as core:
        sim.force_faults("429", 1, endpoint="videos")
        row = await core.tracker.submit(t2v("rate limited at first"))
    assert row.state == State.PENDING and sim.stats.videos_posts == 2 and sim.stats.created == 1


async def test_a_lost_answer_is_unknown_then_found_in_the_task_list(sim, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(reconcile, "RECONCILE_AFTER", 0.1)
    async with tracked(sim, tmp_path) as core:
        sim.force_faults("drop", 1, endpoint="videos")
        row = await core.tracker.submit(t2v("answer dropped"))
        assert row.state == State.UNKNOWN and "not resent" in row.error_message
        assert await core.tracker.wait_for([row.id], timeout=10)
        row = core.store.get(row.id)
    assert row.state == State.SUCCEEDED and row.task_id
    assert sim.stats.videos_posts == 1 and sim.stats.submissions_by_prompt == {"answer dropped": 1}


async def test_a_lost_answer_with_no_task_is_settled_as_not_created(sim, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(reconcile, "RECONCILE_AFTER", 0.1)
    monkeypatch.setattr(reconcile, "NOT_CREATED_AFTER", 0.3)
    async with tracked(sim, tmp_path) as core:
        known = await core.tracker.submit(t2v("a task the history knows"))  # proves the listing
        sim.force_faults("502", 1, endpoint="videos")
        row = await core.tracker.submit(t2v("proxy page"))
        assert row.state == State.UNKNOWN
        assert await core.tracker.wait_for([row.id, known.id], timeout=10)
        row = core.store.get(row.id)
    assert row.state == State.FAILED and row.error_code == "not_created"
    assert sim.stats.created == 1 and sim.stats.videos_posts == 2


async def test_an_unproven_task_list_leaves_the_submission_unknown(sim, tmp_path, monkeypatch) -> None:
    """An empty listing could be a service that ignores the (undocumented) call: no verdict."""
    monkeypatch.setattr(reconcile, "RECONCILE_AFTER", 0.1)
    monkeypatch.setattr(reconcile, "NOT_CREATED_AFTER", 0.3)
    async with tracked(sim, tmp_path) as core:
        sim.force_faults("502", 1, endpoint="videos")
        row = await core.tracker.submit(t2v("alone and unanswered"))
        assert await core.tracker.wait_for([row.id], timeout=10)
        row = core.store.get(row.id)
    assert row.state == State.UNKNOWN and sim.stats.list_calls >= 1


async def test_a_lost_answer_with_a_callback_url_is_still_found(sim, tmp_path, monkeypatch) -> None:
    """The history keeps no callback URL, the task list does: matching must not compare it."""
    monkeypatch.setattr(reconcile, "RECONCILE_AFTER", 0.1)
    async with tracked(sim, tmp_path, callback_listen="127.0.0.1:0") as core:
        sim.force_faults("drop", 1, endpoint="videos")
        row = await core.tracker.submit(t2v("called back, answer dropped"))
        assert row.state == State.UNKNOWN
        assert await core.tracker.wait_for([row.id], timeout=10)
        row = core.store.get(row.id)
    assert row.state == State.SUCCEEDED and sim.stats.created == 1


async def test_callbacks_deliver_results_and_refuse_forgeries(sim, tmp_path) -> None:
    slow = Pacing(max_requests_per_second=50, first_poll=60, interval=60)  # polling would be too late
    async with tracked(sim, tmp_path, slow, callback_listen="127.0.0.1:0") as core:
        receiver = core.callbacks
        row = await core.tracker.submit(t2v("called back"))
        other = await core.tracker.submit(t2v("stall, never calls"))
        assert await core.tracker.wait_for([row.id], timeout=10)
        assert core.store.get(row.id).state == State.SUCCEEDED
        assert receiver.accepted == 1 and sim.stats.tasks_posts == 0
        base = receiver.base_url
        async with httpx.AsyncClient() as http:
            forged = {"task_id": row.task_id, "success": True, "state": "succeeded", "video_url": "https://evil/x.mp4"}
            assert (await http.post(base + "/wan-tui/callback/guessed", json=forged)).status_code == 404
            assert (await http.post(base + "/elsewhere", json=forged)).status_code == 404
            # a real secret path, but for another task id than it was handed out for
            secret = next(iter(receiver._expected))
            assert (await http.post(base + "/wan-tui/callback/" + secret, json=forged)).status_code == 403
            assert (await http.get(base + "/wan-tui/callback/" + secret)).status_code == 405
            assert (await http.post(base + "/wan-tui/callback/" + secret, content=b"{nope")).status_code == 400
        assert core.store.get(other.id).state == State.PENDING
        assert core.store.get(row.id).video_url.startswith(sim.base_url)


async def test_a_refused_account_does_not_make_a_task_lost(tmp_path) -> None:
    """Only "no such task" makes a missing id lost; a 403 used_up pauses polling instead."""

    def service(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body.get("action") == "retrieve_batch":
            return httpx.Response(200, json={"count": 0, "items": []})  # the id is missing
        return httpx.Response(403, json={"error": {"code": "used_up", "message": "no balance"}})

    store = HistoryStore(tmp_path / "h.sqlite3")
    local = store.add_submission(t2v("paid for"))
    store.mark_submitted(local, "task-1", None)
    http = httpx.AsyncClient(transport=httpx.MockTransport(service))
    async with WanClient("http://wan.test", "tok-123456789012", http=http) as client:
        tracker = Tracker(client, store, FAST)
        seen: list[str | None] = []
        tracker.subscribe(lambda e: seen.append(e.status.trouble_code))
        loop = asyncio.create_task(tracker.run())
        deadline = time.monotonic() + 5
        while "used_up" not in seen and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    assert "used_up" in seen and store.get(local).state == State.PENDING


def test_the_status_says_when_the_budget_limits_freshness() -> None:
    from wan_tui.tracking import TrackerStatus

    busy = TrackerStatus(tracked=10_000, round_seconds=10_000 / 50 / 1.0)
    note = busy.freshness_note(interval=15.0)
    assert note is not None and "every 200 s" in note and "max_requests_per_second" in note
    assert TrackerStatus(tracked=100, round_seconds=2.0).freshness_note(15.0) is None


async def test_the_tracker_reports_how_long_a_round_of_reads_takes(sim, tmp_path) -> None:
    sim.job_seconds = 30  # nothing finishes
    async with tracked(sim, tmp_path) as core:
        await submit_all(core, [f"clip {i}" for i in range(120)])
        assert core.tracker.status.tracked == 120
        assert core.tracker.status.round_seconds == 3 / FAST.max_requests_per_second
