"""Persistence: the TOML configuration and the SQLite history (no UI code here)."""
