"""Writing a set of history rows to a new JSON Lines file (the history screen's `e`).

One JSON object a line, the format `wan-tui history import` reads. The file is new (never
replaces one), named from the time, in the folder given (the downloads folder).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any


def write_export(rows: Iterable[dict[str, Any]], folder: Path, now: float) -> tuple[Path, int]:
    """(the new file, rows written). Raises OSError when the folder or file cannot be written."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = "wan-history-" + datetime.fromtimestamp(now).strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        path = folder / (f"{stem}.jsonl" if n == 1 else f"{stem}-{n}.jsonl")
        try:
            handle = open(path, "x", encoding="utf-8")
        except FileExistsError:
            continue
        with handle:
            count = 0
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
                count += 1
        return path, count
    raise FileExistsError(f"too many exports named like {stem} in {folder}")
