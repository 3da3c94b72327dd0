"""What the Wan API documents for each model: actions, fields, durations, resolutions, sizes, price.

Pure data, public so that every front end (the forms, `wan-tui models`, the config keys)
shows the same facts the request rules check. Source: the project's API reference
(`shared/wan-api.md`), which follows the vendor's 2026 guide.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

ACTIONS = ("text2video", "image2video")
RESOLUTIONS = ("480P", "720P", "1080P")
SIZES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "480P": ("832*480", "480*832", "624*624"),
    "720P": ("1280*720", "720*1280", "960*960", "1088*832", "832*1088"),
    "1080P": ("1920*1080", "1080*1920", "1440*1440", "1632*1248", "1248*1632"),
})
ALL_SIZES = tuple(size for sizes in SIZES.values() for size in sizes)
RATIOS = ("adaptive", "16:9", "4:3", "1:1", "3:4", "9:16")
SHOT_TYPES = ("single", "multi")

SMART_DURATION = -1  # "the model chooses the length"
DURATION_RANGE = (2, 30)  # what the endpoint accepts, in seconds (besides -1)
DURATIONS = (5, 10, 15)  # suggestions a picker offers first; any value in DURATION_RANGE is valid
SEED_RANGE = (0, 2_147_483_647)

PROMPT_LIMIT = 1500  # upstream limit, "about" (some sources say 800): warn, don't refuse
NEGATIVE_PROMPT_LIMIT = 500  # the service cuts the rest silently: warn before that happens
TEXT_SANITY_LIMIT = 20_000  # far past any limit: not a prompt (a pasted file), refused
MEDIA_LIMIT = 10  # items in `media`
REFERENCE_VIDEO_LIMIT = 3  # upstream takes 1-3 reference videos (warn above)

# Fields every model uses. The model-specific ones (image_url, reference_video_urls, media)
# are listed per model below; a model given one it does not use gets it left out, with a warning.
COMMON_FIELDS = ("action", "model", "prompt", "negative_prompt", "resolution", "size", "ratio",
                 "duration", "seed", "watermark", "shot_type", "audio", "audio_url",
                 "prompt_extend", "callback_url")
MODEL_SPECIFIC_FIELDS = ("image_url", "reference_video_urls", "media")


class ModelSpec(NamedTuple):  # not a frozen dataclass: ~0.5 ms less start-up
    """One model as documented. `durations` and `resolutions` are what upstream serves: outside
    them the endpoint still accepts the request (2-30 s, -1, every resolution), with a warning."""

    name: str
    description: str
    actions: tuple[str, ...]  # actions the model accepts
    default_action: str  # sent when the user chose none; "" means `action` is left out
    fields: tuple[str, ...]  # body fields the model uses
    required: tuple[str, ...]  # fields it cannot do without (besides model and prompt)
    durations: tuple[int, int]  # upstream range in seconds, inclusive; -1 is always accepted
    resolutions: tuple[str, ...]  # resolutions upstream serves
    prompt_required: bool  # False: the prompt may be empty when media is given
    price_per_second: Mapping[str, float] | None = None  # USD by resolution; None: unpublished
    default_resolution: str | None = None  # what the service makes when none is sent, if known

    @property
    def sizes(self) -> dict[str, tuple[str, ...]]:
        """The documented sizes of each resolution upstream serves for this model."""
        return {r: SIZES[r] for r in self.resolutions}

    def describe(self) -> dict[str, Any]:
        """JSON-ready facts for `wan-tui models`: everything a user needs to write a request."""
        price = dict(self.price_per_second) if self.price_per_second is not None else None
        return {
            "model": self.name, "description": self.description, "actions": list(self.actions),
            "action_optional": self.default_action == "", "fields": list(self.fields),
            "required": ["model", *(["prompt"] if self.prompt_required else []), *self.required],
            "durations": {"min": self.durations[0], "max": self.durations[1],
                          "accepted": list(DURATION_RANGE), "auto": SMART_DURATION},
            "resolutions": list(self.resolutions),
            "sizes": {r: list(s) for r, s in self.sizes.items()},
            "price_per_second": price, "currency": "USD" if price else None,
            "default_resolution": self.default_resolution,
        }

    def does(self, action: str) -> bool:
        return action in self.actions

    def uses(self, field_name: str) -> bool:
        return field_name in self.fields


def _wan26(name: str, action: str, description: str, extra: tuple[str, ...],
           longest: int) -> ModelSpec:
    return ModelSpec(
        name=name, description=description, actions=(action,), default_action=action,
        fields=COMMON_FIELDS + extra, required=extra, durations=(2, longest),
        resolutions=("720P", "1080P"), prompt_required=True,
    )


MODEL_SPECS: Mapping[str, ModelSpec] = MappingProxyType({
    "wan2.6-t2v": _wan26("wan2.6-t2v", "text2video", "text to video", (), 15),
    "wan2.6-i2v": _wan26("wan2.6-i2v", "image2video",
                         "image to video: animates a first frame (image_url)", ("image_url",), 15),
    "wan2.6-i2v-flash": _wan26("wan2.6-i2v-flash", "image2video",
                               "image to video, faster and cheaper (image_url)",
                               ("image_url",), 15),
    "wan2.6-r2v": _wan26("wan2.6-r2v", "image2video",
                         "reference to video: generates from reference videos "
                         "(reference_video_urls)", ("reference_video_urls",), 10),
    "wan3.0-video": ModelSpec(
        name="wan3.0-video",
        description="Wan 3: text, first/last frame or reference material (media); "
                    "the mode follows media",
        actions=ACTIONS, default_action="", fields=COMMON_FIELDS + ("media",), required=(),
        durations=DURATION_RANGE, resolutions=RESOLUTIONS, prompt_required=False,
        price_per_second=MappingProxyType({"480P": 0.05, "720P": 0.10, "1080P": 0.20}),
        default_resolution="720P",
    ),
})
MODELS = tuple(MODEL_SPECS)
DEFAULT_MODEL = "wan2.6-t2v"  # what a batch line without `model` gets

# Thin compatibility views, kept for the code that imported them before MODEL_SPECS.
# MODEL_ACTIONS: each model's first action (the form it opens in). wan3.0-video takes both, and
# without a chosen action sends none: ask MODEL_SPECS[m].actions / .default_action instead.
MODEL_ACTIONS: Mapping[str, str] = MappingProxyType(
    {name: spec.actions[0] for name, spec in MODEL_SPECS.items()})
MODEL_DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {name: spec.description for name, spec in MODEL_SPECS.items()})
IMAGE_MODELS = tuple(n for n, s in MODEL_SPECS.items() if "image_url" in s.required)
REFERENCE_MODELS = tuple(n for n, s in MODEL_SPECS.items() if "reference_video_urls" in s.required)
MEDIA_MODELS = tuple(n for n, s in MODEL_SPECS.items() if s.uses("media"))


def models_for(action: str) -> tuple[str, ...]:
    """The models that accept `action` (wan3.0-video accepts both)."""
    return tuple(n for n, s in MODEL_SPECS.items() if s.does(action))


def size_resolution(size: str) -> str | None:
    """The resolution a documented size belongs to, or None."""
    return next((r for r, sizes in SIZES.items() if size in sizes), None)


def spec_of(model: object) -> ModelSpec | None:
    """The spec of `model`, or None for anything else (any value: a batch line can hold junk)."""
    return MODEL_SPECS.get(model) if isinstance(model, str) else None
