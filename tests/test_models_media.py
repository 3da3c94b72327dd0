"""Wan 3 media: 1-10 items of known types with http(s) URLs, frame mode and reference mode apart."""

from __future__ import annotations

from typing import Any

import pytest

from wan_tui.api.media import MEDIA_TYPES, MediaItem, media_mode, parse_media_item
from wan_tui.api.models import GenerationRequest, InvalidRequest


def wan3(media: Any, prompt: str = "") -> GenerationRequest:
    return GenerationRequest("", "wan3.0-video", prompt, media=media)


def item(kind: str, n: int = 1) -> MediaItem:
    return MediaItem(kind, f"https://e.com/{kind}/{n}")


def messages(request: GenerationRequest) -> list[str]:
    assert all(p.field == "media" for p in request.errors())
    return [p.message for p in request.errors()]


@pytest.mark.parametrize("kinds", [["first_frame"], ["first_frame", "last_frame"], ["last_frame"],
                                   ["reference_image", "reference_video", "reference_audio"],
                                   ["file"], ["link", "first_frame"], ["file", "reference_image"]])
def test_valid_media(kinds: list[str]) -> None:
    assert wan3([item(k, i) for i, k in enumerate(kinds)]).errors() == []


@pytest.mark.parametrize("frame", ["first_frame", "last_frame"])
@pytest.mark.parametrize("reference", ["reference_image", "reference_video", "reference_audio"])
def test_frame_mode_and_reference_mode_cannot_be_mixed(frame: str, reference: str) -> None:
    assert messages(wan3([item(frame), item(reference)])) == [
        f"{frame} (frame mode) cannot be mixed with {reference} (reference mode) in one request"]


def test_ten_items_at_most() -> None:
    assert wan3([item("reference_image", i) for i in range(10)]).errors() == []
    assert messages(wan3([item("reference_image", i) for i in range(11)])) == [
        "11 items; at most 10 are allowed"]


@pytest.mark.parametrize("bad,words", [
    (MediaItem("video", "https://e.com/v"), "item 1: type must be one of"),
    (MediaItem("first_frame", "file:///etc/passwd"), "item 1 (first_frame): url must be an http(s)"),
    ({"type": "first_frame"}, "item 1 needs a type and a url"),
    ({"type": "first_frame", "url": "https://e", "kind": 1}, "item 1 has unknown keys 'kind'"),
    ("first_frame=https://e.com/a", "item 1 must be an object"),
    (["first_frame", "https://e"], "item 1 must be an object"),
])
def test_bad_items_are_named_by_position(bad: Any, words: str) -> None:
    found = messages(wan3([bad]))
    assert len(found) == 1 and found[0].startswith(words)


def test_items_read_from_a_body_become_media_items() -> None:
    request = GenerationRequest.from_body({"model": "wan3.0-video", "prompt": "",
                                           "media": [{"type": "first_frame", "url": "https://e/a"}]})
    assert request.media == [MediaItem("first_frame", "https://e/a")] and request.errors() == []


def test_an_explicitly_empty_media_list_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="media: is empty"):
        GenerationRequest.from_body({"model": "wan3.0-video", "prompt": "x", "media": []})


@pytest.mark.parametrize("text,expected", [
    ("first_frame=https://e.com/a.png", MediaItem("first_frame", "https://e.com/a.png")),
    ("Reference_Video= https://e.com/v.mp4?x=1", MediaItem("reference_video", "https://e.com/v.mp4?x=1")),
])
def test_parse_media_item(text: str, expected: MediaItem) -> None:
    assert parse_media_item(text) == expected


@pytest.mark.parametrize("text", ["https://e.com/a.png", "=https://e", "first_frame=", "frame=https://e"])
def test_parse_media_item_refuses_clearly(text: str) -> None:
    with pytest.raises(ValueError, match="media"):
        parse_media_item(text)


def test_modes() -> None:
    assert media_mode([]) == "text"
    assert media_mode([item("first_frame")]) == "frames"
    assert media_mode([item("reference_audio")]) == "reference"
    assert media_mode([item("file"), item("link")]) == "other"
    assert media_mode([item("last_frame"), item("reference_image")]) == "mixed"
    assert set(MEDIA_TYPES) == {"first_frame", "last_frame", "reference_image", "reference_video",
                                "reference_audio", "file", "link"}


def test_media_item_round_trips_as_a_dict() -> None:
    assert MediaItem.from_dict(item("link").to_dict()) == item("link")
