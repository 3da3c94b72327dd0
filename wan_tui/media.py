"""Downloads: a finished generation's video into the downloads folder.

The video URL comes from the service, so it is data: only http(s) is fetched, the file name is
made from the task id alone (never from the URL or the prompt), the file lands in the chosen
folder and nowhere else, an existing file is never overwritten, and the API token is never sent
to the video's host.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .api.download import stream_download
from .api.errors import DownloadFailed
from .api.models import is_http_url
from .api.state import State
from .store.history import HistoryStore
from .store.rows import Row

VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".mkv")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


class DownloadError(Exception):
    """A download that could not be done; the message says why and what to do."""


def file_name(row: Row) -> str:
    """`wan-<task id>.mp4`, with anything but letters, digits, - and _ replaced."""
    stem = _UNSAFE.sub("_", row.task_id or "")[:80].strip("_") or f"local-{row.id}"
    suffix = Path(urlsplit(row.video_url or "").path).suffix.lower()
    return f"wan-{stem}{suffix if suffix in VIDEO_SUFFIXES else '.mp4'}"


async def download(store: HistoryStore, row: Row, folder: Path,
                   *, http: httpx.AsyncClient | None = None) -> Row:
    """Save the row's video in `folder`, record the path, return the updated row.

    A video already saved (and still there) is not fetched again.
    """
    if row.local_path and Path(row.local_path).is_file():
        return row
    url = row.video_url
    if row.state != State.SUCCEEDED or not url or not row.task_id:
        raise DownloadError(f"#{row.id} has no video to download (it is {row.state})")
    if not is_http_url(url):
        raise DownloadError(f"#{row.id}'s video link is not a web address; not fetching it")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DownloadError(f"cannot create the download folder {folder}: {error.strerror}; "
                            "choose another with downloads.dir") from None
    partial = folder / f".{file_name(row)}.{os.getpid()}.part"
    try:
        await _fetch(url, partial, http)
        target = _link_unused(partial, folder / file_name(row))
    finally:
        partial.unlink(missing_ok=True)
    store.set_local_path(row.task_id, str(target))
    return store.get(row.id) or row


async def _fetch(url: str, partial: Path, http: httpx.AsyncClient | None) -> None:
    # A client of its own: the video host must never see the API token.
    client = http or httpx.AsyncClient(follow_redirects=True, timeout=httpx.Timeout(60, connect=10))
    try:
        with open(partial, "xb") as handle:
            await stream_download(client, url, handle)
    except DownloadFailed as error:
        hint = " (links last about a day)" if error.status else ""
        raise DownloadError(f"{error.message}{hint}") from None
    except OSError as error:
        raise DownloadError(f"cannot write {partial.parent}: {error.strerror}") from None
    finally:
        if http is None:
            await client.aclose()


def _link_unused(partial: Path, wanted: Path) -> Path:
    """Give the finished file its name, or `name (2)` and so on: never replace a file."""
    for n in range(1, 1000):
        target = wanted if n == 1 else wanted.with_name(f"{wanted.stem} ({n}){wanted.suffix}")
        try:
            os.link(partial, target)  # fails, rather than replaces, when the name is taken
            return target
        except FileExistsError:
            continue
        except OSError as error:
            raise DownloadError(f"cannot write {target}: {error.strerror}") from None
    raise DownloadError(f"too many files named like {wanted.name} in {wanted.parent}")
