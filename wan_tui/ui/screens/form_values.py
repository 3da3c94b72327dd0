"""The generation form's values: a request as the form's raw values, and back."""

from __future__ import annotations

from typing import Any

from wan_tui.api.models import IMAGE_MODELS, REFERENCE_MODELS, SIZES, GenerationRequest


def values_of(request: GenerationRequest) -> dict[str, Any]:
    """A request as the form's raw values (text fields as strings, choices as values)."""
    return {
        "model": request.model,
        "prompt": request.prompt or "",
        "negative_prompt": request.negative_prompt or "",
        "image_url": request.image_url or "",
        "reference_video_urls": "\n".join(request.reference_video_urls or []),
        "resolution": request.resolution,
        "size": request.size,
        "duration": request.duration,
        "prompt_extend": request.prompt_extend,
        "shot_type": request.shot_type,
        "audio": request.audio,
        "audio_url": request.audio_url or "",
        "callback_url": request.callback_url or "",
    }


def _text_or_none(text: str) -> str | None:
    return text if text.strip() else None


def _url_or_none(text: str) -> str | None:
    return text.strip() or None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def size_label(size: str, with_resolution: bool) -> str:
    width, _, height = size.partition("*")
    w, h = int(width), int(height)
    shape = "square" if w == h else "landscape" if w > h else "portrait"
    if with_resolution:  # every size is offered: say which resolution each belongs to
        return f"{size}  {next(r for r, sizes in SIZES.items() if size in sizes)}"
    return f"{size}  {shape}"


def request_from_values(action: str, v: dict[str, Any]) -> GenerationRequest:
    """The request the form's values describe, built only from the fields that apply (an
    image URL typed for i2v is kept in the form but never sent for r2v)."""
    model = v["model"]
    extend, audio = v["prompt_extend"], v["audio"]
    return GenerationRequest(
        action=action,
        model=model,
        prompt=v["prompt"],
        negative_prompt=_text_or_none(v["negative_prompt"]),
        resolution=v["resolution"],
        size=v["size"],
        duration=v["duration"],
        shot_type=v["shot_type"] if extend is True else None,
        audio=audio,
        audio_url=_url_or_none(v["audio_url"]) if audio is not False else None,
        prompt_extend=extend,
        image_url=_url_or_none(v["image_url"]) if model in IMAGE_MODELS else None,
        reference_video_urls=(_lines(v["reference_video_urls"])
                              if model in REFERENCE_MODELS else []),
        callback_url=_url_or_none(v["callback_url"]),
    )
