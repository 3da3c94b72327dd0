"""The quit question while submissions are being sent: it follows the real count, so it
never says "1 submission is still being sent" after the service answered."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widgets import Button, Static

from .confirm import ConfirmScreen

RECOUNT_SECONDS = 0.25


def quit_words(sending: int) -> tuple[str, str]:
    """(title, message) for this many submissions still being sent."""
    if not sending:
        return ("Nothing is being sent now",
                "Every submission was answered: quitting loses nothing.")
    them = "it" if sending == 1 else "them"
    plural = "submission is" if sending == 1 else "submissions are"
    return ("Quit while sending?",
            f"{sending} {plural} still being sent. If you quit now, the service may create "
            f"{them} (and bill {them}) without wan-tui hearing back; it will look for them "
            "next time.")


class QuitScreen(ConfirmScreen):
    """Asks before quitting; re-reads `sending()` a few times a second."""

    def __init__(self, sending: Callable[[], int]) -> None:
        self.sending = sending
        self.count = sending()
        super().__init__(*quit_words(self.count), yes="Quit anyway", no="Stay")

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(RECOUNT_SECONDS, self.recount)

    def recount(self) -> None:
        count = self.sending()
        if count == self.count:
            return
        self.count = count
        title, message = quit_words(count)
        self.query_one("#confirm-title", Static).update(Text(title, style="bold"))
        self.query_one("#confirm-message", Static).update(Text(message))
        if not count:
            self.query_one("#yes", Button).label = "Quit"
