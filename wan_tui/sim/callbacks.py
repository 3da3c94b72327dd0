"""The simulator's side of `callback_url`: one POST of the ended task's `response`.

Only loopback addresses are called: the simulator must never send traffic off this machine.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .stats import SimStats


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class CallbackSender:
    """Timers that POST each task's final response to its callback URL when it ends."""

    def __init__(self, stats: SimStats) -> None:
        self._stats = stats
        self._timers: set[threading.Timer] = set()
        self._lock = threading.Lock()

    def schedule(self, url: str, delay: float, body: Callable[[], dict[str, Any]]) -> None:
        if not is_loopback(url):
            self._stats.count("callbacks_skipped")
            return
        timer = threading.Timer(max(0.0, delay), self._send, args=(url, body))
        timer.daemon = True
        with self._lock:
            self._timers.add(timer)
        timer.start()

    def _send(self, url: str, body: Callable[[], dict[str, Any]]) -> None:
        with self._lock:
            self._timers = {t for t in self._timers if t.is_alive()}
        data = json.dumps(body()).encode()
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (loopback only)
                answer.read()
            self._stats.count("callbacks_sent")
        except OSError:
            self._stats.count("callbacks_failed")  # the real service does not retry either

    def cancel_all(self) -> None:
        with self._lock:
            timers, self._timers = self._timers, set()
        for timer in timers:
            timer.cancel()
