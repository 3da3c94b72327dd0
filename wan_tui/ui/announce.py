"""What the user is told when a task changes state: a notification when it ends or its
submission is lost (the app adds the bell)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from wan_tui.api.state import FINAL_STATES, State
from wan_tui.api.text import printable
from wan_tui.store.rows import Row

from .widgets.cells import one_line

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True)
class Notice:
    message: str
    title: str
    severity: Severity = "information"
    timeout: float | None = None  # None: Textual's default
    ended: bool = False  # a task ended: worth the bell


def short(text: str, limit: int = 60) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Announcer:
    """Remembers the last state it saw of each row, to tell when one changes."""

    def __init__(self) -> None:
        self.known: dict[int, str] = {}

    def remember(self, rows: Iterable[Row]) -> None:
        self.known.update((row.id, row.state) for row in rows)

    def changes(self, rows: Iterable[Row]) -> list[Notice]:
        notices = []
        for row in rows:
            notice = self.notice(self.known.get(row.id), row)
            self.known[row.id] = row.state
            if notice is not None:
                notices.append(notice)
        return notices

    @staticmethod
    def notice(before: str | None, new: Row) -> Notice | None:
        if new.state == before:
            return None
        what = f"#{new.id} {short(new.prompt)}"
        if new.state in FINAL_STATES and before not in FINAL_STATES:
            if new.state == State.SUCCEEDED:
                return Notice(what, "Video ready", ended=True)
            if new.state == State.FAILED:
                reason = printable(new.error_message or new.error_code or "no reason given")
                return Notice(f"{what}\n{reason}", "Generation failed", "error", 10, ended=True)
            return Notice(f"{what}\n{printable(new.error_message or new.state)}",
                          f"Task {new.state}", "warning", 10, ended=True)
        if new.state == State.UNKNOWN:
            return Notice(f"{what}\nNo answer came for this submission: it may or may not "
                          "exist. It is not resent; wan-tui looks for it in the account's tasks.",
                          "Submission unknown", "warning", 15)
        return None
