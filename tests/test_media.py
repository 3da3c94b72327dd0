"""Downloads treat the service's URLs and ids as data: no path escapes, no token leaves."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State, TaskSnapshot
from wan_tui.media import DownloadError, download, file_name
from wan_tui.store.history import HistoryStore


@pytest.fixture
def store(tmp_path: Path):
    with HistoryStore(tmp_path / "h.sqlite3") as s:
        yield s


def finished(store: HistoryStore, task_id: str, url: str):
    local = store.add_submission(GenerationRequest(action="text2video", model="wan2.6-t2v", prompt="x"))
    store.mark_submitted(local, task_id, None)
    store.apply_snapshots([TaskSnapshot(task_id=task_id, state=State.SUCCEEDED, state_word="succeeded",
                                        video_url=url, finished_at=1.0)])
    return store.get(local)


@pytest.mark.parametrize("task_id", ["../../etc/passwd", "/abs/path", "a\\b", "..", "x\n.mp4"])
def test_file_names_stay_in_the_folder(store, task_id) -> None:
    row = finished(store, task_id, "https://cdn.example.com/v.mp4")
    name = file_name(row)
    assert "/" not in name and "\\" not in name and ".." not in name and "\n" not in name
    assert name.startswith("wan-") and name.endswith(".mp4")


async def test_the_video_host_never_sees_the_token(store, tmp_path) -> None:
    seen: list[httpx.Request] = []

    def host(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"\x00\x00\x00\x18ftypmp42")

    row = finished(store, "t-1", "https://cdn.example.com/v.mov")
    async with httpx.AsyncClient(transport=httpx.MockTransport(host)) as http:
        row = await download(store, row, tmp_path / "out", http=http)
    assert "authorization" not in {k.lower() for k in seen[0].headers}
    assert Path(row.local_path) == tmp_path / "out" / "wan-t-1.mov"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://x/v.mp4", "javascript:alert(1)"])
async def test_only_web_links_are_fetched(store, tmp_path, url) -> None:
    row = finished(store, "t-2", url)
    with pytest.raises(DownloadError, match="not a web address"):
        await download(store, row, tmp_path / "out")


async def test_a_failed_fetch_leaves_nothing_behind(store, tmp_path) -> None:
    row = finished(store, "t-3", "https://cdn.example.com/v.mp4")
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(403))) as http:
        with pytest.raises(DownloadError, match="HTTP 403"):
            await download(store, row, tmp_path / "out", http=http)
    assert list((tmp_path / "out").iterdir()) == [] and store.get(row.id).local_path is None
