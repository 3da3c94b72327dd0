"""The generation form's values: a request as the form's raw values, and back."""

from __future__ import annotations

from typing import Any

from wan_tui.api.models import SIZES, GenerationRequest, MediaItem, spec_of


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
        "ratio": request.ratio,
        "duration": request.duration,
        "seed": "" if request.seed is None else str(request.seed),
        "watermark": request.watermark,
        "prompt_extend": request.prompt_extend,
        "shot_type": request.shot_type,
        "audio": request.audio,
        "audio_url": request.audio_url or "",
        "callback_url": request.callback_url or "",
        "media": [[m.type, m.url] if isinstance(m, MediaItem) else [str(m), ""]
                  for m in request.media or []],
    }


def _text_or_none(text: str) -> str | None:
    return text if text.strip() else None


def _url_or_none(text: str) -> str | None:
    return text.strip() or None


def _seed(text: str) -> Any:
    """A typed seed: blank is none; a whole number is that number; anything else is kept as
    typed, for the request's rules to name."""
    try:
        return int(text) if text.strip() else None
    except ValueError:
        return text


def _media(pairs: list[list[str]]) -> list[MediaItem]:
    """The editor's items; an item without a URL yet is not sent (as a blank line is not)."""
    return [MediaItem(kind, url.strip()) for kind, url in pairs if url.strip()]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def size_label(size: str, with_resolution: bool) -> str:
    width, _, height = size.partition("*")
    w, h = int(width), int(height)
    shape = "square" if w == h else "landscape" if w > h else "portrait"
    if with_resolution:  # every size is offered: say which resolution each belongs to
        return f"{size}  {next(r for r, sizes in SIZES.items() if size in sizes)}"
    return f"{size}  {shape}"


def request_from_values(action: str, v: dict[str, Any], *,
                        hidden: bool = False) -> GenerationRequest:
    """The request the form's values describe, built only from the fields that apply (an
    image URL typed for i2v is kept in the form but never sent for r2v); with `hidden`, also
    from the fields the model does not use (for the core to say they are left out). A model
    without a default action (Wan 3) gets none: it picks its mode from `media`, as the CLI
    sends it."""
    model = v["model"]
    spec = spec_of(model)

    def uses(name: str) -> bool:
        return hidden or (spec is not None and spec.uses(name))

    audio = v["audio"]
    return GenerationRequest(
        action=action if spec is None or spec.default_action else "",
        model=model,
        prompt=v["prompt"],
        negative_prompt=_text_or_none(v["negative_prompt"]),
        resolution=v["resolution"],
        size=v["size"],
        ratio=v["ratio"],
        duration=v["duration"],
        seed=_seed(v["seed"]),
        watermark=v["watermark"],
        shot_type=v["shot_type"],
        audio=audio,
        audio_url=_url_or_none(v["audio_url"]) if audio is not False else None,
        prompt_extend=v["prompt_extend"],
        image_url=_url_or_none(v["image_url"]) if uses("image_url") else None,
        reference_video_urls=(_lines(v["reference_video_urls"])
                              if uses("reference_video_urls") else []),
        media=_media(v["media"]) if uses("media") and action == "image2video" else [],
        callback_url=_url_or_none(v["callback_url"]),
    )
