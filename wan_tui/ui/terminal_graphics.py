"""Which picture protocol the terminal speaks: asked in one round trip before the app starts.

textual-image finds out on its own when first imported: it asks about Sixel, then the Kitty
graphics protocol, then the cell size, one after another, waiting up to 0.1 s for each answer,
and many terminals never send some of them (in tmux its import took 260 ms, at every start,
before the first frame). Here the questions go out together, followed by DA1 ("what are
you?"), which every terminal answers and answers in order, so one round trip brings every
answer there will be. textual-image is imported only when the first thumbnail is drawn, with
the cell size filled in and stdout shown to it as no terminal, so it asks nothing: by then
Textual owns the terminal and would swallow the answers.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import sys
import time
from collections.abc import Iterator
from typing import Any, Literal, cast

Protocol = Literal["sixel", "kitty", "halfcell", "text", "auto"]  # auto: textual-image chose

KITTY_QUERY = b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"  # "could you draw this?"
CELL_QUERY = b"\x1b[16t"  # a cell's size in pixels
DA1_QUERY = b"\x1b[c"  # what the terminal is (a "4" among its features: Sixel)
ANSWER_SECONDS = 0.5  # a terminal that has not answered DA1 by then will not
ANSWER_MAX_BYTES = 4096  # far more than the three answers

_KITTY_OK = re.compile(r"\x1b_Gi=31;OK\x1b\\")
_CELL = re.compile(r"\x1b\[6;(\d{1,4});(\d{1,4})t")
_DA1 = re.compile(r"\x1b\[\?([\d;]*)c")


class Graphics:
    """What the terminal can draw: `protocol` and, when known, a cell's (width, height) in
    pixels (Sixel and Kitty pictures are sized with it)."""

    def __init__(self, protocol: Protocol, cell: tuple[int, int] | None = None) -> None:
        self.protocol: Protocol = protocol
        self.cell = cell

    def __repr__(self) -> str:
        return f"Graphics({self.protocol!r}, {self.cell!r})"


NO_TERMINAL = Graphics("text")  # textual-image's own choice when stdout is not a terminal
_asked: Graphics | None = None


def read_answers(answer: str, cell: tuple[int, int] | None = None) -> Graphics:
    """The protocol from the terminal's answers, in textual-image's order of preference:
    Sixel, then Kitty, then coloured half cells. `cell` is the size the kernel gave, if any."""
    features = _DA1.search(answer)
    if features is None:  # no answer at all: assume nothing but colours
        return Graphics("halfcell", cell)
    if cell is None and (size := _CELL.search(answer)) is not None:
        height, width = int(size[1]), int(size[2])
        cell = (width, height) if width and height else None
    if "4" in features[1].split(";"):
        return Graphics("sixel", cell)
    if _KITTY_OK.search(answer):
        return Graphics("kitty", cell)
    return Graphics("halfcell", cell)


def ask_terminal() -> Graphics:
    """Ask the terminal once (before `App.run`), or take textual-image's own way where this
    cannot (not POSIX). Without a terminal on stdin and stdout, nothing is asked."""
    global _asked
    stdin, stdout = sys.__stdin__, sys.__stdout__
    if stdin is None or stdout is None or not (stdin.isatty() and stdout.isatty()):
        _asked = NO_TERMINAL
    elif os.name != "posix":
        import textual_image.widget  # noqa: F401 - it asks the terminal on import
        _asked = Graphics("auto")
    else:
        _asked = _ask(stdin.fileno(), stdout.fileno())
    return _asked


def _ask(fd_in: int, fd_out: int) -> Graphics:
    import fcntl
    import struct
    import termios

    cell = None
    try:
        rows, columns, width, height = struct.unpack(
            "HHHH", fcntl.ioctl(fd_out, termios.TIOCGWINSZ, b"\0" * 8))
        if rows and columns and width and height:
            cell = (width // columns, height // rows)
    except OSError:
        pass
    try:
        saved = termios.tcgetattr(fd_in)
    except termios.error:
        return Graphics("halfcell", cell)
    quiet = termios.tcgetattr(fd_in)
    quiet[3] &= ~(termios.ICANON | termios.ECHO)  # answers are read, not shown
    quiet[6][termios.VMIN], quiet[6][termios.VTIME] = 0, 0
    try:
        termios.tcsetattr(fd_in, termios.TCSANOW, quiet)
        os.write(fd_out, KITTY_QUERY + (b"" if cell else CELL_QUERY) + DA1_QUERY)
        answer = _read_until_da1(fd_in)
    except (OSError, termios.error):  # a terminal we cannot ask: no pictures but colours
        answer = ""
    finally:
        with contextlib.suppress(termios.error):
            termios.tcsetattr(fd_in, termios.TCSANOW, saved)
    return read_answers(answer, cell)


def _read_until_da1(fd: int) -> str:
    """What the terminal sent until its DA1 answer, within ANSWER_SECONDS and ANSWER_MAX_BYTES.
    Keys typed in that instant are read with it and lost (as with textual-image's questions)."""
    deadline = time.monotonic() + ANSWER_SECONDS
    got = b""
    while _DA1.search(got.decode("latin-1")) is None and len(got) < ANSWER_MAX_BYTES:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 1024)
        if not chunk:
            break
        got += chunk
    return got.decode("latin-1")


def image_class(protocol: Protocol | None = None) -> Any:
    """textual-image's widget class for this terminal (or for `protocol`), imported on first
    use without letting it ask the terminal anything."""
    graphics = _asked or NO_TERMINAL
    if "textual_image.widget" not in sys.modules:
        with _unasked(graphics.cell):
            import textual_image.widget  # noqa: F401
    widgets: Any = sys.modules["textual_image.widget"]
    return {"sixel": widgets.SixelImage, "kitty": widgets.TGPImage, "auto": widgets.Image,
            "halfcell": widgets.HalfcellImage,
            "text": widgets.UnicodeImage}[protocol or graphics.protocol]


@contextlib.contextmanager
def _unasked(cell: tuple[int, int] | None) -> Iterator[None]:
    """textual-image imported with the cell size it would ask for already known, and stdout
    seen as no terminal, so its import-time questions are skipped."""
    from textual_image import _terminal

    if cell is not None:
        _terminal.get_cell_size._result = _terminal.CellSize(*cell)  # type: ignore[attr-defined]
    real = sys.__stdout__
    sys.__stdout__ = cast(Any, _NotATerminal(real))  # type: ignore[misc]
    try:
        yield
    finally:
        sys.__stdout__ = real  # type: ignore[misc]


class _NotATerminal:
    """stdout as textual-image sees it while it is imported: the same file, not a terminal."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
