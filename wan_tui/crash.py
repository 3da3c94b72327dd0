"""Crash reports: one writer for the CLI and the TUI.

A bug of ours must not put a traceback in front of the user, and a report must never hold the
API token: tracebacks are formatted without locals, every secret is scrubbed, and the file goes
to the temporary folder with a name the user is told.
"""

from __future__ import annotations

import tempfile
import traceback
from collections.abc import Iterable
from pathlib import Path

HIDDEN = "…"


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, HIDDEN)
    return text


def write_report(error: BaseException, secrets: Iterable[str | None] = ()) -> Path | None:
    """Save the traceback (no locals, secrets scrubbed); its path, or None when it can't be."""
    text = scrub("".join(traceback.format_exception(error)), secrets)
    try:
        with tempfile.NamedTemporaryFile("w", prefix="wan-tui-crash-", suffix=".txt",
                                         delete=False, encoding="utf-8") as handle:
            handle.write(text)
    except OSError:
        return None
    return Path(handle.name)
