"""The API token: what a usable one looks like, and keeping it out of everything we show.

A server (or a proxy) may echo the token back in any string it sends: a trace id, an error,
a state word, the echoed request. Every such string passes `Scrubber` before it is stored,
shown or exported. Only the client knows the token, so the client owns the scrubber.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import quote, quote_plus

MAX_TOKEN_LENGTH = 4096  # far above any real token; a 100 KB "token" is a pasted file
HIDDEN = "…"
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")


def token_problem(token: str) -> str | None:
    """Why this token cannot be sent, in words that never repeat it; None when usable."""
    if not token.strip():
        return "is empty"
    if len(token) > MAX_TOKEN_LENGTH:
        return (f"is {len(token):,} characters long, over the {MAX_TOKEN_LENGTH:,} any real "
                "token fits in (was a file pasted?)")
    if not _PRINTABLE_ASCII.fullmatch(token):
        return ("must be printable ASCII without spaces or line breaks (no token has other "
                "characters; copy it again)")
    return None


class Scrubber:
    """Replaces the token, and its obvious encodings, with "…" in any text."""

    def __init__(self, token: str) -> None:
        forms = {token, quote(token, safe=""), quote_plus(token)} if token else set()
        raw = token.encode("utf-8", "surrogatepass") if token else b""
        if len(raw) >= 6:  # base64 of a very short token would match ordinary words
            for encode in (base64.b64encode, base64.urlsafe_b64encode):
                forms.add(encode(raw).decode().rstrip("="))
        # Longest first, so "Bearer tok" style wrappers and encodings lose the whole token.
        ordered = sorted((f for f in forms if f), key=len, reverse=True)
        self._pattern = (re.compile("|".join(re.escape(f) for f in ordered), re.IGNORECASE)
                         if ordered else None)

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(HIDDEN, text)


def no_scrub(text: str) -> str:
    return text
