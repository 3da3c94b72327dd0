"""Where the service lives, and which of its refusals no waiting can outlast."""

from __future__ import annotations

DEFAULT_BASE_URL = "https://api.acedata.cloud"

# Error codes that mean the token or the account must be fixed first: polling or waiting
# cannot succeed until then.
FATAL_CODES = frozenset({"no_token", "token_mismatched", "invalid_token", "token_expired",
                         "bad_token", "used_up", "disabled"})
