"""The terminal app's form drafts, kept across restarts in a small JSON file.

Drafts are a convenience: a file that is too big or not JSON is ignored with a notice (and
replaced at the next save), never a reason to stop.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wan_tui.store.files import atomic_write_private

DRAFTS_FILE = "drafts.json"
DRAFTS_MAX_BYTES = 1_000_000


def read_drafts(path: Path) -> tuple[Any, str | None]:
    """The drafts saved last time (None: none) and a notice when the file was unusable."""
    try:
        if path.stat().st_size > DRAFTS_MAX_BYTES:
            return None, f"{path} is too big to be drafts; it is ignored"
        return json.loads(path.read_text(encoding="utf-8")), None
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        return None, f"{path} could not be read ({type(error).__name__}); it is ignored"


def write_drafts(path: Path, drafts: Mapping[str, Any]) -> None:
    """Replace the saved drafts (atomically, mode 0600; raises OSError). Drafts bigger than
    DRAFTS_MAX_BYTES are not kept."""
    data = json.dumps(drafts, ensure_ascii=False).encode("utf-8")
    if not drafts or len(data) > DRAFTS_MAX_BYTES:
        path.unlink(missing_ok=True)
        return
    atomic_write_private(path, data)
