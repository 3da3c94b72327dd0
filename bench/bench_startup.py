"""Start-up as the user feels it (issue 11): `--version`, and the app's first frame at 0, 100k
and 1M rows of history, each against a baseline measured in the same run.

    python bench/bench_startup.py [--quick] [--rows 100000 1000000] [--repeat 7]

- `wan-tui --version` against `python -c pass` (target: at most 3x).
- The app, from process start to its first frame on the board (a history of long, varied
  prompts, built and cached by bench_store.py), against a bare Textual app with a Header, a
  DataTable and a Footer (target: at most 1.3x at 1M rows).
`--version` is the median wall time of whole processes; a first frame is the median time
from starting the process (imports included) to the first frame it writes with its content
(the board with its rows; the bare app's table), the rest of the board built after it. The
apps take turns, one run each per round, so a slower spell of the machine hits all alike.
wan-tui pauses the cyclic collector from its start to its first frame; the bare app runs both
ways, and its plain run is the baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import upgraded_copy  # noqa: E402

# Both apps print the wall-clock time of their first frame written with content, then quit.
BARE_APP = """
import time
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def _display(self, *args, **kwargs):
        result = super()._display(*args, **kwargs)
        if not getattr(self, "painted", False) and self.query(DataTable):
            self.painted = True
            print(time.time(), flush=True)
            self.call_later(self.exit)
        return result

Bare().run(headless=True, size=(160, 45))
"""

WAN_APP = """
import gc; gc.disable()  # as `wan-tui` does before it imports the core for the app (cli/__init__.py)
import sys
import time
from pathlib import Path
from wan_tui.session import Connection
from wan_tui.store.config import load_config
from wan_tui.ui.app import WanApp

class FirstFrame(WanApp):
    def _display(self, *args, **kwargs):
        result = super()._display(*args, **kwargs)
        board = self.board
        if (not getattr(self, "painted", False) and board is not None and self.screen is board
                and (board.table.row_count or not board.rows)):
            self.painted = True
            print(time.time(), flush=True)
            self.call_later(self.exit)
        return result

config = load_config(Path(sys.argv[1]) / "config.toml")
app = FirstFrame(config, Connection("http://127.0.0.1:9", "bench-token-not-used"),
                 history_path=Path(sys.argv[2]), spin=False)
app.run(headless=True, size=(160, 45))
"""


# As installed for a user: modules compiled once and cached (.pyc). A PYTHONDONTWRITEBYTECODE
# in this shell would make every run compile wan-tui from source (Textual, installed by pip,
# is compiled already), which no user pays for.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
# Run from a folder of no project: from a checkout, `python -c` would import its wan_tui
# instead of the one installed (the one a user runs).
OUTSIDE = tempfile.gettempdir()


def seconds_of(command: list[str], repeat: int) -> float:
    """Median wall time of `repeat` runs (one warm-up run first, not counted)."""
    times = []
    for n in range(repeat + 1):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=ENV, cwd=OUTSIDE)
        if n:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def first_frames_of(commands: list[list[str]], repeat: int) -> list[float]:
    """Each command's median seconds from starting the process to its first frame with
    content (the time the process prints), of `repeat` rounds after one warm-up round. The
    commands take turns within a round, so a machine slower for a while slows all alike."""
    times: list[list[float]] = [[] for _ in commands]
    for n in range(repeat + 1):
        for command, taken in zip(commands, times):
            start = time.time()
            answer = subprocess.run(command, check=True, capture_output=True, text=True,
                                    env=ENV, cwd=OUTSIDE)
            if n:
                taken.append(float(answer.stdout.split()[-1]) - start)
    return [statistics.median(taken) for taken in times]


def editable_install(python: str) -> bool:
    """Whether `python` has wan-tui installed editable (`pip install -e`, PEP 610)."""
    code = ("import json, importlib.metadata as m\n"
            "text = m.distribution('wan-tui').read_text('direct_url.json') or '{}'\n"
            "print(json.loads(text).get('dir_info', {}).get('editable', False))")
    answer = subprocess.run([python, "-c", code], capture_output=True, text=True, env=ENV,
                            cwd=OUTSIDE)  # not a checkout's own *.egg-info
    return answer.stdout.strip() == "True"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 rows only (for CI)")
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    sizes = [20_000] if args.quick else args.rows
    python = sys.executable

    if editable_install(python):
        print("note: wan-tui is installed editable here: every Python this venv starts (the "
              "baselines too) first imports its finder (~7 ms), which makes the ratios look "
              "better than in a regular install, what users have")
    bare_python = seconds_of([python, "-c", "pass"], args.repeat)
    version = seconds_of([python, "-m", "wan_tui", "--version"], args.repeat)
    print(f"--version: {version * 1000:.0f} ms against python -c pass {bare_python * 1000:.0f} ms"
          f" = {version / bare_python:.2f}x (target <= 3x)")

    with tempfile.TemporaryDirectory(prefix="wan-tui-bench-startup-") as tmp:
        folder = Path(tmp)
        cases = [(0, folder / "empty.sqlite3")]
        for rows in sizes:
            path, _ = upgraded_copy(rows, folder)
            cases.append((rows, path))
        bare_app, bare_paused, *apps = first_frames_of(
            [[python, "-c", BARE_APP], [python, "-c", "import gc; gc.disable()\n" + BARE_APP]]
            + [[python, "-c", WAN_APP, str(folder), str(path)] for _, path in cases],
            args.repeat)
        print(f"bare Textual app (Header + DataTable + Footer) to first frame: "
              f"{bare_app * 1000:.0f} ms")
        print(f"  (the same with the collector paused, as wan-tui starts: "
              f"{bare_paused * 1000:.0f} ms; not the target's baseline)")
        for (rows, _), took in zip(cases, apps):
            print(f"wan-tui first frame, {rows:>9,} rows: {took * 1000:.0f} ms "
                  f"= {took / bare_app:.2f}x the bare app"
                  + ("  (target <= 1.3x)" if rows >= 1_000_000 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
