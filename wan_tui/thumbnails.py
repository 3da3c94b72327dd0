"""Thumbnails of finished generations, fetched once and kept in the user's cache folder.

A thumbnail URL comes from the service, so it is data: only http(s) is fetched, with a client
of its own (the image host never sees the API token), the body is cut at MAX_BYTES, and the
file is named from a hash of the URL, never from the URL itself, inside the cache folder.
A URL that failed is not asked again while the program runs; a fetch cancelled half-way
(the user moved on) leaves nothing behind and is tried again when asked again. No Textual here: the history
screen reaches this through `Session.thumbnail`.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import platformdirs

from .api.download import stream_download
from .api.errors import DownloadFailed
from .api.models import is_http_url
from .store.paths import APP_NAME

if TYPE_CHECKING:
    import httpx  # imported where used: ~20 ms the app's first frame does not wait for

CACHE_ENV = "WAN_TUI_CACHE_DIR"
MAX_BYTES = 5 * 1024 * 1024  # a thumbnail is tens of kilobytes; anything this big is not one
DEADLINE = 30.0  # seconds for one fetch
_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")


def cache_folder() -> Path:
    """`WAN_TUI_CACHE_DIR`, else the platform's user cache folder; thumbnails go below it."""
    value = os.environ.get(CACHE_ENV, "").strip()
    base = Path(value).expanduser() if value else Path(
        platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    return base / "thumbnails"


def cache_name(url: str) -> str:
    """A safe file name for a URL: its hash, and its image suffix when it has a known one."""
    suffix = Path(urlsplit(url).path).suffix.lower()
    digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return digest + (suffix if suffix in _SUFFIXES else ".img")


class ThumbnailCache:
    """Fetches each URL once: kept when it came, remembered as failed when it did not."""

    def __init__(self, folder: Path | None = None, *,
                 http: httpx.AsyncClient | None = None) -> None:
        self.folder = folder or cache_folder()
        self._http = http
        self._failed: set[str] = set()

    def path_for(self, url: str) -> Path:
        return self.folder / cache_name(url)

    def cached(self, url: str) -> Path | None:
        """The cached file when it is there (a stat, no fetch)."""
        path = self.path_for(url)
        return path if path.is_file() else None

    def put(self, url: str, data: bytes) -> Path:
        """Keep `data` as the picture of `url` (written aside, then renamed into place)."""
        target = self.path_for(url)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        partial.write_bytes(data)
        os.replace(partial, target)
        return target

    async def get(self, url: str) -> Path | None:
        """The cached file, fetching it first when needed; None when it cannot be had."""
        found = self.cached(url)
        if found is not None or url in self._failed or not is_http_url(url):
            return found
        return await self._fetch(url)

    async def _fetch(self, url: str) -> Path | None:
        target = self.path_for(url)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        import httpx

        client = self._http or httpx.AsyncClient(follow_redirects=True,
                                                 timeout=httpx.Timeout(15.0, connect=5.0))
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            with open(partial, "wb") as handle:
                await stream_download(client, url, handle, max_bytes=MAX_BYTES,
                                      deadline=DEADLINE)
            os.replace(partial, target)
            return target
        except (DownloadFailed, OSError):
            self._failed.add(url)
            return None
        finally:
            partial.unlink(missing_ok=True)
            if self._http is None:
                await client.aclose()
