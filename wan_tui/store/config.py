"""The TOML configuration: tolerant loading, validated atomic edits, and setting precedence.

Loading never raises: a broken file is reported (with its path and line) and the app runs on
defaults. Edits refuse to touch a broken file, keep keys the app does not know, and write
atomically with mode 0600 because the file may hold the API token.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from wan_tui.store.config_keys import KEYS, SECTIONS, KeySpec, spec_for, suggest
from wan_tui.store.files import atomic_write_private
from wan_tui.store.paths import config_path

TOKEN_ENV = "ACEDATACLOUD_API_TOKEN"
BASE_URL_ENV = "ACEDATACLOUD_API_BASE_URL"
CONFIG_MAX_BYTES = 1024 * 1024  # far more than any real config
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


_Section = TypeVar("_Section")

class ConfigError(Exception):
    """A configuration change that was refused; the message says why and what is allowed."""


# -- typed view ------------------------------------------------------------------------------
# Field names must match the keys of KEYS (a test checks); types and defaults come from there.

@dataclass(frozen=True)
class ApiConfig:
    token: str | None
    base_url: str
    timeout_seconds: float


@dataclass(frozen=True)
class PollingConfig:
    max_requests_per_second: float
    first_poll_seconds: float
    interval_seconds: float
    max_in_flight: int
    callback_listen: str | None
    callback_public_url: str | None


@dataclass(frozen=True)
class DownloadsConfig:
    dir: Path
    auto: bool
    sidecar: bool


@dataclass(frozen=True)
class MediaConfig:
    player: str | None


@dataclass(frozen=True)
class UiConfig:
    theme: str
    bell: bool


@dataclass(frozen=True)
class Config:
    """Effective settings: the file's valid values over the defaults of KEYS."""

    values: Mapping[str, Any]  # every key of KEYS (except keymap.*) -> effective value
    keymap: Mapping[str, str] = field(default_factory=dict)  # binding id -> key

    @classmethod
    def from_values(cls, file_values: Mapping[str, Any]) -> Config:
        values = {key: spec.default_value() for key, spec in KEYS.items() if key != "keymap.*"}
        keymap = {}
        for key, value in file_values.items():
            if key.startswith("keymap."):
                keymap[key.partition(".")[2]] = value
            else:
                values[key] = value
        return cls(values, keymap)

    def get(self, key: str) -> Any:
        if key.startswith("keymap."):
            return self.keymap.get(key.partition(".")[2])
        return self.values[key]

    def _section(self, cls: type[_Section], name: str) -> _Section:
        return cls(**{f.name: self.values[f"{name}.{f.name}"]
                      for f in fields(cls)})  # type: ignore[arg-type]

    @property
    def api(self) -> ApiConfig:
        return self._section(ApiConfig, "api")

    @property
    def polling(self) -> PollingConfig:
        return self._section(PollingConfig, "polling")

    @property
    def downloads(self) -> DownloadsConfig:
        return DownloadsConfig(Path(self.values["downloads.dir"]).expanduser(),
                               auto=self.values["downloads.auto"],
                               sidecar=self.values["downloads.sidecar"])

    @property
    def media(self) -> MediaConfig:
        return MediaConfig(self.values["media.player"])

    @property
    def ui(self) -> UiConfig:
        return self._section(UiConfig, "ui")

    @property
    def defaults(self) -> dict[str, Any]:
        """The defaults.* values that are set, by GenerationRequest field name (no action)."""
        return {key.partition(".")[2]: value for key, value in self.values.items()
                if key.startswith("defaults.") and value is not None}



@dataclass(frozen=True)
class ConfigItem:
    """One row of `config show` / the settings screen."""

    key: str
    value: Any
    spec: KeySpec
    from_file: bool

    @property
    def display(self) -> str:
        if self.value is None:
            return "(unset)"
        if self.spec.secret:
            return mask_token(self.value)
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)


@dataclass
class LoadedConfig:
    path: Path
    config: Config
    problems: list[str] = field(default_factory=list)
    broken: bool = False  # the file could not be read at all: everything is default
    file_values: dict[str, Any] = field(default_factory=dict)  # valid known keys in the file

    def items(self) -> list[ConfigItem]:
        """Every setting in table order (keymap entries last), with its effective value."""
        out = [ConfigItem(key, self.config.values[key], spec, key in self.file_values)
               for key, spec in KEYS.items() if key != "keymap.*"]
        out += [ConfigItem(f"keymap.{name}", key, KEYS["keymap.*"], True)
                for name, key in sorted(self.config.keymap.items())]
        return out


# -- loading ---------------------------------------------------------------------------------

class _Broken(Exception):
    pass


def _read_document(path: Path) -> dict[str, Any] | None:
    """The parsed file, None when missing; raises _Broken with a human message."""
    try:
        with open(path, "rb") as handle:  # bounded: /dev/zero is not a config file
            data = handle.read(CONFIG_MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _Broken(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if len(data) > CONFIG_MAX_BYTES:
        raise _Broken(f"{path}: over {CONFIG_MAX_BYTES // 1024} KB, too large for a config "
                      "file (is it the right file?)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Broken(f"{path}: is not UTF-8 text (byte {exc.start})") from exc
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise _Broken(f"{path}: nested too deeply to be a config file") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        if match:
            where = f"line {match[1]}, column {match[2]}"
        else:  # Python 3.11 says "(at end of document)": that is the last line
            where = f"line {max(1, len(text.splitlines()))} (end of file)"
        reason = _TOML_POSITION.sub("", message).replace(" (at end of document)", "")
        raise _Broken(f"{path}, {where}: not valid TOML: {reason}") from exc


def _default_text(spec: KeySpec) -> str:
    value = spec.default_value()
    return "unset" if value is None else repr(value)


def _known_values(document: dict[str, Any], path: Path) -> tuple[dict[str, Any], list[str]]:
    """Valid values of known keys, and a message for each refused one. Unknown keys are
    ignored (mentioned only when they look like a typo of a known key)."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for section, table in document.items():
        if section not in SECTIONS:
            continue
        if not isinstance(table, dict):
            problems.append(f"{path}: {section} must be a table ([{section}]); "
                            f"its settings use their defaults")
            continue
        for name, value in table.items():
            key = f"{section}.{name}"
            spec = spec_for(key)
            if spec is None:
                hint = suggest(key)
                if hint:
                    problems.append(f"{path}: unknown setting {key} is ignored{hint}")
                continue
            problem = spec.problem(value)
            if problem:
                problems.append(f"{path}: {key} {problem}; using the default "
                                f"({_default_text(spec)})")
            else:
                values[key] = spec.normalize(value)
    return values, problems


def load_config(path: Path | str | None = None) -> LoadedConfig:
    """Read the config file. Never raises: problems are reported, defaults fill the gaps."""
    path = Path(path) if path is not None else config_path()
    try:
        document = _read_document(path)
    except _Broken as exc:
        message = f"{exc}. Using the default settings until it is fixed."
        return LoadedConfig(path, Config.from_values({}), [message], broken=True)
    values, problems = _known_values(document or {}, path)
    return LoadedConfig(path, Config.from_values(values), problems, False, values)


# -- editing ---------------------------------------------------------------------------------

def _spec_or_error(key: str) -> KeySpec:
    spec = spec_for(key)
    if spec is None or key.endswith(".*"):
        raise ConfigError(f"unknown setting {key!r}{suggest(key)}; "
                          f"`wan-tui config show` lists them all")
    return spec


def set_value(key: str, raw_value: str, path: Path | str | None = None) -> LoadedConfig:
    """Parse command-line text for `key`, validate it and write it. Raises ConfigError."""
    spec = _spec_or_error(key)
    try:
        value = spec.parse(raw_value)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return _write({key: value}, path)


def unset_value(key: str, path: Path | str | None = None) -> LoadedConfig:
    """Remove `key` from the file so its default applies again."""
    _spec_or_error(key)
    return _write({key: None}, path)


def save_values(values: Mapping[str, Any], path: Path | str | None = None) -> LoadedConfig:
    """Write several typed values at once (None unsets); all are validated before any is."""
    checked: dict[str, Any] = {}
    for key, value in values.items():
        spec = _spec_or_error(key)
        if value is not None:
            problem = spec.problem(value)
            if problem:
                raise ConfigError(f"{key} {problem}")
            value = spec.normalize(value)
        checked[key] = value
    return _write(checked, path)


def _write(changes: Mapping[str, Any], path: Path | str | None) -> LoadedConfig:
    path = Path(path) if path is not None else config_path()
    try:
        document = _read_document(path) or {}
    except _Broken as exc:
        raise ConfigError(f"{exc}. Fix or move {path} first; nothing was changed.") from None
    for key, value in changes.items():
        section, _, name = key.partition(".")
        table = document.get(section)
        if table is not None and not isinstance(table, dict):
            raise ConfigError(f"{path}: {section} is not a table; fix it first; "
                              f"nothing was changed")
        if value is None:
            if table is not None and table.pop(name, None) is not None and not table:
                del document[section]
        else:
            document.setdefault(section, {})[name] = value
    import tomli_w  # writing is rare: not imported by every start

    atomic_write_private(path, tomli_w.dumps(document).encode("utf-8"))
    return load_config(path)


# -- precedence ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """The connection settings in effect, and where the token came from (for messages)."""

    token: str | None
    base_url: str
    token_source: str | None  # "--token", "ACEDATACLOUD_API_TOKEN", "config file" or None
    base_url_source: str = "default"


def _first(*candidates: tuple[str | None, str]) -> tuple[str | None, str | None]:
    for value, source in candidates:
        if value is not None and value.strip():
            return value.strip(), source
    return None, None


def resolve_settings(loaded: LoadedConfig, *, cli_token: str | None = None,
                     cli_base_url: str | None = None,
                     env: Mapping[str, str] = os.environ) -> Settings:
    """Command-line flag, then environment, then config file, then default."""
    api = loaded.config.api
    token, token_source = _first((cli_token, "--token"), (env.get(TOKEN_ENV), TOKEN_ENV),
                                 (api.token, "config file"))
    from_file = "api.base_url" in loaded.file_values
    base_url, base_source = _first(
        (cli_base_url, "--base-url"), (env.get(BASE_URL_ENV), BASE_URL_ENV),
        (api.base_url if from_file else None, "config file"),
        (KEYS["api.base_url"].default_value(), "default"))
    return Settings(token, (base_url or "").rstrip("/"), token_source, base_source or "default")


def mask_token(token: str | None) -> str:
    """Enough of a token to recognise it, never enough to use it: "sk-…a1b2"."""
    if not token:
        return "(not set)"
    if len(token) < 12:
        return "…"
    return f"{token[:3]}…{token[-4:]}"
