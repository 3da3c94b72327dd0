"""Streaming a file (a generated video) from its host into an open file, resumable.

The host is not the API: it never gets the token (the caller's httpx client must carry no
authorization header). The body is written as it arrives, never held whole, and cut at
`max_bytes`; with `offset` the host is asked for the rest only (`Range: bytes=N-`), and a
host that ignores the range is read from the start again.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from .errors import DownloadFailed
from .wire import raise_if_cancelled

if TYPE_CHECKING:
    import httpx  # imported where used: ~20 ms the app's first frame does not wait for

Progress = Callable[[int, int | None], None]  # (bytes in the file so far, total when known)
MAX_VIDEO_BYTES = 4 * 1024**3  # no generated video comes near this
CHUNK = 1 << 16
_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-\d+|\*)/(\d+|\*)", re.IGNORECASE)


@dataclass(frozen=True)
class Downloaded:
    size: int  # bytes in the file now
    total: int | None  # the whole file's size, when the host said
    resumed: bool  # True when the host sent only the rest (206)


async def stream_download(
    http: httpx.AsyncClient,
    url: str,
    dest: BinaryIO,
    *,
    offset: int = 0,
    progress: Progress | None = None,
    max_bytes: int | None = None,
    deadline: float | None = None,
) -> Downloaded:
    """GET `url` into `dest` (seekable, opened for binary writing). DownloadFailed on any
    HTTP or connection problem; OSError from writing `dest` passes through."""
    import httpx

    limit = MAX_VIDEO_BYTES if max_bytes is None else max_bytes
    headers = {"range": f"bytes={offset}-"} if offset > 0 else {}
    try:
        async with asyncio.timeout(deadline):
            async with http.stream("GET", url, headers=headers) as answer:
                return await _receive(answer, dest, offset, limit, progress)
    except TimeoutError as error:
        raise_if_cancelled(error)
        raise DownloadFailed(f"the download took over {deadline:g} s") from None
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise_if_cancelled(error)
        raise DownloadFailed(f"could not download the file ({type(error).__name__})"
                             ) from None


async def _receive(answer: httpx.Response, dest: BinaryIO, offset: int, limit: int,
                   progress: Progress | None) -> Downloaded:
    status = answer.status_code
    start, total = _content_range(answer.headers.get("content-range"))
    if status == 416 and offset > 0 and total == offset:
        return Downloaded(size=offset, total=total, resumed=True)  # it was already whole
    if status == 206 and offset > 0:
        if start != offset:
            raise DownloadFailed("the host sent a different part of the file than asked",
                                 status=status)
        written, resumed = offset, True
    elif status == 200:
        written, resumed = 0, False  # the whole file (a host that ignores Range included)
    else:
        raise DownloadFailed(f"the host answered HTTP {status}; the link may have expired",
                             status=status)
    if total is None:
        length = answer.headers.get("content-length", "")
        total = written + int(length) if length.isdigit() else None
    if total is not None and total > limit:
        raise DownloadFailed(f"the file is {total:,} bytes, over the {limit:,} allowed",
                             status=status)
    dest.seek(written)
    dest.truncate()
    async for chunk in answer.aiter_bytes(CHUNK):
        written += len(chunk)
        if written > limit:
            raise DownloadFailed(f"the file grew past the {limit:,} bytes allowed; stopped",
                                 status=status)
        dest.write(chunk)
        if progress is not None:
            progress(written, total)
    return Downloaded(size=written, total=total, resumed=resumed)


def _content_range(value: str | None) -> tuple[int | None, int | None]:
    """(first byte, whole size) from `bytes 100-199/200` or `bytes */200`."""
    match = _CONTENT_RANGE.fullmatch((value or "").strip())
    if not match:
        return None, None
    first, whole = match.groups()
    return (int(first) if first else None), (int(whole) if whole and whole != "*" else None)
