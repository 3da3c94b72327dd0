"""Tasks "made by another client" (the web app, another machine): finished tasks the simulator
holds from the start, so listing, sync and spend have an account history to work on.

Deterministic for a given seed: the same seed gives the same ids, prompts, models, costs and
created_at offsets (relative to `now`). Every request is one the service accepts (rules.py).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

from .rules import RATIOS, WAN3
from .tasks import DONE_WORDS, FAILED_WORDS, WAITING_WORDS, SimTask

DAY = 86_400.0
MAX_SEED_TASKS = 100_000
NEWEST_AGE = 3_600.0  # longer than any seeded task's run
FAILED_SHARE = 0.1  # about one seeded task in ten failed (cost 0)
CDN = "https://cdn.example.invalid/seed"  # inputs are never fetched; any http(s) URL does

SUBJECTS = ("a paper boat", "a red fox", "a lighthouse", "an old tram", "a koi pond",
            "a glass city", "a desert caravan", "a snow owl", "a jazz club", "a kite festival")
SCENES = ("at dawn", "in the rain", "under neon lights", "in slow motion", "from above",
          "on a windy hill", "at golden hour", "in a snowstorm")
STYLES = ("cinematic", "watercolour look", "handheld camera", "timelapse", "35mm film")


def _prompt(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(SCENES)}, {rng.choice(STYLES)}"


def _request(rng: random.Random, number: int) -> dict[str, Any]:
    """A varied, valid body, as the web app would have submitted it."""
    model = rng.choice(("wan2.6-t2v", "wan2.6-i2v", "wan2.6-i2v-flash", "wan2.6-r2v", WAN3))
    body: dict[str, Any] = {"model": model, "prompt": _prompt(rng),
                            "resolution": rng.choice(("720P", "1080P")),
                            "duration": rng.choice((5, 10, 15)), "async": True}
    if model == "wan2.6-t2v":
        body["action"] = "text2video"
    elif model == WAN3:
        body.update(ratio=rng.choice(RATIOS), seed=rng.randrange(2**31),
                    resolution=rng.choice(("480P", "720P", "1080P")),
                    duration=rng.choice((-1, 4, 8, 12)))
        if rng.random() < 0.5:
            kind = rng.choice(("first_frame", "reference_video", "reference_image"))
            body["media"] = [{"type": kind, "url": f"{CDN}/{number}.{kind}"}]
    else:
        body["action"] = "image2video"
        if model == "wan2.6-r2v":
            body["reference_video_urls"] = [f"{CDN}/{number}-ref.mp4"]
        else:
            body["image_url"] = f"{CDN}/{number}.png"
    return body


def seeded_tasks(count: int, seed: str | None, now: float, days: float,
                 next_shape: Callable[[], str]) -> list[SimTask]:
    """`count` tasks created over the `days` before `now` (the newest an hour old, so all
    have ended), oldest first."""
    rng = random.Random(seed)
    created = sorted(now - NEWEST_AGE - rng.uniform(0.0, days * DAY) for _ in range(count))
    tasks = []
    for number, created_at in enumerate(created):
        request = _request(rng, number)
        task_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        tasks.append(SimTask(
            id=task_id, created_at=created_at, duration=rng.uniform(40.0, 300.0),
            trace_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), request=request,
            quirks=frozenset(), fails=rng.random() < FAILED_SHARE,
            waiting_words=rng.choice(WAITING_WORDS), done_word=rng.choice(DONE_WORDS),
            failed_word=rng.choice(FAILED_WORDS),
            video_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            cost_shape=next_shape()))
    return tasks
