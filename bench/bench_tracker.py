"""Track 1,000 live tasks against the simulator (in its own process) and print what polling
costs: requests per task refresh, worst staleness, event-loop lag and CPU.

    python bench/bench_tracker.py [--tasks 1000] [--seconds 30]

Baseline in the same units: polling one task per request costs 1.0 request per refresh.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from simproc import TOKEN, SimProcess

from wan_tui.api.models import GenerationRequest
from wan_tui.session import Connection, open_session
from wan_tui.store.config import load_config
from wan_tui.store.history import HistoryStore
from wan_tui.tracking import Pacing


async def measure_lag(samples: list[float], stop: asyncio.Event, tick: float = 0.01) -> None:
    """How late the loop wakes a 10 ms sleeper: what a UI on this loop would feel."""
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(tick)
        samples.append(time.perf_counter() - start - tick)


def worst_staleness(db: Path, now: float) -> float:
    """Seconds since the least recently refreshed live task was read (own connection, so the
    measurement does not block the loop being measured)."""
    with sqlite3.connect(db) as conn:
        (oldest,) = conn.execute("SELECT MIN(COALESCE(last_polled_at, created_at)) FROM generations "
                                 "WHERE state IN ('pending', 'running')").fetchone()
    return now - oldest if oldest else 0.0


async def run(tasks: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp, SimProcess("--job-seconds", str(seconds * 10)) as sim:
        db = Path(tmp) / "history.sqlite3"
        store = HistoryStore(db)
        async with open_session(load_config(Path(tmp) / "config.toml"), Connection(sim.base_url, TOKEN),
                                pacing=Pacing(), store=store) as session:
            start = time.monotonic()
            rows = await asyncio.gather(*(session.submit(GenerationRequest(
                action="text2video", model="wan2.6-t2v", prompt=f"bench clip {i}")) for i in range(tasks)))
            print(f"submitted {len(rows)} tasks in {time.monotonic() - start:.1f} s "
                  f"({Pacing().max_in_flight} in flight)")
            before = sim.stats()
            lag: list[float] = []
            stop = asyncio.Event()
            lag_task = asyncio.create_task(measure_lag(lag, stop))
            cpu0, wall0 = time.process_time(), time.monotonic()
            stale: list[float] = []
            while time.monotonic() - wall0 < seconds:
                await asyncio.sleep(1.0)
                stale.append(await asyncio.to_thread(worst_staleness, db, time.time()))
            cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
            stop.set()
            await lag_task
            after = sim.stats()
        store.close()
    requests = after["tasks_posts"] - before["tasks_posts"]
    refreshes = sum(int(size) * n for size, n in after["batch_sizes"].items()) - sum(
        int(size) * n for size, n in before["batch_sizes"].items())
    lag_ms = sorted(x * 1000 for x in lag)
    p99 = lag_ms[int(len(lag_ms) * 0.99) - 1]
    print(f"tracked {tasks} live tasks for {wall:.0f} s with the default pace (1 request/s):")
    print(f"  requests to /wan/tasks: {requests} ({requests / wall:.2f}/s); task refreshes: {refreshes}")
    print(f"  requests per task refresh: {requests / max(refreshes, 1):.4f} "
          f"(target <= 0.02; one request per task: 1.0)")
    print(f"  worst staleness of any task: {max(stale):.1f} s (one round of {tasks} tasks at "
          f"50 per request and 1 request/s takes {tasks / 50:.0f} s)")
    print(f"  event loop lag: p50 {statistics.median(lag_ms):.2f} ms, p99 {p99:.2f} ms, "
          f"max {lag_ms[-1]:.2f} ms (target p99 < 16 ms)")
    print(f"  CPU: {cpu:.2f} s over {wall:.0f} s ({100 * cpu / wall:.1f}% of a core)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    asyncio.run(run(args.tasks, args.seconds))


if __name__ == "__main__":
    main()
