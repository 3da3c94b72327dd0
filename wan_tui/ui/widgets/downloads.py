"""The downloads under way under the status line of the board and the history screen: a bar
each for the first few, a count of the rest; hidden while none runs. The app sends
`DownloadProgress` here (data comes down)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ..messages import DownloadProgress

MB = 1024 * 1024
BAR_WIDTH = 30
BARS_SHOWN = 3  # a bulk download of many shows three bars and "… and N more"


def size_text(done: int, total: int | None) -> str:
    if total:
        return f"{100 * done // total:3d}%  {done / MB:.1f} / {total / MB:.1f} MB"
    return f"{done / MB:.1f} MB"


def progress_lines(downloads: list[DownloadProgress]) -> RenderableType:
    """`↓ #12  ━━━━━━━━━╸━━━━━━   45%  2.7 / 6.0 MB` per download (the bar pulses while the
    size is unknown), the first BARS_SHOWN of them, then how many more."""
    grid = Table.grid(padding=(0, 2))
    for download in downloads[:BARS_SHOWN]:
        grid.add_row(Text(f"↓ {download.label}", no_wrap=True),
                     ProgressBar(total=download.total, completed=download.done,
                                 width=BAR_WIDTH, pulse=not download.total),
                     Text(size_text(download.done, download.total), no_wrap=True))
    more = len(downloads) - BARS_SHOWN
    if more <= 0:
        return grid
    return Group(grid, Text(f"… and {more} more downloading", no_wrap=True))


class DownloadBars(Static):
    """Downloads in the order they started, each as its latest progress."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.downloads: dict[int, DownloadProgress] = {}

    def on_mount(self) -> None:
        self.display = False

    def on_download_progress(self, message: DownloadProgress) -> None:
        if message.finished:
            self.downloads.pop(message.local_id, None)
        else:
            self.downloads[message.local_id] = message
        self.display = bool(self.downloads)
        if self.downloads:
            self.update(progress_lines(list(self.downloads.values())))
