"""Drafts: what was in a generation form when it was left without submitting.

The app holds one draft per action and keeps them across restarts through the session (a JSON
file in the data folder). What is read back is checked field by field: anything unexpected is
dropped, never trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wan_tui.api.models import ACTIONS
from wan_tui.api.specs import MEDIA_LIMIT

# The form's fields, in its order (the first bad one gets focus).
FIELD_LABELS: dict[str, str] = {
    "model": "Model",
    "prompt": "Prompt",
    "negative_prompt": "Negative prompt",
    "image_url": "Image URL",
    "reference_video_urls": "Reference video URLs",
    "media": "Media",
    "resolution": "Resolution",
    "size": "Size",
    "ratio": "Ratio",
    "duration": "Duration",
    "seed": "Seed",
    "watermark": "Watermark",
    "prompt_extend": "Prompt rewriting",
    "shot_type": "Shot type",
    "audio": "Audio",
    "audio_url": "Audio URL",
    "callback_url": "Callback URL",
}
FIELDS = tuple(FIELD_LABELS)
MAX_TEXT = 20_000  # characters kept of one field (the prompt's limit is far below)


@dataclass
class Draft:
    """One form's values as typed, which fields were touched, whether all problems showed."""

    values: dict[str, Any]
    touched: set[str] = field(default_factory=set)
    show_all: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"values": self.values, "touched": sorted(self.touched),
                "show_all": self.show_all}

    @classmethod
    def from_json(cls, data: Any) -> Draft | None:
        """A draft read back, or None when it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
            return None
        values = {}
        for name, value in data["values"].items():
            if name not in FIELD_LABELS:
                continue
            if name == "media":
                value = _media_pairs(value)
                if value is None:
                    continue
            elif isinstance(value, str):
                value = value[:MAX_TEXT]
            elif value is not None and not isinstance(value, bool | int):
                continue
            values[name] = value
        touched = data.get("touched")
        return cls(values, {t for t in touched if t in FIELD_LABELS}
                   if isinstance(touched, list) else set(), data.get("show_all") is True)


def _media_pairs(value: Any) -> list[list[str]] | None:
    """The media editor's `[type, url]` pairs read back (at most MEDIA_LIMIT), or None when
    `value` is not that."""
    if not isinstance(value, list) or len(value) > MEDIA_LIMIT:
        return None
    if not all(isinstance(pair, list) and len(pair) == 2
               and all(isinstance(part, str) for part in pair) for pair in value):
        return None
    return [[kind[:40], url[:MAX_TEXT]] for kind, url in value]


def drafts_to_json(drafts: Mapping[str, Draft]) -> dict[str, Any]:
    return {action: draft.to_json() for action, draft in drafts.items()}


def drafts_from_json(data: Any) -> dict[str, Draft]:
    """The drafts of known actions in what was read (anything else is left out)."""
    if not isinstance(data, dict):
        return {}
    out = {}
    for action, value in data.items():
        draft = Draft.from_json(value) if action in ACTIONS else None
        if draft is not None:
            out[action] = draft
    return out
