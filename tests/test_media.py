"""Saving and opening videos: names made here, nothing escapes the folder or is overwritten,
the video host never sees the token, an interrupted download resumes (issue 12's media)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.api.task import TaskSnapshot
from wan_tui.media import DownloadError, OpenError, file_name, open_video, save_video
from wan_tui.store.history import HistoryStore

VIDEO = bytes(range(256)) * 1000  # 256 KB: several of the reader's 64 KB chunks


@pytest.fixture
def store(tmp_path: Path):
    with HistoryStore(tmp_path / "h.sqlite3") as s:
        yield s


def finished(store: HistoryStore, task_id: str, url: str, prompt: str = "a red fox in snow"):
    local = store.add_submission(GenerationRequest(action="text2video", model="wan2.6-t2v",
                                                   prompt=prompt))
    store.mark_submitted(local, task_id, None)
    store.apply_snapshots([TaskSnapshot(task_id=task_id, state=State.SUCCEEDED,
                                        state_word="succeeded", video_url=url, finished_at=1.0)])
    return store.get(local)


class Host:
    """A stand-in video host (a third party's CDN): serves VIDEO, honours Range, and can
    drop the connection after `cut` bytes once."""

    def __init__(self, cut: int | None = None) -> None:
        self.cut = cut
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        start = int(request.headers.get("range", "bytes=0-")[6:].rstrip("-") or 0)
        body = VIDEO[start:]
        if self.cut is not None:
            body, self.cut = body[: self.cut], None
            return httpx.Response(200, headers={"content-length": str(len(VIDEO))},
                                  stream=Truncated(body))
        if start:
            return httpx.Response(206, content=body, headers={
                "content-range": f"bytes {start}-{len(VIDEO) - 1}/{len(VIDEO)}"})
        return httpx.Response(200, content=body)


class Truncated(httpx.AsyncByteStream):
    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __aiter__(self):
        yield self.body
        raise httpx.ReadError("connection dropped")


@pytest.mark.parametrize("task_id", ["../../etc/passwd", "/abs/path", "a\\b", "..", "x\n.mp4"])
@pytest.mark.parametrize("prompt", ["../../x", "a/b\\c", "\u202e\x1b[2Jevil", "日本語の狐", ""])
def test_file_names_stay_in_the_folder(store, task_id, prompt) -> None:
    row = finished(store, task_id, "https://cdn.example.com/../v.mp4/../../x", prompt=prompt or "x")
    name = file_name(row)
    assert "/" not in name and "\\" not in name and ".." not in name and "\n" not in name
    assert name.isascii() and name.endswith(".mp4") and not name.startswith(".")


def test_file_names_say_when_what_and_which(store) -> None:
    row = finished(store, "1a2b3c4d-5e6f", "https://cdn.example.com/v.mov",
                   prompt="A Red Fox, trotting through fresh snow!")
    assert file_name(row).endswith("_a-red-fox-trotting-through-fresh-snow_1a2b3c4d.mov")
    assert file_name(row)[:10].count("-") == 2  # YYYY-MM-DD first


async def test_saved_with_an_absolute_path_and_found_again(store, tmp_path, monkeypatch) -> None:
    host = Host()
    row = finished(store, "t-1", "https://cdn.example.com/v.mp4")
    monkeypatch.chdir(tmp_path)
    async with httpx.AsyncClient(transport=httpx.MockTransport(host)) as http:
        saved = await save_video(store, row, Path("out"), http=http)
        again = await save_video(store, saved.row, Path("out"), http=http)
    assert saved.path.is_absolute() and saved.path.read_bytes() == VIDEO
    assert store.get(row.id).local_path == str(saved.path)
    assert "authorization" not in {k.lower() for k in host.requests[0].headers}
    assert again.already and again.path == saved.path and len(host.requests) == 1


async def test_another_folder_gets_its_own_copy(store, tmp_path) -> None:
    host = Host()
    row = finished(store, "t-2", "https://cdn.example.com/v.mp4")
    async with httpx.AsyncClient(transport=httpx.MockTransport(host)) as http:
        first = await save_video(store, row, tmp_path / "dl", http=http)
        second = await save_video(store, first.row, tmp_path / "dl2", http=http)
    assert second.path.parent == (tmp_path / "dl2").resolve() and not second.already
    assert second.path.read_bytes() == VIDEO and first.path.is_file()
    assert len(host.requests) == 1  # copied, not fetched again


async def test_an_interrupted_download_resumes_with_range(store, tmp_path) -> None:
    host = Host(cut=150_000)
    row = finished(store, "t-3", "https://cdn.example.com/v.mp4")
    async with httpx.AsyncClient(transport=httpx.MockTransport(host)) as http:
        with pytest.raises(DownloadError, match="resume"):
            await save_video(store, row, tmp_path / "out", http=http)
        assert store.get(row.id).local_path is None
        [partial] = (tmp_path / "out").iterdir()
        kept = partial.stat().st_size
        saved = await save_video(store, row, tmp_path / "out", http=http)
    assert kept > 0 and host.requests[1].headers["range"] == f"bytes={kept}-"
    assert saved.path.read_bytes() == VIDEO
    assert [p.name for p in (tmp_path / "out").iterdir()] == [saved.path.name]


async def test_a_download_that_got_nothing_leaves_nothing_and_says_so_once(store,
                                                                          tmp_path) -> None:
    """Unreachable host: no empty .part file is left behind, and the advice is said once
    ("try again; run it again to resume" was said of a file with nothing to resume)."""
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)
    row = finished(store, "t-6", "https://cdn.example.com/v.mp4")
    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        with pytest.raises(DownloadError) as caught:
            await save_video(store, row, tmp_path / "out", http=http)
    message = str(caught.value)
    assert message.endswith("; run it again") and "resume" not in message
    assert "try again" not in message and "ConnectError" in message
    assert list((tmp_path / "out").iterdir()) == []


async def test_a_file_of_that_name_is_never_overwritten(store, tmp_path) -> None:
    row = finished(store, "t-4", "https://cdn.example.com/v.mp4")
    (tmp_path / "out").mkdir()
    taken = tmp_path / "out" / file_name(row)
    taken.write_bytes(b"mine")
    async with httpx.AsyncClient(transport=httpx.MockTransport(Host())) as http:
        saved = await save_video(store, row, tmp_path / "out", http=http)
    assert taken.read_bytes() == b"mine" and saved.path.name.endswith(" (2).mp4")


async def test_a_sidecar_keeps_the_settings_with_the_video(store, tmp_path) -> None:
    row = finished(store, "t-5", "https://cdn.example.com/v.mp4")
    async with httpx.AsyncClient(transport=httpx.MockTransport(Host())) as http:
        saved = await save_video(store, row, tmp_path / "out", http=http, sidecar=True)
    facts = json.loads(saved.path.with_name(saved.path.name + ".json").read_text())
    assert facts["task_id"] == "t-5" and facts["prompt"] == "a red fox in snow"
    assert "params" in facts and "cost" in facts


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://x/v.mp4", "javascript:alert(1)"])
async def test_only_web_links_are_fetched(store, tmp_path, url) -> None:
    row = finished(store, "t-6", url)
    with pytest.raises(DownloadError, match="not a web address"):
        await save_video(store, row, tmp_path / "out")


def test_opening_with_nothing_to_open_it_says_so(store, monkeypatch) -> None:
    row = finished(store, "t-7", "https://cdn.example.com/v.mp4")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(OpenError, match="copy the link"):
        open_video(row, None)
    with pytest.raises(OpenError, match="copy the link"):
        open_video(row, "no-such-player-here")


def test_the_player_gets_the_link_as_one_argument_never_a_shell(store, tmp_path) -> None:
    evil = "https://cdn.example.com/v.mp4?$(touch${IFS}pwned);touch${IFS}pwned2&`id`"
    row = finished(store, "t-8", evil)
    record = tmp_path / "args.txt"
    player = tmp_path / "player.sh"
    player.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\n')
    player.chmod(0o755)
    assert open_video(row, f"{player} --fullscreen") == evil
    deadline = time.monotonic() + 10  # the player is another process: wait for its record
    while not (record.exists() and record.read_text().endswith("\n")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert record.read_text().splitlines() == ["--fullscreen", evil]
    assert not (Path.cwd() / "pwned").exists() and not (Path.cwd() / "pwned2").exists()
