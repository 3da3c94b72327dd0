"""Text that is not ours (server answers, batch files, imported history) never reaches the
terminal with control characters: no OSC 52 clipboard writes, no screen clears."""

from __future__ import annotations

from wan_tui.api.errors import ApiError
from wan_tui.api.text import printable

EVIL = "\x1b]52;c;aGk=\x07\x1b[2J\x9b31m\x7f\x00"
CONTROLS = "\x1b\x07\x9b\x7f\x00"


def clean(text: str) -> bool:
    return not any(c in text for c in CONTROLS)


def test_printable_keeps_text_tabs_and_newlines() -> None:
    assert printable(f"a{EVIL}b\tc\nd é 視頻") == "a]52;c;aGk=[2J31mb\tc\nd é 視頻"


def test_a_service_error_shows_no_control_characters() -> None:
    error = ApiError("the service refused the call", status=400, code=f"odd{EVIL}",
                     trace_id=f"tr{EVIL}", server_message=f"no {EVIL}")
    assert clean(str(error)) and "no ]52;c;aGk=" in str(error)
    assert clean(error.code) and clean(error.trace_id or "")
