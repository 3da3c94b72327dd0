"""downloads.auto: each video saved as soon as its task succeeds (links may expire upstream).

Saves run as background tasks on the session's event loop; a failed one is logged and leaves
the row unsaved (the user can press `d` or run `wan-tui download`); a closing session gives
those under way a grace period, and a cut one resumes next time from its partial file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from .api.state import State
from .media import DownloadError, Saved
from .store.rows import Row

log = logging.getLogger(__name__)


class AutoSaver:
    def __init__(self, save: Callable[[Row], Awaitable[Saved]],
                 saved: Callable[[Row], None]) -> None:
        self._save = save
        self._saved = saved  # told each row once its video is on disk
        self._saving: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def consider(self, rows: Iterable[Row]) -> None:
        for row in rows:
            if (row.state == State.SUCCEEDED and row.video_url and not row.local_path
                    and row.id not in self._saving):
                self._saving.add(row.id)
                task = asyncio.get_running_loop().create_task(self._run(row))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _run(self, row: Row) -> None:
        try:
            saved = await self._save(row)
        except DownloadError as error:
            log.warning("auto-save of #%d failed: %s", row.id, error)
            return
        finally:
            self._saving.discard(row.id)
        self._saved(saved.row)

    async def finish(self, grace: float) -> None:
        """Let the saves under way end, for at most `grace` seconds; cut the rest."""
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in late:
                task.cancel()
