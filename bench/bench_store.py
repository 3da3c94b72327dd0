"""Long, varied prompts for the store benchmark, and histories built from them fast.

A history is built in today's (schema version 1) layout, the prompt stored twice, with one
`executemany` per 10,000 rows inside a transaction; opening it with the current store then runs
the migrations, as a user's upgrade would. Built files are cached in a folder under /tmp.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wan_tui.store import schema  # noqa: E402

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
    schema.setup_fts(conn, True)
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


if __name__ == "__main__":
    for size in map(int, sys.argv[1:]):
        cached_legacy(size)
