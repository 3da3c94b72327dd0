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
from wan_tui.store.errors import (
    HistoryCorrupt,
    HistoryError,
    HistoryFull,
    HistoryLocked,
    TaskIdTaken,
)
from wan_tui.store.health import SpendLine, Stats
from wan_tui.store.history import HistoryStore
from wan_tui.store.paths import config_path, data_dir
from wan_tui.store.query import QueryError, parse_query
from wan_tui.store.reading import ChangeMarker
from wan_tui.store.rows import ImportResult, Row
from wan_tui.store.search import Filters
from wan_tui.store.transfer import ImportRefused, read_lines

__all__ = [
    "ChangeMarker", "Config", "ConfigError", "Filters", "HistoryCorrupt", "HistoryError",
    "HistoryFull", "HistoryLocked", "HistoryStore", "ImportRefused", "ImportResult",
    "LoadedConfig", "QueryError", "Row", "Settings", "SpendLine", "Stats", "TaskIdTaken",
    "config_path", "data_dir", "load_config", "mask_token", "parse_query", "resolve_settings",
    "read_lines", "save_values", "set_value", "unset_value",
]
