"""The history store: schema and migrations, the write-ahead flow, polling results, search,
concurrency, corruption recovery, import/export."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.api.task import TaskSnapshot, read_task
from wan_tui.store import schema
from wan_tui.store.config import load_config, set_value
from wan_tui.store.errors import HistoryCorrupt
from wan_tui.defaults import request_over_defaults
from wan_tui.store.history import HistoryStore
from wan_tui.store.rows import Row

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float = 1.0) -> float:
        self.now += seconds
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


@pytest.fixture
def store(db: Path, clock: Clock):
    with HistoryStore(db, clock=clock) as opened:
        yield opened


def t2v(prompt: str = "a red fox runs through snow", **extra) -> GenerationRequest:
    return GenerationRequest("text2video", "wan2.6-t2v", prompt, **extra)


def submit(store: HistoryStore, task_id: str, prompt: str = "a red fox", **extra) -> Row:
    local_id = store.add_submission(GenerationRequest.from_body({"prompt": prompt, **extra}))
    return store.mark_submitted(local_id, task_id, f"trace-{task_id}")


def task(task_id: str, state: str | None = None, **response) -> TaskSnapshot:
    body: dict = {"id": task_id, "created_at": 1_700_000_000.0, "trace_id": f"tr-{task_id}",
                  "request": {"model": "wan2.6-t2v", "prompt": f"made elsewhere {task_id}",
                              "duration": 10}}
    if state is not None:
        body["response"] = {"state": state, **response}
    return read_task(body)


def done(task_id: str, url: str = "https://cdn.example/v.mp4") -> TaskSnapshot:
    snap = task(task_id, "completed", video_url=url, success=True, video_width=1280,
                video_height=720)
    return TaskSnapshot(**{**snap.__dict__, "finished_at": 1_700_000_300.0})


# -- schema, migrations ---------------------------------------------------------------------------

def test_fresh_store_is_migrated_and_in_wal_mode(store: HistoryStore, db: Path):
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION == 3
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    assert {"generations", "generations_state", "generations_created", "generations_model",
            "generations_action"} <= names
    assert store.fts and "generations_fts" in names
    assert store.notice is None and store.recovered_from is None
    if os.name == "posix":  # prompts are private
        store.add_submission(t2v())
        for path in db.parent.iterdir():
            assert path.stat().st_mode & 0o077 == 0, path


def test_a_new_migration_is_one_list_entry(db: Path, clock: Clock, monkeypatch):
    HistoryStore(db, clock=clock).close()
    extra = (*schema.MIGRATIONS, ("ALTER TABLE generations ADD COLUMN rating INTEGER",))
    monkeypatch.setattr(schema, "MIGRATIONS", list(extra))
    monkeypatch.setattr("wan_tui.store.opening.LATEST_VERSION", len(extra))
    with HistoryStore(db, clock=clock) as store:
        local_id = store.add_submission(t2v())
        assert store.get(local_id).state == "submitting"  # rows still read fine
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(extra)
    assert conn.execute("SELECT rating FROM generations WHERE id = ?", (local_id,)).fetchone() \
        == (None,)


def test_too_new_schema_is_moved_aside(db: Path, clock: Clock):
    HistoryStore(db, clock=clock).close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    original = db.read_bytes()
    with HistoryStore(db, clock=clock) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.name.startswith("history.sqlite3.newer-2023")
        assert store.recovered_from.read_bytes() == original
        assert "newer wan-tui" in store.notice and str(store.recovered_from) in store.notice
        assert store.count() == 0
        store.add_submission(t2v())
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == \
        schema.LATEST_VERSION


def test_garbage_file_is_moved_aside_with_its_siblings(db: Path, clock: Clock):
    db.parent.mkdir(parents=True)
    garbage = b"this is not a database\x00" * 300
    db.write_bytes(garbage)
    Path(f"{db}-wal").write_bytes(b"wal bytes")
    with HistoryStore(db, clock=clock) as store:
        moved = store.recovered_from
        assert moved is not None and moved.name.startswith("history.sqlite3.corrupt-")
        assert moved.read_bytes() == garbage
        assert Path(f"{moved}-wal").read_bytes() == b"wal bytes"
        assert store.notice.startswith(f"history file {db} was unreadable (")
        assert f"moved to {moved}; started a fresh history" in store.notice
        local_id = store.add_submission(t2v())
        assert store.get(local_id).state == "submitting"


def test_moving_aside_never_overwrites(db: Path, clock: Clock):
    db.parent.mkdir(parents=True)
    moved = []
    for content in (b"first garbage" * 100, b"second garbage" * 100):
        db.write_bytes(content)
        store = HistoryStore(db, clock=clock)  # same clock: same timestamp both times
        moved.append(store.recovered_from)
        store.close()
        db.unlink()
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    assert moved[1] == moved[0].with_name(moved[0].name + "-2")
    assert moved[0].read_bytes().startswith(b"first") and moved[1].read_bytes().startswith(b"sec")


def test_damaged_pages_are_detected(db: Path, clock: Clock):
    with HistoryStore(db, clock=clock) as store:
        store.import_rows({"task_id": f"t{i}", "model": "wan2.6-t2v", "prompt": "x" * 300,
                           "state": "succeeded"} for i in range(300))
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    for page in range(3, len(data) // page_size, 2):  # scribble over every other page
        data[page * page_size + 8: page * page_size + 200] = b"\xa5" * 192
    db.write_bytes(bytes(data))
    # Found at open (the cheap check, or the index setup reading it: moved aside) or by the
    # first query that meets the damage (a clear error saying how to recover).
    with HistoryStore(db, clock=clock) as store:
        if store.recovered_from is not None:
            assert "corrupt" in store.recovered_from.name
            assert store.count() == 0
        else:
            assert store.check()  # the full check (wan-tui doctor) finds it on demand
            with pytest.raises(HistoryCorrupt, match="doctor"):
                list(store.export_rows())  # reading every row meets it


# -- the write-ahead submission flow ----------------------------------------------------------

def test_submission_row_is_committed_before_the_post(store: HistoryStore, db: Path):
    local_id = store.add_submission(t2v(duration=5, negative_prompt="blurry",
                                        callback_url="https://me.example/cb/secret"))
    other = sqlite3.connect(db)  # another process would see it right away
    assert other.execute("SELECT state FROM generations WHERE id = ?",
                         (local_id,)).fetchone() == ("submitting",)
    row = store.get(local_id)
    assert (row.task_id, row.state, row.model, row.action) == \
        (None, "submitting", "wan2.6-t2v", "text2video")
    assert row.negative_prompt == "blurry"
    assert row.params["duration"] == 5 and "callback_url" not in row.params
    assert row.request() == t2v(duration=5, negative_prompt="blurry")


def test_mark_submitted_refused_unknown(store: HistoryStore, clock: Clock):
    ok, refused, lost = (store.add_submission(t2v(f"prompt {i}")) for i in range(3))
    clock.tick(2)
    row = store.mark_submitted(ok, "task-1", "trace-1")
    assert (row.task_id, row.state, row.trace_id, row.updated_at) == \
        ("task-1", "pending", "trace-1", clock.now)
    row = store.mark_refused(refused, "forbidden", "content moderation", "trace-2")
    assert row.state == "failed" and row.task_id is None and row.finished_at == clock.now
    assert row.error == {"code": "forbidden", "message": "content moderation"}
    assert row.to_json()["error"] == row.error
    row = store.mark_unknown(lost, "no answer in 60 s")
    assert row.state == "unknown" and row.error_message == "no answer in 60 s"
    assert [r.task_id for r in store.active()] == ["task-1"]
    with pytest.raises(LookupError):
        store.mark_unknown(12345, "nope")


def test_recover_interrupted(db: Path, clock: Clock):
    crashed = HistoryStore(db, clock=clock)
    left_behind = crashed.add_submission(t2v("left behind by a crash"))
    crashed.close()  # the process "died" before the service answered

    with HistoryStore(db, clock=clock) as store:
        mine = store.add_submission(t2v("still being sent by this store"))
        with HistoryStore(db, clock=clock) as elsewhere:
            other = elsewhere.add_submission(t2v("being sent by another live process"))
        with sqlite3.connect(db) as conn:  # as if submitted by our (live) parent process
            conn.execute("UPDATE generations SET submitter_pid = ? WHERE id = ?",
                         (os.getppid(), other))
        recovered = store.recover_interrupted()
        assert [r.id for r in recovered] == [left_behind]
        assert recovered[0].state == "unknown" and "may or may not" in recovered[0].error_message
        assert store.get(mine).state == store.get(other).state == "submitting"
        assert store.recover_interrupted() == []
        clock.tick(2 * 3600)  # no submission takes hours: the other process must be stuck
        assert [r.id for r in store.recover_interrupted()] == [other]


# -- learning from the service ----------------------------------------------------------------

def test_apply_snapshots_returns_only_changed_rows(store: HistoryStore, clock: Clock):
    submit(store, "t1")
    submit(store, "t2")
    clock.tick()
    changed = store.apply_snapshots([task("t1", "processing"), task("t2")])
    assert [(r.task_id, r.state, r.state_word) for r in changed] == [("t1", "running",
                                                                       "processing")]
    assert store.by_task_id("t2").last_polled_at == clock.now  # polled, though unchanged

    polled = clock.tick()
    assert store.apply_snapshots([task("t1", "processing"), task("t2")]) == []
    assert store.by_task_id("t1").last_polled_at == polled
    assert store.by_task_id("t1").updated_at == polled - 1  # no shown change: not updated

    clock.tick()
    (row,) = store.apply_snapshots([done("t1")])
    assert (row.state, row.video_url, row.video_width, row.finished_at) == \
        ("succeeded", "https://cdn.example/v.mp4", 1280, 1_700_000_300.0)
    # A stale "running" read after the end does not undo it.
    assert store.apply_snapshots([task("t1", "processing")]) == []
    assert store.by_task_id("t1").state == "succeeded"

    (row,) = store.apply_snapshots([task("t2", "failed", error={"code": "forbidden",
                                                                 "message": "moderated"})])
    assert row.state == "failed" and row.error == {"code": "forbidden", "message": "moderated"}
    assert row.finished_at == clock.now  # ended without a server time: our time
    assert store.active() == []


def test_unknown_task_ids_are_recorded_from_their_request(store: HistoryStore, clock: Clock):
    (row,) = store.apply_snapshots([task("elsewhere", "running")])
    assert (row.task_id, row.state, row.model, row.action) == \
        ("elsewhere", "running", "wan2.6-t2v", "text2video")
    assert row.prompt == "made elsewhere elsewhere" and row.params["duration"] == 10
    assert row.created_at == row.server_created_at == 1_700_000_000.0
    assert row.trace_id == "tr-elsewhere"
    assert row.request().duration == 10
    # A task whose request the service did not return is still recorded.
    (bare,) = store.apply_snapshots([read_task({"id": "bare", "response": {"state": "queued"}})])
    assert (bare.model, bare.prompt, bare.created_at) == ("", "", clock.now)


def test_mark_states(store: HistoryStore, clock: Clock):
    submit(store, "t1")
    submit(store, "t2")
    clock.tick()
    changed = store.mark_states(["t1", "missing"], State.EXPIRED, "no result after 24 h")
    assert [(r.task_id, r.state, r.error_message, r.finished_at) for r in changed] == \
        [("t1", "expired", "no result after 24 h", clock.now)]
    assert store.mark_states(["t1"], State.EXPIRED) == []
    assert [r.task_id for r in store.active()] == ["t2"]


def test_active_is_oldest_first_and_needs_a_task_id(store: HistoryStore, clock: Clock):
    for name in ("old", "middle", "new"):
        submit(store, name)
        clock.tick()
    store.add_submission(t2v())  # no task id yet: nothing to poll
    store.apply_snapshots([task("middle", "running")])
    assert [r.task_id for r in store.active()] == ["old", "middle", "new"]


def test_local_path_and_delete(store: HistoryStore):
    submit(store, "t1")
    store.set_local_path("t1", "/videos/t1.mp4")
    assert store.by_task_id("t1").local_path == "/videos/t1.mp4"
    assert store.delete("t1") is True and store.delete("t1") is False
    assert store.by_task_id("t1") is None and store.search("fox") == []
    local_id = store.add_submission(t2v())
    assert store.delete_id(local_id) and store.get(local_id) is None


# -- search ---------------------------------------------------------------------------------------

@pytest.fixture
def filled(store: HistoryStore, clock: Clock) -> HistoryStore:
    prompts = [("a red fox runs through snow", "wan2.6-t2v", {}),
               ("astronaut walks on Mars, cinematic", "wan2.6-t2v", {}),
               ("the fox's den at dawn", "wan2.6-i2v", {"image_url": "https://x.example/a.png"}),
               ("100% pure_colour test", "wan2.6-t2v", {"negative_prompt": "blurry, fox"}),
               ("Café crème, slow motion", "wan2.6-r2v",
                {"reference_video_urls": ["https://x.example/r.mp4"]})]
    for i, (prompt, model, extra) in enumerate(prompts):
        clock.tick(86400)
        submit(store, f"t{i}", prompt, model=model, **extra)
    store.apply_snapshots([done("t0"), task("t2", "failed")])
    return store


def ids(rows: list[Row]) -> list[str | None]:
    return [r.task_id for r in rows]


@pytest.mark.parametrize("fts", [True, False])
def test_search_text_and_filters(filled: HistoryStore, fts: bool):
    filled.fts = fts and filled.fts
    assert ids(filled.search("fox")) == ["t3", "t2", "t0"]  # newest first; negative too
    assert ids(filled.search("RED FOX")) == ["t0"]
    assert ids(filled.search("cafe" if fts else "Café")) == ["t4"]
    assert ids(filled.search("fox", states=["succeeded", "failed"])) == ["t2", "t0"]
    assert ids(filled.search(model="wan2.6-i2v")) == ["t2"]
    assert ids(filled.search(action="image2video")) == ["t4", "t2"]
    assert ids(filled.search(states=["pending"])) == ["t4", "t3", "t1"]
    first = filled.by_task_id("t0").created_at
    assert ids(filled.search(since=first + 1, until=first + 3 * 86400 + 1)) == ["t3", "t2", "t1"]
    assert filled.count("fox") == 3 and filled.count(states=["pending"], model="wan2.6-t2v") == 2
    assert filled.count() == 5


def test_search_prefix_while_typing(filled: HistoryStore):
    assert ids(filled.search("astro")) == ["t1"]
    assert ids(filled.search("cinematic astro")) == ["t1"]


@pytest.mark.parametrize("fts", [True, False])
@pytest.mark.parametrize("text", ['"', 'AND (', '*', 'fox"', 'NOT', 'OR fox', '(fox', "'",
                                  'NEAR(fox', '-fox', 'prompt:fox', '^fox', '%', '_', '\\',
                                  '""""', 'fox AND', '   '])
def test_search_never_raises_on_odd_text(filled: HistoryStore, fts: bool, text: str):
    filled.fts = fts and filled.fts
    rows = filled.search(text)
    assert filled.count(text) == len(rows)


def test_search_punctuation_is_literal(filled: HistoryStore):
    assert ids(filled.search("%")) == ["t3"]  # LIKE wildcards are escaped
    assert ids(filled.search("_")) == ["t3"]
    assert ids(filled.search('"')) == []
    assert ids(filled.search("fox's")) == ["t2"]


def test_paging_is_newest_first_and_stable(store: HistoryStore, clock: Clock):
    for i in range(25):
        if i % 5:  # several rows share a timestamp: id breaks the tie
            clock.tick()
        store.add_submission(t2v(f"fox number {i}"))
    pages = [store.search("fox", limit=10, offset=offset) for offset in (0, 10, 20)]
    assert [len(p) for p in pages] == [10, 10, 5]
    order = [r.id for page in pages for r in page]
    assert order == sorted(order, reverse=True) and len(set(order)) == 25
    assert store.search("fox", limit=10, offset=30) == []


def test_fts_index_follows_updates_and_deletes(store: HistoryStore):
    submit(store, "t1", "a lonely lighthouse")
    store.import_rows([{**store.by_task_id("t1").to_json(), "prompt": "a busy harbour",
                        "updated_at": 9e9}])
    assert ids(store.search("harbour")) == ["t1"] and store.search("lighthouse") == []
    store.delete("t1")
    assert store.search("harbour") == []


def test_without_fts5_search_uses_like_and_the_index_is_rebuilt_later(db, clock, monkeypatch):
    with HistoryStore(db, clock=clock) as store:
        submit(store, "t1", "a fox before")
    monkeypatch.setattr("wan_tui.store.opening.fts5_available", lambda conn: False)
    with HistoryStore(db, clock=clock) as store:
        assert store.fts is False
        submit(store, "t2", "a fox while FTS5 was missing")  # triggers are gone: writes work
        assert ids(store.search("fox")) == ["t2", "t1"]
    monkeypatch.undo()
    with HistoryStore(db, clock=clock) as store:
        assert store.fts is True
        assert ids(store.search("missing")) == ["t2"]


def test_fts_can_be_turned_off(db, clock):
    with HistoryStore(db, clock=clock, fts=False) as store:
        submit(store, "t1", "a fox")
        assert store.fts is False and ids(store.search("fo")) == ["t1"]


# -- concurrency ------------------------------------------------------------------------------

def test_two_stores_on_one_file_write_concurrently(db: Path):
    first, second = HistoryStore(db), HistoryStore(db)
    errors: list[BaseException] = []

    def work(store: HistoryStore, name: str) -> None:
        try:
            for i in range(100):
                local_id = store.add_submission(t2v(f"{name} {i}"))
                store.mark_submitted(local_id, f"{name}-{i}", None)
                store.apply_snapshots([task(f"{name}-{i}", "running")])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s, n)) for s, n in ((first, "a"),
                                                                         (second, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert first.counts_by_state() == second.counts_by_state() == {"running": 200}
    first.close()
    second.close()


WRITER = """
import sys
from wan_tui.api.models import GenerationRequest
from wan_tui.store.errors import HistoryCorrupt
from wan_tui.store.history import HistoryStore
store = HistoryStore(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
for i in range(150):
    local_id = store.add_submission(GenerationRequest("text2video", "wan2.6-t2v", f"child {i}"))
    store.mark_submitted(local_id, f"child-{i}", None)
store.close()
"""


def test_another_process_writes_at_the_same_time(db: Path):
    HistoryStore(db).close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    assert child.stdout.readline().strip() == "ready"
    with HistoryStore(db) as store:
        child.stdin.write("go\n")
        child.stdin.flush()
        for i in range(150):
            local_id = store.add_submission(t2v(f"parent {i}"))
            store.mark_submitted(local_id, f"parent-{i}", None)
        _, stderr = child.communicate(timeout=60)
        assert child.returncode == 0, stderr
        assert store.count() == 300 and store.counts_by_state() == {"pending": 300}
        assert store.count("child") == store.count("parent") == 150


# -- import / export ------------------------------------------------------------------------------

def test_export_import_round_trip(filled: HistoryStore, tmp_path: Path, clock: Clock):
    filled.add_submission(t2v("never got a task id"))
    exported = list(filled.export_rows())
    assert [r["task_id"] for r in exported] == ["t0", "t1", "t2", "t3", "t4", None]
    assert {"task_id", "state", "state_word", "prompt", "negative_prompt", "model", "action",
            "params", "video_url", "thumbnail_url", "video_width", "video_height", "error",
            "trace_id", "created_at", "updated_at", "finished_at", "local_path", "id"} \
        <= set(exported[0])

    with HistoryStore(tmp_path / "other.sqlite3", clock=clock) as other:
        result = other.import_rows(exported)
        assert (result.added, result.merged, result.skipped) == (6, 0, 0)
        strip = lambda rows: [{k: v for k, v in r.items() if k != "id"} for r in rows]  # noqa
        assert strip(other.export_rows()) == strip(exported)
        assert ids(other.search("fox")) == ["t3", "t2", "t0"]

        again = other.import_rows(exported)  # merging: no duplicates by task id, and the
        assert (again.added, again.merged) == (0, 6)  # task-less row is known by its content
        assert other.count() == 6


def test_import_merge_keeps_the_newer_record(store: HistoryStore):
    submit(store, "t1")
    store.set_local_path("t1", "/videos/t1.mp4")
    current = store.by_task_id("t1").to_json()
    older = {**current, "state": "failed", "updated_at": current["updated_at"] - 10,
             "local_path": None}
    assert store.import_rows([older]).merged == 1
    assert store.by_task_id("t1").state == "pending"
    newer = {**current, "state": "succeeded", "video_url": "https://cdn.example/x.mp4",
             "updated_at": current["updated_at"] + 10, "local_path": None}
    store.import_rows([newer])
    row = store.by_task_id("t1")
    assert (row.state, row.video_url, row.local_path) == \
        ("succeeded", "https://cdn.example/x.mp4", "/videos/t1.mp4")
    assert store.count() == 1


def test_import_skips_rows_it_cannot_use(store: HistoryStore):
    result = store.import_rows([{"model": "wan2.6-t2v", "prompt": "ok", "state": "succeeded"},
                                {"model": "wan2.6-t2v", "state": "exploded"},
                                {"prompt": "no model", "state": "failed"},
                                "not even a dict"])
    assert (result.added, result.merged, result.skipped) == (1, 0, 3)
    assert result.problems[0].startswith("row 2: state must be one of")
    assert result.problems[1] == "row 3: has no model"


def test_export_streams_in_pages_oldest_first(store: HistoryStore):
    store.import_rows({"task_id": f"t{i:04d}", "model": "wan2.6-t2v", "prompt": "p",
                       "state": "succeeded", "created_at": 1000.0 + i // 3}
                      for i in range(1234))
    exported = store.export_rows()
    assert not isinstance(exported, list)
    assert [r["task_id"] for r in exported] == [f"t{i:04d}" for i in range(1234)]


# -- the token ---------------------------------------------------------------------------------

def test_the_token_is_never_stored(tmp_path: Path, db: Path, clock: Clock):
    token = "sk-SECRET-token-0123456789abcdef"
    loaded = set_value("api.token", token, tmp_path / "config.toml")
    assert load_config(tmp_path / "config.toml").config.api.token == token
    with HistoryStore(db, clock=clock) as store:
        for i in range(20):
            request = request_over_defaults(loaded.config, "text2video", f"fox {i}",
                                            {"duration": 5})
            local_id = store.add_submission(request)
            store.mark_submitted(local_id, f"t{i}", "trace")
        store.apply_snapshots([done("t1"), task("t2", "running")])
        store.import_rows(list(store.export_rows()))
        files = [p for p in db.parent.iterdir() if p.name.startswith(db.name)]
        assert files
        for path in files:
            data = path.read_bytes()
            assert token.encode() not in data and b"SECRET" not in data
