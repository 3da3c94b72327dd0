"""One seeded random source shared by every server thread."""

from __future__ import annotations

import random
import threading
from collections.abc import MutableSequence, Sequence
from typing import TypeVar

T = TypeVar("T")


class SharedRandom:
    """random.Random behind a lock: handler threads draw concurrently, and a seed must still
    give one reproducible sequence per draw order."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def random(self) -> float:
        with self._lock:
            return self._random.random()

    def uniform(self, low: float, high: float) -> float:
        with self._lock:
            return self._random.uniform(low, high)

    def choice(self, options: Sequence[T]) -> T:
        with self._lock:
            return self._random.choice(options)

    def shuffle(self, items: MutableSequence[T]) -> None:
        with self._lock:
            self._random.shuffle(items)
