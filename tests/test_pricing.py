"""Estimates where a price is published, and received costs of any shape read without a crash."""

from __future__ import annotations

import math
from typing import Any

import pytest

from wan_tui.api.models import GenerationRequest, MediaItem
from wan_tui.api.pricing import cost_amount, estimate, format_cost, total


def wan3(**kw: Any) -> GenerationRequest:
    return GenerationRequest(**{"action": "", "model": "wan3.0-video", "prompt": "x", **kw})


@pytest.mark.parametrize("resolution,amount", [("480P", 0.50), ("720P", 1.00), ("1080P", 2.00),
                                               ("1080p", 2.00)])
def test_wan3_is_priced_per_second_by_resolution(resolution: str, amount: float) -> None:
    found = estimate(wan3(duration=10, resolution=resolution))
    assert found is not None and math.isclose(found.amount, amount)
    assert not found.lower_bound and found.maximum == found.amount
    assert found.text.startswith(f"${amount:.2f}: 10 s") and "assumed" not in found.text


def test_without_a_resolution_720p_is_assumed_and_said() -> None:
    found = estimate(wan3(duration=12))
    assert found is not None and math.isclose(found.amount, 1.20)
    assert "720P assumed" in found.text


@pytest.mark.parametrize("duration", [-1, None])
def test_a_length_the_service_picks_is_a_range(duration: int | None) -> None:
    found = estimate(wan3(duration=duration, resolution="1080P"))
    assert found is not None and found.lower_bound
    assert (found.amount, found.maximum) == (0.4, 6.0) and found.text.startswith("$0.40–$6.00")


def test_reference_videos_make_it_a_lower_bound() -> None:
    found = estimate(wan3(duration=5, media=[MediaItem("reference_video", "https://e/v.mp4")]))
    assert found is not None and found.lower_bound and found.maximum is None
    assert found.amount == 0.5 and "plus reference video seconds" in found.text
    images = estimate(wan3(duration=5, media=[MediaItem("reference_image", "https://e/i.png")]))
    assert images is not None and not images.lower_bound  # images and audio add nothing


@pytest.mark.parametrize("model", ["wan2.6-t2v", "wan2.6-i2v", "wan2.6-i2v-flash", "wan2.6-r2v",
                                   "wan9-unknown"])
def test_no_published_price_means_none(model: str) -> None:
    assert estimate(GenerationRequest("", model, "x", duration=5)) is None


def test_total_of_a_batch() -> None:
    known, unknown = total([estimate(wan3(duration=10)), None, estimate(wan3(duration=5))])
    assert known is not None and unknown == 1 and math.isclose(known.amount, 1.5)
    assert known.text == "$1.50 for 2 requests, plus 1 at an unknown price" and known.lower_bound
    assert total([None, None]) == (None, 2)
    ranged, _ = total([estimate(wan3(duration=-1))])
    assert ranged is not None and ranged.text.startswith("$0.20–$3.00")
    open_ended, _ = total([estimate(wan3(media=[MediaItem("reference_video", "https://e/v")]))])
    assert open_ended is not None and open_ended.text.startswith("at least $0.20")


@pytest.mark.parametrize("cost,expected", [
    (0.5, (0.5, "USD")), (2, (2.0, "USD")), (0, (0.0, "USD")), ("1.25", (1.25, "USD")),
    ("$3", (3.0, "USD")), ("4.5 eur", (4.5, "EUR")),
    ({"amount": 2, "currency": "usd"}, (2.0, "USD")), ({"amount": "0.7"}, (0.7, "USD")),
    ({"total": 1.5}, (1.5, "USD")), ({"total": 1.5, "currency": "CNY"}, (1.5, "CNY")),
])
def test_known_cost_shapes(cost: Any, expected: tuple[float, str]) -> None:
    assert cost_amount(cost) == expected


@pytest.mark.parametrize("cost", [
    None, True, -1, float("inf"), float("nan"), 1e30, 10**400, "1e400", "abc", "", "-2",
    [1, 2], {"value": 1}, {"amount": None}, {"amount": [1]}, {"amount": 1, "currency": 5},
    {"amount": 1, "currency": "dollars"}, {"amount": -3}, "1" * 100,
])
def test_unknown_or_absurd_costs_have_no_amount(cost: Any) -> None:
    assert cost_amount(cost) is None


@pytest.mark.parametrize("cost,shown", [
    (0.5, "$0.50"), ({"amount": 1.2, "currency": "EUR"}, "1.20 EUR"), (0.0035, "$0.0035"),
    (None, ""), ({"credits": 12}, '{"credits": 12}'), (float("inf"), "Infinity"),
    ("\x1b]52;c;aGk=\x07 paid", '"\\u001b]52;c;aGk=\\u0007 paid"'), ("ok\x85", '"ok"'),
])
def test_format_cost(cost: Any, shown: str) -> None:
    assert format_cost(cost) == shown


def test_format_cost_bounds_a_huge_unknown_shape() -> None:
    shown = format_cost({"items": list(range(10_000))})
    assert len(shown) == 80 and shown.endswith("…")
    deep: Any = []
    for _ in range(5000):
        deep = [deep]
    assert len(format_cost(deep)) <= 80
