"""What the store owes the user's money and data: costs read and summed, no row with a task id
ever deleted behind the user's back, remote deletions recorded, cheap probes for the tracker
and the board, and SQLite failures (damage, a full disk, a lock) said clearly."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.api.task import TaskSnapshot
from wan_tui.store.errors import HistoryCorrupt, HistoryFull, HistoryLocked, TaskIdTaken
from wan_tui.store.history import HistoryStore
from wan_tui.store.values import read_cost


class Clock:
    now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path):
    with HistoryStore(tmp_path / "h.sqlite3", clock=Clock()) as opened:
        yield opened


def request(prompt: str = "a red fox") -> GenerationRequest:
    return GenerationRequest("text2video", "wan2.6-t2v", prompt)


def done(task_id: str, cost: object = None, **extra: object) -> TaskSnapshot:
    return TaskSnapshot(task_id, State.SUCCEEDED, "completed", video_url="https://v/x.mp4",
                        finished_at=1_700_000_100.0, cost=cost,
                        request={"model": "wan2.6-t2v", "prompt": "elsewhere"}, **extra)


@pytest.mark.parametrize("cost, read", [
    (0.25, (0.25, "USD")), (3, (3.0, "USD")), ("1.50", (1.5, "USD")),
    ({"amount": 2, "currency": "cny"}, (2.0, "CNY")), ({"total": "0.4"}, (0.4, "USD")),
    ({"amount": -1}, (None, None)), (math.inf, (None, None)), (True, (None, None)),
    ("free", (None, None)), ({"credits": 3}, (None, None)), ([1, 2], (None, None)),
    (None, (None, None)), (10 ** 400, (None, None)),
])
def test_costs_of_every_shape_are_read_or_left_unknown(cost: object, read: tuple[object, ...]):
    assert read_cost(cost) == read


def test_usage_and_cost_are_stored_as_received(store: HistoryStore):
    odd = {"credits": 3, "detail": ["x"]}
    store.apply_snapshots([done("a", {"amount": 0.5, "currency": "USD"}, usage={"s": 5}),
                           done("b", odd)])
    a, b = store.by_task_id("a"), store.by_task_id("b")
    assert (a.cost, a.cost_amount, a.usage) == ({"amount": 0.5, "currency": "USD"}, 0.5, {"s": 5})
    assert b.cost == odd and b.cost_amount is None  # shown raw, never summed
    assert a.to_json()["cost"] == a.cost and "cost_amount" not in a.to_json()
    store.apply_snapshots([done("a")])  # a later read without a cost keeps the one known
    assert store.by_task_id("a").cost_amount == 0.5


def test_spend_sums_by_day_and_by_model_per_currency(store: HistoryStore):
    store.import_rows([
        {"task_id": f"t{n}", "model": model, "prompt": "p", "state": "succeeded",
         "created_at": created, "cost": cost}
        for n, (model, created, cost) in enumerate([
            ("wan2.6-t2v", 1_700_000_000.0, 0.5), ("wan2.6-t2v", 1_700_000_100.0, "0.25"),
            ("wan2.6-r2v", 1_700_000_200.0, {"amount": 2, "currency": "CNY"}),
            ("wan2.6-r2v", 1_700_200_000.0, 1.0), ("wan2.6-r2v", 1_700_200_000.0, None)])])
    by_model = {(s.key, s.currency): (s.amount, s.tasks) for s in store.spend(by="model")}
    assert by_model == {("wan2.6-t2v", "USD"): (0.75, 2), ("wan2.6-r2v", "CNY"): (2.0, 1),
                        ("wan2.6-r2v", "USD"): (1.0, 1)}
    days = store.spend(since=1_700_100_000.0, by="day")
    assert [(s.amount, s.tasks) for s in days] == [(1.0, 1)]
    with pytest.raises(ValueError):
        store.spend(by="week")


def test_a_task_id_held_by_another_row_deletes_nothing(store: HistoryStore):
    """Issue 10, defect 1: a re-run's answer carrying the id adoption gave another row."""
    adopted = store.add_submission(request())
    store.mark_unknown(adopted, "no answer")
    store.mark_submitted(adopted, "T", None)  # adoption matched task T from the listing
    rerun = store.add_submission(request())
    with pytest.raises(TaskIdTaken) as taken:
        store.mark_submitted(rerun, "T", "trace")
    assert taken.value.existing.id == adopted
    assert store.get(adopted).task_id == "T" and store.get(rerun).state == "submitting"
    released = store.release_task_id(adopted, "the matched task was another submission's")
    assert released.task_id is None and released.state == "unknown"
    assert store.mark_submitted(rerun, "T", "trace").task_id == "T"
    assert store.count() == 2


def test_recovery_and_polls_never_delete(store: HistoryStore):
    store.apply_snapshots([done("T")])  # another process recorded task T first
    mine = store.add_submission(request())
    with pytest.raises(TaskIdTaken):
        store.mark_submitted(mine, "T", None)
    store.recover_interrupted()
    store.apply_snapshots([done("T")])
    assert store.count() == 2 and store.by_task_id("T") is not None


def test_a_listing_merged_twice_adds_nothing(store: HistoryStore):
    listing = [done(f"L{n}", 0.1) for n in range(5)]
    assert len(store.apply_snapshots(listing)) == 5
    assert store.apply_snapshots(listing) == [] and store.count() == 5


def test_absurd_numbers_from_the_service_are_dropped_one_by_one(store: HistoryStore):
    bad = TaskSnapshot("X", State.SUCCEEDED, "completed", video_url="https://v/x.mp4",
                       video_width=10 ** 30, created_at=math.inf, finished_at=math.nan)
    store.apply_snapshots([bad, done("Y")])
    assert store.by_task_id("X").video_width is None and store.by_task_id("Y") is not None


def test_remote_deletion_is_recorded_and_the_row_kept(store: HistoryStore):
    store.apply_snapshots([done("T")])
    assert store.mark_remote_deleted("T").remote_deleted_at == Clock.now
    assert store.mark_remote_deleted("nope") is None
    assert store.by_task_id("T").to_json()["remote_deleted_at"] == Clock.now


def test_active_ids_and_change_markers_are_cheap_probes(store: HistoryStore, tmp_path: Path):
    local_id = store.add_submission(request())
    store.mark_submitted(local_id, "A", None)
    assert store.active_ids() == [(local_id, "A", Clock.now)]
    marker = store.change_marker()
    with HistoryStore(tmp_path / "h.sqlite3", clock=lambda: Clock.now + 5) as other:
        other.apply_snapshots([done("A"), done("B")])
    after = store.change_marker()
    assert after.data_version != marker.data_version
    assert [r.task_id for r in store.changed_since(marker)] == ["A", "B"]
    assert store.changed_since(after) == []


def test_damage_found_by_a_query_says_how_to_recover(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as store:
        store.import_rows({"task_id": f"t{n}", "model": "wan2.6-t2v", "prompt": "p " * 400,
                           "state": "succeeded"} for n in range(200))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    # a page of the table itself (not the schema page the open-time check reads)
    page = conn.execute("SELECT pageno FROM dbstat WHERE name = 'generations' "
                        "AND pagetype = 'leaf' LIMIT 1 OFFSET 20").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    start = (page - 1) * page_size
    data[start:start + page_size] = b"\xff" * page_size
    path.write_bytes(bytes(data))
    with HistoryStore(path) as store:
        assert store.recovered_from is None  # the open-time check is cheap: it reads no rows
        with pytest.raises(HistoryCorrupt, match="wan-tui doctor"):
            list(store.export_rows())
        assert store.check()  # the full check finds it


def test_a_full_disk_says_what_was_not_saved(store: HistoryStore):
    store._conn.execute("PRAGMA max_page_count = 1")  # noqa: SLF001 - no room for one more page
    with pytest.raises(HistoryFull, match="the import was not saved"):
        store.import_rows({"task_id": f"t{n}", "model": "wan2.6-t2v", "prompt": "x" * 3000,
                           "state": "succeeded"} for n in range(50))
    assert store.count() == 0


def test_a_lock_held_too_long_says_what_was_not_saved(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as store:
        store._conn.execute("PRAGMA busy_timeout = 50")  # noqa: SLF001 - do not wait 5 s here
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        with pytest.raises(HistoryLocked, match="the submission .* was not saved"):
            store.add_submission(request())
        blocker.execute("ROLLBACK")
        blocker.close()
        assert store.add_submission(request()) > 0


def test_stats_and_vacuum(store: HistoryStore):
    store.import_rows({"task_id": f"t{n}", "model": "wan2.6-t2v", "prompt": "y" * 500,
                       "state": "succeeded"} for n in range(100))
    before = store.stats()
    assert before.rows == 100 and before.bytes_per_row > 500 and before.file_bytes > 0
    for n in range(100):
        store.delete(f"t{n}")
    after = store.vacuum()
    assert after.rows == 0 and after.pages < before.pages and after.free_pages == 0


def test_opening_a_settled_file_takes_no_write_lock(tmp_path: Path, monkeypatch):
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as store:
        store.add_submission(request())
    monkeypatch.setattr("wan_tui.store.opening.BUSY_TIMEOUT_MS", 50)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # e.g. a long import in another process
    try:
        with HistoryStore(path) as store:  # opens and reads while the other one writes
            assert store.count() == 1 and store.notice is None
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_an_adoption_is_remembered_and_a_poll_record_absorbs_our_submission(store):
    adopted = store.add_submission(request())
    store.mark_unknown(adopted, "no answer")
    assert store.adopt(adopted, "T", None).adopted_at == Clock.now
    rerun = store.add_submission(request())
    with pytest.raises(TaskIdTaken) as taken:
        store.mark_submitted(rerun, "T", None)
    assert taken.value.existing.adopted_at is not None  # a match: undo it, keep ours
    assert store.release_task_id(adopted, "again").adopted_at is None

    store.apply_snapshots([done("P")])  # a poll or sync recorded task P first
    mine = store.add_submission(request())
    with pytest.raises(TaskIdTaken) as taken:
        store.mark_submitted(mine, "P", None)
    assert taken.value.existing.adopted_at is None  # the service's own record of our task
    assert store.fold_submission(mine, taken.value.existing.id).task_id == "P"
    assert store.get(mine) is None and store.by_task_id("P") is not None
    kept = store.fold_submission(store.by_task_id("P").id, adopted)  # a row with an id stays
    assert kept.id == adopted and store.by_task_id("P") is not None


def test_a_killed_unreaped_process_does_not_keep_its_submissions_in_flight(tmp_path) -> None:
    """A zombie (killed, not yet reaped by its parent) answers os.kill(pid, 0): read its state."""
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    from wan_tui.api.models import GenerationRequest
    from wan_tui.store.history import HistoryStore

    path = tmp_path / "h.sqlite3"
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with HistoryStore(path) as store:  # a submission this child was sending
            local = store.add_submission(GenerationRequest(action="text2video",
                                                           model="wan2.6-t2v", prompt="p"))
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE generations SET submitter_pid = ? WHERE id = ?",
                         (child.pid, local))
        child.send_signal(signal.SIGKILL)
        stat = Path(f"/proc/{child.pid}/stat")
        deadline = time.monotonic() + 10
        while stat.read_text().rpartition(")")[2].split()[0] != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)  # the kernel makes it a zombie; we do not reap it
        with HistoryStore(path) as other:  # the next wan-tui process
            assert [r.id for r in other.recover_interrupted()] == [local]
    finally:
        child.kill()
        child.wait()
