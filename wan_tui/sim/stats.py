"""Counters the simulator keeps, so tests and benchmarks can check what a client really did."""

from __future__ import annotations

import threading
from typing import Any

OVERSIZED_BATCH = 50  # the vendor recommends at most 50 ids per retrieve_batch


def _bump(counts: dict[Any, int], key: Any) -> None:
    counts[key] = counts.get(key, 0) + 1


class SimStats:
    """Thread-safe counters. Read the attributes directly, or `to_json()` for a copy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests: dict[str, int] = {}  # path (media paths folded) -> count
            self.videos_posts = 0
            self.tasks_posts = 0
            self.retrieve_calls = 0  # single-task `retrieve` actions answered
            self.batch_calls = 0  # `retrieve_batch` with ids answered
            self.list_calls = 0  # `retrieve_batch` without ids (listing) answered
            self.batch_sizes: dict[int, int] = {}  # ids per retrieve_batch -> how many calls
            self.max_batch_ids = 0
            self.oversized_batches = 0  # batches of more than OVERSIZED_BATCH ids
            self.faults: dict[str, int] = {}  # fault kind -> injected count
            self.created = 0
            self.seeded = 0  # tasks "made by another client" (Simulator.seed_tasks)
            self.delete_calls = 0  # `delete` actions answered (found or not)
            self.submissions_by_prompt: dict[str, int] = {}  # prompt -> tasks created
            self.callbacks_sent = 0  # callback POSTs answered
            self.callbacks_failed = 0  # callback POSTs that found no listener
            self.callbacks_skipped = 0  # callback URLs off loopback, never called

    def count(self, name: str) -> None:
        """Add one to a plain counter, e.g. count("videos_posts")."""
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    def note_request(self, path: str) -> None:
        with self._lock:
            _bump(self.requests, path)

    def note_batch(self, size: int) -> None:
        with self._lock:
            self.batch_calls += 1
            _bump(self.batch_sizes, size)
            self.max_batch_ids = max(self.max_batch_ids, size)
            if size > OVERSIZED_BATCH:
                self.oversized_batches += 1

    def note_fault(self, kind: str) -> None:
        with self._lock:
            _bump(self.faults, kind)

    def note_created(self, prompt: str) -> None:
        with self._lock:
            self.created += 1
            _bump(self.submissions_by_prompt, prompt)

    def note_seeded(self, count: int) -> None:
        with self._lock:
            self.seeded += count

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(self.requests),
                "videos_posts": self.videos_posts,
                "tasks_posts": self.tasks_posts,
                "retrieve_calls": self.retrieve_calls,
                "batch_calls": self.batch_calls,
                "list_calls": self.list_calls,
                # JSON keys are strings; the in-process dict keeps ints.
                "batch_sizes": {str(k): v for k, v in sorted(self.batch_sizes.items())},
                "max_batch_ids": self.max_batch_ids,
                "oversized_batches": self.oversized_batches,
                "faults": dict(self.faults),
                "created": self.created,
                "seeded": self.seeded,
                "delete_calls": self.delete_calls,
                "submissions_by_prompt": dict(self.submissions_by_prompt),
                "callbacks_sent": self.callbacks_sent,
                "callbacks_failed": self.callbacks_failed,
                "callbacks_skipped": self.callbacks_skipped,
            }
