"""The request model's rules, as the reference puts them: refuse, warn and send, warn and leave out.

Each refusal names its field; each warning leaves the request sendable.
"""

from __future__ import annotations

from typing import Any

import pytest

from wan_tui.api.models import (
    ALL_SIZES,
    MODEL_SPECS,
    GenerationRequest,
    InvalidRequest,
    MediaItem,
)


def t2v(**kw: Any) -> GenerationRequest:
    return GenerationRequest(**{"action": "text2video", "model": "wan2.6-t2v", "prompt": "a fox", **kw})


def i2v(model: str = "wan2.6-i2v", **kw: Any) -> GenerationRequest:
    return GenerationRequest(**{"action": "image2video", "model": model, "prompt": "waves",
                                "image_url": "https://example.com/a.png", **kw})


def r2v(**kw: Any) -> GenerationRequest:
    return GenerationRequest(**{"action": "image2video", "model": "wan2.6-r2v", "prompt": "x",
                                "reference_video_urls": ["https://e.com/v.mp4"], **kw})


def wan3(**kw: Any) -> GenerationRequest:
    return GenerationRequest(**{"action": "", "model": "wan3.0-video", "prompt": "a boat", **kw})


def error_fields(request: GenerationRequest) -> list[str]:
    return [p.field for p in request.errors()]


def warning_fields(request: GenerationRequest) -> list[str]:
    return [p.field for p in request.warnings()]


# -- the body ----------------------------------------------------------------------------------

def test_a_minimal_request_is_valid_and_always_async() -> None:
    body = t2v().to_body()
    assert body == {"action": "text2video", "model": "wan2.6-t2v", "prompt": "a fox", "async": True}


def test_every_field_is_sent_by_its_api_name() -> None:
    request = t2v(negative_prompt="blur", resolution="1080P", size="1920*1080", duration=10,
                  shot_type="multi", prompt_extend=True, audio=True, ratio="16:9", seed=0,
                  watermark=False, audio_url="https://e.com/a.mp3", callback_url="https://e.com/cb")
    body = request.to_body()
    assert body["size"] == "1920*1080" and body["seed"] == 0 and body["watermark"] is False
    assert set(body) == {"action", "model", "prompt", "negative_prompt", "resolution", "size",
                         "ratio", "duration", "seed", "watermark", "shot_type", "prompt_extend",
                         "audio", "audio_url", "callback_url", "async"}


def test_wan3_without_a_chosen_action_leaves_action_out_and_sends_media_as_objects() -> None:
    request = wan3(prompt="", media=[MediaItem("first_frame", "https://e.com/1.png"),
                                     MediaItem("last_frame", "https://e.com/2.png")],
                   ratio="16:9", seed=42, duration=12)
    assert request.to_body() == {
        "model": "wan3.0-video", "prompt": "", "ratio": "16:9", "duration": 12, "seed": 42,
        "media": [{"type": "first_frame", "url": "https://e.com/1.png"},
                  {"type": "last_frame", "url": "https://e.com/2.png"}],
        "async": True}


@pytest.mark.parametrize("action", ["text2video", "image2video"])
def test_wan3_takes_either_action_when_chosen(action: str) -> None:
    media = [MediaItem("first_frame", "https://e.com/1.png")] if action == "image2video" else []
    request = wan3(action=action, media=media)
    assert request.errors() == [] and request.warnings() == []
    assert request.to_body()["action"] == action


@pytest.mark.parametrize("action,media", [("text2video", True), ("image2video", False)])
def test_wan3_undocumented_pairings_of_action_and_media_are_warned_and_sent(
        action: str, media: bool) -> None:
    request = wan3(action=action, media=[MediaItem("reference_image", "https://e/i.png")] * media)
    assert request.errors() == [] and warning_fields(request) == ["action"]


@pytest.mark.parametrize("model", [m for m in MODEL_SPECS if m != "wan3.0-video"])
def test_a_26_model_without_action_gets_its_only_action(model: str) -> None:
    request = GenerationRequest("", model, "x")
    assert request.action == MODEL_SPECS[model].default_action != ""


# -- refuse ------------------------------------------------------------------------------------

@pytest.mark.parametrize("model,action", [(m, a) for m in MODEL_SPECS for a in ("text2video", "image2video")])
def test_model_and_action_must_pair(model: str, action: str) -> None:
    spec = MODEL_SPECS[model]
    request = GenerationRequest(action=action, model=model, prompt="x",
                                image_url="https://e.com/i.png" if "image_url" in spec.required else None,
                                reference_video_urls=["https://e.com/v.mp4"] if "reference_video_urls" in spec.required else [])
    if action in spec.actions:
        assert request.errors() == []
    else:
        problems = [p for p in request.errors() if p.field == "model"]
        assert problems and "does not do" in problems[0].message


def test_unknown_action_and_model_are_named_with_a_suggestion() -> None:
    assert "action" in error_fields(t2v(action="video2video"))
    problems = t2v(model="wan2.6-t2V").errors()
    assert [p.field for p in problems] == ["model"] and "did you mean wan2.6-t2v" in problems[0].message


@pytest.mark.parametrize("prompt", ["", "   ", "\n", "\u200b\u200b", "\ufeff \u2060"])
@pytest.mark.parametrize("build", [t2v, i2v, r2v, wan3])
def test_an_empty_or_invisible_prompt_is_refused(prompt: str, build: Any) -> None:
    assert error_fields(build(prompt=prompt)) == ["prompt"]


def test_wan3_may_have_an_empty_prompt_only_with_media() -> None:
    assert wan3(prompt="", media=[MediaItem("reference_image", "https://e.com/i.png")]).errors() == []
    problems = wan3(prompt="").errors()
    assert [p.field for p in problems] == ["prompt"] and "no media" in problems[0].message
    assert error_fields(wan3(prompt=" \u200b", media=[MediaItem("file", "https://e.com/f")])) == ["prompt"]


@pytest.mark.parametrize("negative", [" ", "\u200b", "\n\u2060"])
def test_an_invisible_negative_prompt_is_refused_and_an_empty_one_is_not_sent(negative: str) -> None:
    assert error_fields(t2v(negative_prompt=negative)) == ["negative_prompt"]
    assert t2v(negative_prompt="").errors() == [] and "negative_prompt" not in t2v(negative_prompt="").to_body()


@pytest.mark.parametrize("field", ["prompt", "negative_prompt"])
@pytest.mark.parametrize("junk", ["a\x00b", "\x1b]52;c;aGk=\x07", "x\x7f", "x\x85", "x\ud800"])
def test_control_characters_are_refused(field: str, junk: str) -> None:
    problems = t2v(**{field: junk}).errors()
    assert [p.field for p in problems] == [field] and "control characters" in problems[0].message


def test_tabs_and_newlines_are_fine_in_a_prompt() -> None:
    assert t2v(prompt="line one\n\tline two\r\n").errors() == []


@pytest.mark.parametrize("field", ["prompt", "negative_prompt"])
def test_a_pasted_file_is_not_a_prompt(field: str) -> None:
    problems = t2v(**{field: "x" * 20_001}).errors()
    assert [p.field for p in problems] == [field] and "20,001 characters" in problems[0].message


def test_wrong_types_are_named() -> None:
    assert error_fields(t2v(negative_prompt=5)) == ["negative_prompt"]
    assert error_fields(t2v(audio="yes")) == ["audio"]
    assert error_fields(t2v(watermark=1)) == ["watermark"]
    assert error_fields(t2v(prompt=None)) == ["prompt"]
    assert error_fields(t2v(model=["wan2.6-t2v"])) == ["model"]
    assert error_fields(t2v(seed=1.5)) == ["seed"]
    assert error_fields(t2v(seed=True)) == ["seed"]
    assert error_fields(t2v(duration="7")) == ["duration"]
    assert error_fields(t2v(duration=7.0)) == ["duration"]
    assert error_fields(t2v(reference_video_urls="https://e.com/v.mp4")) == ["reference_video_urls"]
    assert error_fields(wan3(media="first_frame=https://e.com/i")) == ["media"]


@pytest.mark.parametrize("duration,ok", [(-1, True), (2, True), (7, True), (30, True),
                                         (31, False), (1, False), (0, False), (-2, False)])
def test_durations_the_endpoint_accepts(duration: int, ok: bool) -> None:
    assert (wan3(duration=duration).errors() == []) is ok
    if not ok:
        assert "2–30 seconds, or -1" in wan3(duration=duration).errors()[0].message


@pytest.mark.parametrize("seed,ok", [(0, True), (2147483647, True), (-1, False), (2147483648, False)])
def test_seed_range(seed: int, ok: bool) -> None:
    assert (t2v(seed=seed).errors() == []) is ok


@pytest.mark.parametrize("field", ["image_url", "audio_url", "callback_url"])
@pytest.mark.parametrize("url", ["ftp://e.com/a", "file:///etc/passwd", "javascript:alert(1)",
                                 "e.com/a", "https://", "http://[", "https://e.com/a b",
                                 "https://e.com/\x1b[2J"])
def test_urls_must_be_http(field: str, url: str) -> None:
    request = i2v(**{field: url, "audio": True}) if field != "image_url" else i2v(image_url=url)
    assert field in error_fields(request)


def test_reference_urls_must_be_http_each_named_by_position() -> None:
    request = r2v(reference_video_urls=["https://e.com/ok.mp4", "ftp://bad", 5])
    problems = request.errors()
    assert [p.field for p in problems] == ["reference_video_urls"] * 2
    assert "#2" in problems[0].message and "#3" in problems[1].message


@pytest.mark.parametrize("model", ["wan2.6-i2v", "wan2.6-i2v-flash"])
def test_image_url_is_required_for_image_models(model: str) -> None:
    assert error_fields(i2v(model, image_url=None)) == ["image_url"]


def test_reference_videos_are_required_for_r2v() -> None:
    assert error_fields(r2v(reference_video_urls=[])) == ["reference_video_urls"]


def test_ratio_and_resolution_and_shot_type_values() -> None:
    assert error_fields(t2v(ratio="21:9")) == ["ratio"]
    assert error_fields(t2v(resolution="4K")) == ["resolution"]
    assert error_fields(t2v(shot_type="many", prompt_extend=True)) == ["shot_type"]


# -- sizes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", ALL_SIZES)
def test_every_documented_size_is_valid_for_wan3(size: str) -> None:
    assert wan3(size=size).errors() == [] and wan3(size=size).warnings() == []


def test_a_size_of_another_resolution_is_refused_naming_both() -> None:
    problems = t2v(resolution="720P", size="1920*1080").errors()
    assert [p.field for p in problems] == ["size"]
    assert "1080P" in problems[0].message and "720P" in problems[0].message
    assert t2v(resolution="1080P", size="1920*1080").errors() == []


@pytest.mark.parametrize("size", ["1234*567", "1280*", "big", "9x9x9"])
def test_an_undocumented_size_is_refused(size: str) -> None:
    assert error_fields(t2v(size=size)) == ["size"]


# -- warn and send -----------------------------------------------------------------------------

@pytest.mark.parametrize("request_, field", [
    (t2v(shot_type="multi", prompt_extend=False), "shot_type"),
    (t2v(negative_prompt="n" * 501), "negative_prompt"),
    (t2v(prompt="x" * 1501), "prompt"),
    (t2v(duration=16), "duration"),
    (i2v(duration=30), "duration"),
    (r2v(duration=11), "duration"),
    (t2v(resolution="480P"), "resolution"),
    (t2v(size="832*480"), "size"),
    (t2v(audio=False, audio_url="https://e.com/a.mp3"), "audio_url"),
    (r2v(reference_video_urls=[f"https://e.com/{i}.mp4" for i in range(4)]), "reference_video_urls"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_warned_and_sent(request_: GenerationRequest, field: str) -> None:
    assert request_.errors() == [] and warning_fields(request_) == [field]
    assert field in request_.to_body()


def test_a_long_prompt_does_not_hide_a_long_negative_prompt() -> None:
    assert warning_fields(t2v(prompt="x" * 1501, negative_prompt="n" * 501)) == [
        "prompt", "negative_prompt"]
    assert error_fields(t2v(prompt="x" * 1501, negative_prompt="\x00")) == ["negative_prompt"]


def test_no_warning_inside_the_ranges() -> None:
    for request in (t2v(duration=15), r2v(duration=10), wan3(duration=30), wan3(resolution="480P"),
                    t2v(shot_type="multi"), t2v(negative_prompt="n" * 500), t2v(prompt="x" * 1500)):
        assert request.warnings() == [], request


# -- warn and leave out ------------------------------------------------------------------------

@pytest.mark.parametrize("request_, field", [
    (r2v(image_url="https://e.com/i.png"), "image_url"),
    (t2v(image_url="https://e.com/i.png"), "image_url"),
    (wan3(image_url="https://e.com/i.png"), "image_url"),
    (i2v(reference_video_urls=["https://e.com/v.mp4"]), "reference_video_urls"),
    (t2v(reference_video_urls=["https://e.com/v.mp4"]), "reference_video_urls"),
    (wan3(reference_video_urls=["https://e.com/v.mp4"]), "reference_video_urls"),
    (t2v(media=[MediaItem("first_frame", "https://e.com/i.png")]), "media"),
    (r2v(media=[MediaItem("first_frame", "https://e.com/i.png")]), "media"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_warned_and_left_out(request_: GenerationRequest, field: str) -> None:
    assert request_.errors() == [] and warning_fields(request_) == [field]
    warning = request_.warnings()[0]
    assert request_.model in warning.message and "left out" in warning.message
    assert field not in request_.to_body() and field not in request_.params()
    assert request_.left_out() == (field,)


def test_the_vendor_cli_style_r2v_with_an_image_is_sent_without_it() -> None:
    request = r2v(image_url="https://e.com/i.png")
    assert str(request.warnings()[0]) == "image_url: wan2.6-r2v does not use it; it is left out"
    assert request.to_body() == {"action": "image2video", "model": "wan2.6-r2v", "prompt": "x",
                                 "reference_video_urls": ["https://e.com/v.mp4"], "async": True}


def test_to_body_refuses_an_invalid_request_listing_every_field() -> None:
    with pytest.raises(InvalidRequest) as caught:
        GenerationRequest(action="image2video", model="wan2.6-i2v", prompt="", size="1x").to_body()
    assert {p.field for p in caught.value.problems} == {"prompt", "size", "image_url"}
    assert "image_url" in str(caught.value)
