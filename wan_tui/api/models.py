"""The generation request: every documented field of POST /wan/videos, normalized and checked.

One place knows the rules; the CLI, the forms and batch files all build a GenerationRequest
and ask it. The facts per model live in `specs`, the rules in `rules`, Wan 3 media in `media`.

`action` is a str; "" means "not chosen". A Wan 2.6 model has one action, so "" becomes it on
construction; wan3.0-video keeps "" and the body leaves `action` out (as the vendor's examples
do). The other optional fields use None for "not sent: the service decides", and [] for no
reference videos / no media.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from .media import MediaItem, coerce_items
from .problems import InvalidRequest, Problem, is_http_url, shown
from .rules import did_you_mean, left_out, request_problems
from .specs import (
    ACTIONS,
    ALL_SIZES,
    DEFAULT_MODEL,
    DURATION_RANGE,
    DURATIONS,
    IMAGE_MODELS,
    MEDIA_MODELS,
    MODEL_ACTIONS,
    MODEL_DESCRIPTIONS,
    MODEL_SPECS,
    MODELS,
    NEGATIVE_PROMPT_LIMIT,
    PROMPT_LIMIT,
    RATIOS,
    REFERENCE_MODELS,
    RESOLUTIONS,
    SEED_RANGE,
    SHOT_TYPES,
    SIZES,
    SMART_DURATION,
    ModelSpec,
    models_for,
    spec_of,
)

__all__ = [
    "ACTIONS", "ALL_SIZES", "DEFAULT_MODEL", "DURATIONS", "DURATION_RANGE", "IMAGE_MODELS",
    "MEDIA_MODELS", "MODELS", "MODEL_ACTIONS", "MODEL_DESCRIPTIONS", "MODEL_SPECS",
    "NEGATIVE_PROMPT_LIMIT", "PROMPT_LIMIT", "RATIOS", "REFERENCE_MODELS", "RESOLUTIONS",
    "SEED_RANGE", "SHOT_TYPES", "SIZES", "SMART_DURATION", "GenerationRequest", "InvalidRequest",
    "MediaItem", "ModelSpec", "Problem", "is_http_url", "models_for", "normalize_resolution",
    "normalize_size", "parse_duration", "spec_of",
]

_SIZE_SPELLING = re.compile(r"\s*([0-9]+)\s*[xX×*]\s*([0-9]+)\s*")
_INTEGER = re.compile(r"[+-]?[0-9]+")


def parse_duration(text: str) -> int:
    """A duration as typed (`7`, `-1`, `auto`) to seconds; -1 means the model chooses.
    Raises ValueError with a clear message for anything the endpoint would not take."""
    word = text.strip().lower()
    low, high = DURATION_RANGE
    message = (f"duration must be a whole number of seconds from {low} to {high}, "
               f"or -1/auto for the model's choice (got {text[:40]!r})")
    if word == "auto":
        return SMART_DURATION
    if not _INTEGER.fullmatch(word):
        raise ValueError(message)
    seconds = int(word)
    if seconds != SMART_DURATION and not low <= seconds <= high:
        raise ValueError(message)
    return seconds


def normalize_resolution(value: Any) -> Any:
    """`720p`, ` 720P `, `720` → `720P`; anything else unchanged (for the rules to judge)."""
    if isinstance(value, str):
        word = value.strip().upper()
        for candidate in (word, word + "P"):
            if candidate in RESOLUTIONS:
                return candidate
    return value


def normalize_size(value: Any) -> Any:
    """`1280x720`, `1280X720`, `1280×720`, ` 1280*720 ` → `1280*720`; anything else unchanged."""
    if isinstance(value, str):
        match = _SIZE_SPELLING.fullmatch(value)
        if match:
            return f"{match.group(1)}*{match.group(2)}"
    return value


def _normalize_word(value: Any, choices: tuple[str, ...]) -> Any:
    if isinstance(value, str) and value.strip().lower() in choices:
        return value.strip().lower()
    return value


@dataclass
class GenerationRequest:
    """A generation as the user asked for it, normalized on construction."""

    action: str  # "" = not chosen (see the module's docstring)
    model: str
    prompt: str
    negative_prompt: str | None = None
    resolution: str | None = None
    size: str | None = None
    ratio: str | None = None
    duration: int | None = None  # 2-30 seconds, or -1: the model chooses
    seed: int | None = None
    watermark: bool | None = None
    shot_type: str | None = None
    audio: bool | None = None
    audio_url: str | None = None
    prompt_extend: bool | None = None
    image_url: str | None = None
    reference_video_urls: list[str] = field(default_factory=list)
    media: list[MediaItem] = field(default_factory=list)
    callback_url: str | None = None

    def __post_init__(self) -> None:
        # Warnings found while reading a body (from_body), not about any field's value.
        self.read_warnings: tuple[Problem, ...] = ()
        # Values arrive from batch lines and forms: normalize only what has the right type,
        # never raise here (the rules name whatever is still wrong).
        raw: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        if raw["action"] is None:
            self.action = ""
        self.action = _normalize_word(self.action, ACTIONS)
        spec = spec_of(self.model)
        if self.action == "" and spec is not None:
            self.action = spec.default_action
        self.resolution = normalize_resolution(self.resolution)
        self.size = normalize_size(self.size)
        self.ratio = _normalize_word(self.ratio, RATIOS)
        self.shot_type = _normalize_word(self.shot_type, SHOT_TYPES)
        if isinstance(raw["duration"], str) and raw["duration"].strip().lower() in ("auto", "-1"):
            self.duration = SMART_DURATION
        for name in ("reference_video_urls", "media"):
            if raw[name] is None:
                setattr(self, name, [])
            elif isinstance(raw[name], tuple):
                setattr(self, name, list(raw[name]))
        self.media = coerce_items(self.media)

    # -- rules -------------------------------------------------------------------------------

    @property
    def spec(self) -> ModelSpec | None:
        return spec_of(self.model)

    def problems(self) -> list[Problem]:
        """Every rule this request breaks, each naming its field (errors and warnings)."""
        return request_problems(self)

    def errors(self) -> list[Problem]:
        return [p for p in self.problems() if not p.warning]

    def warnings(self) -> list[Problem]:
        return [p for p in self.problems() if p.warning]

    def left_out(self) -> tuple[str, ...]:
        """Fields given that the model does not use: not sent, not kept (a warning says so)."""
        return left_out(self, self.spec)

    # -- wire --------------------------------------------------------------------------------

    def params(self) -> dict[str, Any]:
        """The fields that will be sent, by their API names, without `async`: what the history
        keeps. Fields the model does not use are left out, as in the body."""
        skipped = set(self.left_out())
        out: dict[str, Any] = {}
        for name in FIELD_NAMES:
            value = getattr(self, name)
            if name in skipped or value is None or _is_empty(name, value):
                continue
            if name == "media" and isinstance(value, list):
                value = [m.to_dict() if isinstance(m, MediaItem) else m for m in value]
            elif isinstance(value, list):
                value = list(value)
            out[name] = value
        return out

    def to_body(self) -> dict[str, Any]:
        """The JSON body to POST; raises InvalidRequest instead of building a bad one."""
        errors = self.errors()
        if errors:
            raise InvalidRequest(errors)
        # Always asynchronous: holding a connection for minutes per video loses tasks on drops.
        return {**self.params(), "async": True}

    @classmethod
    def from_body(cls, body: Any, *, strict: bool = True) -> GenerationRequest:
        """Build from API field names: batch lines, stored parameters, the service's echo.

        Raises InvalidRequest (and nothing else) when `body` is not an object, for an empty
        `media`, and, when `strict`, for unknown keys (each named, with a suggestion), so a typo
        is never silently dropped. Without `strict` (a body the service echoes) unknown keys
        are left out with a warning. `async` other than true is a warning: wan-tui always
        sends async. A missing `model` is DEFAULT_MODEL; a missing `action` follows the model.
        Values are not judged here: ask `errors()`/`warnings()` (they include these warnings).
        """
        if not isinstance(body, dict):
            raise InvalidRequest([Problem("body", "must be a JSON object of API fields")])
        values: dict[str, Any] = {}
        errors: list[Problem] = []
        notes: list[Problem] = []
        for key, value in body.items():
            if key == "async":
                if value is not True:
                    notes.append(Problem("async", f"{shown(value, 40)} is ignored: wan-tui always "
                                         "sends async: true and follows the task", True))
            elif key in FIELD_NAMES:
                if value is not None:
                    values[key] = value
            elif strict:
                errors.append(Problem(_key_name(key), "is not a field of the Wan API"
                                      + did_you_mean(key, [*FIELD_NAMES, "async"])))
            else:
                notes.append(Problem(_key_name(key), "is not a field wan-tui knows; "
                                     "it is left out", True))
        if values.get("media") == [] and strict:
            errors.append(Problem("media", "is empty: give 1–10 items, or leave media out"))
        if errors:
            raise InvalidRequest(errors)
        values.setdefault("model", DEFAULT_MODEL)
        values.setdefault("action", "")
        values.setdefault("prompt", "")
        request = cls(**values)
        request.read_warnings = tuple(notes)
        return request

    def to_dict(self) -> dict[str, Any]:
        """Every field by name (media items as dicts): `GenerationRequest(**d)` rebuilds it."""
        out = {name: getattr(self, name) for name in FIELD_NAMES}
        for name in ("reference_video_urls", "media"):
            if isinstance(out[name], list):
                out[name] = [m.to_dict() if isinstance(m, MediaItem) else m for m in out[name]]
        return out


FIELD_NAMES = tuple(f.name for f in fields(GenerationRequest))


def _is_empty(name: str, value: Any) -> bool:
    """Nothing to send: no items, no action chosen, an empty negative prompt."""
    if isinstance(value, list):
        return not value
    return name in ("action", "negative_prompt") and value == ""


def _key_name(key: Any) -> str:
    """An unknown key as a field name for a message: itself when plain, else its short repr."""
    if isinstance(key, str) and key.isidentifier() and len(key) <= 60:
        return key
    return shown(key)
