"""How the history store scales to a million rows of long, varied prompts (issue 11).

    python bench/bench_store.py [--quick | --rows 100000 1000000] [--import-rows N]

Histories are built in the previous version's layout (schema 1: the prompt stored twice) with
`executemany` in one transaction, cached under /tmp/wan-tui-bench-store, then copied and
opened with the current store, which upgrades them as a user's upgrade would. Each figure is
printed next to the same figure on an empty store in the same run. Targets: open within 5 ms
of empty; searches within 30 ms of empty; import peak memory under 150 MB and time within 1.3x
a plain executemany of the same rows; bytes per row at least 20% below schema 1's.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wan_tui.store import schema  # noqa: E402
from wan_tui.store.history import HistoryStore  # noqa: E402
from wan_tui.store.query import parse_query  # noqa: E402

from bench_history import median_ms  # noqa: E402  (the same warm-then-median timing)

CACHE = Path("/tmp/wan-tui-bench-store")
MODELS = ("wan2.6-t2v", "wan2.6-i2v", "wan2.6-i2v-flash", "wan2.6-r2v")
ACTIONS = {"wan2.6-t2v": "text2video"}
COMMON = ("the a of and in with on light through slow camera soft golden shot wide close "
          "cinematic over under morning evening city forest river sky rain snow fog old young "
          "woman man child dog cat bird horse boat train car street market window door glass "
          "mountain valley ocean wave sand stone wood metal neon shadow warm cold blue red "
          "green white black silver bright dark quiet busy drifting walking running flying "
          "dancing turning falling rising looking smiling holding carrying behind between "
          "beside toward across around above below along near far distant gentle sharp "
          "detailed realistic dreamy vivid muted pastel grainy film lens focus depth motion "
          "tracking dolly pan tilt aerial drone handheld portrait landscape night dawn dusk "
          "summer winter autumn spring fox lighthouse harbour bamboo lantern festival").split()
SYLLABLES = ("ka ri to me lo su na vi ze ro pa du ti mo shi ke ra fo ne li ba go yu ha "
             "qua zo be ni sa te").split()


def vocabulary(rng: random.Random, size: int = 6000) -> tuple[list[str], list[float]]:
    """Common words first, then made-up words; Zipf-like weights give a long tail of rare ones."""
    words = list(COMMON)
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    weights = [1.0 / (rank + 1) ** 1.07 for rank in range(len(words))]
    return words, weights


def rare_word(rows: int) -> str:
    """A word that occurs in a few rows only (it is planted; see legacy_rows)."""
    return "quetzalcoatl"


def legacy_rows(count: int, seed: int = 11) -> Iterator[tuple[Any, ...]]:
    """Rows for the version-1 table: (task_id, action, model, prompt, negative_prompt, params,
    state, state_word, video_url, created_at, updated_at, finished_at)."""
    rng = random.Random(seed)
    words, weights = vocabulary(rng)
    start = 1_700_000_000.0
    plant_every = max(count // 40, 1)  # ~40 rows hold the rare word
    for n in range(count):
        length = rng.randint(200, 1500)
        chunk = rng.choices(words, weights, k=length // 5)
        text = " ".join(chunk)[:length]
        if n % plant_every == plant_every // 2:
            text = "quetzalcoatl " + text
        prompt = text[0].upper() + text[1:]
        model = rng.choice(MODELS)
        negative = rng.choice((None, None, "blurry, low quality", "watermark, text"))
        created = start + n * 30 + rng.uniform(0, 29)
        state = rng.choices(("succeeded", "failed", "expired"), (85, 12, 3))[0]
        params = {"action": ACTIONS.get(model, "image2video"), "model": model,
                  "prompt": prompt, "resolution": rng.choice(("720P", "1080P")),
                  "duration": rng.choice((5, 10, 15)), "prompt_extend": rng.random() < 0.5}
        if negative:
            params["negative_prompt"] = negative
        yield (f"task-{n:09d}", params["action"], model, prompt, negative,
               json.dumps(params, sort_keys=True, ensure_ascii=False), state,
               "completed" if state == "succeeded" else "",
               f"https://cdn.example/v/{n}.mp4" if state == "succeeded" else None,
               created, created + 300, created + 300)


# Schema 1's full-text index, as it shipped (upgrades keep it).
V1_FTS = (
    """CREATE VIRTUAL TABLE generations_fts USING fts5(prompt, negative_prompt,
        content='generations', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER generations_fts_insert AFTER INSERT ON generations BEGIN
        INSERT INTO generations_fts (rowid, prompt, negative_prompt)
        VALUES (new.id, new.prompt, new.negative_prompt); END""",
)
INSERT = ("INSERT INTO generations (task_id, action, model, prompt, negative_prompt, params, "
          "state, state_word, video_url, created_at, updated_at, finished_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def build_legacy(path: Path, count: int, chunk: int = 10_000) -> None:
    """A version-1 history (today's layout) of `count` rows, with its full-text index."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    for statement in schema.MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    for statement in V1_FTS:
        conn.execute(statement)
    source = legacy_rows(count)
    while True:
        batch = [row for _, row in zip(range(chunk), source)]
        if not batch:
            break
        conn.executemany(INSERT, batch)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def cached_legacy(count: int) -> Path:
    """The cached version-1 history of `count` rows, built on first use."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"legacy-{count}.sqlite3"
    if not path.exists():
        started = time.perf_counter()
        tmp = path.with_suffix(".building")
        build_legacy(tmp, count)
        tmp.rename(path)
        print(f"built {count:,} rows in {time.perf_counter() - started:.0f} s -> {path}",
              flush=True)
    return path




# -- measuring ---------------------------------------------------------------------------------

def upgraded_copy(count: int, folder: Path) -> tuple[Path, dict[str, float]]:
    """A copy of the cached version-1 history, opened (so upgraded) by the current store."""
    legacy = cached_legacy(count)
    path = folder / f"history-{count}.sqlite3"
    shutil.copyfile(legacy, path)
    started = time.perf_counter()
    HistoryStore(path).close()
    upgrade = time.perf_counter() - started
    with HistoryStore(path) as store:
        used = store.stats().bytes_per_row
    compact = folder / f"compact-{count}.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("VACUUM INTO ?", (str(compact),))
    conn.close()
    figures = {"before": legacy.stat().st_size / count, "in place": used,
               "vacuumed": compact.stat().st_size / count, "upgrade s": upgrade}
    compact.unlink()
    return path, figures


def query_cases(store: HistoryStore, rare: str) -> dict[str, Callable[[], Any]]:
    row = store.search(limit=1, offset=5000)
    deep = (row[0].created_at, row[0].id) if row else (1e12, 0)
    return {
        "store open": lambda: HistoryStore(store.path).close(),
        f"search rare word ({rare}), page of 100": lambda: store.search(rare, limit=100),
        "search common word (light), page of 100": lambda: store.search("light", limit=100),
        "search prefix (fo), page of 100": lambda: store.search("fo", limit=100),
        "search 2 words (golden fox), page of 100": lambda: store.search("golden fox", limit=100),
        "search a possessive (man's), page of 100": lambda: store.search("man's", limit=100),
        "count a possessive (man's), cap 1000": lambda: store.count("man's", cap=1000),
        "search + filter (light state:failed)": lambda: store.search(
            filters=parse_query("light state:failed"), limit=100),
        "count common word, cap 1000": lambda: store.count("light", cap=1000),
        "count common word + filter, cap 1000": lambda: store.count(
            filters=parse_query("light state:failed"), cap=1000),
        "first page, no filter": lambda: store.search(limit=100),
        "page 51 by keyset (after row 5,000)": lambda: store.search(limit=100, after=deep),
        "active_ids()": store.active_ids,
    }


IMPORT_CHILD = r"""
import json, resource, sqlite3, sys, time
sys.path.insert(0, sys.argv[1])
from wan_tui.store.history import HistoryStore
mode, source, target = sys.argv[2:5]
store = HistoryStore(target)
started = time.perf_counter()
with open(source, encoding="utf-8") as lines:
    if mode == "store":
        store.import_lines(lines)
    else:  # the baseline: a plain executemany of the same rows, same table and triggers
        conn = sqlite3.connect(target, isolation_level=None)
        names = None
        conn.execute("BEGIN IMMEDIATE")
        batch = []
        for line in lines:
            item = json.loads(line)
            item.pop("id"); item.pop("error")
            item["params"] = {k: v for k, v in item["params"].items()  # stored once, as
                              if k not in ("action", "model", "prompt", "negative_prompt")}
            for key in ("params", "usage", "cost"):  # the store does
                item[key] = json.dumps(item[key])
            item["state_word"] = item["state_word"] or ""  # exported as null until one is said
            names = names or list(item)
            batch.append(tuple(item[k] for k in names))
            if len(batch) == 10000:
                conn.executemany(f"INSERT INTO generations ({','.join(names)}) VALUES "
                                 f"({','.join('?' * len(names))})", batch)
                batch = []
        if batch:
            conn.executemany(f"INSERT INTO generations ({','.join(names)}) VALUES "
                             f"({','.join('?' * len(names))})", batch)
        conn.execute("COMMIT")
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def measure_import(store: HistoryStore, rows: int, folder: Path) -> dict[str, float]:
    source = folder / "export.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for _, row in zip(range(rows), store.export_rows()):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    out: dict[str, float] = {}
    root = str(Path(__file__).resolve().parent.parent)
    for mode in ("executemany", "store"):
        target = folder / f"import-{mode}.sqlite3"
        done = subprocess.run([sys.executable, "-c", IMPORT_CHILD, root, mode, str(source),
                               str(target)], capture_output=True, text=True, check=True)
        seconds, peak = map(float, done.stdout.split())
        out[f"{mode} s"], out[f"{mode} MB"] = seconds, peak
        if mode == "store":  # a history written by this version from the start
            with HistoryStore(target) as imported:
                out["fresh bytes/row"] = imported.stats().bytes_per_row
        for leftover in folder.glob(f"import-{mode}.sqlite3*"):
            leftover.unlink()
    source.unlink()
    return out


def report(rows: int, folder: Path, repeat: int, import_rows: int) -> None:
    path, sizes = upgraded_copy(rows, folder)
    empty = HistoryStore(folder / "empty.sqlite3")
    large = HistoryStore(path)
    small_cases, big_cases = query_cases(empty, rare_word(rows)), query_cases(large, rare_word(rows))
    print(f"\n{rows:,} rows (upgrade from schema 1 on first open: {sizes['upgrade s']:.1f} s)")
    print(f"{'operation':<44}{'empty ms':>10}{'large ms':>10}{'diff ms':>9}")
    for name in small_cases:
        small = median_ms(small_cases[name], repeat)
        big = median_ms(big_cases[name], repeat)
        print(f"{name:<44}{small:>10.2f}{big:>10.2f}{big - small:>9.2f}")
    print(f"bytes/row: schema 1 {sizes['before']:.0f}; upgraded in place {sizes['in place']:.0f} "
          f"({1 - sizes['in place'] / sizes['before']:.0%} less); after VACUUM "
          f"{sizes['vacuumed']:.0f} ({1 - sizes['vacuumed'] / sizes['before']:.0%} less)")
    if not import_rows:
        empty.close()
        large.close()
        path.unlink()
        return
    imported = measure_import(large, min(import_rows, rows), folder)
    ratio = imported["store s"] / imported["executemany s"]
    print(f"import of {min(import_rows, rows):,} rows: store {imported['store s']:.1f} s, "
          f"peak {imported['store MB']:.0f} MB; plain executemany {imported['executemany s']:.1f}"
          f" s, peak {imported['executemany MB']:.0f} MB; time ratio {ratio:.2f}x")
    fresh = imported["fresh bytes/row"]
    print(f"bytes/row of the imported (fresh) history: {fresh:.0f} "
          f"({1 - fresh / sizes['before']:.0%} less than schema 1)")
    empty.close()
    large.close()
    path.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--quick", action="store_true", help="20,000 rows only (CI)")
    parser.add_argument("--repeat", type=int, default=9, help="timed runs per figure (median)")
    parser.add_argument("--import-rows", type=int, default=1_000_000,
                        help="rows exported then imported (0: skip the import figures)")
    args = parser.parse_args(argv)
    sizes = [20_000] if args.quick else args.rows
    with tempfile.TemporaryDirectory(prefix="wan-tui-bench-store-", dir="/tmp") as tmp:
        for rows in sizes:
            report(rows, Path(tmp), args.repeat, args.import_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
