"""Property tests: any JSON object a batch line can hold is read without a crash, and every
refusal names a field. The strategies mix real field names and values with junk."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wan_tui.api.media import MEDIA_TYPES
from wan_tui.api.models import FIELD_NAMES, MODELS, GenerationRequest, InvalidRequest
from wan_tui.api.pricing import cost_amount, estimate, format_cost
from wan_tui.api.specs import ALL_SIZES, RATIOS, RESOLUTIONS
from wan_tui.api.text import printable

PROPERTIES = settings(max_examples=200, database=None, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
urls = st.sampled_from(["https://e.com/a.png", "http://h/v.mp4", "ftp://x", "", "https://"])
media_items = st.fixed_dictionaries({"type": st.sampled_from([*MEDIA_TYPES, "video"]), "url": urls})
plausible: dict[str, Any] = {
    "action": st.sampled_from(["text2video", "image2video", "", "TEXT2VIDEO", "x"]),
    "model": st.sampled_from([*MODELS, "wan2.5", ""]),
    "prompt": st.text(max_size=40) | st.sampled_from(["", " ", "\u200b", "a\x00", "x" * 1600]),
    "negative_prompt": st.text(max_size=20) | st.just("n" * 501),
    "resolution": st.sampled_from([*RESOLUTIONS, "720p", "4K"]),
    "size": st.sampled_from([*ALL_SIZES, "1280x720", "1x1", "big"]),
    "ratio": st.sampled_from([*RATIOS, "21:9"]),
    "duration": st.integers(-3, 40) | st.sampled_from(["auto", "-1", "7"]),
    "seed": st.integers(-5, 2**31 + 5),
    "watermark": st.booleans(), "audio": st.booleans(), "prompt_extend": st.booleans(),
    "shot_type": st.sampled_from(["single", "multi", "many"]),
    "audio_url": urls, "image_url": urls, "callback_url": urls,
    "reference_video_urls": st.lists(urls, max_size=5),
    "media": st.lists(media_items | json_values, max_size=12),
    "async": json_values,
}
plausible_bodies = st.fixed_dictionaries({}, optional=plausible)
junk_bodies = st.dictionaries(st.sampled_from([*FIELD_NAMES, "async"]) | st.text(max_size=12),
                              json_values, max_size=8)


def check_body(body: dict[str, Any], strict: bool) -> None:
    try:
        request = GenerationRequest.from_body(body, strict=strict)
    except InvalidRequest as refused:
        assert refused.problems and all(p.field and p.message for p in refused.problems)
        return
    for problem in request.problems():
        assert problem.field in (*FIELD_NAMES, "async") or (
            problem.warning and "is not a field" in problem.message and problem.field)
        assert problem.message
    try:
        sent = request.to_body()
    except InvalidRequest as refused:
        assert refused.problems and all(p.field in FIELD_NAMES for p in refused.problems)
    else:
        assert sent["async"] is True and set(sent) - {"async"} <= set(FIELD_NAMES)
        assert not set(request.left_out()) & set(sent)
        json.dumps(sent)  # always encodable
        assert GenerationRequest.from_body(sent).params() == request.params()
    estimate(request)
    GenerationRequest(**request.to_dict())


@PROPERTIES
@given(plausible_bodies, st.booleans())
def test_plausible_bodies_never_crash_and_refusals_name_fields(body: dict[str, Any],
                                                               strict: bool) -> None:
    check_body(body, strict)


@PROPERTIES
@given(junk_bodies, st.booleans())
def test_arbitrary_json_objects_never_crash(body: dict[str, Any], strict: bool) -> None:
    check_body(body, strict)


@PROPERTIES
@given(json_values)
def test_anything_that_is_not_an_object_is_refused_as_the_body(body: Any) -> None:
    if isinstance(body, dict):
        return
    try:
        GenerationRequest.from_body(body)
    except InvalidRequest as refused:
        assert [p.field for p in refused.problems] == ["body"]
    else:
        raise AssertionError("accepted a body that is not an object")


@PROPERTIES
@given(json_values | st.dictionaries(st.sampled_from(["amount", "total", "currency"]), json_values))
def test_any_cost_is_read_or_shown_raw(cost: Any) -> None:
    amount = cost_amount(cost)
    assert amount is None or (0 <= amount[0] <= 1e6 and amount[1].isalpha())
    shown = format_cost(cost)
    assert len(shown) <= 80 and shown == printable(shown)
