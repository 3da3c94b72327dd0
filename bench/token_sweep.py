"""Token sweep: a session through the CLI (generate, a failure, a refusal, batch, wait, task,
history, export as JSONL and CSV, download, config show, an internal error if one can be
forced) with every folder it may write to (XDG config/data/cache, HOME, TMPDIR, the output
folder) under one temporary root; then every file there and every command's output is searched
for the API token. Only the config file may hold it.

    python bench/token_sweep.py [--echo]

--echo puts tests/proxy.py in front of the simulator, echoing the token back in trace ids,
error codes and messages and task prompts (issue 10, defect 3). Prints one line:
`token sweep: … files, … outputs, … crash reports, leaks: N`; exits 1 when N is not zero.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cli_runs import FAST_POLLING, CliRuns, write_prompts
from simproc import TOKEN, Background, ProxyProcess, SimProcess

STEP = 120.0  # deadline of each command, in seconds
# Inputs that made the CLI fail with an internal error (exit 70) when this suite was written;
# each gives the crash-report writer a chance to leak. Fixed ones just stop making reports.
CRASH_TRIGGERS = (("history", "--limit", "1" + "0" * 40), ("history", "--offset", "1" + "0" * 40))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--echo", action="store_true", help="a server that echoes the token")
    parser.add_argument("-v", "--verbose", action="store_true", help="each command and file")
    parser.add_argument("--quick", action="store_true", help="accepted for symmetry: one size")
    parser.add_argument("--full", action="store_true", help="accepted for symmetry: one size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wan-sweep-") as tmp, \
            SimProcess("--job-seconds", "1", "--seed", "1") as sim, \
            serving(sim, args.echo) as server:
        root = Path(tmp)
        runs = CliRuns(sweep_env(root, server.base_url))
        session(runs, root)
        config = Path(runs.run("config", "path", deadline=30).stdout.strip())
        files = [p for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()]
        leaking = [str(p.relative_to(root)) for p in files
                   if p != config and TOKEN.encode() in p.read_bytes()]
        leaking += [f"output of wan-tui {' '.join(o.args)[:80]}" for o in runs.outputs
                    if TOKEN in o.stdout or TOKEN in o.stderr]
        crashes = [p for p in files if p.name.startswith("wan-tui-crash-")]
    for where in leaking[:20]:
        print(f"  token in {where}")
    if args.verbose:
        for outcome in runs.outputs:
            print(f"  exit {outcome.returncode}: wan-tui {' '.join(outcome.args)[:100]}")
        print("\n".join(f"  file {p.relative_to(root)}" for p in files))
    runs.report_problems(tracebacks=False)  # the crash triggers make some on purpose
    server_kind = "echoing server" if args.echo else "simulator"
    print(f"token sweep ({server_kind}): {len(files)} files, {len(runs.outputs)} outputs, "
          f"{len(crashes)} crash reports, {len(runs.hangs)} hangs, leaks: {len(leaking)}")
    return 0 if not leaking and not runs.hangs else 1


@contextlib.contextmanager
def serving(sim: SimProcess, echo: bool) -> Iterator[Background]:
    if not echo:
        yield sim
        return
    with ProxyProcess(sim.base_url, "--echo-token") as proxy:
        yield proxy


def sweep_env(root: Path, base_url: str) -> dict[str, str]:
    """Every place wan-tui may write, under `root`; the token only through the config file."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WAN_TUI_", "ACEDATACLOUD_", "XDG_"))}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
                 "HOME", "TMPDIR"):
        folder = root / name.lower()
        folder.mkdir()
        env[name] = str(folder)
    return {**env, "ACEDATACLOUD_API_BASE_URL": base_url, "NO_COLOR": "1"}


def session(runs: CliRuns, root: Path) -> None:
    """What a user does in a day, including what goes wrong."""
    out = root / "out"
    out.mkdir()
    runs.run("config", "set", "api.token", TOKEN, deadline=30)
    for key, value in FAST_POLLING.items():
        runs.run("config", "set", key, value, deadline=30)
    runs.run("generate", "a red kite over the dunes", "--wait", "--json", deadline=STEP)
    runs.run("generate", "this one will fail", "--wait", deadline=STEP)  # the simulator fails it
    runs.run("generate", "a forbidden scene", deadline=STEP)  # refused by moderation (403)
    lines = ["a quiet harbour at dawn", json.dumps({"prompt": "rain on a tin roof"})]
    batch = str(write_prompts(out / "batch.txt", lines))
    runs.run("batch", batch, "--wait", "--json", deadline=STEP)
    runs.run("generate", "a paper boat", deadline=STEP)
    runs.run("wait", "--all", deadline=STEP)
    rows = runs.history(1000)
    ids = [str(r["task_id"]) for r in rows if r.get("task_id")]
    if ids:
        runs.run("task", ids[0], "--json", deadline=STEP)
        runs.run("tasks", *ids[:3], deadline=STEP)
    runs.run("history", deadline=STEP)
    for kind in ("jsonl", "csv"):
        runs.run("history", "export", "--format", kind, "-o", str(out / f"export.{kind}"),
                 deadline=STEP)
    runs.run("history", "export", "--format", "csv", deadline=STEP)  # to stdout
    done = [str(r["task_id"]) for r in rows if r["state"] == "succeeded" and r.get("task_id")]
    if done:
        runs.run("download", *done, "-o", str(out / "videos"), deadline=STEP)
    runs.run("config", "show", deadline=STEP)
    for trigger in CRASH_TRIGGERS:
        runs.run(*trigger, deadline=STEP)


if __name__ == "__main__":
    raise SystemExit(main())
