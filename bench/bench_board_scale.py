"""The board at scale (issue 13): 1,000 and 10,000 live tasks, against a bare DataTable of the
same rows in the same run. Each configuration runs in its own process (CPU and memory are the
process's own); the simulator is not involved (the tracker is off: its rescan reads ids only
and is measured by bench_tracker.py), so the figures are the board's.

Measured: idle CPU (share of one core over a quiet window, spinners on), memory (RSS growth
once the rows are shown), the longest event-loop stall (a 5 ms ticker's worst lateness) over
an idle window and over the whole run with the keys, and key latency from press to paint:
from the key as the terminal driver sends it (or the call that does the work) to the first
frame written that shows its effect, each from rest: cursor down, a filter keystroke (the work
after its 150 ms wait), a sort step.

    python bench/bench_board_scale.py [--rows 1000 10000] [--idle 5]
Targets: idle CPU under 3% of a core at 1,000; no stall over 30 ms at 10,000; keys within
20 ms of the bare table; a filter keystroke applied within 50 ms after its wait.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from wan_tui.session import Connection
from wan_tui.store.config import load_config
from wan_tui.store.history import HistoryStore
from wan_tui.ui.app import WanApp
from wan_tui.ui.widgets.cells import Palette
from wan_tui.ui.widgets.task_table import COLUMNS, row_cells

from bench_board import T0, fill  # bench/ is on the path when this script runs

PRESSES = 30


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Stalls:
    """The worst lateness of a 5 ms ticker on the event loop."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - start - 0.005)


class Bare(App[None]):
    def __init__(self, rows: list[list[Any]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        for n, cells in enumerate(self.rows):
            table.add_row(*cells, key=str(n))
        table.focus()


class Paints:
    """When the app paints (each frame written to the terminal), and whether the change being
    measured was there by then."""

    def __init__(self, app: App[Any]) -> None:
        self.frames: list[tuple[float, bool]] = []
        self.shows: Callable[[], bool] = lambda: False
        self.last = 0.0  # when the last frame was written
        display = app._display

        def recorded(*args: Any, **kwargs: Any) -> Any:
            self.last = time.perf_counter()
            self.frames.append((self.last, self.shows()))
            return display(*args, **kwargs)

        app._display = recorded  # type: ignore[method-assign]

    async def until_shown(self, start: float, act: Callable[[], None],
                          shows: Callable[[], bool]) -> float:
        """Seconds from `start` (just before `act()`) to the first frame painted with
        `shows()` true."""
        self.frames.clear()
        self.shows = shows
        act()
        while not any(ok for _, ok in self.frames):
            if time.perf_counter() - start > 60:
                raise RuntimeError("no frame showed the change in 60 s")
            await asyncio.sleep(0.0005)
        self.shows = lambda: False  # what it reads may be gone by the next frame
        return next(t for t, ok in self.frames if ok) - start


def send_key(app: App[Any], key: str) -> None:
    """The key as the terminal's driver delivers it (what Pilot.press sends), without
    Pilot's wait for every message that follows (about 84 ms even for a bare table)."""
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    assert app._driver is not None
    app._driver.send_message(event)


async def at_rest(pilot: Any) -> None:
    """Each measure starts from rest: the board's rows all in (after a filter they come a
    chunk a frame), then a short pause."""
    board = getattr(pilot.app, "board", None)
    while board is not None and board.filling:
        await pilot.pause(0.01)
    await pilot.pause(0.05)


async def cursor_downs(pilot: Any, paints: Paints, table: DataTable[Any]) -> list[float]:
    out = []
    for _ in range(PRESSES):
        await at_rest(pilot)
        target = table.cursor_row + 1
        start = time.perf_counter()
        out.append(await paints.until_shown(start, lambda: send_key(pilot.app, "down"),
                                            lambda: table.cursor_row == target))
    return out


async def changes(pilot: Any, paints: Paints, acts: list[Callable[[], None]],
                  shows: Callable[[], bool]) -> list[float]:
    """Each act's press-to-paint time: `shows` holds once the act's change is in the app
    (checked at each frame; acts run synchronously, so by the next frame it is)."""
    out = []
    for act in acts:
        await at_rest(pilot)
        done = [False]

        def run(act: Callable[[], None] = act) -> None:
            act()
            done[0] = True

        start = time.perf_counter()
        out.append(await paints.until_shown(start, run, lambda: done[0] and shows()))
    return out


async def measure(kind: str, count: int, idle: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fill(folder / "history.sqlite3", count)
        before = rss_mb()
        if kind == "bare":
            with HistoryStore(folder / "history.sqlite3") as store:
                shown = store.search(limit=count)
            palette = Palette()
            app: App[Any] = Bare([[row_cells(r, palette, T0 + count)[k] for k, _, _ in COLUMNS]
                                  for r in shown])
        else:
            app = WanApp(load_config(folder / "config.toml"),
                         Connection("http://127.0.0.1:9", "t"),
                         history_path=folder / "history.sqlite3", board_limit=count,
                         clock=lambda: T0 + count + 60, track=False,
                         spin=os.environ.get("SPIN", "1") == "1")  # SPIN=0: spinners off
        result: dict[str, Any] = {"kind": kind, "rows": count}
        async with app.run_test(size=(160, 45)) as pilot:
            if isinstance(app, WanApp):  # every row shown (they come a chunk a frame)
                while app.board is None or app.board.table.row_count < count:
                    await pilot.pause(0.05)
            await pilot.pause(0.5)
            result["memory_mb"] = rss_mb() - before
            cpu = time.process_time()
            await pilot.pause(idle)  # no ticker here: it would cost CPU itself
            result["idle_cpu"] = (time.process_time() - cpu) / idle
            stalls = Stalls()
            await pilot.pause(idle)  # the ticks, the store follower, the status line
            result["idle_stall_ms"] = stalls.worst * 1000
            paints = Paints(app)
            if isinstance(app, WanApp) and app.board is not None:
                board = app.board
                table: DataTable[Any] = board.table
                result["down_ms"] = statistics.median(
                    await cursor_downs(pilot, paints, table)) * 1000
                result["filter_ms"] = max(await changes(pilot, paints, [
                    lambda text=text: board._apply_text(text)  # the work after the 150 ms wait
                    for text in ("prompt 1", "prompt 12", "prompt", "")], lambda: True)) * 1000
                sorts = []
                for _ in range(8):
                    await at_rest(pilot)
                    before = board.row_sort
                    sorts.append(await paints.until_shown(
                        time.perf_counter(), lambda: send_key(app, "O"),
                        lambda before=before: board.row_sort is not before))  # type: ignore[misc]
                result["sort_ms"] = statistics.median(sorts) * 1000
            else:
                table = app.query_one(DataTable)
                result["down_ms"] = statistics.median(
                    await cursor_downs(pilot, paints, table)) * 1000
                result["sort_ms"] = statistics.median(await changes(pilot, paints, [
                    lambda column=column: table.sort(column, key=lambda cell: cell.plain)
                    for column in ("state", "model", "prompt", "time") * 2],
                    lambda: True)) * 1000

                def refill(text: str) -> None:
                    table.clear()
                    for n, cells in enumerate(app.rows):  # type: ignore[attr-defined]
                        if text in cells[COLUMNS.index(("prompt", "Prompt", 40))].plain:
                            table.add_row(*cells, key=str(n))

                result["filter_ms"] = max(await changes(pilot, paints, [
                    lambda text=text: refill(text)
                    for text in ("prompt 1", "prompt 12", "prompt", "")], lambda: True)) * 1000
            result["worst_stall_ms"] = stalls.worst * 1000
            stalls.task.cancel()
        return result


def run_one(kind: str, count: int, idle: float) -> dict[str, Any]:
    answer = subprocess.run([sys.executable, __file__, "--one", kind, str(count),
                             "--idle", str(idle)], capture_output=True, text=True, check=True)
    return json.loads(answer.stdout.strip().splitlines()[-1])


def report(counts: list[int], idle: float) -> None:
    print("board at scale (live rows, spinners on), each figure from its own process:")
    for count in counts:
        bare, ours = run_one("bare", count, idle), run_one("board", count, idle)
        print(f"  {count} rows:")
        for name, unit in (("idle_cpu", "%"), ("memory_mb", "MB"), ("idle_stall_ms", "ms"),
                           ("worst_stall_ms", "ms"),
                           ("down_ms", "ms"), ("filter_ms", "ms"), ("sort_ms", "ms")):
            scale = 100 if unit == "%" else 1
            print(f"    {name:<15} board {ours[name] * scale:8.1f} {unit:<3}"
                  f"  bare table {bare[name] * scale:8.1f} {unit}")
        checks = [("down key within 20 ms of the bare table",
                   ours["down_ms"] - bare["down_ms"] <= 20),
                  ("sort within 20 ms of the bare table's", ours["sort_ms"] - bare["sort_ms"] <= 20)]
        if count <= 1000:
            checks.append(("idle CPU under 3% of a core", ours["idle_cpu"] < 0.03))
        if count >= 10000:
            checks.append(("no event-loop stall over 30 ms while idle",
                           ours["idle_stall_ms"] <= 30))
        checks.append(("filter applied within 50 ms after its wait", ours["filter_ms"] <= 50))
        for words, ok in checks:
            print(f"    target: {words}: {'met' if ok else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--idle", type=float, default=5.0)
    parser.add_argument("--one", nargs=2, metavar=("KIND", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(asyncio.run(measure(args.one[0], int(args.one[1]), args.idle))))
    else:
        report(args.rows, args.idle)


if __name__ == "__main__":
    main()
