"""The one place wan-tui uses a Textual name that is not public.

Textual offers no public hook for an unhandled exception: `App._handle_exception` is where
every one arrives (handlers, timers, workers, screens). The override writes the crash report
(`wan_tui.crash`: no locals, the token scrubbed) and hands Textual a stand-in error whose
`__rich__` is only our message, so Textual's own rendering (a traceback with locals, or
`panic()` for errors with `__rich__`) never shows the original. tests/test_ui_compat.py fails
loudly if an upgrade removes the name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from rich.text import Text
from textual.app import App

from wan_tui.crash import write_report

HOOK = "_handle_exception"
ResultT = TypeVar("ResultT")


class CrashNotice(Exception):
    """What Textual shows in place of a crash: the message, never the traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __rich__(self) -> Text:
        return Text(self.message)


def crash_message(report: object | None) -> str:
    where = f"the details are in {report}" if report else "the details could not be saved"
    return (f"wan-tui hit an internal error and closed; {where} (it holds no token). "
            "Tasks already submitted stay in the history: `wan-tui wait --all` follows them.")


class CrashReports(App[ResultT]):
    """An App whose crashes go to a report file, with `crash_secrets()` scrubbed."""

    def crash_secrets(self) -> Iterable[str | None]:
        return ()

    def _handle_exception(self, error: Exception) -> None:
        if not isinstance(error, CrashNotice):
            self.bell()
            notice = CrashNotice(crash_message(write_report(error, self.crash_secrets())))
            notice.__cause__ = error
            error = notice
        super()._handle_exception(error)
