"""The history screen's parts without the app: the window's rules, the thumbnail cache (on the
real simulator's media), the export file, the filters' description."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from wan_tui.exports import write_export
from wan_tui.session import parse_query
from wan_tui.sim import Simulator
from wan_tui.store.rows import Row
from wan_tui.thumbnails import MAX_BYTES, ThumbnailCache, cache_name
from wan_tui.ui.screens.history_filters import describe
from wan_tui.ui.screens.history_window import RowWindow


def rows(ids: range) -> list[Row]:
    """Rows newest first for descending `ids` (created_at follows the id)."""
    return [Row(id=i, task_id=None, action="text2video", model="wan2.6-t2v", prompt=f"p{i}",
                negative_prompt=None, params={}, state="failed", state_word="",
                video_url=None, thumbnail_url=None, video_width=None, video_height=None,
                error_code=None, error_message=None, trace_id=None, created_at=float(i),
                updated_at=float(i), finished_at=None, server_created_at=None,
                last_polled_at=None, local_path=None) for i in ids]


def test_the_window_never_holds_more_than_its_size_and_stays_contiguous() -> None:
    window = RowWindow(size=30)
    window.reset(rows(range(100, 90, -1)), 10)
    assert not window.at_end and window.at_start
    for top in range(90, 40, -10):
        window.extend_down(rows(range(top, top - 10, -1)), 10)
        assert len(window.rows) <= 30
    assert [r.id for r in window.rows] == list(range(70, 40, -1)) and not window.at_start
    dropped = window.extend_up(list(reversed(rows(range(80, 70, -1)))), 10)  # oldest first
    assert dropped == 10 and [r.id for r in window.rows] == list(range(80, 50, -1))
    assert not window.at_end
    window.extend_down(rows(range(50, 45, -1)), 10)  # a short page: the last one
    assert window.at_end and window.last_key() == (46.0, 46)
    window.reset_to_end(list(reversed(rows(range(10, 0, -1)))), 10)
    assert [r.id for r in window.rows][-1] == 1 and window.at_end and not window.at_start


def test_a_row_met_twice_is_held_once() -> None:
    window = RowWindow(size=30)
    window.reset(rows(range(20, 10, -1)), 10)
    window.extend_down(rows(range(11, 1, -1)), 10)  # 11 again: a row was added meanwhile
    assert [r.id for r in window.rows] == list(range(20, 1, -1))


async def test_a_thumbnail_is_fetched_once_without_the_token_and_capped(
        tmp_path: Path, sim: Simulator) -> None:
    task_id = sim.seed_tasks(1)[0]
    url = f"{sim.base_url}/_sim/media/{task_id}.png"  # where the simulator serves it
    seen: list[httpx.Request] = []

    async def note(request: httpx.Request) -> None:
        seen.append(request)

    async with httpx.AsyncClient(event_hooks={"request": [note]}) as client:
        cache = ThumbnailCache(tmp_path / "thumbs", http=client)
        first = await cache.get(url)
        again = await cache.get(url)
        assert first is not None and first == again and first.parent == tmp_path / "thumbs"
        assert first.read_bytes()[:4] == b"\x89PNG" and len(seen) == 1
        assert "authorization" not in seen[0].headers
        gone = url.replace(".png", "-nope.png")
        assert await cache.get(gone) is None and await cache.get(gone) is None
        assert len(seen) == 2  # a failure is remembered, not asked again
        assert await cache.get("file:///etc/passwd") is None and len(seen) == 2
    assert MAX_BYTES <= 5 * 1024 * 1024


def test_cache_names_never_leave_the_folder() -> None:
    for url in ("https://x/../../etc/passwd", "https://x/a/b.png?../..", "https://x/%2e%2e/"):
        name = cache_name(url)
        assert "/" not in name and ".." not in name and name[:40].isalnum()


def test_an_export_is_a_new_file_each_time(tmp_path: Path) -> None:
    first, n = write_export(iter([{"a": 1}, {"b": "ü"}]), tmp_path, 1_700_000_000)
    second, _ = write_export(iter([]), tmp_path, 1_700_000_000)
    assert first != second and n == 2
    assert [json.loads(line) for line in first.read_text("utf-8").splitlines()] == [
        {"a": 1}, {"b": "ü"}]


def test_the_status_says_what_is_filtered() -> None:
    assert describe(parse_query("")) == "in the history (no filter)"
    said = describe(parse_query("fox state:failed r2v has:video saved:no since:2026-11-01"))
    assert said == ("matching 'fox' · state failed · model wan2.6-r2v · since 2026-11-01 · "
                    "with a video · not saved")
    assert describe(parse_query("#42")) == "#42"
    assert describe(parse_query("id:task-7 fox")) == "task id 'task-7' · matching 'fox'"
