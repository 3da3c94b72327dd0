"""Every configuration key, described once.

Loading, validation, `config set`, `config show` and the settings screen all read `KEYS`; a
key's type, allowed values, default and help text live nowhere else.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from wan_tui.api.models import (
    ALL_SIZES,
    MODELS,
    NEGATIVE_PROMPT_LIMIT,
    RESOLUTIONS,
    SHOT_TYPES,
    is_http_url,
    normalize_resolution,
    normalize_size,
)
from wan_tui.api.service import DEFAULT_BASE_URL
from wan_tui.api.specs import DURATION_RANGE, RATIOS, SMART_DURATION
from wan_tui.api.token import token_problem
from wan_tui.store.paths import default_downloads_dir

MAX_REQUESTS_PER_SECOND = 60.0  # the Wan API's documented ceiling, per token
MIN_REQUESTS_PER_SECOND = 0.01  # one read every 100 s; below that polling has stopped
MAX_WAIT_SECONDS = 3600.0  # longer than this between looks and a task would expire unseen
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
_TYPE_WORDS = {str: "text", bool: "true or false", int: "a whole number", float: "a number"}
# What an HTTP header can carry without surprises: printable ASCII, no spaces or line breaks.
_TOKEN = re.compile(r"[\x21-\x7e]+")


def _url(value: str) -> str | None:
    return None if is_http_url(value) else "must be an http(s) URL"


def _host_port(value: str) -> str | None:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        return "must be HOST:PORT, e.g. 127.0.0.1:8765"
    return None


def _positive(value: float) -> str | None:
    return None if value > 0 else "must be greater than 0"


def _request_rate(value: float) -> str | None:
    if value < MIN_REQUESTS_PER_SECOND:
        return (f"must be at least {MIN_REQUESTS_PER_SECOND:g} (slower would leave tasks "
                "unread for hours)")
    if value > MAX_REQUESTS_PER_SECOND:
        return (f"must be at most {MAX_REQUESTS_PER_SECOND:g} (the API's documented ceiling is "
                f"{MAX_REQUESTS_PER_SECOND:g} requests per second per token)")
    return None


def _at_least_one(value: int) -> str | None:
    return None if value >= 1 else "must be 1 or more"


def _not_negative(value: float) -> str | None:
    return None if value >= 0 else "must not be negative"


def _wait(value: float) -> str | None:
    if not 0 <= value <= MAX_WAIT_SECONDS:
        return f"must be 0 to {MAX_WAIT_SECONDS:g} seconds"
    return None


def _interval(value: float) -> str | None:
    return _wait(value) if value > 0 else "must be greater than 0"


def _duration(value: int) -> str | None:
    low, high = DURATION_RANGE
    if value == SMART_DURATION or low <= value <= high:
        return None
    return f"must be {low} to {high} seconds, or {SMART_DURATION} for the model's choice"


def _timeout(value: float) -> str | None:
    return None if 1 <= value <= 600 else "must be 1 to 600 seconds"


def _negative_prompt(value: str) -> str | None:
    if len(value) > NEGATIVE_PROMPT_LIMIT:
        return f"must be at most {NEGATIVE_PROMPT_LIMIT} characters (the service cuts the rest)"
    return None


def _not_blank(value: str) -> str | None:
    return None if value.strip() else "must not be empty (unset the key to use its default)"


# Textual's built-in themes (Textual is not imported here: a test compares this list with
# `App().available_themes`, so it cannot drift when Textual is upgraded).
BUILTIN_THEMES = (
    "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe",
    "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki",
    "gruvbox", "monokai", "nord", "rose-pine", "rose-pine-dawn", "rose-pine-moon",
    "solarized-dark", "solarized-light", "textual-dark", "textual-light", "tokyo-night",
)


def _theme(value: str) -> str | None:
    if not value.strip():
        return _not_blank(value)
    if value in BUILTIN_THEMES:
        return None
    near = _close(value, list(BUILTIN_THEMES))
    return f"is not a theme (got {value!r}){near or '; one of ' + ', '.join(BUILTIN_THEMES)}"


def _token(value: str) -> str | None:
    if not value.strip():
        return _not_blank(value)
    too_long = token_problem(value)
    if too_long:
        return too_long
    if _TOKEN.fullmatch(value):
        return None
    return ("must be printable ASCII without spaces or line breaks (no token has other "
            "characters; copy it again)")


class KeySpec(NamedTuple):  # not a frozen dataclass: ~0.5 ms less start-up
    """One configuration key. `key` ending in `.*` stands for a free-form table (keymap)."""

    key: str
    type: type
    help: str
    default: Any = None  # a callable is called for defaults that depend on the machine
    choices: tuple[Any, ...] = ()
    check: Callable[[Any], str | None] | None = None  # returns why a value is refused
    rule: str = ""  # the check in words, for "allowed:" columns
    secret: bool = False  # shown masked
    spelling: Callable[[Any], Any] = lambda value: value  # e.g. 720p -> 720P, when typed

    @property
    def section(self) -> str:
        return self.key.partition(".")[0]

    def default_value(self) -> Any:
        return self.default() if callable(self.default) else self.default

    def allowed(self) -> str:
        """The allowed values in words, e.g. "one of 5, 10, 15"."""
        if self.choices:
            return "one of " + ", ".join(map(str, self.choices))
        return self.rule or _TYPE_WORDS[self.type]

    def problem(self, value: Any) -> str | None:
        """Why `value` (already a Python value, e.g. from TOML) is not allowed, or None."""
        if not self._right_type(value):
            return f"must be {_TYPE_WORDS[self.type]}{self._got(value)}"
        if self.choices and value not in self.choices:
            hint = "" if self.secret else _close(str(value), [str(c) for c in self.choices])
            return f"must be {self.allowed()}{self._got(value)}{hint}"
        problem = self.check(value) if self.check else None
        return f"{problem}{self._got(value)}" if problem else None

    def _got(self, value: Any) -> str:
        """" (got 'x')" for messages; nothing for a secret, which is printed on every run."""
        return "" if self.secret else f" (got {value!r})"

    def _right_type(self, value: Any) -> bool:
        if self.type is float:  # TOML writes 7 and 7.0 differently; both are fine here
            return isinstance(value, int | float) and not isinstance(value, bool)
        if self.type is int:
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, self.type)

    def normalize(self, value: Any) -> Any:
        return float(value) if self.type is float else value

    def parse(self, raw: str) -> Any:
        """Turn command-line text into a valid value; raises ValueError saying what is allowed."""
        text = raw.strip()
        value: Any = raw
        try:
            if self.type is bool:
                if text.lower() not in _TRUE + _FALSE:
                    raise ValueError
                value = text.lower() in _TRUE
            elif self.type is int:
                value = int(text)
            elif self.type is float:
                value = float(text)
                if value != value or value in (float("inf"), float("-inf")):
                    raise ValueError
        except ValueError:
            raise ValueError(
                f"{self.key} must be {_TYPE_WORDS[self.type]}{self._got(raw)}") from None
        value = self.spelling(value)
        problem = self.problem(value)
        if problem:
            raise ValueError(f"{self.key} {problem}")
        return self.normalize(value)


KEYS: dict[str, KeySpec] = {spec.key: spec for spec in (
    KeySpec("api.token", str, "AceData Cloud API token (Bearer); never written to the history",
            check=_token, rule="the token text (printable ASCII, no spaces)", secret=True),
    KeySpec("api.base_url", str, "Base URL of the Wan API", default=DEFAULT_BASE_URL, check=_url,
            rule="an http(s) URL"),
    KeySpec("defaults.model", str, "Model preselected in new generations", default="wan2.6-t2v",
            choices=MODELS),
    KeySpec("defaults.resolution", str, "Default resolution (unset: the service decides)",
            choices=RESOLUTIONS, spelling=normalize_resolution),
    KeySpec("defaults.duration", int, "Default length in seconds (-1: the model's choice)",
            check=_duration, rule="2 to 30, or -1"),
    KeySpec("defaults.ratio", str, "Default aspect ratio (unset: the service decides)",
            choices=RATIOS),
    KeySpec("defaults.watermark", bool, "Ask for the service's watermark by default"),
    KeySpec("defaults.size", str, "Default frame size, WIDTH*HEIGHT", choices=ALL_SIZES,
            spelling=normalize_size),
    KeySpec("defaults.audio", bool, "Generate sound by default"),
    KeySpec("defaults.prompt_extend", bool, "Let the service rewrite prompts by default"),
    KeySpec("defaults.shot_type", str, "Default shot type (needs prompt_extend)",
            choices=SHOT_TYPES),
    KeySpec("defaults.negative_prompt", str, "Negative prompt added to new generations",
            check=_negative_prompt, rule=f"text of at most {NEGATIVE_PROMPT_LIMIT} characters"),
    KeySpec("polling.max_requests_per_second", float, "Ceiling on task reads per second",
            default=1.0, check=_request_rate,
            rule=f"a number from {MIN_REQUESTS_PER_SECOND:g} to {MAX_REQUESTS_PER_SECOND:g}"),
    KeySpec("polling.first_poll_seconds", float, "Wait before the first read of a new task",
            default=7.0, check=_wait, rule=f"a number of seconds, 0 to {MAX_WAIT_SECONDS:g}"),
    KeySpec("polling.interval_seconds", float, "Wait between reads of a running task",
            default=15.0, check=_interval,
            rule=f"a number of seconds, more than 0 and at most {MAX_WAIT_SECONDS:g}"),
    KeySpec("polling.max_in_flight", int, "Submissions sent at the same time", default=5,
            check=_at_least_one, rule="a whole number, 1 or more"),
    KeySpec("polling.callback_listen", str, "Listen for result callbacks on HOST:PORT (unset: off)",
            check=_host_port, rule="HOST:PORT"),
    KeySpec("polling.callback_public_url", str, "URL the service should call back (reaches the "
            "listener)", check=_url, rule="an http(s) URL"),
    KeySpec("api.timeout_seconds", float, "Deadline for one request to the API (connect, "
            "headers and body)", default=30.0, check=_timeout, rule="1 to 600 seconds"),
    KeySpec("downloads.dir", str, "Folder for downloaded videos",
            default=lambda: str(default_downloads_dir()), check=_not_blank,
            rule="a folder path"),
    KeySpec("downloads.auto", bool, "Save each video as soon as its task succeeds (links may "
            "expire upstream)", default=False),
    KeySpec("downloads.sidecar", bool, "Write a .json beside each saved video: prompt, "
            "parameters, task id, cost, dates", default=False),
    KeySpec("media.player", str, "Command that opens a video, e.g. mpv (unset: the system's "
            "opener); run without a shell, the URL or file as its last argument",
            check=_not_blank, rule="a command"),
    KeySpec("ui.theme", str, "Textual theme name", default="textual-dark", check=_theme,
            rule="a theme name, e.g. textual-light"),
    KeySpec("ui.bell", bool, "Ring the terminal bell when a generation ends", default=False),
    KeySpec("keymap.*", str, "Key for a binding id, e.g. keymap.submit = \"ctrl+s\"",
            check=_not_blank, rule="a key name, e.g. ctrl+s"),
)}
SECTIONS = tuple(dict.fromkeys(spec.section for spec in KEYS.values()))


def spec_for(key: str) -> KeySpec | None:
    """The spec of a dotted key; `keymap.anything` finds the `keymap.*` table spec."""
    if key in KEYS:
        return KEYS[key]
    section, _, name = key.partition(".")
    return KEYS.get(f"{section}.*") if name else None


def suggest(key: str) -> str:
    """" (did you mean ...?)" for a mistyped key, or ""."""
    return _close(key, [k for k in KEYS if not k.endswith(".*")])


def _close(word: str, candidates: list[str]) -> str:
    matches = difflib.get_close_matches(word, candidates, n=2, cutoff=0.6)
    return f" (did you mean {' or '.join(matches)}?)" if matches else ""
