"""The rules of a generation request, from the reference's three answers to a doubtful field:

- refuse (an error naming the field; nothing is sent) only what is surely invalid;
- warn and send what may have no effect or may be cut;
- warn and leave out a field the chosen model does not use.

Every function here takes any values (a batch line can hold anything) and never raises.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from .media import media_problems
from .problems import Problem, is_http_url, shown
from .specs import (
    ACTIONS,
    ALL_SIZES,
    DURATION_RANGE,
    MODEL_SPECS,
    MODELS,
    NEGATIVE_PROMPT_LIMIT,
    PROMPT_LIMIT,
    RATIOS,
    REFERENCE_VIDEO_LIMIT,
    RESOLUTIONS,
    SEED_RANGE,
    SHOT_TYPES,
    SIZES,
    SMART_DURATION,
    TEXT_SANITY_LIMIT,
    ModelSpec,
    size_resolution,
    spec_of,
)
from .text import forbidden_characters, is_blank, printable

if TYPE_CHECKING:
    from .models import GenerationRequest

TEXT_FIELDS = ("action", "model", "prompt", "negative_prompt", "resolution", "size", "ratio",
               "shot_type", "audio_url", "image_url", "callback_url")
BOOL_FIELDS = ("audio", "prompt_extend", "watermark")
INT_FIELDS = ("duration", "seed")


def request_problems(r: GenerationRequest) -> list[Problem]:
    """Every rule `r` breaks, errors and warnings, each naming its field."""
    wrong = type_problems(r)
    if wrong:
        return wrong  # the other rules assume the right types
    spec = spec_of(r.model)
    return [*model_problems(r, spec), *prompt_problems(r, spec), *format_problems(r, spec),
            *duration_problems(r.duration, spec), *material_problems(r, spec),
            *left_out_problems(r, spec), *r.read_warnings]


def type_problems(r: GenerationRequest) -> list[Problem]:
    out = []
    for name in TEXT_FIELDS:
        value = getattr(r, name)
        if not isinstance(value, str) and (value is not None or name in ("model", "prompt")):
            out.append(Problem(name, f"must be text (got {shown(value)})"))
    for name in BOOL_FIELDS:
        value = getattr(r, name)
        if value is not None and not isinstance(value, bool):
            out.append(Problem(name, f"must be true or false (got {shown(value)})"))
    for name in INT_FIELDS:
        value = getattr(r, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            out.append(Problem(name, f"must be a whole number (got {shown(value)})"))
    if not isinstance(r.reference_video_urls, list):
        out.append(Problem("reference_video_urls", "must be a list of URLs"))
    if not isinstance(r.media, list):
        out.append(Problem("media", 'must be a list of {"type": …, "url": …} items'))
    return out


def model_problems(r: GenerationRequest, spec: ModelSpec | None) -> list[Problem]:
    out = []
    if r.action and r.action not in ACTIONS:
        out.append(Problem("action", f"must be one of {', '.join(ACTIONS)} "
                           f"(got {shown(r.action)})"))
    if spec is None:
        out.append(Problem("model", f"must be one of {', '.join(MODELS)} "
                           f"(got {shown(r.model)}){did_you_mean(r.model, MODELS)}"))
    elif r.action in ACTIONS and not spec.does(r.action):
        fitting = [n for n, s in MODEL_SPECS.items() if s.does(r.action)]
        out.append(Problem("model", f"{spec.name} does not do {r.action}; "
                           f"use {' or '.join(fitting)}"))
    elif not r.action and spec.default_action:
        out.append(Problem("action", f"is required for {spec.name}"))
    elif spec.uses("media") and r.action:
        # Documented: text2video without media, image2video with media (or no action at all).
        if r.action == "text2video" and r.media:
            out.append(Problem("action", "text2video with media is not a documented pairing; "
                               "use image2video or leave the action out", True))
        elif r.action == "image2video" and not r.media:
            out.append(Problem("action", "image2video without media has nothing to animate; "
                               "add media, or use text2video", True))
    return out


def prompt_problems(r: GenerationRequest, spec: ModelSpec | None) -> list[Problem]:
    out = text_problems("prompt", r.prompt, PROMPT_LIMIT,
                        "the service accepts about {limit} (some sources say 800) and may cut "
                        "or refuse the rest")
    if r.prompt == "" and spec is not None and (spec.prompt_required or not r.media):
        need = "" if spec.prompt_required else " when no media is given"
        out.append(Problem("prompt", f"is required{need} and must not be empty"))
    if r.negative_prompt:
        out += text_problems("negative_prompt", r.negative_prompt, NEGATIVE_PROMPT_LIMIT,
                             "the service silently drops everything after {limit}: shorten it")
    return out


def text_problems(name: str, text: str, limit: int, over_limit: str) -> list[Problem]:
    """Junk (control characters, only invisible characters, a pasted file) is refused; a text
    over the upstream limit is a warning. An empty text is for the caller to judge."""
    if len(text) > TEXT_SANITY_LIMIT:
        return [Problem(name, f"{len(text):,} characters is not a prompt (the service takes "
                        f"about {limit:,})")]
    bad = forbidden_characters(text)
    if bad:
        codes = ", ".join(bad[:5]) + (", …" if len(bad) > 5 else "")
        return [Problem(name, f"contains control characters ({codes}); remove them")]
    if text and is_blank(text):
        return [Problem(name, "holds only blank or invisible characters")]
    if len(text) > limit:
        return [Problem(name, f"{len(text):,} characters; " + over_limit.format(limit=limit),
                        True)]
    return []


def format_problems(r: GenerationRequest, spec: ModelSpec | None) -> list[Problem]:
    out = []
    if r.resolution is not None and r.resolution not in RESOLUTIONS:
        out.append(Problem("resolution", f"must be one of {', '.join(RESOLUTIONS)} "
                           f"(got {shown(r.resolution)})"))
    elif r.resolution is not None and spec is not None and r.resolution not in spec.resolutions:
        out.append(Problem("resolution", _unserved(r.resolution, spec), True))
    if r.size is not None:
        out += size_problems(r.size, r.resolution, spec)
    if r.ratio is not None and r.ratio not in RATIOS:
        out.append(Problem("ratio", f"must be one of {', '.join(RATIOS)} (got {shown(r.ratio)})"))
    if r.seed is not None and not SEED_RANGE[0] <= r.seed <= SEED_RANGE[1]:
        out.append(Problem("seed", f"must be {SEED_RANGE[0]}–{SEED_RANGE[1]} (got {r.seed})"))
    if r.shot_type is not None:
        if r.shot_type not in SHOT_TYPES:
            out.append(Problem("shot_type", f"must be single or multi (got {shown(r.shot_type)})"))
        elif r.prompt_extend is False:
            out.append(Problem("shot_type", "has no effect with prompt_extend off (it only "
                               "applies when the service rewrites the prompt)", True))
    return out


def size_problems(size: str, resolution: str | None, spec: ModelSpec | None) -> list[Problem]:
    if "*" not in size:  # `1280x720` was normalized already; this is something else
        fixed = printable(size.replace("x", "*").replace("X", "*"))[:40]
        hint = f" (write {fixed})" if "x" in size.lower() else ""
        return [Problem("size", f"must be WIDTH*HEIGHT with an asterisk, e.g. 1280*720{hint}")]
    belongs = size_resolution(size)
    if belongs is None:
        return [Problem("size", f"{shown(size)} is not a documented size; use one of "
                        f"{', '.join(ALL_SIZES)}")]
    if resolution is not None and resolution in SIZES and belongs != resolution:
        return [Problem("size", f"{size} is a {belongs} size but resolution is {resolution}; "
                        f"use one of {', '.join(SIZES[resolution])}, or resolution {belongs}")]
    if resolution is None and spec is not None and belongs not in spec.resolutions:
        return [Problem("size", f"{size} is a {belongs} size: " + _unserved(belongs, spec), True)]
    return []


def duration_problems(duration: int | None, spec: ModelSpec | None) -> list[Problem]:
    if duration is None or duration == SMART_DURATION:
        return []
    low, high = DURATION_RANGE
    if not low <= duration <= high:
        return [Problem("duration", f"must be {low}–{high} seconds, or -1 (auto: the model "
                        f"chooses) (got {duration})")]
    if spec is not None and not spec.durations[0] <= duration <= spec.durations[1]:
        return [Problem("duration", f"{duration} s is outside what {spec.name} makes upstream "
                        f"({spec.durations[0]}–{spec.durations[1]} s); the service may refuse "
                        "or shorten it", True)]
    return []


def material_problems(r: GenerationRequest, spec: ModelSpec | None) -> list[Problem]:
    """URLs (each must be http(s), wherever it goes) and what a model needs."""
    out = [Problem(name, "must be an http(s) URL")
           for name in ("image_url", "audio_url", "callback_url")
           if getattr(r, name) is not None and not is_http_url(getattr(r, name))]
    out += [Problem("reference_video_urls", f"#{i} must be an http(s) URL (got {shown(url)})")
            for i, url in enumerate(r.reference_video_urls, 1) if not is_http_url(url)]
    if r.media:
        out += media_problems(r.media)
    if r.audio_url is not None and r.audio is False:
        out.append(Problem("audio_url", "has no effect with audio off (a silent video is made "
                           "and billed as silent)", True))
    if spec is None:
        return out
    if "image_url" in spec.required and not r.image_url:
        out.append(Problem("image_url", f"is required for {spec.name} (the first frame)"))
    if "reference_video_urls" in spec.required:
        if not r.reference_video_urls:
            out.append(Problem("reference_video_urls", f"at least one is required for {spec.name}"))
        elif len(r.reference_video_urls) > REFERENCE_VIDEO_LIMIT:
            out.append(Problem("reference_video_urls", f"{len(r.reference_video_urls)} videos; "
                               f"upstream takes 1–{REFERENCE_VIDEO_LIMIT}", True))
    return out


def left_out(r: GenerationRequest, spec: ModelSpec | None) -> tuple[str, ...]:
    """The fields given that the model does not use: they are not sent."""
    if spec is None:
        return ()
    given = {"image_url": r.image_url is not None, "reference_video_urls": bool(
        r.reference_video_urls), "media": bool(r.media)}
    return tuple(name for name, present in given.items() if present and not spec.uses(name))


def left_out_problems(r: GenerationRequest, spec: ModelSpec | None) -> list[Problem]:
    return [Problem(name, f"{spec.name if spec else r.model} does not use "
                    f"{'them' if name != 'image_url' else 'it'}; "
                    f"{'they are' if name != 'image_url' else 'it is'} left out", True)
            for name in left_out(r, spec)]


def did_you_mean(word: Any, choices: tuple[str, ...] | list[str]) -> str:
    """" (did you mean X?)" for a near miss, else ""."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _unserved(resolution: str, spec: ModelSpec) -> str:
    return (f"upstream serves {' and '.join(spec.resolutions)} for {spec.name}; "
            f"{resolution} may be refused")
