"""bench/bench_store.py's import figure: its baseline (a plain executemany of the exported
rows) must take every row the store takes, or the 1M-row import target cannot be measured."""

from __future__ import annotations

import sys
from pathlib import Path

from wan_tui.store.history import HistoryStore

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import bench_store  # noqa: E402


def test_the_import_baseline_takes_the_rows_the_store_takes(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        store.import_rows([  # a task the service has not described yet: state_word null
            {"task_id": "new", "action": "text2video", "model": "wan2.6-t2v", "prompt": "fog",
             "state": "pending", "created_at": 1e9, "updated_at": 1e9},
            {"task_id": "done", "action": "text2video", "model": "wan2.6-t2v", "prompt": "sun",
             "state": "succeeded", "state_word": "completed", "created_at": 1e9 + 1,
             "updated_at": 1e9 + 1, "video_url": "https://cdn.example.com/v.mp4"}])
        figures = bench_store.measure_import(store, 2, tmp_path)
    assert figures["executemany s"] > 0 and figures["store s"] > 0
    assert figures["store MB"] > 0 and figures["fresh bytes/row"] > 0
