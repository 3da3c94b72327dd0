"""What a finished task reports about its output: the video's size, `usage` and `cost`.

Prices: wan3.0-video at the vendor's published standard price ($0.05/0.10/0.20 per second at
480P/720P/1080P, reference videos billed on their input seconds too). No price is published for
the 2.6 models: the simulator pretends a flat PRICE_WAN26 per second so costs exist to sum.
"""

from __future__ import annotations

from typing import Any

from .rules import REFERENCE_MODEL, SIZES, SMART_DURATION, WAN3, normal_resolution, normal_size, \
    size_resolution

DEFAULT_RESOLUTION = "720P"
DEFAULT_RATIO = "16:9"
SMART_SECONDS = 5  # what "smart duration" (-1) and an absent duration come out as
REFERENCE_VIDEO_SECONDS = 5  # the pretend length of every reference video (input seconds)
PRICE_WAN3 = {"480P": 0.05, "720P": 0.10, "1080P": 0.20}  # USD per second, published
PRICE_WAN26 = 0.12  # USD per second, pretend: no price is published for 2.6
CURRENCY = "USD"
FRAME_RATES = {WAN3: 30}  # the 2.6 models: 24
COST_SHAPES = ("number", "object")  # `cost` comes both ways; clients must read both

# Frame sizes per resolution and ratio; the first is the default (16:9, and for "adaptive").
RATIO_SIZES: dict[str, dict[str, str]] = {
    "480P": {"16:9": "832*480", "9:16": "480*832", "1:1": "624*624", "4:3": "640*480",
             "3:4": "480*640"},
    "720P": {"16:9": "1280*720", "9:16": "720*1280", "1:1": "960*960", "4:3": "1088*832",
             "3:4": "832*1088"},
    "1080P": {"16:9": "1920*1080", "9:16": "1080*1920", "1:1": "1440*1440",
              "4:3": "1632*1248", "3:4": "1248*1632"},
}
assert all(set(SIZES[r]) <= set(RATIO_SIZES[r].values()) for r in SIZES)


def resolution(request: dict[str, Any]) -> str:
    """The output's resolution: the size's (the frame made, and billed), else as asked (any
    case), else 720P."""
    size = normal_size(request.get("size"))
    return ((size_resolution(size) if size else None)
            or normal_resolution(request.get("resolution")) or DEFAULT_RESOLUTION)


def video_size(request: dict[str, Any]) -> tuple[int, int]:
    """Width and height: from `size` (W*H or WxH), else from resolution and `ratio`."""
    size = normal_size(request.get("size"))
    if size is None:
        by_ratio = RATIO_SIZES[resolution(request)]
        size = by_ratio.get(str(request.get("ratio")), by_ratio[DEFAULT_RATIO])
    width, _, height = size.partition("*")
    return int(width), int(height)


def aspect_ratio(width: int, height: int) -> str:
    """The documented ratio nearest to width:height."""
    return min(("16:9", "4:3", "1:1", "3:4", "9:16"),
               key=lambda r: abs(int(r.split(":")[0]) / int(r.split(":")[1]) - width / height))


def output_seconds(request: dict[str, Any]) -> int:
    duration = request.get("duration")
    if not isinstance(duration, int) or duration == SMART_DURATION:
        return SMART_SECONDS
    return duration


def input_video_seconds(request: dict[str, Any]) -> int:
    """Seconds of reference video the task read (billed for Wan 3)."""
    model = request.get("model")
    if model == WAN3:
        media = request.get("media") or []
        count = sum(1 for item in media if item.get("type") == "reference_video")
    elif model == REFERENCE_MODEL:
        count = len(request.get("reference_video_urls") or [])
    else:
        count = 0
    return count * REFERENCE_VIDEO_SECONDS


def usage(request: dict[str, Any]) -> dict[str, Any]:
    width, height = video_size(request)
    return {"resolution": resolution(request),
            "output_video_seconds": output_seconds(request),
            "input_video_seconds": input_video_seconds(request),
            "frame_rate": FRAME_RATES.get(str(request.get("model")), 24),
            "aspect_ratio": aspect_ratio(width, height),
            "video_width": width, "video_height": height}


def cost_amount(request: dict[str, Any]) -> float:
    """USD for a successful task of this request."""
    seconds = output_seconds(request) + input_video_seconds(request)
    per_second = (PRICE_WAN3[resolution(request)] if request.get("model") == WAN3
                  else PRICE_WAN26)
    return round(seconds * per_second, 6)  # 0.1 * 12 is 1.2000000000000002 otherwise


def cost(amount: float, shape: str) -> float | dict[str, Any]:
    """`cost` in one of COST_SHAPES: a bare number, or {"amount": N, "currency": "USD"}."""
    return amount if shape == "number" else {"amount": amount, "currency": CURRENCY}
