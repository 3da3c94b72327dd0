"""Every rule of the request model: each violation names its field and blocks sending."""

from __future__ import annotations

import pytest

from wan_tui.api.models import (
    ALL_SIZES,
    DURATIONS,
    MODEL_ACTIONS,
    GenerationRequest,
    InvalidRequest,
)


def t2v(**kw) -> GenerationRequest:
    return GenerationRequest(**{"action": "text2video", "model": "wan2.6-t2v", "prompt": "a fox", **kw})


def i2v(model: str = "wan2.6-i2v", **kw) -> GenerationRequest:
    return GenerationRequest(**{"action": "image2video", "model": model, "prompt": "waves",
                                "image_url": "https://example.com/a.png", **kw})


def error_fields(request: GenerationRequest) -> list[str]:
    return [p.field for p in request.errors()]


def test_a_minimal_request_is_valid_and_always_async() -> None:
    body = t2v().to_body()
    assert body == {"action": "text2video", "model": "wan2.6-t2v", "prompt": "a fox", "async": True}


def test_every_field_is_sent_by_its_api_name() -> None:
    request = t2v(negative_prompt="blur", resolution="1080P", size="1920*1080", duration=10,
                  shot_type="multi", prompt_extend=True, audio=True,
                  audio_url="https://e.com/a.mp3", callback_url="https://e.com/cb")
    body = request.to_body()
    assert body["size"] == "1920*1080" and body["shot_type"] == "multi"
    assert body["audio_url"] == "https://e.com/a.mp3" and body["callback_url"] == "https://e.com/cb"
    assert set(body) == {"action", "model", "prompt", "negative_prompt", "resolution", "size",
                         "duration", "shot_type", "prompt_extend", "audio", "audio_url",
                         "callback_url", "async"}


@pytest.mark.parametrize("prompt", ["", "   ", "\n"])
def test_prompt_is_required(prompt: str) -> None:
    assert error_fields(t2v(prompt=prompt)) == ["prompt"]


def test_a_very_long_prompt_is_a_warning_not_an_error() -> None:
    request = t2v(prompt="x" * 1600)
    assert request.errors() == []
    assert [p.field for p in request.warnings()] == ["prompt"]


def test_unknown_action_and_model_are_named() -> None:
    assert "action" in error_fields(t2v(action="video2video"))
    assert "model" in error_fields(t2v(model="wan2.5-t2v"))


@pytest.mark.parametrize("model,action", [(m, a) for m in MODEL_ACTIONS for a in ("text2video", "image2video")])
def test_model_and_action_must_pair(model: str, action: str) -> None:
    request = GenerationRequest(action=action, model=model, prompt="x",
                                image_url="https://e.com/i.png" if model in ("wan2.6-i2v", "wan2.6-i2v-flash") else None,
                                reference_video_urls=["https://e.com/v.mp4"] if model == "wan2.6-r2v" else [])
    if MODEL_ACTIONS[model] == action:
        assert request.errors() == []
    else:
        problems = [p for p in request.errors() if p.field == "model"]
        assert problems and "does not do" in problems[0].message


@pytest.mark.parametrize("model", ["wan2.6-i2v", "wan2.6-i2v-flash"])
def test_image_url_is_required_for_image_models(model: str) -> None:
    assert error_fields(i2v(model, image_url=None)) == ["image_url"]


def test_image_url_is_refused_where_it_would_be_ignored() -> None:
    assert error_fields(t2v(image_url="https://e.com/i.png")) == ["image_url"]
    r2v = GenerationRequest(action="image2video", model="wan2.6-r2v", prompt="x",
                            image_url="https://e.com/i.png", reference_video_urls=["https://e.com/v.mp4"])
    assert error_fields(r2v) == ["image_url"]


def test_reference_videos_are_required_for_r2v_and_only_there() -> None:
    r2v = GenerationRequest(action="image2video", model="wan2.6-r2v", prompt="x")
    assert error_fields(r2v) == ["reference_video_urls"]
    assert error_fields(i2v(reference_video_urls=["https://e.com/v.mp4"])) == ["reference_video_urls"]
    assert error_fields(t2v(reference_video_urls=["https://e.com/v.mp4"])) == ["reference_video_urls"]


@pytest.mark.parametrize("field", ["image_url", "audio_url", "callback_url"])
@pytest.mark.parametrize("url", ["ftp://e.com/a", "file:///etc/passwd", "javascript:alert(1)", "e.com/a", "https://"])
def test_urls_must_be_http(field: str, url: str) -> None:
    request = i2v(**{field: url, "audio": True}) if field != "image_url" else i2v(image_url=url)
    assert field in error_fields(request)


def test_reference_urls_must_be_http_each_named_by_position() -> None:
    r2v = GenerationRequest(action="image2video", model="wan2.6-r2v", prompt="x",
                            reference_video_urls=["https://e.com/ok.mp4", "ftp://bad"])
    problems = r2v.errors()
    assert [p.field for p in problems] == ["reference_video_urls"] and "#2" in problems[0].message


@pytest.mark.parametrize("size", ALL_SIZES)
def test_every_documented_size_is_valid(size: str) -> None:
    assert t2v(size=size).errors() == []


def test_size_uses_an_asterisk_and_the_error_says_how() -> None:
    problems = t2v(size="1280x720").errors()
    assert problems[0].field == "size" and "1280*720" in problems[0].message


def test_size_must_fit_the_resolution() -> None:
    assert error_fields(t2v(resolution="720P", size="1920*1080")) == ["size"]
    assert t2v(resolution="1080P", size="1920*1080").errors() == []
    assert error_fields(t2v(size="1234*567")) == ["size"]


def test_resolutions() -> None:
    assert error_fields(t2v(resolution="4K")) == ["resolution"]
    assert t2v(resolution="720P").errors() == []
    # 480P is documented but upstream serves 720P/1080P for 2.6: a warning, not a refusal
    assert [p.field for p in t2v(resolution="480P").warnings()] == ["resolution"]


@pytest.mark.parametrize("duration", [*DURATIONS, 7, 0, True, "5"])
def test_durations(duration) -> None:
    ok = duration in DURATIONS and not isinstance(duration, bool | str)
    assert (t2v(duration=duration).errors() == []) is ok


def test_shot_type_needs_prompt_extend() -> None:
    assert error_fields(t2v(shot_type="multi")) == ["shot_type"]
    assert error_fields(t2v(shot_type="multi", prompt_extend=False)) == ["shot_type"]
    assert t2v(shot_type="multi", prompt_extend=True).errors() == []
    assert error_fields(t2v(shot_type="many", prompt_extend=True)) == ["shot_type"]


def test_audio_url_is_refused_when_audio_is_off() -> None:
    assert error_fields(t2v(audio=False, audio_url="https://e.com/a.mp3")) == ["audio_url"]
    assert t2v(audio=True, audio_url="https://e.com/a.mp3").errors() == []


def test_negative_prompt_over_500_is_refused_never_cut_silently() -> None:
    assert t2v(negative_prompt="n" * 500).errors() == []
    problems = t2v(negative_prompt="n" * 501).errors()
    assert [p.field for p in problems] == ["negative_prompt"] and "500" in problems[0].message


def test_wrong_types_are_named() -> None:
    assert error_fields(t2v(negative_prompt=5)) == ["negative_prompt"]
    assert error_fields(t2v(audio="yes")) == ["audio"]
    assert error_fields(t2v(prompt=None)) == ["prompt"]


def test_to_body_refuses_an_invalid_request_listing_every_field() -> None:
    with pytest.raises(InvalidRequest) as caught:
        GenerationRequest(action="image2video", model="wan2.6-i2v", prompt="", size="1x").to_body()
    assert {p.field for p in caught.value.problems} == {"prompt", "size", "image_url"}
    assert "image_url" in str(caught.value)


def test_from_body_reads_api_names_and_refuses_unknown_keys() -> None:
    request = GenerationRequest.from_body({"model": "wan2.6-i2v-flash", "prompt": "x",
                                           "image_url": "https://e.com/i.png", "async": True})
    assert request.action == "image2video" and request.errors() == []
    with pytest.raises(InvalidRequest) as caught:
        GenerationRequest.from_body({"prompt": "x", "resolutoin": "720P"})
    assert caught.value.problems[0].field == "resolutoin"


def test_params_round_trip_through_from_body() -> None:
    request = i2v(duration=5, audio=False)
    assert GenerationRequest.from_body(request.params()) == request
