"""Client operations beyond reading: delete, the account's listing, streamed downloads."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest

from hostile_server import HostileServer
from wan_tui.api.client import RetryPolicy, WanClient
from wan_tui.api.download import stream_download
from wan_tui.api.errors import BadRequest, DownloadFailed, ServerError

TOKEN = "tk_test_ops_0123456789"


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer("ok", lifetime=60) as hostile:
        yield hostile


def client_for(server: HostileServer, attempts: int = 1) -> WanClient:
    async def no_wait(_: float) -> None:
        return None

    return WanClient(server.base_url, TOKEN, retry=RetryPolicy(attempts=attempts, sleep=no_wait))


async def test_delete_sends_the_documented_body(server) -> None:
    async with client_for(server) as client:
        assert await client.delete("t-1") is None
    path, body, _ = server.received[0]
    assert path == "/wan/tasks" and body == {"action": "delete", "id": "t-1"}


@pytest.mark.parametrize("mode,error,tries", [("json_400", BadRequest, 1), ("empty_502", ServerError, 3)])
async def test_delete_retries_faults_but_not_refusals(server, mode, error, tries) -> None:
    server.mode = mode  # 400: an id the service does not know
    async with client_for(server, attempts=3) as client:
        with pytest.raises(error):
            await client.delete("t-1")
    assert len(server.received) == tries


async def test_delete_accepts_an_empty_success() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    async with WanClient("http://wan.test", TOKEN, http=http) as client:
        await client.delete("t-1")


async def test_listing_sends_type_videos_and_the_window(server) -> None:
    async with client_for(server) as client:
        tasks = await client.list_tasks(limit=20, offset=40, created_at_min=1.5, created_at_max=9.0)
    assert [t.task_id for t in tasks] == ["listed-1", "listed-2"]
    assert server.received[0][1] == {"action": "retrieve_batch", "type": "videos", "limit": 20,
                                     "offset": 40, "created_at_min": 1.5, "created_at_max": 9.0}


@pytest.mark.parametrize("kw", [{"limit": 0}, {"offset": -1}, {"created_at_min": float("nan")},
                                {"created_at_max": float("inf")}])
async def test_listing_refuses_a_window_that_is_not_one(server, kw) -> None:
    async with client_for(server) as client:
        with pytest.raises(ValueError):
            await client.list_tasks(**kw)
    assert server.received == []


@pytest.mark.parametrize("answer", [{"count": 0, "items": None}, {"count": 0, "items": []}])
async def test_an_empty_listing_is_empty(answer) -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200, json=answer)))
    async with WanClient("http://wan.test", TOKEN, http=http) as client:
        assert await client.list_tasks() == []


# -- downloads -------------------------------------------------------------------------------

VIDEO = bytes(range(256)) * 40  # 10,240 bytes


def video_host(seen: list[httpx.Request], *, ranges: bool = True, status: int | None = None):
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if status is not None:
            return httpx.Response(status)
        wanted = request.headers.get("range")
        if wanted and ranges:
            start = int(wanted.removeprefix("bytes=").rstrip("-"))
            if start >= len(VIDEO):
                return httpx.Response(416, headers={"content-range": f"bytes */{len(VIDEO)}"})
            return httpx.Response(206, content=VIDEO[start:], headers={
                "content-range": f"bytes {start}-{len(VIDEO) - 1}/{len(VIDEO)}"})
        return httpx.Response(200, content=VIDEO)

    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


async def test_a_download_streams_the_whole_file_with_progress() -> None:
    seen: list[httpx.Request] = []
    calls: list[tuple[int, int | None]] = []
    dest = io.BytesIO()
    async with video_host(seen) as http:
        done = await stream_download(http, "https://cdn.example/v.mp4", dest,
                                     progress=lambda n, total: calls.append((n, total)))
    assert dest.getvalue() == VIDEO and done.size == len(VIDEO) and not done.resumed
    assert calls[-1] == (len(VIDEO), len(VIDEO))
    assert "range" not in seen[0].headers and "authorization" not in seen[0].headers


async def test_a_download_resumes_with_range() -> None:
    seen: list[httpx.Request] = []
    dest = io.BytesIO(VIDEO[:4000])
    async with video_host(seen) as http:
        done = await stream_download(http, "https://cdn.example/v.mp4", dest, offset=4000)
    assert seen[0].headers["range"] == "bytes=4000-"
    assert done.resumed and dest.getvalue() == VIDEO


async def test_a_host_ignoring_range_is_read_from_the_start() -> None:
    dest = io.BytesIO(b"stale partial bytes")
    async with video_host([], ranges=False) as http:
        done = await stream_download(http, "https://cdn.example/v.mp4", dest, offset=19)
    assert not done.resumed and dest.getvalue() == VIDEO


async def test_a_file_already_whole_answers_416_and_is_done() -> None:
    dest = io.BytesIO(VIDEO)
    async with video_host([]) as http:
        done = await stream_download(http, "https://cdn.example/v.mp4", dest, offset=len(VIDEO))
    assert done.size == len(VIDEO) and dest.getvalue() == VIDEO


async def test_a_download_is_cut_at_max_bytes() -> None:
    async with video_host([]) as http:
        with pytest.raises(DownloadFailed, match="1,000"):
            await stream_download(http, "https://cdn.example/v.mp4", io.BytesIO(), max_bytes=1000)


async def test_an_expired_link_is_a_clear_failure() -> None:
    async with video_host([], status=403) as http:
        with pytest.raises(DownloadFailed, match="HTTP 403"):
            await stream_download(http, "https://cdn.example/v.mp4", io.BytesIO())


async def test_the_client_downloads_without_its_token(server) -> None:
    dest = io.BytesIO()
    async with client_for(server) as client:
        await client.stream_download(server.base_url + "/v.mp4", dest)
    assert dest.getvalue() == b"video bytes"


async def test_a_dripping_video_host_meets_the_deadline(server) -> None:
    server.mode = "drip_body"
    async with httpx.AsyncClient() as http:
        with pytest.raises(DownloadFailed, match="took over"):
            await stream_download(http, server.base_url + "/v.mp4", io.BytesIO(), deadline=0.3)
