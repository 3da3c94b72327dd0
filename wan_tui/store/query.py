"""The history's search syntax: `fox state:failed model:r2v since:2026-11-01 has:video`.

- Free words search prompts and negative prompts (every word must occur; the last one also
  matches as the start of a word, so results come while typing).
- `key:value` narrows: state, model, action, since, until, has (video), saved, deleted, id.
  Repeating state or model widens that filter (state:failed state:lost).
- `#42` or `id:42` is one row by its number (#, as the board shows it); `id:` with anything
  else is one task by the service's task id.
- A free word that is exactly a state name (failed, running...) or a model name or alias
  (r2v, wan2.6-i2v, wan3...) filters by that state or model instead of searching prompts for it,
  as the board's filter does. Quote it ("failed") to search prompts for the word itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from wan_tui.api.models import MODEL_ACTIONS, MODELS
from wan_tui.api.state import State
from wan_tui.store.search import Filters

STATES = tuple(str(s) for s in State)
KEYS = ("state", "model", "action", "since", "until", "has", "saved", "deleted", "id")
_NUMBER = re.compile(r"#\d+")
_YES, _NO = ("yes", "true", "1", "y", "on"), ("no", "false", "0", "n", "off")
_FAMILY = re.compile(r"^(wan\d+)(\.\d+)?")


class QueryError(ValueError):
    """The search text cannot be read; the message says which part and what would do."""


def model_aliases() -> dict[str, tuple[str, ...]]:
    """Short names for models: the full name, its kind ("r2v", "i2v-flash": the part after the
    first dash when it has a digit), and its family ("wan2.6", "wan3": every model of it)."""
    aliases: dict[str, list[str]] = {}
    for model in MODELS:
        names = {model}
        family, _, kind = model.partition("-")
        if any(ch.isdigit() for ch in kind):
            names.add(kind)
        found = _FAMILY.match(family)
        if found:
            names.update({found.group(0), found.group(1)})
        for name in names:
            aliases.setdefault(name.lower(), []).append(model)
    return {name: tuple(models) for name, models in aliases.items()}


def resolve_models(name: str) -> tuple[str, ...]:
    """The models a name or alias means; QueryError (with the nearest names) when none."""
    aliases = model_aliases()
    found = aliases.get(name.strip().lower())
    if found:
        return found
    raise QueryError(f"unknown model {name!r}{_nearest(name, aliases)}; models are "
                     f"{', '.join(MODELS)}")


def _nearest(word: str, choices: Iterable[str]) -> str:
    import difflib  # only when a query is wrong

    close = difflib.get_close_matches(word.lower(), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def parse_date(text: str, key: str) -> float:
    """A local date or date-time (2026-11-01, 2026-11-01T18:30, "2026-11-01 18:30"), or
    today/yesterday, as Unix seconds."""
    word = text.strip().lower()
    today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    if word in ("today", "yesterday"):
        return (today - timedelta(days=word == "yesterday")).timestamp()
    try:
        return datetime.fromisoformat(text.strip()).timestamp()
    except (ValueError, OverflowError, OSError):
        raise QueryError(f"{key}: takes a date such as 2026-11-24 or 2026-11-24T18:30 "
                         f"(got {text!r})") from None


def parse_until(text: str, key: str) -> float:
    """An upper bound (rows made before it): a bare date, today or yesterday includes its
    whole day (until:2026-11-30 is November's last day too); a date-time is exact."""
    start = parse_date(text, key)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}|today|yesterday", text.strip().lower()):
        return (datetime.fromtimestamp(start) + timedelta(days=1)).timestamp()  # DST-safe
    return start


def _yes_no(value: str, key: str) -> bool:
    word = value.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise QueryError(f"{key}: takes yes or no (got {value!r})")


_WORD = re.compile(r'"([^"]*)"?|(\S+)')


def _words(text: str) -> list[tuple[str, bool]]:
    """(word, was quoted) pairs; an unfinished quote (while typing) counts as closed."""
    out = []
    for found in _WORD.finditer(text):
        quoted, plain = found.group(1), found.group(2)
        if quoted is not None:
            out += [(word, True) for word in quoted.split()]
        else:
            out.append((plain, False))
    return out


def parse_query(text: str) -> Filters:
    """Filters for the search text (the syntax is in this module's docstring)."""
    free: list[str] = []
    states: list[str] = []
    models: list[str] = []
    values: dict[str, object] = {}
    for word, quoted in _words(text):
        key, sep, value = word.partition(":")
        if quoted or not sep or not key or "://" in word:
            lowered = word.lower()
            if not quoted and lowered in STATES:
                states.append(lowered)
            elif not quoted and lowered in model_aliases():
                models.extend(resolve_models(lowered))
            elif not quoted and _NUMBER.fullmatch(word):
                _apply("id", word, states, models, values)
            else:
                free.append(word)
            continue
        key = key.lower()
        if key not in KEYS:
            raise QueryError(f"unknown filter {key + ':'!r}{_nearest(key, KEYS)}; filters are "
                             f"{', '.join(k + ':' for k in KEYS)}")
        if not value:
            raise QueryError(f"{key}: needs a value, e.g. {_EXAMPLES[key]}")
        _apply(key, value, states, models, values)
    return replace(Filters(text=" ".join(free) or None, states=tuple(dict.fromkeys(states)),
                           models=tuple(dict.fromkeys(models))), **values)  # type: ignore[arg-type]


_EXAMPLES = {"state": "state:failed", "model": "model:r2v", "action": "action:image2video",
             "since": "since:2026-11-01", "until": "until:2026-11-30", "has": "has:video",
             "saved": "saved:yes", "deleted": "deleted:yes", "id": "id:42 or #42"}


def _apply(key: str, value: str, states: list[str], models: list[str],
           values: dict[str, object]) -> None:
    if key == "state":
        if value.lower() not in STATES:
            raise QueryError(f"unknown state {value!r}{_nearest(value, STATES)}; states are "
                             f"{', '.join(STATES)}")
        states.append(value.lower())
    elif key == "model":
        models.extend(resolve_models(value))
    elif key == "action":
        actions = sorted(set(MODEL_ACTIONS.values()))
        if value.lower() not in actions:
            raise QueryError(f"unknown action {value!r}; actions are {', '.join(actions)}")
        values["action"] = value.lower()
    elif key == "since":
        values[key] = parse_date(value, key)
    elif key == "until":
        values[key] = parse_until(value, key)
    elif key == "has":
        if value.lower() not in ("video", "novideo", "no-video"):
            raise QueryError(f"has: takes video (got {value!r}); use has:no-video for the rest")
        values["has_video"] = value.lower() == "video"
    elif key == "saved":
        values["saved"] = _yes_no(value, key)
    elif key == "id":  # a row's number (#42, 42) or, failing that, a task id
        number = value.strip().removeprefix("#")
        if number.isdigit():
            values["local_id"] = int(number)
        else:
            values["task_id"] = value.strip()
    else:
        values["deleted_remote"] = _yes_no(value, key)
