"""The session's history half: what needs the local history and not the service. Reading,
searching, counting, import and export, costs, the history's health, following other
writers; and what the terminal app's screens ask beyond the command line's operations: form
drafts kept across restarts, thumbnails, acting on single rows. A part of `Session`, kept
apart to keep each file short."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .store import drafts
from .store.config import Config
from .store.history import HistoryStore
from .store.reading import ChangeMarker, filters_of
from .store.rows import Row
from .store.search import Filters

if TYPE_CHECKING:
    from .store.health import SpendLine, Stats
    from .store.transfer import ImportResult
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

    # -- the history, costs and health -----------------------------------------------------

    def spend(self, since: float | None = None, until: float | None = None,
              by: str = "day") -> list[SpendLine]:
        """Recorded costs summed by day or model, per currency."""
        return self._store.spend(since, until, by)

    def spend_today(self) -> list[SpendLine]:
        midnight = datetime.combine(date.today(), datetime.min.time()).timestamp()
        return self._store.spend(since=midnight, by="model")

    def check_history(self) -> list[str]:
        """The full check of every page (slow on a large file); [] when sound."""
        return self._store.check()

    def history_stats(self) -> Stats:
        return self._store.stats()

    def compact_history(self) -> Stats:
        """Return free space to the disk (VACUUM); locks the history meanwhile."""
        return self._store.vacuum()

    def change_marker(self) -> ChangeMarker:
        """A cheap probe of the history: compare with `changed_since` to follow other writers."""
        return self._store.change_marker()

    def changed_since(self, marker: ChangeMarker, limit: int = 1000) -> list[Row]:
        return self._store.changed_since(marker, limit)

    def get(self, local_id: int) -> Row | None:
        return self._store.get(local_id)

    def rows(self, local_ids: Iterable[int]) -> list[Row]:
        return [r for r in (self._store.get(i) for i in local_ids) if r is not None]

    def by_task_id(self, task_id: str) -> Row | None:
        return self._store.by_task_id(task_id)

    def search(self, text: str | None = None, **filters: Any) -> list[Row]:
        return self._store.search(text, **filters)

    def count(self, text: str | None = None, **filters: Any) -> int:
        return self._store.count(text, **filters)

    def counts_by_state(self) -> dict[str, int]:
        return self._store.counts_by_state()

    def export_rows(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Rows as JSON-ready dicts, oldest first, streamed by key: the whole history, or what
        the filters (those of `search`) match."""
        wanted = any(v not in (None, "", [], ()) for v in filters.values())
        return self._store.export_rows(filters_of(**filters) if wanted else None)

    def import_rows(self, rows: Iterable[dict[str, Any]]) -> ImportResult:
        return self._store.import_rows(rows)

    def import_file(self, handle: IO[bytes]) -> ImportResult:
        """An export file, streamed (constant memory), in one transaction; ImportRefused
        naming the bad lines, and nothing imported, when any line cannot be a history row."""
        from .store.transfer import read_lines
        return self._store.import_lines(read_lines(handle))

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
