"""A fixed history for screenshots and snapshot tests: the same rows, ids and times every run.

Rows are written through the store's own methods (submission, acceptance, poll results), with
the store's clock pinned to each moment, so they are exactly what a real session leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State, TaskSnapshot
from wan_tui.store.history import HistoryStore

NOW = 1_767_268_800.0  # 2026-01-01 12:00:00 UTC: "now" in every screenshot
CDN = "https://cdn.example.com/wan"
MARKUP_PROMPT = "[b]bold[/b] [@click=app.quit]click me[/] — brackets are only text"


class PinnedClock:
    """A clock the sample moves by hand."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def fixed_clock(now: float = NOW) -> Callable[[], float]:
    return lambda: now


def _request(prompt: str, model: str = "wan2.6-t2v", **params: Any) -> GenerationRequest:
    action = "text2video" if model == "wan2.6-t2v" else "image2video"
    return GenerationRequest(action=action, model=model, prompt=prompt, **params)


# (seconds before NOW it was made, seconds it ran or None, state, request, extra)
_SAMPLES: list[tuple[float, float | None, str, GenerationRequest, dict[str, Any]]] = [
    (6 * 3600, 212, State.SUCCEEDED, _request(
        "Aerial shot over a terraced rice field at sunrise, mist in the valleys, slow push in",
        resolution="1080P", size="1920*1080", duration=10), {}),
    (5 * 3600, None, State.EXPIRED, _request(
        "A paper boat drifting down a rain gutter, macro lens", duration=5), {}),
    (4 * 3600, 140, State.SUCCEEDED, _request(
        "The lighthouse beam sweeps across the waves as a storm rolls in",
        model="wan2.6-i2v", image_url="https://images.example.com/lighthouse.jpg",
        resolution="720P", duration=5, audio=True), {}),
    (3 * 3600, 96, State.FAILED, _request(
        "A crowd of dancers in a neon-lit warehouse, strobe lights"), {
        "error": ("forbidden", "the request was refused by content moderation")}),
    (2 * 3600, 171, State.SUCCEEDED, _request(
        MARKUP_PROMPT, resolution="720P", duration=5), {}),
    (50 * 60, 188, State.SUCCEEDED, _request(
        "A red fox trotting through fresh snow at dawn, low sun, cinematic tracking shot",
        negative_prompt="blurry, text, watermark, extra limbs", resolution="1080P",
        size="1920*1080", duration=5, prompt_extend=True, shot_type="single",
        audio=False), {}),
    (20 * 60, 123, State.SUCCEEDED, _request(
        "Same street, now at night",
        model="wan2.6-r2v", reference_video_urls=["https://media.example.com/street-day.mp4"],
        resolution="720P", duration=10), {}),
    (9 * 60, None, State.UNKNOWN, _request(
        "Timelapse of clouds over a mountain lake, reflections", duration=15), {}),
    (95, None, State.RUNNING, _request(
        "A hummingbird hovering at a red flower, 240 fps slow motion, shallow depth of field",
        resolution="1080P", duration=5), {"word": "processing"}),
    (40, None, State.RUNNING, _request(
        "Waves roll in slowly; seagulls cross the frame", model="wan2.6-i2v-flash",
        image_url="https://images.example.com/beach.png", resolution="720P", duration=10),
        {"word": "queued"}),
    (6, None, State.PENDING, _request(
        "An astronaut tending a tiny garden inside a space station, warm light",
        resolution="720P", duration=5), {}),
]


def fill_sample_history(path: Path | str) -> HistoryStore:
    """A new history at `path` (which must not exist yet) holding the sample rows."""
    clock = PinnedClock()
    store = HistoryStore(path, clock=clock)
    for n, (ago, ran, state, request, extra) in enumerate(_SAMPLES, start=1):
        created = NOW - ago
        clock.now = created
        local_id = store.add_submission(request)
        task_id = f"4f6e2c1a-0000-4000-8000-{n:012d}"
        trace_id = f"7d0b9e55-0000-4000-9000-{n:012d}"
        if state == State.UNKNOWN:
            store.mark_unknown(local_id, "no answer within 60 s (read timeout); the submission "
                                         "was not resent")
            continue
        store.mark_submitted(local_id, task_id, trace_id)
        if state == State.PENDING:
            continue
        clock.now = created + (ran or 30)
        if state == State.EXPIRED:
            store.mark_states([task_id], State.EXPIRED,
                              "no result 24 hours after submission; the task id has expired")
            continue
        error = extra.get("error")
        width, height = (1920, 1080) if request.resolution == "1080P" else (1280, 720)
        done = state == State.SUCCEEDED
        snapshot = TaskSnapshot(
            task_id=task_id, state=State(state),
            state_word=extra.get("word", "completed" if done else "failed"),
            video_url=f"{CDN}/{task_id}.mp4" if done else None,
            thumbnail_url=f"{CDN}/{task_id}.jpg" if done else None,
            video_width=width if done else None, video_height=height if done else None,
            error_code=error[0] if error else None, error_message=error[1] if error else None,
            trace_id=trace_id, created_at=created + 1,
            finished_at=created + ran if ran is not None else None,
            request=request.to_body(),
        )
        store.apply_snapshots([snapshot])
    clock.now = NOW
    return store
