"""Persistence: the TOML configuration and the SQLite history (no UI code here).

Import from the modules themselves: this package imports none of them, so that reading the
configuration does not load the history, nor the app's start-up the modules it uses later."""
