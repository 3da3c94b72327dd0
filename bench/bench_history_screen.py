"""The history screen at 100,000 and 1,000,000 rows of long, varied prompts (issue 12).

    python bench/bench_history_screen.py [--quick | --rows 100000 1000000] [--repeat 5]

The app runs in this process (Textual's Pilot, headless, 160x45) on a copy of a history built
by bench_store.py (cached under /tmp/wan-tui-bench-store; upgraded once and kept there as
`current-N.sqlite3`), and on an empty history in the same run. Measured, each the median of
`--repeat` runs: opening the screen until its rows and count are in place; a keystroke's
results (typing the last character of a rare word, a common word, a prefix, a word with a
filter) until rows and count are in place; jumping to the last row (G); how long a key takes
to be answered (the search field's cursor moves) while a query runs; the process's RSS after
visiting the last row. Keys go in as the terminal driver sends them; each time runs from the
key to the first frame written that shows its result (as bench_board_scale.py times the board),
from a screen at rest. Targets at 1M rows: each time within 50 ms of the empty history; memory
under 150 MB. A second baseline, a history of
`--small` rows, draws the same screen full of rows: against it the deltas are what the size
costs (against the empty history they include drawing rows and the preview at all).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.worker import WorkerState

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wan_tui.session import Connection  # noqa: E402
from wan_tui.store.config import load_config  # noqa: E402
from wan_tui.store.history import HistoryStore  # noqa: E402
from wan_tui.ui.app import WanApp  # noqa: E402
from wan_tui.ui.screens.history import HistoryScreen  # noqa: E402

from bench_board_scale import Paints, send_key  # noqa: E402
from bench_store import CACHE, cached_legacy  # noqa: E402

SIZE = (160, 45)
NOWHERE = Connection("http://127.0.0.1:9", "bench-token-not-used")
QUERIES = {  # what is typed; the last character is the measured keystroke
    "rare word": "quetzalcoatl",
    "common word": "light",
    "prefix": "lig",
    "word + filter": "state:failed light",
}


def current_history(rows: int) -> Path:
    """The cached history of `rows` rows in the current layout (upgraded once, then kept)."""
    path = CACHE / f"current-{rows}.sqlite3"
    if not path.exists():
        building = path.with_suffix(".building")
        shutil.copyfile(cached_legacy(rows), building)
        started = time.perf_counter()
        HistoryStore(building).close()  # the upgrade a user's first open would do
        building.rename(path)
        print(f"upgraded {rows:,} rows in {time.perf_counter() - started:.0f} s -> {path}",
              flush=True)
    return path


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def timed(pilot: Any, start: Callable[..., Awaitable[None]],
                done: Callable[[], bool]) -> float:
    """Milliseconds from `start` until `done()` holds (polled every millisecond)."""
    began = time.perf_counter()
    await start(0)
    while not done():
        if time.perf_counter() - began > 60:
            raise RuntimeError("the screen did not get there in 60 s")
        await asyncio.sleep(0.001)
    return (time.perf_counter() - began) * 1000


async def painted(paints: Paints, act: Callable[[], None], shows: Callable[[], bool]) -> float:
    """Milliseconds from `act()` (a key sent) to the first frame written with `shows()` true."""
    return await paints.until_shown(time.perf_counter(), act, shows) * 1000


def type_in(screen: HistoryScreen, text: str) -> None:
    """Put `text` in the search field, the cursor at its end (as if typed)."""
    screen.search_field.value = text
    screen.search_field.cursor_position = len(text)


async def key_during_query(app: WanApp, screen: HistoryScreen, text: str) -> float:
    """Milliseconds from a key (`left` in the search field) until the field has moved its
    cursor, the key sent while the query `text` started runs (or, when it ended first, just
    after). Not Pilot's press, which also waits for every message the query's answer brings."""
    type_in(screen, text)
    began = time.perf_counter()
    while not settled(screen)() and not any(
            w.group == "history-query" and w.state == WorkerState.RUNNING for w in app.workers):
        if time.perf_counter() - began > 60:
            raise RuntimeError("the query did not start in 60 s")
        await asyncio.sleep(0.0005)
    field = screen.search_field
    before = field.cursor_position
    began = time.perf_counter()
    send_key(app, "left")
    while field.cursor_position != before - 1:
        if time.perf_counter() - began > 60:
            raise RuntimeError("the key was not answered in 60 s")
        await asyncio.sleep(0.0005)
    return (time.perf_counter() - began) * 1000


async def quiet(pilot: Any, paints: Paints) -> None:
    """Until the screen is at rest (every message handled, no frame written for 150 ms, as
    between a person's keys): each measure starts from rest, not while the previous one's
    frames, or a footer redrawn for a new focus, are still being drawn."""
    await pilot.pause()
    while time.perf_counter() - paints.last < 0.15:
        await asyncio.sleep(0.01)


def settled(screen: HistoryScreen) -> Callable[[], bool]:
    """The newest query's rows and count are shown."""
    return lambda: screen.total is not None and not any(
        w.group in ("history-query", "history-page") for w in screen.app.workers)


async def measure(path: Path, repeat: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="wan-tui-bench-screen-"))
    app = WanApp(load_config(folder / "config.toml"), NOWHERE, history_path=path,
                 track=False, spin=False, board_limit=200)
    out: dict[str, list[float]] = {}
    async with app.run_test(size=SIZE) as pilot:
        while app.board is None or app.screen is not app.board:
            await asyncio.sleep(0.01)
        paints = Paints(app)
        for _ in range(repeat + 1):  # the first is a warm-up (page cache), left out
            screen: list[HistoryScreen] = []

            def shown() -> bool:
                if isinstance(app.screen, HistoryScreen):
                    screen[:1] = [app.screen]
                    return app.screen.total is not None  # its first results are in place
                return False

            await quiet(pilot, paints)
            out.setdefault("open the screen", []).append(await painted(
                paints, lambda: send_key(app, "h"), shown))
            history = screen[0]
            await timed(pilot, asyncio.sleep, settled(history))
            for name, text in QUERIES.items():
                type_in(history, text[:-1])
                await timed(pilot, asyncio.sleep, lambda t=text: settled(history)() and (
                    history.text == t[:-1].strip()))
                await quiet(pilot, paints)
                out.setdefault(f"keystroke: {name}", []).append(await painted(
                    paints, lambda t=text: send_key(app, t[-1]),
                    lambda t=text: history.text == t.strip() and history.total is not None))
                out.setdefault("a key while a query runs", []).append(
                    await key_during_query(app, history, text[:-1]))
            type_in(history, "")
            await timed(pilot, asyncio.sleep, lambda: settled(history)() and not history.text)
            history.table.focus()
            await quiet(pilot, paints)

            def at_last() -> bool:
                row = history.highlighted()
                return history.window.at_end and row is not None and (
                    row.id == history.window.rows[-1].id)

            if history.window.rows:
                jump = await painted(paints, lambda: send_key(app, "G"), at_last)
            else:  # the empty history: nothing to draw, the key is handled
                jump = await timed(pilot, lambda _: asyncio.sleep(0, send_key(app, "G")),
                                   settled(history))
            out.setdefault("jump to the last row", []).append(jump)
            for _ in range(3):  # and scroll back up a few pages from there
                await pilot.press("pageup")
            out.setdefault("RSS after the last row (MB)", []).append(rss_mb())
            await pilot.press("escape")
            while app.screen is not app.board:
                await asyncio.sleep(0.001)
    shutil.rmtree(folder, ignore_errors=True)
    return {name: statistics.median(values[1:] or values) for name, values in out.items()}


def report(rows_list: list[int], repeat: int, small: int) -> None:
    with tempfile.TemporaryDirectory(prefix="wan-tui-bench-screen-") as tmp:
        empty = Path(tmp) / "empty.sqlite3"
        HistoryStore(empty).close()
        bases = {"empty": asyncio.run(measure(empty, repeat))}
        if small:  # the same screen full of rows, without the size: what scaling costs
            copy = Path(tmp) / "small.sqlite3"
            shutil.copyfile(current_history(small), copy)
            bases[f"{small:,} rows"] = asyncio.run(measure(copy, repeat))
        for rows in rows_list:
            copy = Path(tmp) / f"history-{rows}.sqlite3"
            shutil.copyfile(current_history(rows), copy)
            figures = asyncio.run(measure(copy, repeat))
            print(f"\n{rows:,} rows (median of {repeat}), against: " + ", ".join(bases))
            for name, value in figures.items():
                unit = "MB" if "MB" in name else "ms"
                line = f"  {name:<30} {value:8.1f} {unit}"
                for label, base in bases.items():
                    delta = value - base[name]
                    line += f"   {label} {base[name]:7.1f} ({delta:+7.1f})"
                empty_delta = value - bases["empty"][name]
                if unit == "MB":
                    line += "  ok" if value < 150 else "  OVER 150 MB"
                else:
                    line += "  ok" if empty_delta <= 50 else "  over 50 ms of empty"
                print(line)
            copy.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 2 repeats")
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--small", type=int, default=1000,
                        help="a second baseline: a history this small (0: none)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.repeat = [20_000], 2
    report(args.rows, args.repeat, args.small)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
