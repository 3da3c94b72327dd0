"""Issue 4's crash check: SIGKILL a `wan-tui batch` of 200 mid-submission, then run
`wan-tui wait --all`, and compare the history with what the server created.

    python bench/kill_resume.py [--prompts 200] [--kill-after 1.0]
"""

from __future__ import annotations

import argparse
import collections
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simproc import SimProcess, cli_env, wan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prompts", type=int, default=200)
    parser.add_argument("--kill-after", type=float, default=1.0, help="seconds into the batch")
    args = parser.parse_args()
    # 50 ms per answer: 200 submissions, 5 at a time, take about 2 s, so the kill lands mid-way.
    with tempfile.TemporaryDirectory() as tmp, SimProcess("--job-seconds", "3", "--latency", "0.05") as sim:
        folder = Path(tmp)
        env = cli_env(sim, folder)
        prompts = folder / "prompts.txt"
        prompts.write_text("".join(f"clip {i}\n" for i in range(args.prompts)))
        batch = subprocess.Popen([sys.executable, "-m", "wan_tui", "batch", str(prompts)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(args.kill_after)
        batch.send_signal(signal.SIGKILL)
        batch.wait()
        created_at_kill = sim.stats()["created"]
        result = wan(env, "wait", "--all", "--json")
        rows = json.loads(wan(env, "history", "--limit", "100000", "--json").stdout)
        stats = sim.stats()
    created = {p for p, n in stats["submissions_by_prompt"].items() if n}
    in_history = {r["prompt"] for r in rows if r["task_id"]}
    twice = [p for p, n in stats["submissions_by_prompt"].items() if n > 1]
    states = collections.Counter(r["state"] for r in rows)
    print(f"killed the batch after {args.kill_after} s: the server had created {created_at_kill} tasks")
    print(f"`wan-tui wait --all`: exit {result.returncode}")
    print(f"  history rows: {len(rows)}  states: {dict(states)}")
    print(f"  reasons: {dict(collections.Counter(r['error']['code'] for r in rows if r['error']))}")
    print(f"  created by the server but missing from the history: {len(created - in_history)}")
    print(f"  created twice: {len(twice)}  still pending/running: {states['pending'] + states['running']}")
    ok = created <= in_history and not twice and not (states["pending"] + states["running"])
    print("OK" if ok else "NOT OK")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
