"""How the history store scales: an empty store against a large one (100,000 rows by default).

    python bench/bench_history.py [--rows 100000] [--repeat 15]

Builds both stores in a temporary directory (through `import_rows`, in chunks, with varied
prompts, states, models and dates), then times opening each store and reading first pages.
Target: a first page on the large store within 50 ms of the same page on the empty store.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wan_tui.api.models import MODEL_ACTIONS, MODELS  # noqa: E402
from wan_tui.store.history import HistoryStore  # noqa: E402

TARGET_MS = 50.0
SUBJECTS = ("fox", "red panda", "astronaut", "lighthouse keeper", "koi carp", "paper boat",
            "old fisherman", "hummingbird", "steam train", "snow leopard", "robot", "ballerina",
            "street food vendor", "jellyfish", "samurai", "hot air balloon", "tabby cat",
            "glass city", "whale", "dragon kite", "cyclist", "owl", "violinist", "octopus")
ACTIONS_ = ("walks through", "dances in", "drifts over", "runs across", "sleeps beside",
            "flies above", "explores", "waits at", "circles", "emerges from")
PLACES = ("a misty bamboo forest", "neon-lit Tokyo streets at night", "a frozen lake",
          "the surface of Mars", "a sunflower field at golden hour", "a rainy harbour",
          "an abandoned cathedral", "a coral reef", "a desert canyon", "a snowy mountain pass",
          "a floating market", "the rings of Saturn", "a cozy bookshop", "a thunderstorm")
STYLES = ("cinematic lighting", "handheld camera", "slow motion", "35mm film grain",
          "drone shot", "studio ghibli style", "hyperrealistic, 8k", "watercolor look",
          "dolly zoom", "shallow depth of field", "time-lapse", "noir, high contrast")
NEGATIVES = (None, None, "blurry, low quality", "text, watermark", "distorted faces",
             "oversaturated colours", "jitter, flicker")
STATES = (("succeeded", 74), ("failed", 12), ("expired", 5), ("lost", 2), ("unknown", 3),
          ("running", 2), ("pending", 2))
RESOLUTION_SIZES = {"720P": "1280*720", "1080P": "1920*1080"}


def fake_rows(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Rows in the export format, as a long-used history would hold them."""
    rng = random.Random(seed)
    states, weights = zip(*STATES)
    now = time.time()
    for n in range(count):
        model = rng.choice(MODELS)
        prompt = (f"A {rng.choice(SUBJECTS)} {rng.choice(ACTIONS_)} {rng.choice(PLACES)}, "
                  f"{rng.choice(STYLES)}, {rng.choice(STYLES)}")
        negative = rng.choice(NEGATIVES)
        resolution = rng.choice(("720P", "1080P"))
        created = now - rng.uniform(0, 365 * 86400)
        state = rng.choices(states, weights)[0]
        if state in ("pending", "running") and now - created > 86400:
            state = "expired"  # as the tracker marks them: only recent tasks are still active
        finished = created + rng.uniform(60, 900) if state in ("succeeded", "failed") else None
        params = {"action": MODEL_ACTIONS[model], "model": model, "prompt": prompt,
                  "resolution": resolution, "size": RESOLUTION_SIZES[resolution],
                  "duration": rng.choice((5, 10, 15)), "prompt_extend": rng.random() < 0.5}
        if negative:
            params["negative_prompt"] = negative
        yield {
            "task_id": None if state == "unknown" else f"task-{seed}-{n:08d}",
            "action": MODEL_ACTIONS[model], "model": model, "prompt": prompt,
            "negative_prompt": negative, "params": params, "state": state,
            "state_word": {"succeeded": "completed", "failed": "failed"}.get(state, ""),
            "video_url": f"https://cdn.example/v/{n}.mp4" if state == "succeeded" else None,
            "thumbnail_url": f"https://cdn.example/t/{n}.jpg" if state == "succeeded" else None,
            "error": {"code": "forbidden", "message": "content moderation"}
            if state == "failed" else None,
            "created_at": created, "updated_at": finished or created, "finished_at": finished,
        }


def build(path: Path, rows: int, chunk: int = 10_000) -> float:
    started = time.perf_counter()
    with HistoryStore(path) as store:
        source = fake_rows(rows)
        while True:
            batch = [row for _, row in zip(range(chunk), source)]
            if not batch:
                break
            store.import_rows(batch)
    return time.perf_counter() - started


def median_ms(action: Callable[[], Any], repeat: int) -> float:
    action()  # warm the page cache once: we measure steady use, not the first disk read
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure(path: Path, repeat: int) -> dict[str, float]:
    out = {"open (and migrate/check)": median_ms(lambda: HistoryStore(path).close(), repeat)}
    with HistoryStore(path) as store:
        cases: dict[str, Callable[[], Any]] = {
            'search("fox") first page': lambda: store.search("fox", limit=50),
            "state+model first page": lambda: store.search(states=["succeeded"],
                                                           model="wan2.6-i2v", limit=50),
            'search("fox") + state+model': lambda: store.search(
                "fox", states=["failed"], model="wan2.6-r2v", limit=50),
            'search("cinematic lighting")': lambda: store.search("cinematic lighting", limit=50),
            'search("a") (matches all)': lambda: store.search("a", limit=50),
            'search("zzz") (matches none)': lambda: store.search("zzz", limit=50),
            "unfiltered first page": lambda: store.search(limit=50),
            "page 100 (offset 4950)": lambda: store.search(limit=50, offset=4950),
            "active()": store.active,
            'count("fox")': lambda: store.count("fox"),
            "counts_by_state()": store.counts_by_state,
        }
        out.update({name: median_ms(action, repeat) for name, action in cases.items()})
    with HistoryStore(path, fts=False) as store:
        out['LIKE fallback "fox" page'] = median_ms(lambda: store.search("fox", limit=50), repeat)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per figure (median)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="wan-tui-bench-") as tmp:
        empty, large = Path(tmp) / "empty.sqlite3", Path(tmp) / "large.sqlite3"
        HistoryStore(empty).close()
        seconds = build(large, args.rows)
        size_mb = sum(p.stat().st_size for p in Path(tmp).glob("large.sqlite3*")) / 1e6
        print(f"built {args.rows:,} rows in {seconds:.1f} s ({size_mb:.1f} MB); "
              f"median of {args.repeat} runs\n")
        small, big = measure(empty, args.repeat), measure(large, args.repeat)

    width = max(map(len, small)) + 2
    header = f"{'operation':<{width}}{'empty ms':>10}{f'{args.rows:,} rows ms':>18}{'diff ms':>10}"
    print(header + f"{'ratio':>9}")
    print("-" * (len(header) + 9))
    for name in small:
        diff, ratio = big[name] - small[name], big[name] / small[name] if small[name] else 0
        print(f"{name:<{width}}{small[name]:>10.2f}{big[name]:>18.2f}{diff:>10.2f}{ratio:>8.1f}x")

    pages = [name for name in small if "page" in name or "search" in name]
    worst = max(pages, key=lambda name: big[name] - small[name])
    verdict = "met" if big[worst] - small[worst] <= TARGET_MS else "MISSED"
    print(f"\ntarget (first page within {TARGET_MS:.0f} ms of the empty store): {verdict}; "
          f"worst: {worst}, +{big[worst] - small[worst]:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
