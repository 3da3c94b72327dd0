"""How a request rule reports what is wrong: a Problem names its field; InvalidRequest blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Problem:
    """One rule a request breaks. Errors block sending; warnings only inform."""

    field: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidRequest(ValueError):
    """A request that breaks the API's rules; nothing was sent."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = [p for p in problems if not p.warning]
        super().__init__("; ".join(str(p) for p in self.problems))


def is_http_url(value: object) -> bool:
    """An absolute http(s) URL with a host and no whitespace or control characters."""
    if not isinstance(value, str) or any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F
                                         for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. "http://[" (a broken IPv6 address)
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def shown(value: Any, limit: int = 60) -> str:
    """A value for a message: its repr (quoted, escaped: never markup or a control character),
    cut to `limit` characters (a batch line can hold megabytes)."""
    try:
        text = "false" if value is False else "true" if value is True else repr(value)
    except RecursionError:  # absurdly nested JSON
        return "a deeply nested value"
    return text if len(text) <= limit else text[:limit - 1] + "…"
