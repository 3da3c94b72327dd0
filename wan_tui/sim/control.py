"""POST /_sim/control: change a running simulator's settings over HTTP, so scripts that run it
as a separate process (`wan-tui sim`, bench/) can do what in-process tests do with attributes.

Body (every key optional): job_seconds, fail_rate, fault_rate, latency, sync_timeout,
video_size (bytes), media_rate (bytes/s),
answer_delays {"videos"|"tasks"|"listing": seconds}, refuse_listing (bool), force_faults
[{"kind": "429"|"500"|"502"|"drop", "count": N, "endpoint": "tasks"|"videos"}].
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .faults import ENDPOINTS, FAULT_KINDS

if TYPE_CHECKING:
    from .simulator import Simulator

DELAY_KINDS = ("videos", "tasks", "listing")
MAX_VIDEO_SIZE = 256 * 2**20  # each size is built in memory
LONGEST = 3600.0  # seconds: any longer setting is a mistake, not a test
# name -> (lowest, highest, lowest excluded)
NUMBERS: dict[str, tuple[float, float, bool]] = {
    "job_seconds": (0.0, LONGEST, True), "sync_timeout": (0.0, LONGEST, True),
    "latency": (0.0, LONGEST, False), "fail_rate": (0.0, 1.0, False),
    "fault_rate": (0.0, 1.0, False),
    "video_size": (0.0, float(MAX_VIDEO_SIZE), False), "media_rate": (0.0, 1e10, False),
}


def settings(sim: Simulator) -> dict[str, Any]:
    return {**{name: getattr(sim, name) for name in NUMBERS},
            "answer_delays": dict(sim.answer_delays), "refuse_listing": sim.refuse_listing}


def _number(name: str, value: object, low: float, high: float, open_low: bool) -> float:
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or not math.isfinite(value) or not low <= value <= high
            or (open_low and value == low)):
        above = "above" if open_low else "at least"
        raise ValueError(f"{name} must be a number {above} {low:g} and at most {high:g} "
                         f"(got {value!r})")
    return float(value)


def apply(sim: Simulator, body: dict[str, Any]) -> dict[str, Any]:
    """Check every key first, then change them all: a bad body changes nothing."""
    unknown = sorted(set(body) - set(NUMBERS) - {"answer_delays", "refuse_listing",
                                                 "force_faults"})
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(unknown)}")
    numbers = {name: _number(name, body[name], *NUMBERS[name])
               for name in NUMBERS if name in body}
    delays = body.get("answer_delays", {})
    if not isinstance(delays, dict) or not set(delays) <= set(DELAY_KINDS):
        raise ValueError(f"answer_delays must map {', '.join(DELAY_KINDS)} to seconds")
    delays = {kind: _number(f"answer_delays.{kind}", value, 0.0, LONGEST, False)
              for kind, value in delays.items()}
    refuse = body.get("refuse_listing", sim.refuse_listing)
    if not isinstance(refuse, bool):
        raise ValueError("refuse_listing must be true or false")
    forced = body.get("force_faults", [])
    if not isinstance(forced, list):
        raise ValueError("force_faults must be a list of {kind, count, endpoint}")
    faults = [_fault(item) for item in forced]
    for name, value in numbers.items():
        setattr(sim, name, value)
    sim.answer_delays.update(delays)
    sim.refuse_listing = refuse
    for kind, count, endpoint in faults:
        sim.force_faults(kind, count, endpoint)
    return settings(sim)


def _fault(item: object) -> tuple[str, int, str]:
    if not isinstance(item, dict):
        raise ValueError("force_faults items must be objects {kind, count, endpoint}")
    kind, count = item.get("kind"), item.get("count", 1)
    endpoint = item.get("endpoint", "tasks")
    if kind not in FAULT_KINDS or endpoint not in ENDPOINTS:
        raise ValueError(f"a forced fault's kind is one of {', '.join(FAULT_KINDS)} and its "
                         f"endpoint one of {', '.join(ENDPOINTS)}")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 10_000:
        raise ValueError("a forced fault's count must be 1-10000")
    return str(kind), count, str(endpoint)
