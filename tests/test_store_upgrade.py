"""Upgrading a history written by the previous version (schema 1: the prompt stored twice,
an FTS index without prefix entries): in place, in batches, safe to interrupt."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from wan_tui.store import schema
from wan_tui.store.batches import position
from wan_tui.store.fts import FTS_TABLE, fill_fts, setup_fts
from wan_tui.store.history import HistoryStore
from wan_tui.store.lean import rewrite_params

# The schema as version 1 shipped it (copied, so that later edits cannot change the fixture).
V1_DDL = (
    """CREATE TABLE generations (
        id INTEGER PRIMARY KEY, task_id TEXT UNIQUE, action TEXT NOT NULL, model TEXT NOT NULL,
        prompt TEXT NOT NULL DEFAULT '', negative_prompt TEXT, params TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL, state_word TEXT NOT NULL DEFAULT '', video_url TEXT,
        thumbnail_url TEXT, video_width INTEGER, video_height INTEGER, error_code TEXT,
        error_message TEXT, trace_id TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL,
        finished_at REAL, server_created_at REAL, last_polled_at REAL, local_path TEXT,
        submitter_pid INTEGER)""",
    "CREATE INDEX generations_state ON generations (state, created_at, id)",
    "CREATE INDEX generations_created ON generations (created_at, id)",
    "CREATE INDEX generations_model ON generations (model, created_at, id)",
    "CREATE INDEX generations_action ON generations (action, created_at, id)",
    """CREATE VIRTUAL TABLE generations_fts USING fts5(prompt, negative_prompt,
        content='generations', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER generations_fts_insert AFTER INSERT ON generations BEGIN
        INSERT INTO generations_fts (rowid, prompt, negative_prompt)
        VALUES (new.id, new.prompt, new.negative_prompt); END""",
    """CREATE TRIGGER generations_fts_delete AFTER DELETE ON generations BEGIN
        INSERT INTO generations_fts (generations_fts, rowid, prompt, negative_prompt)
        VALUES ('delete', old.id, old.prompt, old.negative_prompt); END""",
    """CREATE TRIGGER generations_fts_update AFTER UPDATE OF prompt, negative_prompt
        ON generations BEGIN
        INSERT INTO generations_fts (generations_fts, rowid, prompt, negative_prompt)
        VALUES ('delete', old.id, old.prompt, old.negative_prompt);
        INSERT INTO generations_fts (rowid, prompt, negative_prompt)
        VALUES (new.id, new.prompt, new.negative_prompt); END""",
)
WORDS = ("fox", "harbour", "lantern", "glacier", "violin", "meadow")


def old_file(path: Path, rows: int) -> Path:
    """A version-1 history as the previous wan-tui wrote it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in V1_DDL:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    for n in range(rows):
        prompt = f"{WORDS[n % len(WORDS)]} number {n}"
        negative = "blurry" if n % 3 == 0 else None
        params = {"action": "text2video", "model": "wan2.6-t2v", "prompt": prompt,
                  "duration": 5 + n % 3, "resolution": "720P"}
        if negative:
            params["negative_prompt"] = negative
        conn.execute(
            "INSERT INTO generations (task_id, action, model, prompt, negative_prompt, params, "
            "state, created_at, updated_at) VALUES (?, 'text2video', 'wan2.6-t2v', ?, ?, ?, "
            "'succeeded', ?, ?)",
            (f"t{n}" if n % 5 else None, prompt, negative,
             json.dumps(params, sort_keys=True), 1000.0 + n, 1000.0 + n))
    conn.close()
    return path


def snapshot(store: HistoryStore) -> list[dict[str, object]]:
    return [{k: v for k, v in row.items() if k != "id"} for row in store.export_rows()]


class Stop(Exception):
    pass


def test_an_old_file_is_upgraded_in_place(tmp_path: Path):
    path = old_file(tmp_path / "h.sqlite3", 50)
    with HistoryStore(path) as store:
        assert store.fts
        rows = store.search(limit=100)
        assert len(rows) == 50
        row = store.search("number 7")[0]
        assert row.params == {"action": "text2video", "model": "wan2.6-t2v",
                              "prompt": "harbour number 7", "duration": 6, "resolution": "720P"}
        assert row.request().prompt == "harbour number 7"
        assert [r.prompt for r in store.search("fo", limit=3)][:1] == ["fox number 48"]
        assert store.count("blurry") == 17  # negative prompts are searched too
        assert store.search("harbour number 1")[0].usage is None
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
    stored = conn.execute("SELECT params FROM generations WHERE task_id = 't7'").fetchone()[0]
    assert "harbour" not in stored and json.loads(stored) == {"duration": 6, "resolution": "720P"}
    names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    assert FTS_TABLE == "generations_fts" and FTS_TABLE in names  # the index is kept as it is


def test_an_interrupted_upgrade_leaves_a_readable_file_and_resumes(tmp_path: Path):
    reference = tmp_path / "ref" / "h.sqlite3"
    with HistoryStore(old_file(reference, 40)) as store:
        expected = snapshot(store)

    path = old_file(tmp_path / "h.sqlite3", 40)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    schema.migrate(conn)  # the plain part (version 2)
    conn.execute("COMMIT")

    def stop_after_first(what: str, last: int) -> None:
        raise Stop  # as if the process were killed right after a batch's commit

    with pytest.raises(Stop):
        rewrite_params(conn, batch=15, after_batch=stop_after_first)
    assert position(conn, "lean_params") == 15
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()

    with HistoryStore(path) as store:  # resumes, and reads the same as a straight upgrade
        assert snapshot(store) == expected
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
    assert conn.execute("SELECT count(*) FROM store_progress").fetchone()[0] == 0
    assert all("prompt" not in p for (p,) in conn.execute("SELECT params FROM generations"))


def test_an_interrupted_index_fill_keeps_in_step_with_writes(tmp_path: Path):
    path = old_file(tmp_path / "h.sqlite3", 40)
    with HistoryStore(path) as store:
        pass
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"DROP TABLE {FTS_TABLE}")  # as if the index had to be built afresh
    conn.execute("BEGIN IMMEDIATE")
    setup_fts(conn, True)
    conn.execute("COMMIT")
    with pytest.raises(Stop):
        fill_fts(conn, batch=10, after_batch=lambda what, last: (_ for _ in ()).throw(Stop))
    # Writes while half filled: a filled row changes, an unfilled one is deleted, one is added.
    conn.execute("UPDATE generations SET prompt = 'zebra crossing' WHERE id = 2")
    conn.execute("DELETE FROM generations WHERE id = 30")
    conn.execute("INSERT INTO generations (action, model, prompt, state, created_at, updated_at)"
                 " VALUES ('text2video', 'wan2.6-t2v', 'zebra herd', 'pending', 1, 1)")
    conn.close()
    with HistoryStore(path) as store:
        assert sorted(r.prompt for r in store.search("zebra")) == ["zebra crossing", "zebra herd"]
        assert store.count("number") == 38
        assert store.check() == []
    conn = sqlite3.connect(path)
    conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('integrity-check')")


def test_a_new_file_is_lean_from_the_start(tmp_path: Path):
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.import_rows([{"task_id": "a", "model": "wan2.6-t2v", "prompt": "a quiet fox",
                            "state": "succeeded", "params": {"duration": 5}}])
        assert store.by_task_id("a").params["prompt"] == "a quiet fox"
    conn = sqlite3.connect(tmp_path / "h.sqlite3")
    assert conn.execute("SELECT params FROM generations").fetchone()[0] == '{"duration":5}'
