"""The media a finished task points at: a generated PNG thumbnail and a small shipped MP4
(grown to `video_size` bytes on request, served at `media_rate` bytes/s, with Range)."""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from functools import lru_cache
from importlib.resources import files

THUMBNAIL_BOX = 160  # the thumbnail's longer side, in pixels
VIDEO_ASSET = "sample.mp4"  # 1 s, 160x90, H.264 test pattern made with ffmpeg's testsrc


def thumbnail_size(video_width: int, video_height: int) -> tuple[int, int]:
    """The video's aspect ratio fitted into THUMBNAIL_BOX, so portrait videos get portrait
    thumbnails and the reported thumbnail_width/height match the real PNG."""
    scale = THUMBNAIL_BOX / max(video_width, video_height, 1)
    return max(1, round(video_width * scale)), max(1, round(video_height * scale))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@lru_cache(maxsize=256)
def thumbnail_png(task_id: str, width: int, height: int) -> bytes:
    """A valid RGB PNG: a gradient tinted by the task id, so thumbnails differ between tasks."""
    tint = hashlib.sha256(task_id.encode()).digest()
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type "none" for this scanline
        green = (tint[1] + y * 255 // max(height - 1, 1)) % 256
        for x in range(width):
            rows += bytes(((tint[0] + x * 255 // max(width - 1, 1)) % 256, green, tint[2]))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + _chunk(b"IEND", b""))


@lru_cache(maxsize=1)
def sample_mp4() -> bytes:
    return files("wan_tui.sim").joinpath("assets", VIDEO_ASSET).read_bytes()


@lru_cache(maxsize=4)
def video_bytes(size: int) -> bytes:
    """The sample video grown to `size` bytes with a trailing MP4 `free` box (players skip
    it), so downloads can be as long as a real video's; never smaller than the sample."""
    sample = sample_mp4()
    padding = size - len(sample)
    if padding < 8:  # a box needs its 8-byte header
        return sample
    return sample + struct.pack(">I", padding) + b"free" + bytes(padding - 8)


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (start, end exclusive) a `Range: bytes=N-[M]` header asks for, or None for the
    whole file (no header, or one this host does not serve: a real host then sends it all)."""
    match = re.fullmatch(r"\s*bytes=(\d+)-(\d*)\s*", header or "")
    if match is None:
        return None
    start = int(match[1])
    end = min(int(match[2]) + 1, size) if match[2] else size
    return (start, end) if start < end else None
