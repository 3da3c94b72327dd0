"""Values from the service, each made safe on its own: one absurd field is dropped, never fatal.

Strings lose terminal control characters and the token, and are bounded; numbers are finite
and inside a plausible range; free-form JSON (`usage`, `cost`, the echoed request) is bounded
in depth, width and size. Nothing here raises on any input.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from .text import printable

Scrub = Callable[[str], str]

MAX_TEXT = 4000  # characters of one message or word we keep
MAX_JSON_BYTES = 4096  # a usage or cost value bigger than this is not kept
MAX_DEPTH = 8
MAX_ITEMS = 200  # keys or items of one JSON container
MAX_JSON_NUMBER = 1e15
YEAR_3000 = 32503680000.0
# Lone surrogates (JSON allows "\ud800") are not text: no file, database or terminal takes them.
_SURROGATES = re.compile("[\ud800-\udfff]")


def _keep(text: str) -> str:
    return text


def clean_text(value: Any, scrub: Scrub = _keep, *, limit: int = MAX_TEXT,
               strip: bool = True) -> str | None:
    """A non-empty printable, token-free string of at most `limit` characters, or None."""
    if not isinstance(value, str):
        return None
    # Cut first (a 4 MB string is cheap to cut), then drop what no terminal or file takes.
    text = scrub(_SURROGATES.sub("\ufffd", printable(value[: limit * 4])))
    if strip:
        text = text.strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text or None


def clean_id(value: Any, scrub: Scrub = _keep) -> str | None:
    """A task id: a short string (or an integer) without spaces or control characters."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value) if abs(value) < 10**30 else None
    text = clean_text(value, scrub, limit=256)
    if text is None or len(text) >= 256 or any(c.isspace() for c in text):
        return None
    return text


def number(value: Any, low: float, high: float) -> float | None:
    """A finite number within [low, high]: ints, floats and short numeric strings; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and len(value) <= 40:
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int):
        # Compare as ints first: float(10**400) raises OverflowError.
        return float(value) if low <= value <= high else None
    if isinstance(value, float) and math.isfinite(value) and low <= value <= high:
        return value
    return None


def whole(value: Any, low: int, high: int) -> int | None:
    found = number(value, low, high)
    return int(found) if found is not None else None


def timestamp(value: Any) -> float | None:
    """Unix seconds between 1970 and the year 3000."""
    return number(value, 0.0, YEAR_3000)


def clean_json(value: Any, scrub: Scrub = _keep, *, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """A JSON value as received but safe: see the module doc. None when too big or unusable."""
    cleaned = _walk(value, scrub, MAX_DEPTH, max_bytes)
    try:
        size = len(json.dumps(cleaned, ensure_ascii=False, allow_nan=False).encode())
    except (ValueError, TypeError, RecursionError):
        return None
    return cleaned if size <= max_bytes else None


def _walk(value: Any, scrub: Scrub, depth: int, text_limit: int) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return _json_number(value)
    if isinstance(value, str):
        # As received, spaces included; a string too long makes the whole value too big.
        return clean_text(value, scrub, strip=False, limit=text_limit + 1) or ""
    if depth <= 0:
        return None
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in list(value.items())[:MAX_ITEMS]:
            name = clean_text(key, scrub, limit=200, strip=False)
            if name is not None:
                out[name] = _walk(item, scrub, depth - 1, text_limit)
        return out
    if isinstance(value, list | tuple):
        return [_walk(item, scrub, depth - 1, text_limit) for item in value[:MAX_ITEMS]]
    return None


def _json_number(value: int | float) -> int | float | None:
    found = number(value, -MAX_JSON_NUMBER, MAX_JSON_NUMBER)
    if found is None:
        return None
    return int(found) if isinstance(value, int) else found
