"""The downloads under way, a bar each, under the status line of the board and the history
screen; hidden while none runs. The app sends `DownloadProgress` here (data comes down)."""

from __future__ import annotations

from rich.console import RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Static

from ..messages import DownloadProgress

MB = 1024 * 1024
BAR_WIDTH = 30


def size_text(done: int, total: int | None) -> str:
    if total:
        return f"{100 * done // total:3d}%  {done / MB:.1f} / {total / MB:.1f} MB"
    return f"{done / MB:.1f} MB"


def progress_line(message: DownloadProgress) -> RenderableType:
    """`↓ #12  ━━━━━━━━━╸━━━━━━   45%  2.7 / 6.0 MB` (the bar pulses while the size is unknown)."""
    line = Table.grid(padding=(0, 2))
    line.add_row(Text(f"↓ {message.label}", no_wrap=True),
                 ProgressBar(total=message.total, completed=message.done, width=BAR_WIDTH,
                             pulse=not message.total),
                 Text(size_text(message.done, message.total), no_wrap=True))
    return line


class DownloadBars(Vertical):
    """One line per download: its row, a bar and the bytes so far."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: dict[int, Static] = {}

    def on_mount(self) -> None:
        self.display = False

    def on_download_progress(self, message: DownloadProgress) -> None:
        line = self._lines.get(message.local_id)
        if message.finished:
            if line is not None:
                del self._lines[message.local_id]
                line.remove()
            self.display = bool(self._lines)
            return
        if line is None:
            line = self._lines[message.local_id] = Static(classes="download")
            self.mount(line)
            self.display = True
        line.update(progress_line(message))
