"""Persistence: the TOML configuration and the SQLite history (no UI code here)."""

from wan_tui.store.config import (
    Config,
    ConfigError,
    LoadedConfig,
    Settings,
    load_config,
    mask_token,
    resolve_settings,
    save_values,
    set_value,
    unset_value,
)
from wan_tui.store.history import HistoryError, HistoryStore
from wan_tui.store.paths import config_path, data_dir
from wan_tui.store.rows import ImportResult, Row

__all__ = [
    "Config", "ConfigError", "HistoryError", "HistoryStore", "ImportResult", "LoadedConfig",
    "Row", "Settings", "config_path", "data_dir", "load_config", "mask_token",
    "resolve_settings", "save_values", "set_value", "unset_value",
]
