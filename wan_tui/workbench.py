"""What the terminal app's screens ask of the session beyond the command line's operations:
form drafts kept across restarts, thumbnails, and acting on single rows of the history
(look up, dismiss, remove, export). A part of `Session`, kept apart to keep each file short."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .store import drafts
from .store.config import Config
from .store.history import HistoryStore
from .store.rows import Row
from .store.search import Filters

if TYPE_CHECKING:
    from .thumbnails import ThumbnailCache
    from .tracker import Tracker

DISMISSED = ("dismissed by the user: the service did not create this task (a task that "
             "was never created is not billed)")


class Workbench:
    """Mixed into Session, which provides these four."""

    @property
    def _store(self) -> HistoryStore:
        raise NotImplementedError

    @property
    def config(self) -> Config:
        raise NotImplementedError

    @property
    def tracker(self) -> Tracker:
        raise NotImplementedError

    async def look_up(self, task_id: str) -> Row:
        raise NotImplementedError

    # -- drafts ----------------------------------------------------------------------------

    DRAFTS_MAX_BYTES = drafts.DRAFTS_MAX_BYTES

    @property
    def drafts_path(self) -> Path:
        """The app's form drafts: next to the history, in the data folder."""
        return self._store.path.parent / drafts.DRAFTS_FILE

    def read_drafts(self) -> tuple[Any, str | None]:
        """The drafts saved last time (None: none) and a notice when the file was unusable."""
        return drafts.read_drafts(self.drafts_path)

    def write_drafts(self, saved: Mapping[str, Any]) -> None:
        """Replace the saved drafts (atomically, mode 0600; raises OSError)."""
        drafts.write_drafts(self.drafts_path, saved)

    # -- thumbnails ------------------------------------------------------------------------

    def thumbnail_cached(self, url: str) -> Path | None:
        """The thumbnail's cached file when it is there (no fetch: fine on the UI thread)."""
        return self._thumbnails.cached(url)

    async def thumbnail(self, url: str) -> Path | None:
        """The thumbnail's file, fetched once into the user cache folder; None: none to be had."""
        return await self._thumbnails.get(url)

    def cache_thumbnail(self, url: str, data: bytes) -> Path:
        """Keep `data` as the thumbnail of `url` (the screenshots' sample pictures)."""
        return self._thumbnails.put(url, data)

    @functools.cached_property
    def _thumbnails(self) -> ThumbnailCache:
        from .thumbnails import ThumbnailCache

        return ThumbnailCache()

    # -- single rows -----------------------------------------------------------------------

    async def look_up_unknown(self, local_id: int) -> Row | None:
        """A submission in state unknown: ask about its task, or look for it in the account's
        task list (adopted when found); the row as it is then."""
        row = self._store.get(local_id)
        if row is not None and row.task_id:
            return await self.look_up(row.task_id)
        await self.tracker.reconcile_now([local_id])
        return self._store.get(local_id)

    def delete_row(self, local_id: int) -> bool:
        """Remove a row from the local history by its local id (rows without a task id too)."""
        return self._store.delete_id(local_id)

    def delete_rows(self, local_ids: Iterable[int]) -> list[int]:
        """Remove rows from the local history (not the service); the ids removed."""
        return [i for i in local_ids if self._store.delete_id(i)]

    def dismiss_unknown(self, local_id: int) -> Row:
        """The user says a submission that never got an answer did not create a task."""
        return self._store.mark_refused(local_id, "dismissed", DISMISSED, None)

    def export_file(self, filters: Filters) -> tuple[Path, int]:
        """What `filters` match, oldest first, to a new JSONL file in the downloads folder."""
        from .exports import write_export  # on first use: not at start-up
        return write_export(self._store.export_rows(filters), self.config.downloads.dir,
                            time.time())
