"""Videos on disk and on screen: saving a finished generation's video, and opening it.

The video URL comes from the service, so it is data: only http(s) is fetched, and the API
token is never sent to the video's host. File names are made here (the date, a slug of the
prompt, a short task id), never taken from the URL or the server; a file lands in the chosen
folder and nowhere else; an existing file is never overwritten. An interrupted download
resumes where it stopped (HTTP Range). Opening runs a command without a shell, on an http(s)
URL or the saved file only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .api.errors import DownloadFailed
from .api.models import is_http_url
from .api.state import State
from .store.history import HistoryStore
from .store.rows import Row

if TYPE_CHECKING:
    import httpx  # imported where used: ~20 ms the app's first frame does not wait for

VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".mkv")
SLUG_LENGTH = 40
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
Progress = Callable[[int, int | None], None]  # bytes so far, total when known


class DownloadError(Exception):
    """A download that could not be done; the message says why and what to do."""


class OpenError(Exception):
    """Nothing here can open the video; the message offers another way."""


@dataclass(frozen=True)
class Saved:
    row: Row  # the row, with its local path recorded
    path: Path  # absolute
    already: bool  # it was there before: nothing was fetched


def file_name(row: Row) -> str:
    """`2026-11-25_1840_a-red-fox-in-fresh-snow_1a2b3c4d.mp4`: the date the task was made, a
    slug of its prompt and a short task id, with nothing from the server but letters and
    digits."""
    when = datetime.fromtimestamp(row.created_at).strftime("%Y-%m-%d_%H%M")
    ascii_prompt = unicodedata.normalize("NFKD", row.prompt).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_prompt.lower()).strip("-")[:SLUG_LENGTH].strip("-")
    short = _UNSAFE.sub("", row.task_id or "")[:8] or f"local{row.id}"
    suffix = Path(urlsplit(row.video_url or "").path).suffix.lower()
    parts = [when, slug, short] if slug else [when, short]
    return "_".join(parts) + (suffix if suffix in VIDEO_SUFFIXES else ".mp4")


async def save_video(store: HistoryStore, row: Row, folder: Path, *,
                     progress: Progress | None = None, sidecar: bool = False,
                     http: httpx.AsyncClient | None = None) -> Saved:
    """Save the row's video in `folder` and record its absolute path.

    Saved before in this folder (and still there): found, not fetched again. Saved in another
    folder: copied from there (the link may have expired). Otherwise fetched, resuming a
    partial file left by an interrupted download.
    """
    folder = folder.expanduser().resolve()
    known = Path(row.local_path) if row.local_path else None
    if known is not None and known.is_file() and known.parent == folder:
        return Saved(row, known, already=True)
    if row.state != State.SUCCEEDED or not row.video_url or not row.task_id:
        raise DownloadError(f"#{row.id} has no video to save (it is {row.state})")
    if not is_http_url(row.video_url):
        raise DownloadError(f"#{row.id}'s video link is not a web address; not fetching it")
    _make_folder(folder)
    name = file_name(row)
    partial = folder / f".{name}.part"
    if known is not None and known.is_file():
        _copy(known, partial)
    else:
        await _fetch(row.video_url, partial, progress, http)
    target = _link_unused(partial, folder / name)
    partial.unlink(missing_ok=True)
    store.set_local_path(row.task_id, str(target))
    saved = store.get(row.id) or row
    if sidecar:
        _write_sidecar(saved, target)
    return Saved(saved, target, already=False)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DownloadError(f"cannot create the download folder {folder}: {error.strerror}; "
                            "choose another with -o or downloads.dir") from None


def _copy(source: Path, partial: Path) -> None:
    try:
        shutil.copyfile(source, partial)
    except OSError as error:
        raise DownloadError(f"cannot copy {source} to {partial.parent}: "
                            f"{error.strerror}") from None


async def _fetch(url: str, partial: Path, progress: Progress | None,
                 http: httpx.AsyncClient | None) -> None:
    import httpx  # with the first download, not before the app's first frame

    from .api.download import stream_download

    # A client of its own: the video host must never see the API token.
    client = http or httpx.AsyncClient(follow_redirects=True, timeout=httpx.Timeout(60, connect=10))
    try:
        offset = partial.stat().st_size if partial.is_file() else 0
        with open(partial, "ab" if offset else "wb") as handle:
            await stream_download(client, url, handle, offset=offset, progress=progress)
    except DownloadFailed as error:
        hint = " (links last about a day)" if error.status else ""
        kept = partial.stat().st_size if partial.is_file() else 0
        if not kept:
            partial.unlink(missing_ok=True)  # nothing to resume from: no empty file left
        again = "run it again to resume" if kept else "run it again"
        raise DownloadError(f"{error.message}{hint}; {again}") from None
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


def _write_sidecar(row: Row, video: Path) -> None:
    """`<video>.json`: what made the video, kept beside it (never over another file)."""
    facts = {key: value for key, value in row.to_json().items()
             if key in ("task_id", "model", "action", "prompt", "negative_prompt", "params",
                        "video_url", "cost", "usage", "created_at", "finished_at")}
    facts["saved_at"] = time.time()
    try:
        with open(video.with_suffix(video.suffix + ".json"), "x", encoding="utf-8") as handle:
            json.dump(facts, handle, ensure_ascii=False, indent=2)
    except FileExistsError:
        pass
    except OSError as error:
        raise DownloadError(f"saved {video}, but not its settings file: {error.strerror}") from None


def open_video(row: Row, player: str | None) -> str:
    """Open the saved file, else the video link, with `player` (a command, e.g. "mpv") or the
    system's opener; what was opened. Raises OpenError when nothing can open it."""
    target = row.local_path if row.local_path and Path(row.local_path).is_file() else None
    target = target or (row.video_url if row.video_url and is_http_url(row.video_url) else None)
    if target is None:
        raise OpenError(f"#{row.id} has no video to open yet")
    command = _opener(player)
    if command is None:
        raise OpenError("nothing here can open a video (no player set with media.player, no "
                        "desktop opener; over SSH?): copy the link instead")
    try:
        subprocess.Popen([*command, target], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as error:
        raise OpenError(f"could not run {command[0]}: {error.strerror}; copy the link "
                        "instead") from None
    return target


def _opener(player: str | None) -> list[str] | None:
    """The command to run, as arguments (never a shell), or None when there is none."""
    if player:
        import shlex

        parts = shlex.split(player)
        return parts if parts and shutil.which(parts[0]) else None
    if sys.platform == "darwin":
        return ["open"]
    if os.name == "nt":
        return ["explorer"]
    graphical = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    return ["xdg-open"] if graphical and shutil.which("xdg-open") else None
