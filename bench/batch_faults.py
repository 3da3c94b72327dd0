"""Issue 4's fault check: `wan-tui batch` of 300 prompts with --wait against a simulator with
faults on. Prints what the history says against what the server did.

    python bench/batch_faults.py [--prompts 300] [--fault-rate 0.1]
"""

from __future__ import annotations

import argparse
import collections
import json
import tempfile
from pathlib import Path

from simproc import SimProcess, cli_env, clock, wan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prompts", type=int, default=300)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, SimProcess(
        "--job-seconds", "5", "--fault-rate", str(args.fault_rate), "--fail-rate", "0.1", "--seed", "1"
    ) as sim:
        folder = Path(tmp)
        prompts = folder / "prompts.txt"
        prompts.write_text("".join(f"prompt number {i} of the batch\n" for i in range(args.prompts)))
        start = clock()
        result = wan(cli_env(sim, folder), "batch", str(prompts), "--wait", "--json")
        took = clock() - start
        rows = json.loads(result.stdout)
        stats = sim.stats()
    by_prompt = stats["submissions_by_prompt"]
    twice = [p for p, n in by_prompt.items() if n > 1]
    disagree = [r for r in rows if (r["task_id"] is None) != (by_prompt.get(r["prompt"], 0) == 0)]
    unsettled = [r for r in rows if r["state"] not in ("succeeded", "failed")]
    print(f"batch of {args.prompts} with fault rate {args.fault_rate}: exit {result.returncode} "
          f"in {took:.1f} s")
    print(f"  rows in history: {len(rows)}  states: {dict(collections.Counter(r['state'] for r in rows))}")
    print(f"  failure reasons: {dict(collections.Counter(r['error']['code'] for r in rows if r['error']))}")
    print(f"  faults injected: {stats['faults']}  POST /wan/videos: {stats['videos_posts']}  "
          f"tasks created: {stats['created']}")
    print(f"  largest retrieve_batch: {stats['max_batch_ids']} ids (oversized: {stats['oversized_batches']})")
    print(f"  prompts created twice: {len(twice)}  rows disagreeing with the server: {len(disagree)}  "
          f"rows not final: {len(unsettled)}")
    ok = (len(rows) == args.prompts and not twice and not disagree and not unsettled
          and stats["max_batch_ids"] <= 50)
    print("OK" if ok else "NOT OK")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
