"""How the board keeps up with live updates: 1,000 running rows, tracker events of 50 changed
rows (one full poll answer), against clearing and refilling the table (the baseline) in the
same run. Each figure includes the repaint.

    python bench/bench_board.py [--rows 1000] [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import tempfile
import time
from pathlib import Path

from wan_tui.api.state import State
from wan_tui.session import Connection
from wan_tui.store.config import load_config
from wan_tui.store.history import HistoryStore
from wan_tui.tracking import TrackerEvent
from wan_tui.ui.app import WanApp
from wan_tui.ui.messages import TrackerUpdate

T0 = 1_700_000_000.0


def fill(path: Path, count: int) -> None:
    rows = [{"task_id": f"task-{n:05d}", "action": "text2video", "model": "wan2.6-t2v",
             "prompt": f"prompt {n} " + "a slow dolly shot over a misty lake " * 3,
             "params": {"duration": 5}, "state": State.RUNNING, "state_word": "queued",
             "created_at": T0 + n, "updated_at": T0 + n} for n in range(count)]
    with HistoryStore(path) as store:
        store.import_rows(rows)


def summary(name: str, seconds: list[float]) -> float:
    ms = sorted(s * 1000 for s in seconds)
    median = statistics.median(ms)
    print(f"  {name:<38} median {median:7.2f} ms   p95 {ms[int(len(ms) * 0.95) - 1]:7.2f} ms")
    return median


async def run(count: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fill(folder / "history.sqlite3", count)
        app = WanApp(load_config(folder / "config.toml"), Connection("http://127.0.0.1:9", "t"),
                     history_path=folder / "history.sqlite3", clock=lambda: T0 + count + 60,
                     spin=False, track=False)
        async with app.run_test(size=(160, 45)) as pilot:
            while app.board is None:
                await pilot.pause(0.05)
            await pilot.pause()
            board = app.board
            ids = sorted(board.rows)
            in_place, refill, spin, idle = [], [], [], []
            for n in range(rounds):
                start = time.perf_counter()
                await pilot.pause()  # the test harness's own cost, with nothing to repaint
                idle.append(time.perf_counter() - start)

                word = ("processing", "RUNNING")[n % 2]
                batch = [dataclasses.replace(board.rows[i], state_word=word)
                         for i in ids[(n * 50) % count:][:50]]
                start = time.perf_counter()
                app.post_message(TrackerUpdate(TrackerEvent(rows=batch)))
                while board.rows[batch[-1].id].state_word != word:
                    await pilot.pause(0)
                await pilot.pause()
                in_place.append(time.perf_counter() - start)

                start = time.perf_counter()
                board._rebuild()  # clear and refill every row: what the board must not do
                await pilot.pause()
                refill.append(time.perf_counter() - start)

                start = time.perf_counter()
                board._spin()  # one spinner frame over every running row
                await pilot.pause()
                spin.append(time.perf_counter() - start)
    print(f"board with {count} running rows, {rounds} rounds (each figure includes the repaint):")
    summary("nothing changed (harness overhead)", idle)
    ours = summary("event of 50 changed rows, in place", in_place)
    base = summary("baseline: clear and refill the table", refill)
    summary("one spinner frame (rows on screen)", spin)
    print(f"  in-place update is {base / ours:.1f}x faster than refilling; a 60 Hz frame is 16.7 ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(run(args.rows, args.rounds))


if __name__ == "__main__":
    main()
