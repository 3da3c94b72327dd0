"""A fixed history for screenshots and snapshot tests: the same rows, ids and times every run.

The rows are what a real session leaves after each submission, its acceptance and the poll
results (tests/test_ui_sample.py checks them against the store's own writes), imported through
the session like `wan-tui history import`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.session import Session

NOW = 1_767_268_800.0  # 2026-01-01 12:00:00 UTC: "now" in every screenshot
CDN = "https://cdn.example.com/wan"
MARKUP_PROMPT = "[b]bold[/b] [@click=app.quit]click me[/] — brackets are only text"


def fixed_clock(now: float = NOW) -> Callable[[], float]:
    return lambda: now


def _request(prompt: str, model: str = "wan2.6-t2v", **params: Any) -> GenerationRequest:
    action = "text2video" if model == "wan2.6-t2v" else "image2video"
    return GenerationRequest(action=action, model=model, prompt=prompt, **params)


# (seconds before NOW it was made, seconds it ran or None, state, request, extra)
SAMPLES: list[tuple[float, float | None, str, GenerationRequest, dict[str, Any]]] = [
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


def sample_rows() -> list[dict[str, Any]]:
    """The sample, as `wan-tui history export` writes rows (what the store keeps after the
    submission, its acceptance and the poll results of each)."""
    rows = []
    for n, (ago, ran, state, request, extra) in enumerate(SAMPLES, start=1):
        created = NOW - ago
        params = {k: v for k, v in request.to_body().items() if k != "async"}
        row: dict[str, Any] = {
            "id": n, "action": request.action, "model": request.model,
            "prompt": request.prompt, "negative_prompt": request.negative_prompt,
            "params": params, "state": state, "state_word": "", "created_at": created,
            "updated_at": created,
        }
        rows.append(row)
        if state == State.UNKNOWN:
            row["error"] = {"code": "", "message": "no answer within 60 s (read timeout); the "
                                                   "submission was not resent"}
            continue
        row["task_id"] = f"4f6e2c1a-0000-4000-8000-{n:012d}"
        row["trace_id"] = f"7d0b9e55-0000-4000-9000-{n:012d}"
        if state == State.PENDING:
            continue
        polled = created + (ran or 30)
        row["updated_at"] = polled
        if state == State.EXPIRED:
            row["finished_at"] = polled
            row["error"] = {"code": "", "message": "no result 24 hours after submission; the "
                                                   "task id has expired"}
            continue
        done = state == State.SUCCEEDED
        error = extra.get("error")
        width, height = (1920, 1080) if request.resolution == "1080P" else (1280, 720)
        task_id = row["task_id"]
        row.update({
            "state_word": extra.get("word", "completed" if done else "failed"),
            "server_created_at": created + 1, "last_polled_at": polled,
            "finished_at": created + ran if ran is not None else None,
            "video_url": f"{CDN}/{task_id}.mp4" if done else None,
            "thumbnail_url": f"{CDN}/{task_id}.jpg" if done else None,
            "video_width": width if done else None, "video_height": height if done else None,
            "error": {"code": error[0], "message": error[1]} if error else None,
        })
    return rows


def fill_sample_history(session: Session) -> None:
    """Put the sample rows in the session's (new, empty) history."""
    result = session.import_rows(sample_rows())
    if result.added != len(SAMPLES):
        raise ValueError(f"the sample needs a new, empty history: {result}")
