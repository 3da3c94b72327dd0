"""Wan 3 `media`: the items a wan3.0-video request is made from, and their rules.

wan3.0-video picks its mode from `media`: no media is text to video, `first_frame`/`last_frame`
animate frames, `reference_*` items are material to draw on. Frame mode and reference mode
cannot be mixed in one request. `file` and `link` items belong to neither mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .problems import Problem, is_http_url, shown
from .specs import MEDIA_LIMIT

FRAME_TYPES = ("first_frame", "last_frame")
REFERENCE_TYPES = ("reference_image", "reference_video", "reference_audio")
MEDIA_TYPES = (*FRAME_TYPES, *REFERENCE_TYPES, "file", "link")


@dataclass(frozen=True)
class MediaItem:
    """One item of `media`, as the API spells it: {"type": T, "url": URL}."""

    type: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"type": self.type, "url": self.url}

    @classmethod
    def from_dict(cls, value: object) -> MediaItem:
        """Read {"type": T, "url": URL}; ValueError says what is wrong with the shape (the
        values themselves are checked by `media_problems`)."""
        if not isinstance(value, dict):
            raise ValueError('must be an object {"type": …, "url": …}')
        extra = sorted(str(k) for k in value if k not in ("type", "url"))
        if extra:
            raise ValueError(f"has unknown keys {', '.join(map(repr, extra))} "
                             "(an item has only type and url)")
        kind, url = value.get("type"), value.get("url")
        if not isinstance(kind, str) or not isinstance(url, str):
            raise ValueError("needs a type and a url, both text")
        return cls(kind, url)


def parse_media_item(text: str) -> MediaItem:
    """`TYPE=URL` (the CLI's --media) to an item; ValueError with a clear message otherwise."""
    kind, sep, url = text.partition("=")
    kind = kind.strip().lower()
    if not sep or not kind or not url.strip():
        raise ValueError(f"media must be TYPE=URL, e.g. first_frame=https://…/a.png (got {text!r})")
    if kind not in MEDIA_TYPES:
        raise ValueError(f"media type must be one of {', '.join(MEDIA_TYPES)} (got {kind!r})")
    return MediaItem(kind, url.strip())


def coerce_items(value: Any) -> Any:
    """`value` with every well-formed dict turned into a MediaItem; anything else is kept as
    it is, for `media_problems` to name (this never raises)."""
    if not isinstance(value, list | tuple):
        return value
    out: list[Any] = []
    for item in value:
        try:
            out.append(item if isinstance(item, MediaItem) else MediaItem.from_dict(item))
        except ValueError:
            out.append(item)
    return out


def media_mode(items: list[MediaItem]) -> str:
    """"text", "frames", "reference", "mixed" (an error), or "other" (only file/link items)."""
    frames = any(i.type in FRAME_TYPES for i in items)
    references = any(i.type in REFERENCE_TYPES for i in items)
    if frames and references:
        return "mixed"
    return "frames" if frames else "reference" if references else "other" if items else "text"


def media_problems(value: Any) -> list[Problem]:
    """Every rule `media` breaks (errors), each naming `media` and the item's position."""
    if not isinstance(value, list):
        return [Problem("media", 'must be a list of {"type": …, "url": …} items')]
    out: list[Problem] = []
    if len(value) > MEDIA_LIMIT:
        out.append(Problem("media", f"{len(value)} items; at most {MEDIA_LIMIT} are allowed"))
    items: list[MediaItem] = []
    for number, item in enumerate(value, 1):
        if not isinstance(item, MediaItem):
            try:
                item = MediaItem.from_dict(item)
            except ValueError as error:
                out.append(Problem("media", f"item {number} {error}"))
                continue
        if not isinstance(item.type, str) or item.type not in MEDIA_TYPES:
            out.append(Problem("media", f"item {number}: type must be one of "
                               f"{', '.join(MEDIA_TYPES)} (got {shown(item.type)})"))
        elif not is_http_url(item.url):
            out.append(Problem("media", f"item {number} ({item.type}): url must be an "
                               f"http(s) URL"))
        else:
            items.append(item)
    if media_mode(items) == "mixed":
        frames = "/".join(sorted({i.type for i in items if i.type in FRAME_TYPES}))
        refs = "/".join(sorted({i.type for i in items if i.type in REFERENCE_TYPES}))
        out.append(Problem("media", f"{frames} (frame mode) cannot be mixed with {refs} "
                           "(reference mode) in one request"))
    return out
