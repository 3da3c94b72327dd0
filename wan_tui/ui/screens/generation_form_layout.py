"""The generation form's controls, laid out: one `Field` per documented field of the request.

Kept apart from the screen's behaviour (generation_form.py) so both stay small. Every control's
id is the request field's name; its Field is `field-NAME` and its problems `error-NAME`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Select, Static, TextArea

from wan_tui.api.models import (
    ALL_SIZES,
    DURATION_RANGE,
    MODEL_DESCRIPTIONS,
    RATIOS,
    RESOLUTIONS,
    SHOT_TYPES,
    SIZES,
    SMART_DURATION,
)
from ..widgets.form_fields import (
    SERVICE_DEFAULT,
    TRI_STATE_OPTIONS,
    Field,
    literal,
    select_options,
)
from ..widgets.media_editor import MediaEditor
from .form_values import size_label

# Every duration the endpoint takes: the model's own choice, then 2-30 seconds.
DURATION_CHOICES = (SMART_DURATION, *range(DURATION_RANGE[0], DURATION_RANGE[1] + 1))
DURATION_LABELS = {SMART_DURATION: "auto (the model chooses)",
                   **{d: f"{d} s" for d in DURATION_CHOICES if d != SMART_DURATION}}
YES_NO_OPTIONS: tuple[tuple[str, bool], ...] = (("yes", True), ("no", False))


def or_null(value: Any) -> Any:
    """A Select's value for `value` (None: its blank entry, "service default")."""
    return Select.NULL if value is None else value


def size_options(resolution: str | None, keep: str | None = None) -> list[tuple[Content, str]]:
    """The sizes of `resolution` (every documented size when none is chosen)."""
    sizes = SIZES.get(resolution or "", ALL_SIZES)
    labels = {s: size_label(s, with_resolution=sizes is ALL_SIZES) for s in sizes}
    note = f"not a {resolution} size" if resolution in SIZES else "not a documented size"
    return select_options(sizes, labels, keep=keep, keep_note=note)


def _note(text: str, id: str | None = None) -> Static:
    return Static(literal(text), id=id, markup=False)


def _choice(label: str, name: str, options: Any, value: Any, *, note: Static | None = None,
            classes: str | None = None) -> Field:
    """A Select whose blank entry means "not sent: the service decides"."""
    return Field(label, Select(options, prompt=SERVICE_DEFAULT, value=or_null(value), id=name),
                 note=note, message_id=f"error-{name}", id=f"field-{name}", classes=classes)


def model_field(models: tuple[str, ...], model: str) -> Field:
    control: Widget
    if len(models) == 1 and model in models:
        control = Static(literal(model), id="model-fixed", markup=False)
    else:
        control = Select(select_options(models, keep=model, keep_note="unknown"),
                         allow_blank=False, value=model, id="model")
    return Field("Model", control,
                 note=_note(MODEL_DESCRIPTIONS.get(model, ""), "model-description"),
                 message_id="error-model", id="field-model")


def form_fields(action: str, models: tuple[str, ...], v: dict[str, Any]) -> Iterator[Widget]:
    """The form's fields for `action`, filled with the raw values `v` (run inside compose)."""
    yield model_field(models, v["model"])
    yield Field("Prompt", TextArea(v["prompt"], id="prompt", soft_wrap=True,
                                   placeholder="Describe the video…"),
                note=Static("", id="count-prompt", classes="count", markup=False),
                message_id="error-prompt", id="field-prompt")
    yield Field("Negative prompt", TextArea(v["negative_prompt"], id="negative_prompt",
                                            placeholder="What to avoid (optional)"),
                note=Static("", id="count-negative_prompt", classes="count", markup=False),
                message_id="error-negative_prompt", id="field-negative_prompt")
    if action == "image2video":
        yield Field("Image URL", Input(v["image_url"], id="image_url",
                                       placeholder="https://… first frame"),
                    note=_note("the first frame"), message_id="error-image_url",
                    id="field-image_url")
        yield Field("Reference video URLs",
                    TextArea(v["reference_video_urls"], id="reference_video_urls",
                             placeholder="https://… one URL per line"),
                    note=_note("one per line, at least one"),
                    message_id="error-reference_video_urls", id="field-reference_video_urls")
        yield Field("Media", MediaEditor(v["media"], id="media"),
                    note=_note("first/last frame, or reference material: not both"),
                    message_id="error-media", id="field-media")
    with Horizontal(classes="form-row"):
        yield _choice("Resolution", "resolution",
                      select_options(RESOLUTIONS, keep=v["resolution"]), v["resolution"])
        yield _choice("Size", "size", size_options(v["resolution"], keep=v["size"]), v["size"])
        yield _choice("Ratio", "ratio", select_options(RATIOS, keep=v["ratio"]), v["ratio"],
                      classes="-last")
    with Horizontal(classes="form-row"):
        yield _choice("Duration", "duration",
                      select_options(DURATION_CHOICES, DURATION_LABELS, keep=v["duration"]),
                      v["duration"])
        yield Field("Seed", Input(v["seed"], id="seed", type="integer",
                                  placeholder="random"),
                    note=_note("same seed, same video"), message_id="error-seed",
                    id="field-seed")
        yield _choice("Watermark", "watermark", YES_NO_OPTIONS, v["watermark"],
                      classes="-last")
    with Horizontal(classes="form-row"):
        yield _choice("Prompt rewriting", "prompt_extend", TRI_STATE_OPTIONS,
                      v["prompt_extend"], note=_note("better for short prompts"))
        yield _choice("Shot type", "shot_type", select_options(SHOT_TYPES, keep=v["shot_type"]),
                      v["shot_type"], note=_note("with rewriting on"), classes="-last")
    with Horizontal(classes="form-row"):
        yield _choice("Audio", "audio", TRI_STATE_OPTIONS, v["audio"])
        yield Field("Audio URL", Input(v["audio_url"], id="audio_url",
                                       placeholder="https://… wav/mp3, 3–30 s"),
                    note=_note("off with audio off", "audio-note"),
                    message_id="error-audio_url", id="field-audio_url", classes="-last -wide")
    yield Field("Callback URL", Input(v["callback_url"], id="callback_url",
                                      placeholder="https://… (optional)"),
                note=_note("the service POSTs the result there"),
                message_id="error-callback_url", id="field-callback_url")
