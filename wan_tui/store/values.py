"""Values from the service or from import files, made safe for SQLite: JSON kept as received
(bounded), costs read into an amount and a currency, numbers that SQLite can hold."""

from __future__ import annotations

import json
import math
from typing import Any

MAX_JSON_TEXT = 64 * 1024  # a usage or cost object larger than this is not kept
_INT64 = 2 ** 63
DEFAULT_CURRENCY = "USD"


def finite(value: Any) -> float | None:
    """A real number SQLite can store (not bool, not inf/nan, not a 400-digit int)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and abs(value) >= _INT64:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def small_int(value: Any) -> int | None:
    number = finite(value)
    return int(number) if number is not None and abs(number) < _INT64 else None


def json_text(value: Any) -> str | None:
    """`value` as JSON text, as received; None for None, and for what JSON cannot hold
    (non-finite numbers) or what is too large to keep."""
    if value is None:
        return None
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        return None
    return text if len(text) <= MAX_JSON_TEXT else None


def json_value(text: str | None) -> Any:
    """The value `json_text` stored (None when there is none or it is unreadable)."""
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _amount(value: Any) -> float | None:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    number = finite(value)
    return number if number is not None and number >= 0 else None


def _currency(value: Any) -> str:
    if isinstance(value, str) and value.strip().isalpha() and len(value.strip()) <= 8:
        return value.strip().upper()
    return DEFAULT_CURRENCY


def read_cost(cost: Any) -> tuple[float | None, str | None]:
    """(amount, currency) of a cost as the service sends it, for sums; (None, None) when the
    shape is unknown (the raw value is still stored and shown).

    A number or a string of one is an amount in USD; {"amount": n, "currency": c} and
    {"total": n, "currency": c} give n (in c, USD when absent). Negative or non-finite: None.
    """
    if isinstance(cost, dict):
        key = "amount" if "amount" in cost else "total" if "total" in cost else None
        amount = _amount(cost[key]) if key else None
        return (amount, _currency(cost.get("currency"))) if amount is not None else (None, None)
    amount = _amount(cost)
    return (amount, DEFAULT_CURRENCY) if amount is not None else (None, None)


def cost_columns(cost: Any) -> dict[str, Any]:
    """The cost, cost_amount and cost_currency columns for a cost as received."""
    amount, currency = read_cost(cost)
    return {"cost": json_text(cost), "cost_amount": amount, "cost_currency": currency}
