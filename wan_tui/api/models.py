"""The generation request: every documented field of POST /wan/videos and its rules.

One place knows the rules; the CLI, the forms, batch files and the simulator all ask it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

# Which action each model belongs to (the API refuses any other pairing).
MODEL_ACTIONS: dict[str, str] = {
    "wan2.6-t2v": "text2video",
    "wan2.6-i2v": "image2video",
    "wan2.6-i2v-flash": "image2video",
    "wan2.6-r2v": "image2video",
}
MODEL_DESCRIPTIONS: dict[str, str] = {
    "wan2.6-t2v": "text to video",
    "wan2.6-i2v": "image to video: animates a first frame (image_url)",
    "wan2.6-i2v-flash": "image to video, faster and cheaper (image_url)",
    "wan2.6-r2v": "reference to video: generates from reference videos (reference_video_urls)",
}
ACTIONS = ("text2video", "image2video")
MODELS = tuple(MODEL_ACTIONS)
IMAGE_MODELS = ("wan2.6-i2v", "wan2.6-i2v-flash")  # need image_url
REFERENCE_MODELS = ("wan2.6-r2v",)  # need reference_video_urls
RESOLUTIONS = ("480P", "720P", "1080P")
SIZES: dict[str, tuple[str, ...]] = {
    "480P": ("832*480", "480*832", "624*624"),
    "720P": ("1280*720", "720*1280", "960*960", "1088*832", "832*1088"),
    "1080P": ("1920*1080", "1080*1920", "1440*1440", "1632*1248", "1248*1632"),
}
ALL_SIZES = tuple(size for sizes in SIZES.values() for size in sizes)
DURATIONS = (5, 10, 15)
SHOT_TYPES = ("single", "multi")
PROMPT_LIMIT = 1500  # upstream limit, "about"; we warn rather than refuse
NEGATIVE_PROMPT_LIMIT = 500  # the service cuts the rest silently, so we refuse

_TEXT_FIELDS = ("action", "model", "prompt", "negative_prompt", "resolution", "size",
                "shot_type", "audio_url", "image_url", "callback_url")
_SIZE_SHAPE = re.compile(r"^\d+\*\d+$")


@dataclass(frozen=True)
class Problem:
    """One rule a request breaks. Errors block sending; warnings only inform."""

    field: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidRequest(ValueError):
    """A request that breaks the API's rules; nothing was sent."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = [p for p in problems if not p.warning]
        super().__init__("; ".join(str(p) for p in self.problems))


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


@dataclass
class GenerationRequest:
    """A generation as the user asked for it; `None` means "not sent, the service decides"."""

    action: str
    model: str
    prompt: str
    negative_prompt: str | None = None
    resolution: str | None = None
    size: str | None = None
    duration: int | None = None
    shot_type: str | None = None
    audio: bool | None = None
    audio_url: str | None = None
    prompt_extend: bool | None = None
    image_url: str | None = None
    reference_video_urls: list[str] = field(default_factory=list)
    callback_url: str | None = None

    # -- rules -------------------------------------------------------------------------------

    def problems(self) -> list[Problem]:
        """Every rule this request breaks, each naming its field (errors and warnings)."""
        out: list[Problem] = []
        add = lambda f, m, w=False: out.append(Problem(f, m, w))  # noqa: E731

        wrong_type = self._wrong_types()
        if wrong_type:
            return wrong_type  # the other rules assume the right types

        if self.action not in ACTIONS:
            add("action", f"must be one of {', '.join(ACTIONS)} (got {self.action!r})")
        if self.model not in MODEL_ACTIONS:
            add("model", f"must be one of {', '.join(MODELS)} (got {self.model!r})")
        elif self.action in ACTIONS and MODEL_ACTIONS[self.model] != self.action:
            fitting = [m for m, a in MODEL_ACTIONS.items() if a == self.action]
            add("model", f"{self.model} does not do {self.action}; use {' or '.join(fitting)}")

        if not isinstance(self.prompt, str) or not self.prompt.strip():
            add("prompt", "is required and must not be empty")
        elif len(self.prompt) > PROMPT_LIMIT:
            add("prompt", f"{len(self.prompt)} characters; the service accepts about "
                f"{PROMPT_LIMIT} and may cut or refuse the rest", True)

        if self.negative_prompt is not None and len(self.negative_prompt) > NEGATIVE_PROMPT_LIMIT:
            add("negative_prompt", f"{len(self.negative_prompt)} characters; the service silently "
                f"drops everything after {NEGATIVE_PROMPT_LIMIT}: shorten it")

        if self.resolution is not None and self.resolution not in RESOLUTIONS:
            add("resolution", f"must be one of {', '.join(RESOLUTIONS)} (got {self.resolution!r})")
        elif self.resolution == "480P":
            add("resolution", "upstream serves 720P and 1080P for Wan 2.6; 480P may be refused", True)
        if self.size is not None:
            self._check_size(add)

        if self.duration is not None and (
            isinstance(self.duration, bool) or self.duration not in DURATIONS
        ):
            add("duration", f"must be one of {', '.join(map(str, DURATIONS))} seconds "
                f"(got {self.duration!r})")
        if self.shot_type is not None:
            if self.shot_type not in SHOT_TYPES:
                add("shot_type", f"must be single or multi (got {self.shot_type!r})")
            elif self.prompt_extend is not True:
                add("shot_type", "only takes effect with prompt_extend on: turn prompt "
                    "rewriting on, or leave shot type unset")
        if self.audio_url is not None:
            if not is_http_url(self.audio_url):
                add("audio_url", "must be an http(s) URL")
            elif self.audio is False:
                add("audio_url", "is ignored when audio is off (a silent video is made): "
                    "turn audio on or drop the audio URL")

        image_model = self.model in IMAGE_MODELS
        if self.image_url is not None and not image_model:
            add("image_url", f"is only used by {' and '.join(IMAGE_MODELS)}; "
                f"{self.model} would ignore it")
        elif image_model and not self.image_url:
            add("image_url", f"is required for {self.model} (the first frame)")
        elif self.image_url is not None and not is_http_url(self.image_url):
            add("image_url", "must be an http(s) URL")

        reference_model = self.model in REFERENCE_MODELS
        if self.reference_video_urls and not reference_model:
            add("reference_video_urls", f"are only used by {REFERENCE_MODELS[0]}; "
                f"{self.model} would ignore them")
        elif reference_model and not self.reference_video_urls:
            add("reference_video_urls", f"at least one is required for {self.model}")
        for i, url in enumerate(self.reference_video_urls, 1):
            if not isinstance(url, str) or not is_http_url(url):
                add("reference_video_urls", f"#{i} must be an http(s) URL (got {url!r})")

        if self.callback_url is not None and not is_http_url(self.callback_url):
            add("callback_url", "must be an http(s) URL")
        return out

    def _wrong_types(self) -> list[Problem]:
        out = []
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                out.append(Problem(name, f"must be text (got {value!r})"))
        for name in ("audio", "prompt_extend"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                out.append(Problem(name, f"must be true or false (got {value!r})"))
        if not isinstance(self.reference_video_urls, list):
            out.append(Problem("reference_video_urls", "must be a list of URLs"))
        return out

    def _check_size(self, add: Any) -> None:
        size = self.size or ""
        if not _SIZE_SHAPE.match(size):
            hint = f" (write {size.replace('x', '*').replace('X', '*')})" if "x" in size.lower() else ""
            add("size", f"must be WIDTH*HEIGHT with an asterisk, e.g. 1280*720{hint}")
        elif self.resolution in SIZES and size not in SIZES[self.resolution]:
            add("size", f"{size} is not a {self.resolution} size; use one of "
                f"{', '.join(SIZES[self.resolution])}")
        elif size not in ALL_SIZES:
            add("size", f"{size} is not a documented size; use one of {', '.join(ALL_SIZES)}")

    def errors(self) -> list[Problem]:
        return [p for p in self.problems() if not p.warning]

    def warnings(self) -> list[Problem]:
        return [p for p in self.problems() if p.warning]

    # -- wire --------------------------------------------------------------------------------

    def params(self) -> dict[str, Any]:
        """The fields that were set, by their API names (without async)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == []:
                continue
            out[f.name] = list(value) if isinstance(value, list) else value
        return out

    def to_body(self) -> dict[str, Any]:
        """The JSON body to POST; raises InvalidRequest instead of building a bad one."""
        errors = self.errors()
        if errors:
            raise InvalidRequest(errors)
        # Always asynchronous: holding a connection for minutes per video loses tasks on drops.
        return {**self.params(), "async": True}

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> GenerationRequest:
        """Build from API field names (batch files, stored parameters, the simulator).

        Unknown keys raise InvalidRequest naming them, so a typo is never silently dropped.
        `action` may be left out: it follows from the model.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(body) - known - {"async"})
        if unknown:
            raise InvalidRequest([Problem(k, "is not a field of the Wan API") for k in unknown])
        values = dict(body)
        values.pop("async", None)
        model = values.get("model") or "wan2.6-t2v"
        values.setdefault("model", model)
        values.setdefault("action", MODEL_ACTIONS.get(model, "text2video"))
        values.setdefault("prompt", "")
        refs = values.get("reference_video_urls")
        if refs is None:
            values["reference_video_urls"] = []
        elif not isinstance(refs, list):
            raise InvalidRequest([Problem("reference_video_urls", "must be a list of URLs")])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
