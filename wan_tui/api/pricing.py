"""Money: what a request will likely cost before it is sent, and a received `cost` read safely.

Only wan3.0-video has a published price (per generated second, by resolution); reference
videos are also billed on their input seconds, unknown until the service has them. The 2.6
models have no published price: their estimate is None ("price unknown"). A task's `cost`
arrives in no documented shape: read the ones seen, show anything else raw, never crash.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .media import MediaItem
from .specs import DURATION_RANGE, SMART_DURATION, spec_of
from .text import printable

if TYPE_CHECKING:
    from .models import GenerationRequest

CURRENCY = "USD"
ABSURD_COST = 1_000_000.0  # more than this for one task is a bad value, not a price
RAW_COST_LIMIT = 80  # characters of an unknown cost shape shown
PRICE_UNKNOWN = "price unknown"

_NUMBER = re.compile(r"\s*\$?\s*([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]{3})?\s*")
_CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")


@dataclass(frozen=True)
class Estimate:
    """A price before sending. `amount` is the likely price, or the least it can be when
    `lower_bound` (reference video seconds are billed too, or the model picks the length);
    `maximum` is the most it can be when that is known."""

    amount: float
    text: str
    lower_bound: bool = False
    maximum: float | None = None
    currency: str = CURRENCY


def estimate(request: GenerationRequest) -> Estimate | None:
    """The published-price estimate of `request`, or None when no price is published."""
    spec = spec_of(request.model)
    if spec is None or spec.price_per_second is None:
        return None
    notes: list[str] = []
    resolution = request.resolution if request.resolution in spec.price_per_second else None
    if resolution is None:
        resolution = spec.default_resolution or next(iter(spec.price_per_second))
        notes.append(f"{resolution} assumed (the default)")
    rate = spec.price_per_second[resolution]
    duration = request.duration
    if isinstance(duration, int) and not isinstance(duration, bool) and (
            DURATION_RANGE[0] <= duration <= DURATION_RANGE[1]):
        low = high = rate * duration
        length = f"{duration} s × {money(rate)}/s at {resolution}"
    else:
        low, high = rate * DURATION_RANGE[0], rate * DURATION_RANGE[1]
        chosen = "the model's choice" if duration == SMART_DURATION else "the service's default"
        length = f"{DURATION_RANGE[0]}–{DURATION_RANGE[1]} s ({chosen}) × {money(rate)}/s " \
                 f"at {resolution}"
    references = _has_reference_video(request)
    if references:
        notes.append("plus reference video seconds")
    shown = money(low) if low == high else f"{money(low)}–{money(high)}"
    text = f"{shown}{'+' if references else ''}: {length}" + "".join(f"; {n}" for n in notes)
    return Estimate(amount=round(low, 6), text=text, lower_bound=references or low != high,
                    maximum=None if references else round(high, 6))


def total(estimates: Iterable[Estimate | None]) -> tuple[Estimate | None, int]:
    """The sum of the known estimates (None when none is known) and how many are unknown."""
    known: list[Estimate] = []
    unknown = 0
    for item in estimates:
        if item is None:
            unknown += 1
        else:
            known.append(item)
    if not known:
        return None, unknown
    low = sum(e.amount for e in known)
    highs = [e.maximum for e in known]
    high = None if any(h is None for h in highs) else sum(h for h in highs if h is not None)
    lower_bound = any(e.lower_bound for e in known)
    if high is None:
        shown = f"at least {money(low)}"
    else:
        shown = money(low) if high == low else f"{money(low)}–{money(high)}"
    text = f"{shown} for {len(known)} request{'s' if len(known) != 1 else ''}"
    if unknown:
        text += f", plus {unknown} at an unknown price"
    return Estimate(round(low, 6), text, lower_bound or unknown > 0, high), unknown


def cost_amount(cost: Any) -> tuple[float, str] | None:
    """(amount, currency) from a received `cost` of a known shape: a number, a numeric string,
    {"amount": n, "currency": c} or {"total": n}. None for anything else, and for values that
    cannot be a price (negative, not finite, absurdly large)."""
    currency = CURRENCY
    if isinstance(cost, dict):
        code = cost.get("currency")
        if code is not None:
            if not isinstance(code, str) or not _CURRENCY_CODE.fullmatch(code):
                return None
            currency = code.upper()
        cost = cost["amount"] if "amount" in cost else cost.get("total")
    if isinstance(cost, str):
        match = _NUMBER.fullmatch(cost) if len(cost) <= 40 else None
        if match is None:
            return None
        if match.group(2):
            currency = match.group(2).upper()
        cost = float(match.group(1))
    if isinstance(cost, bool) or not isinstance(cost, int | float):
        return None
    try:
        value = float(cost)
    except OverflowError:  # an int past float range
        return None
    if not math.isfinite(value) or not 0 <= value <= ABSURD_COST:
        return None
    return value, currency


def format_cost(cost: Any) -> str:
    """A received cost for display: `$0.50` / `1.20 EUR` for a known shape, "" for none, and
    anything else raw (printable, at most RAW_COST_LIMIT characters)."""
    if cost is None:
        return ""
    known = cost_amount(cost)
    if known is not None:
        return money(*known)
    try:
        raw = json.dumps(cost, ensure_ascii=False, sort_keys=True, default=repr)
    except (ValueError, TypeError, RecursionError):
        raw = repr(type(cost))
    raw = " ".join(printable(raw).split())
    return raw if len(raw) <= RAW_COST_LIMIT else raw[:RAW_COST_LIMIT - 1] + "…"


def money(amount: float, currency: str = CURRENCY) -> str:
    """`$0.50`; more decimals only when cents would hide the value; `1.20 EUR` elsewhere."""
    digits = 2 if round(amount, 2) == round(amount, 6) else 4
    number = f"{amount:,.{digits}f}"
    return f"${number}" if currency == CURRENCY else f"{number} {currency}"


def _has_reference_video(request: GenerationRequest) -> bool:
    media = request.media if isinstance(request.media, list) else []
    return any(isinstance(m, MediaItem) and m.type == "reference_video" for m in media)
