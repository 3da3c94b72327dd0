"""Normalization, parsing and reading bodies: every front end gets the same request."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wan_tui.api.models import (
    DEFAULT_MODEL,
    MODEL_SPECS,
    GenerationRequest,
    InvalidRequest,
    MediaItem,
    normalize_resolution,
    normalize_size,
    parse_duration,
)
from wan_tui.api.specs import SIZES, models_for


@pytest.mark.parametrize("typed,expected", [("720p", "720P"), (" 1080p ", "1080P"),
                                            ("480", "480P"), ("4k", "4k"), (None, None)])
def test_resolutions_are_normalized(typed: Any, expected: Any) -> None:
    assert normalize_resolution(typed) == expected
    assert GenerationRequest("", "wan3.0-video", "x", resolution=typed).resolution == expected


@pytest.mark.parametrize("typed,expected", [("1280x720", "1280*720"), ("1280X720", "1280*720"),
                                            ("1280 × 720", "1280*720"), (" 960*960 ", "960*960"),
                                            ("12x", "12x"), ("٣x٣", "٣x٣"), (7, 7)])
def test_sizes_are_normalized(typed: Any, expected: Any) -> None:
    assert normalize_size(typed) == expected


def test_normalized_values_are_valid_and_sent_normalized() -> None:
    request = GenerationRequest("text2video", "wan2.6-t2v", "x", resolution="720p",
                                size="1280x720", ratio="Adaptive", shot_type="Multi")
    assert request.errors() == []
    body = request.to_body()
    assert (body["resolution"], body["size"], body["ratio"], body["shot_type"]) == (
        "720P", "1280*720", "adaptive", "multi")


@pytest.mark.parametrize("text,seconds", [("auto", -1), ("AUTO", -1), ("-1", -1), ("2", 2),
                                          ("7", 7), (" 30 ", 30), ("+12", 12)])
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["1", "31", "0", "-2", "7.5", "ten", "", "٧", "1e1", "10" * 30])
def test_parse_duration_refuses_clearly(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration must be a whole number of seconds from 2 "
                                         r"to 30, or -1/auto"):
        parse_duration(text)


@pytest.mark.parametrize("value", ["auto", "-1"])
def test_auto_duration_is_normalized_in_a_request(value: str) -> None:
    assert GenerationRequest.from_body({"prompt": "x", "duration": value}).duration == -1


def test_from_body_reads_api_names_and_follows_the_model() -> None:
    request = GenerationRequest.from_body({"model": "wan2.6-i2v-flash", "prompt": "x",
                                           "image_url": "https://e.com/i.png", "async": True})
    assert request.action == "image2video" and request.errors() == [] and request.warnings() == []
    assert GenerationRequest.from_body({"prompt": "x"}).model == DEFAULT_MODEL
    wan3 = GenerationRequest.from_body({"model": "wan3.0-video", "prompt": "x"})
    assert wan3.action == "" and "action" not in wan3.to_body()


def test_from_body_refuses_unknown_keys_with_a_suggestion() -> None:
    with pytest.raises(InvalidRequest) as caught:
        GenerationRequest.from_body({"prompt": "x", "resolutoin": "720P", "seeed": 1, "zzz": 1})
    messages = {p.field: p.message for p in caught.value.problems}
    assert set(messages) == {"resolutoin", "seeed", "zzz"}
    assert "did you mean resolution?" in messages["resolutoin"]
    assert "did you mean seed?" in messages["seeed"] and "did you mean" not in messages["zzz"]


def test_from_body_of_an_echo_leaves_unknown_keys_out_with_a_warning() -> None:
    request = GenerationRequest.from_body({"prompt": "x", "trace": "t"}, strict=False)
    assert [str(p) for p in request.warnings()] == [
        "trace: is not a field wan-tui knows; it is left out"]
    assert "trace" not in request.to_body()


@pytest.mark.parametrize("value", [False, "yes", None, 0])
def test_async_other_than_true_is_a_warning(value: Any) -> None:
    request = GenerationRequest.from_body({"prompt": "x", "async": value})
    assert request.errors() == [] and [p.field for p in request.warnings()] == ["async"]
    assert request.to_body()["async"] is True


def test_from_body_refuses_what_is_not_an_object_and_empty_media() -> None:
    for body in (["prompt"], "x", None, 3):
        with pytest.raises(InvalidRequest) as caught:
            GenerationRequest.from_body(body)
        assert caught.value.problems[0].field == "body"
    with pytest.raises(InvalidRequest) as caught:
        GenerationRequest.from_body({"model": "wan3.0-video", "prompt": "x", "media": []})
    assert caught.value.problems[0].field == "media"


def test_null_values_mean_not_sent() -> None:
    request = GenerationRequest.from_body({"prompt": "x", "seed": None, "media": None,
                                           "reference_video_urls": None, "action": None})
    assert request == GenerationRequest("text2video", "wan2.6-t2v", "x")


def test_params_round_trip_through_from_body() -> None:
    requests = [
        GenerationRequest("image2video", "wan2.6-i2v", "waves", image_url="https://e/a.png",
                          duration=5, audio=False, seed=7, watermark=True),
        GenerationRequest("", "wan3.0-video", "", ratio="9:16", duration=-1,
                          media=[MediaItem("reference_video", "https://e/v.mp4")]),
    ]
    for request in requests:
        assert GenerationRequest.from_body(request.params()) == request
        assert GenerationRequest.from_body(request.to_body()) == request


def test_params_keep_what_is_sent_so_an_echo_compares_equal() -> None:
    request = GenerationRequest("image2video", "wan2.6-r2v", "x", image_url="https://e/i.png",
                                reference_video_urls=["https://e/v.mp4"])
    echoed = GenerationRequest.from_body(request.to_body(), strict=False)
    assert echoed.params() == request.params() and "image_url" not in request.params()


def test_to_dict_rebuilds_the_request() -> None:
    request = GenerationRequest("", "wan3.0-video", "x", seed=3,
                                media=[MediaItem("first_frame", "https://e/1.png")])
    assert GenerationRequest(**request.to_dict()) == request
    assert request.to_dict()["media"] == [{"type": "first_frame", "url": "https://e/1.png"}]


def test_the_specs_list_what_wan_tui_models_shows() -> None:
    for name, spec in MODEL_SPECS.items():
        assert spec.name == name and spec.description and spec.actions
        assert {"prompt", "duration", "seed", "watermark", "ratio"} <= set(spec.fields)
        assert all(spec.sizes[r] == SIZES[r] for r in spec.resolutions)
    assert models_for("text2video") == ("wan2.6-t2v", "wan3.0-video")
    assert models_for("image2video") == ("wan2.6-i2v", "wan2.6-i2v-flash", "wan2.6-r2v",
                                         "wan3.0-video")
    assert MODEL_SPECS["wan2.6-r2v"].durations == (2, 10)
    assert MODEL_SPECS["wan3.0-video"].price_per_second == {"480P": 0.05, "720P": 0.10, "1080P": 0.20}


def test_each_model_describes_itself_as_json() -> None:
    described = {name: spec.describe() for name, spec in MODEL_SPECS.items()}
    json.dumps(described)
    wan3, r2v = described["wan3.0-video"], described["wan2.6-r2v"]
    assert wan3["action_optional"] and "media" in wan3["fields"] and wan3["required"] == ["model"]
    assert wan3["price_per_second"]["1080P"] == 0.20 and list(wan3["sizes"]) == ["480P", "720P", "1080P"]
    assert r2v["durations"] == {"min": 2, "max": 10, "accepted": [2, 30], "auto": -1}
    assert r2v["required"] == ["model", "prompt", "reference_video_urls"] and r2v["price_per_second"] is None
    assert list(r2v["sizes"]) == ["720P", "1080P"] and not r2v["action_optional"]
