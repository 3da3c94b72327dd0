"""Streaming import and export: line-by-line validation, whole-file refusal naming the lines,
hostile lines (huge numbers, deep nesting, overlong), and importing twice adding nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wan_tui.store.history import HistoryStore
from wan_tui.store.transfer import MAX_LINE_CHARS, ImportRefused

GOOD = {"task_id": "t1", "model": "wan2.6-t2v", "prompt": "a fox", "state": "succeeded",
        "created_at": 10.0, "updated_at": 10.0, "cost": {"amount": 0.5, "currency": "usd"},
        "usage": {"seconds": 5}}


def lines(*items: object) -> list[str]:
    return [item if isinstance(item, str) else json.dumps(item) for item in items]


@pytest.fixture
def store(tmp_path: Path):
    with HistoryStore(tmp_path / "h.sqlite3") as opened:
        yield opened


@pytest.mark.parametrize("bad, said", [
    ("{not json", "line 2: not JSON"),
    ('{"task_id": "x", "video_width": 1e999, "model": "wan2.6-t2v"}', "line 2: the number 1e999"),
    ('{"created_at": 1' + "0" * 400 + "}", "is too large"),
    ('{"a": NaN}', "NaN is not a number"),
    ("[" * 100_000 + "]" * 100_000, "nested more than"),
    ('{"params": ' + '{"a": ' * 40 + "1" + "}" * 41, "nested more than"),
    (json.dumps({**GOOD, "state": "done"}), "line 2: state must be one of"),
    (json.dumps({**GOOD, "model": "wan9"}), "line 2: model must be one of"),
    (json.dumps([1, 2]), "line 2: is not an object"),
])
def test_a_bad_line_refuses_the_whole_file(store: HistoryStore, bad: str, said: str):
    with pytest.raises(ImportRefused, match=said):
        store.import_lines(lines(GOOD, bad, {**GOOD, "task_id": "t3"}))
    assert store.count() == 0  # nothing of it, not even the good lines before the bad one


def test_every_bad_line_is_named(store: HistoryStore):
    with pytest.raises(ImportRefused) as refused:
        store.import_lines(lines(GOOD, "x", "", "y", {**GOOD, "prompt": 3}))
    assert [p.split(":")[0] for p in refused.value.problems] == ["line 2", "line 4", "line 5"]


def test_an_overlong_line_is_refused_without_reading_it_as_json(store: HistoryStore):
    with pytest.raises(ImportRefused, match="line 1: the line is longer than 1 MB"):
        store.import_lines(["x" * (MAX_LINE_CHARS + 1)])


def test_importing_the_same_export_twice_adds_nothing(store: HistoryStore, tmp_path: Path):
    local = {"model": "wan2.6-t2v", "prompt": "never sent", "state": "unknown",
             "created_at": 20.0, "params": {"duration": 5}}
    first = store.import_lines(lines(GOOD, local, {**local, "created_at": 21.0}))
    assert (first.added, first.merged) == (3, 0)
    exported = [json.dumps(r) for r in store.export_rows()]
    with HistoryStore(tmp_path / "other.sqlite3") as other:
        assert other.import_lines(exported).added == 3
        again = other.import_lines(iter(exported))
        assert (again.added, again.merged) == (0, 3) and other.count() == 3
        twin = other.import_lines(lines({**local, "params": {"duration": 10}}))
        assert twin.added == 1  # same time and prompt, other parameters: another row


def test_usage_and_cost_survive_export_and_import(store: HistoryStore, tmp_path: Path):
    store.import_lines(lines(GOOD))
    exported = list(store.export_rows())
    assert exported[0]["cost"] == {"amount": 0.5, "currency": "usd"}
    assert exported[0]["usage"] == {"seconds": 5} and exported[0]["remote_deleted_at"] is None
    with HistoryStore(tmp_path / "other.sqlite3") as other:
        other.import_lines([json.dumps(exported[0]).encode()])  # bytes lines are read too
        row = other.by_task_id("t1")
        assert (row.cost_amount, row.cost_currency, row.usage) == (0.5, "USD", {"seconds": 5})


def test_a_newer_record_wins_a_merge_and_a_download_path_is_kept(store: HistoryStore):
    store.import_lines(lines({**GOOD, "local_path": "/v/1.mp4"}))
    store.import_lines(lines({**GOOD, "updated_at": 30.0, "state": "failed"}))
    row = store.by_task_id("t1")
    assert (row.state, row.local_path) == ("failed", "/v/1.mp4")
    store.import_lines(lines({**GOOD, "updated_at": 5.0, "state": "expired"}))
    assert store.by_task_id("t1").state == "failed"  # an older record changes nothing


def test_export_of_a_filtered_set(store: HistoryStore):
    from wan_tui.store.query import parse_query
    store.import_lines(lines(GOOD, {**GOOD, "task_id": "t2", "prompt": "an owl"}))
    assert [r["task_id"] for r in store.export_rows(parse_query("owl"))] == ["t2"]


def test_a_file_without_line_ends_is_read_with_a_bound(store: HistoryStore, tmp_path: Path):
    from wan_tui.store.transfer import read_lines

    class Endless:  # like /dev/zero: never a line end, never the end of the file
        def readline(self, limit: int) -> bytes:
            return b"\0" * limit

    with pytest.raises(ImportRefused, match="line 1: the line is longer than 1 MB"):
        store.import_lines(read_lines(Endless()))  # type: ignore[arg-type]
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + json.dumps({**GOOD, "task_id": "t2"}) + "\n")
    with path.open("rb") as handle:
        assert store.import_lines(read_lines(handle)).added == 2
