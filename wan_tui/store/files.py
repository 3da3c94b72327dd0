"""File operations that must not lose data: atomic private writes, moving damaged files aside."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


def atomic_write_private(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so readers see the old or the new file, never half of one.

    The temporary file is created with mode 0600 (it may hold the API token: never readable by
    others, not even for a moment between create and chmod), fsynced, then renamed over.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkstemp creates the file with O_EXCL and mode 0600, in the same directory so that the
    # final rename is atomic (same file system).
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)  # make the rename itself durable


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not possible on every platform (Windows); the rename still happened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def move_aside(path: Path, label: str, *, when: float | None = None,
               siblings: tuple[str, ...] = ()) -> Path:
    """Rename `path` to `path.LABEL-YYYYMMDD-HHMMSS` (plus -2, -3... if taken) and return it.

    Sibling files named `path + suffix` (e.g. SQLite's -wal and -shm) follow it, keeping the
    same suffix, so the moved-aside copy stays complete. Nothing is ever deleted or overwritten.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if when is None else when))
    base = f"{path.name}.{label}-{stamp}"
    target = path.with_name(base)
    counter = 2
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", *siblings)):
        target = path.with_name(f"{base}-{counter}")
        counter += 1
    os.rename(path, target)
    for suffix in siblings:
        sibling = Path(f"{path}{suffix}")
        if sibling.exists():
            os.rename(sibling, Path(f"{target}{suffix}"))
    return target
