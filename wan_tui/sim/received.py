"""The request bodies the simulator received, so tests can compare what a client really sent.

Served at GET /_sim/requests. Headers are never kept (the token travels in one), and should a
client leak the token into a body, it is masked here and the entry says so.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from typing import Any

KEEP = 1000  # the most recent bodies kept, all endpoints together
TOKEN_MASK = "[token]"


class ReceivedBodies:
    """A bounded, thread-safe record of API request bodies and what they were answered."""

    def __init__(self, token: str) -> None:
        self._token = token
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=KEEP)
        self._seq = 0

    def add(self, endpoint: str, raw: bytes) -> dict[str, Any]:
        """Record one body; the returned entry is updated with the answer as it is known."""
        text = raw.decode("utf-8", errors="replace")
        leaked = bool(self._token) and self._token in text
        if leaked:
            text = text.replace(self._token, TOKEN_MASK)
        try:
            body: Any = json.loads(text)
        except ValueError:
            body = None
        with self._lock:
            self._seq += 1
            entry: dict[str, Any] = {"seq": self._seq, "at": time.time(), "endpoint": endpoint,
                                     "body": body, "status": None, "task_id": None}
            if body is None:
                entry["raw"] = text
            if leaked:
                entry["token_in_body"] = True
            self._entries.append(entry)
        return entry

    def items(self, endpoint: str | None = None, limit: int = KEEP) -> list[dict[str, Any]]:
        """The most recent `limit` entries, oldest first, optionally of one endpoint."""
        with self._lock:
            chosen = [dict(e) for e in self._entries
                      if endpoint is None or e["endpoint"] == endpoint]
        return chosen[-limit:] if limit > 0 else []

    def bodies(self, endpoint: str = "videos") -> list[Any]:
        """Just the bodies, oldest first: what a test usually compares."""
        return [entry["body"] for entry in self.items(endpoint)]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
