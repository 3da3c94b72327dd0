"""What the real service refuses in a POST /wan/videos body, written from the API reference.

Deliberately independent of wan_tui.api: the simulator is the client's judge, so it must not
share the client's rules (a hygiene test checks that no module here imports wan_tui.api).
It refuses only what the reference says the service refuses (400 bad_request) and accepts the
rest, quirks included: lowercase resolutions, `WxH` sizes, `image_url` sent with r2v,
`shot_type` with rewriting off, `media` sent to a 2.6 model (ignored).
One deliberate strictness the reference does not document: a field the API does not have is
refused, so a client's typo shows up in tests instead of vanishing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

WAN3 = "wan3.0-video"
# Which action each model goes with; wan3.0-video takes either (or none).
MODEL_ACTIONS: dict[str, tuple[str, ...]] = {
    "wan2.6-t2v": ("text2video",),
    "wan2.6-i2v": ("image2video",),
    "wan2.6-i2v-flash": ("image2video",),
    "wan2.6-r2v": ("image2video",),
    WAN3: ("text2video", "image2video"),
}
ACTIONS = ("text2video", "image2video")
IMAGE_MODELS = ("wan2.6-i2v", "wan2.6-i2v-flash")  # need image_url
REFERENCE_MODEL = "wan2.6-r2v"  # needs reference_video_urls
RESOLUTIONS = ("480P", "720P", "1080P")
SIZES: dict[str, tuple[str, ...]] = {
    "480P": ("832*480", "480*832", "624*624"),
    "720P": ("1280*720", "720*1280", "960*960", "1088*832", "832*1088"),
    "1080P": ("1920*1080", "1080*1920", "1440*1440", "1632*1248", "1248*1632"),
}
RATIOS = ("adaptive", "16:9", "4:3", "1:1", "3:4", "9:16")
SHOT_TYPES = ("single", "multi")
DURATION_RANGE = (2, 30)
SMART_DURATION = -1  # the model picks the duration
SEED_RANGE = (0, 2_147_483_647)
MEDIA_TYPES = ("first_frame", "last_frame", "reference_image", "reference_video",
               "reference_audio", "file", "link")
FRAME_TYPES = frozenset({"first_frame", "last_frame"})
REFERENCE_TYPES = frozenset({"reference_image", "reference_video", "reference_audio"})
MEDIA_ITEMS = (1, 10)

TEXT_FIELDS = ("action", "model", "prompt", "negative_prompt", "resolution", "size", "ratio",
               "shot_type")
URL_FIELDS = ("image_url", "audio_url", "callback_url")
BOOL_FIELDS = ("watermark", "audio", "prompt_extend", "async")
KNOWN_FIELDS = frozenset((*TEXT_FIELDS, *URL_FIELDS, *BOOL_FIELDS, "duration", "seed",
                          "reference_video_urls", "media"))

Complain = Callable[[str, str], None]


def is_http_url(value: object) -> bool:
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    parts = urlsplit(value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def is_whole(value: object) -> bool:
    """A JSON integer (true and false are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool)


def normal_resolution(value: object) -> str | None:
    """"720p" -> "720P"; None when absent or unknown."""
    if not isinstance(value, str):
        return None
    upper = value.strip().upper()
    return upper if upper in RESOLUTIONS else None


def normal_size(value: object) -> str | None:
    """"1280x720" or "1280*720" -> "1280*720" when the service knows that size, else None."""
    if not isinstance(value, str):
        return None
    size = value.strip().lower().replace("x", "*")
    return size if any(size in sizes for sizes in SIZES.values()) else None


def size_resolution(size: str) -> str | None:
    return next((res for res, sizes in SIZES.items() if size in sizes), None)


def problems(body: dict[str, Any]) -> list[str]:
    """Every reason the service would answer 400 to this body, each naming its field."""
    out: list[str] = []

    def complain(name: str, message: str) -> None:
        out.append(f"{name}: {message}")

    for name in sorted(set(body) - KNOWN_FIELDS):
        complain(name, "is not a field of the Wan API")
    _check_types(body, complain)
    if out:
        return out  # the rules below assume the right types
    model = body.get("model")
    if model is None:
        complain("model", f"is required: one of {', '.join(MODEL_ACTIONS)}")
        return out
    if model not in MODEL_ACTIONS:
        complain("model", f"must be one of {', '.join(MODEL_ACTIONS)} (got {model!r})")
        return out
    _check_action(model, body.get("action"), complain)
    _check_prompt(model, body, complain)
    _check_values(body, complain)
    _check_inputs(model, body, complain)
    return out


def _check_types(body: dict[str, Any], complain: Complain) -> None:
    for name in TEXT_FIELDS:
        if name in body and not isinstance(body[name], str):
            complain(name, f"must be text (got {body[name]!r})")
    for name in BOOL_FIELDS:
        if name in body and not isinstance(body[name], bool):
            complain(name, f"must be true or false (got {body[name]!r})")
    for name in URL_FIELDS:
        if name in body and not is_http_url(body[name]):
            complain(name, f"must be an http(s) URL (got {body[name]!r})")
    for name in ("duration", "seed"):
        if name in body and not is_whole(body[name]):
            complain(name, f"must be a whole number (got {body[name]!r})")
    refs = body.get("reference_video_urls")
    if "reference_video_urls" in body and not (
            isinstance(refs, list) and all(is_http_url(url) for url in refs)):
        complain("reference_video_urls", f"must be a list of http(s) URLs (got {refs!r})")


def _check_action(model: str, action: str | None, complain: Complain) -> None:
    if action is None:
        if model != WAN3:
            complain("action", f"is required for {model}: {MODEL_ACTIONS[model][0]}")
    elif action not in ACTIONS:
        complain("action", f"must be one of {', '.join(ACTIONS)} (got {action!r})")
    elif action not in MODEL_ACTIONS[model]:
        fitting = [m for m, actions in MODEL_ACTIONS.items() if action in actions]
        complain("action", f"{model} does not do {action}; {action} goes with "
                 f"{', '.join(fitting)}")


def _check_prompt(model: str, body: dict[str, Any], complain: Complain) -> None:
    prompt = body.get("prompt")
    if prompt is None:
        complain("prompt", "is required")
    elif not prompt.strip() and not (model == WAN3 and body.get("media")):
        complain("prompt", "must not be empty" + (" without media" if model == WAN3 else ""))
    # Long prompts and negative prompts are accepted (upstream cuts them), never refused.


def _check_values(body: dict[str, Any], complain: Complain) -> None:
    if "resolution" in body and normal_resolution(body["resolution"]) is None:
        complain("resolution", f"must be one of {', '.join(RESOLUTIONS)} "
                 f"(got {body['resolution']!r})")
    if "size" in body and normal_size(body["size"]) is None:
        known = ", ".join(size for sizes in SIZES.values() for size in sizes)
        complain("size", f"must be one of {known} (got {body['size']!r})")
    if "ratio" in body and body["ratio"] not in RATIOS:
        complain("ratio", f"must be one of {', '.join(RATIOS)} (got {body['ratio']!r})")
    if "shot_type" in body and body["shot_type"] not in SHOT_TYPES:
        complain("shot_type", f"must be single or multi (got {body['shot_type']!r})")
    duration = body.get("duration")
    low, high = DURATION_RANGE
    if duration is not None and duration != SMART_DURATION and not low <= duration <= high:
        complain("duration", f"must be {low}-{high} seconds or {SMART_DURATION} (got "
                 f"{duration})")
    seed = body.get("seed")
    if seed is not None and not SEED_RANGE[0] <= seed <= SEED_RANGE[1]:
        complain("seed", f"must be {SEED_RANGE[0]}-{SEED_RANGE[1]} (got {seed})")


def _check_inputs(model: str, body: dict[str, Any], complain: Complain) -> None:
    """The inputs each model needs. Inputs a model does not use are ignored, not refused
    (`media` on a 2.6 model is not even looked at)."""
    if model in IMAGE_MODELS and not body.get("image_url"):
        complain("image_url", f"is required for {model} (the first frame)")
    if model == REFERENCE_MODEL and not body.get("reference_video_urls"):
        complain("reference_video_urls", f"at least one is required for {model}")
    if model == WAN3 and "media" in body:
        _check_media(body["media"], complain)


def _check_media(media: object, complain: Complain) -> None:
    if not isinstance(media, list):
        complain("media", f"must be a list of {{type, url}} items (got {media!r})")
        return
    low, high = MEDIA_ITEMS
    if not low <= len(media) <= high:
        complain("media", f"must hold {low}-{high} items (got {len(media)})")
    for number, item in enumerate(media, 1):
        if not isinstance(item, dict):
            complain("media", f"item {number} must be an object {{type, url}} (got {item!r})")
            continue
        if item.get("type") not in MEDIA_TYPES:
            complain("media", f"item {number}: type must be one of {', '.join(MEDIA_TYPES)} "
                     f"(got {item.get('type')!r})")
        if not is_http_url(item.get("url")):
            complain("media", f"item {number}: url must be an http(s) URL "
                     f"(got {item.get('url')!r})")
    types = {item.get("type") for item in media if isinstance(item, dict)}
    if types & FRAME_TYPES and types & REFERENCE_TYPES:
        complain("media", "first/last-frame mode (first_frame, last_frame) and reference mode "
                 "(reference_*) cannot be mixed in one request")
