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
