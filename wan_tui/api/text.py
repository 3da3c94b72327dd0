"""Text from outside (the service, batch files, imported history) made safe for a terminal.

Rich keeps ESC and other control characters, so a server message or a prompt holding
`\\x1b]52;...` could write the clipboard or clear the screen when printed. Everything
untrusted passes through `printable` before it is shown.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 (U+0080-U+009F: 8-bit CSI, OSC, ...).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` without the characters a terminal would obey instead of show."""
    return _CONTROLS.sub("", text)


# Characters a prompt may not hold: C0 controls except tab, newline and carriage return, DEL,
# C1, and lone surrogates (not text at all; they cannot even be encoded as UTF-8).
_FORBIDDEN_IN_PROMPT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Characters that show nothing: zero-width and other format characters, and blank-looking
# letters (Hangul fillers, the braille blank). Whitespace is found with str.isspace.
_INVISIBLE = frozenset("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d"
                       "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063"
                       "\u2064\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f"
                       "\u2800\u3164\ufe0f\ufeff\uffa0")


def forbidden_characters(text: str) -> list[str]:
    """The distinct characters of `text` a prompt must not hold, as U+XXXX, in order."""
    found: list[str] = []
    for match in _FORBIDDEN_IN_PROMPT.finditer(text):
        code = f"U+{ord(match.group()):04X}"
        if code not in found:
            found.append(code)
    return found


def is_blank(text: str) -> bool:
    """True when `text` shows nothing: empty, or only whitespace and invisible characters."""
    return all(c.isspace() or c in _INVISIBLE for c in text)
