"""Faults a client must survive: rate limits, server errors, proxy HTML pages, lost answers."""

from __future__ import annotations

import threading
from collections import deque

from .rng import SharedRandom

# "429": too_many_requests with Retry-After: 1; "500": api_error JSON; "502": a proxy's HTML
# page; "drop": the connection closes without any answer.
FAULT_KINDS = ("429", "500", "502", "drop")
ENDPOINTS = ("tasks", "videos")  # /wan/tasks and /wan/videos


class FaultInjector:
    """Decides, per request, whether to misbehave: forced faults first (so tests are
    deterministic), then at random with the simulator's current fault rate."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forced: dict[str, deque[str]] = {endpoint: deque() for endpoint in ENDPOINTS}

    def force(self, kind: str, count: int = 1, endpoint: str = "tasks") -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)} (got {kind!r})")
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {', '.join(ENDPOINTS)} (got {endpoint!r})")
        with self._lock:
            self._forced[endpoint].extend([kind] * count)

    def draw(self, endpoint: str, rate: float, rng: SharedRandom) -> str | None:
        with self._lock:
            if self._forced[endpoint]:
                return self._forced[endpoint].popleft()
        if rate > 0 and rng.random() < rate:
            return rng.choice(FAULT_KINDS)
        return None
