"""Where wan-tui keeps its files: environment variables first, then the platform's usual places."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "wan-tui"
CONFIG_ENV = "WAN_TUI_CONFIG"
DATA_DIR_ENV = "WAN_TUI_DATA_DIR"


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def config_path() -> Path:
    """The TOML config file (XDG_CONFIG_HOME is honoured on Linux through platformdirs)."""
    return _from_env(CONFIG_ENV) or Path(
        platformdirs.user_config_dir(APP_NAME, appauthor=False)
    ) / "config.toml"


def data_dir() -> Path:
    """Where the history database lives."""
    return _from_env(DATA_DIR_ENV) or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_downloads_dir() -> Path:
    return Path(platformdirs.user_downloads_dir()) / APP_NAME
