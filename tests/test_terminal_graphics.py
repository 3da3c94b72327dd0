"""Asking the terminal which pictures it draws: one round trip before the app, nothing after.

The terminal is played by the test on the other end of a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import termios
import threading

import pytest

from wan_tui.ui import terminal_graphics
from wan_tui.ui.terminal_graphics import CELL_QUERY, DA1_QUERY, KITTY_QUERY, read_answers

TMUX_DA1 = "\x1b[?1;2c"  # a terminal without Sixel
SIXEL_DA1 = "\x1b[?62;4;22c"
KITTY_OK = "\x1b_Gi=31;OK\x1b\\"


@pytest.mark.parametrize(("answer", "protocol"), [
    (SIXEL_DA1, "sixel"),
    (KITTY_OK + TMUX_DA1, "kitty"),
    (KITTY_OK + SIXEL_DA1, "sixel"),  # textual-image's order: Sixel first
    ("\x1b_Gi=31;ENOTSUPPORTED:x\x1b\\" + TMUX_DA1, "halfcell"),
    (TMUX_DA1, "halfcell"),
    ("\x1b[?64;1;9;14c", "halfcell"),  # "14" is not "4"
    ("", "halfcell"),  # no answer at all
])
def test_the_protocol_is_read_from_the_answers(answer: str, protocol: str) -> None:
    assert read_answers(answer).protocol == protocol


def test_the_cell_size_comes_from_the_kernel_or_the_answer() -> None:
    assert read_answers("\x1b[6;20;9t" + TMUX_DA1).cell == (9, 20)
    assert read_answers("\x1b[6;20;9t" + TMUX_DA1, (10, 22)).cell == (10, 22)
    assert read_answers("\x1b[6;0;0t" + TMUX_DA1).cell is None
    assert read_answers(TMUX_DA1).cell is None


class Terminal:
    """The far end of a pseudo-terminal: records what the program writes and answers DA1
    (and Kitty's query when `kitty`) the way a terminal does, each time a DA1 comes in."""

    def __init__(self, *, kitty: bool = False, answers: bool = True) -> None:
        self.master, self.slave = pty.openpty()
        self.kitty, self.answers = kitty, answers
        self.writes: list[bytes] = []
        self.reader = threading.Thread(target=self._serve, daemon=True)
        self.reader.start()

    def _serve(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            self.writes.append(chunk)
            if self.answers and DA1_QUERY in chunk:
                reply = (KITTY_OK if self.kitty and KITTY_QUERY in chunk else "") + TMUX_DA1
                os.write(self.master, reply.encode())

    def close(self) -> None:
        os.close(self.slave)
        os.close(self.master)


def test_every_question_goes_out_at_once_before_any_answer() -> None:
    terminal = Terminal(kitty=True)
    try:
        graphics = terminal_graphics._ask(terminal.slave, terminal.slave)
    finally:
        terminal.close()
    assert graphics.protocol == "kitty"
    first = terminal.writes[0]  # one write: no question waits for the answer to another
    assert KITTY_QUERY in first and DA1_QUERY in first
    assert first.endswith(DA1_QUERY)  # DA1 last: its answer comes after every other one
    assert CELL_QUERY in first or graphics.cell is not None


def test_a_terminal_that_never_answers_gets_half_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terminal_graphics, "ANSWER_SECONDS", 0.05)
    terminal = Terminal(answers=False)
    try:
        assert terminal_graphics._ask(terminal.slave, terminal.slave).protocol == "halfcell"
    finally:
        terminal.close()


def test_a_terminal_that_refuses_its_mode_gets_half_cells(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """A terminal that cannot be asked (its mode cannot be set, as for a process in the
    background) means no pictures but colours, never an error before the app starts."""
    def refused(*args: object) -> None:
        raise termios.error(5, "Input/output error")

    monkeypatch.setattr(termios, "tcsetattr", refused)
    terminal = Terminal()
    try:
        assert terminal_graphics._ask(terminal.slave, terminal.slave).protocol == "halfcell"
    finally:
        terminal.close()


# Imports the thumbnail widget's picture class with a terminal on stdin and stdout (the pty),
# as the app does when the history first shows a thumbnail, and names the class it got.
IMPORT_IN_A_TERMINAL = """
import sys
from wan_tui.ui import terminal_graphics
terminal_graphics._asked = terminal_graphics.Graphics("sixel", (9, 20))
cls = terminal_graphics.image_class()
from textual_image._terminal import get_cell_size
from textual_image.widget import SixelImage
print(cls is SixelImage, tuple(get_cell_size()), file=sys.stderr)
"""


def test_textual_image_is_imported_late_and_asks_the_terminal_nothing() -> None:
    """textual-image asks the terminal when imported; Textual owns it by then, so it must not
    (before, the app imported it at start-up: 260 ms in tmux, waiting on unanswered questions)."""
    terminal = Terminal(kitty=True)
    try:
        done = subprocess.run([sys.executable, "-c", IMPORT_IN_A_TERMINAL], stdin=terminal.slave,
                              stdout=terminal.slave, stderr=subprocess.PIPE, text=True,
                              timeout=60, check=False)
    finally:
        terminal.close()
    assert done.returncode == 0, done.stderr
    assert done.stderr.split() == ["True", "(9,", "20)"]
    assert b"".join(terminal.writes) == b""  # not one question
