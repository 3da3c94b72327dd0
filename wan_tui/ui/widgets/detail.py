"""The detail pane: everything about the highlighted generation.

Full prompt and negative prompt, every parameter, task and trace ids, the service's own state
word, the error, the video and thumbnail links. All values are shown as text, never markup,
and without terminal control characters (prompts and server text are not ours).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import zip_longest
from math import ceil
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from wan_tui.api.pricing import format_cost
from wan_tui.api.state import State
from wan_tui.api.text import printable
from wan_tui.store.rows import Row

from ..actions import binding_of
from .cells import MARKS, SPINNER, SPINNING, Palette, clock_span, local_time, short_span

# Parameters shown on their own lines, in this order; anything else follows.
_PARAM_ORDER = ("resolution", "size", "duration", "audio", "audio_url", "prompt_extend",
                "shot_type", "image_url", "reference_video_urls")
# A task not running yet says so (its stopwatch counts the wait, not the work).
WAITING_WORDS: dict[str, str] = {State.SUBMITTING: "Sending", State.PENDING: "Waiting"}
_SHOWN_ELSEWHERE = {"action", "model", "prompt", "negative_prompt"}
_PARAM_LABELS = {"prompt_extend": "prompt rewrite", "shot_type": "shot type",
                 "audio_url": "audio url", "image_url": "first frame",
                 "reference_video_urls": "references"}


USAGE_CHARS = 300  # an odd usage shape is shown cut, never whole


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return str(value)


Entry = tuple[str, Text]  # a label and its value, one line of the pane or more

LABEL_WIDTH = 14  # labels are cut to this, values start 2 cells after it
LABEL_GAP = 2
COLUMN_GAP = 3  # between the two columns of the wide layout
WIDE_FROM = 109  # from this width on (a pane 110 wide) the pane shows two columns
LEFT_SHARE = 3 / 5  # of the width, for what was asked and what came back


def detail_entries(row: Row, palette: Palette, now: float) -> tuple[list[Entry], list[Entry]]:
    """What the pane says about a row: what was asked and what came back (left), the
    parameters, ids and times (right). Values are printable text, never markup."""
    left: list[Entry] = []
    right: list[Entry] = []

    def line(entries: list[Entry], label: str, value: str | Text | None, style: str = "") -> None:
        # Text values are built below from already printable strings.
        if value is None or value == "":
            return
        entries.append((label, value if isinstance(value, Text)
                        else Text(printable(value), style=style)))

    mark = SPINNER[0] if row.state in SPINNING else MARKS.get(row.state, "·")  # type: ignore[call-overload]
    state = Text(f"{mark} {row.state}", style=palette.state_style(row.state))
    if row.state_word and row.state_word.lower() != row.state:
        state.append(f"   the service says {printable(row.state_word)!r}", style=palette.muted)
    line(left, "State", state)
    if row.error is not None:
        error = Text(printable(row.error_message or ""), style=palette.error)
        if row.error_code:
            error = Text.assemble((printable(row.error_code), f"bold {palette.error}"), ": ",
                                  error)
        line(left, "Error", error)
    line(left, "Prompt", row.prompt or "—")
    line(left, "Negative", row.negative_prompt)
    if row.video_url:
        size = (f"   {row.video_width}×{row.video_height}"
                if row.video_width and row.video_height else "")
        line(left, "Video", Text.assemble((printable(row.video_url), palette.success),
                                          (size, palette.muted)))
    line(left, "Thumbnail", row.thumbnail_url)
    line(left, "Saved to", row.local_path)
    if row.cost is not None:  # as the service settled it; an unknown shape is shown raw
        line(left, "Cost", format_cost(row.cost))
    if row.usage is not None:
        usage = (", ".join(f"{key} {value}" for key, value in row.usage.items())
                 if isinstance(row.usage, dict) else str(row.usage))
        line(left, "Usage", usage[:USAGE_CHARS])

    line(right, "Model", Text.assemble(printable(row.model or "—"),
                                       (f"  {printable(row.action)}", palette.muted)))
    params = {k: v for k, v in row.params.items()
              if k not in _SHOWN_ELSEWHERE and v is not None and v != []}
    for name in (*_PARAM_ORDER, *sorted(set(params) - set(_PARAM_ORDER))):
        if name in params:
            label = _PARAM_LABELS.get(name, name.replace("_", " "))
            value = _value_text(params[name])
            if name == "duration":
                value += " s"
            line(right, label[:1].upper() + label[1:], value)
    line(right, "Task id", row.task_id or ("— (being sent)" if row.state == State.SUBMITTING
                                           else "— (no answer from the service)"))
    line(right, "Trace id", row.trace_id)
    line(right, "Created", f"{local_time(row.created_at)}  ({short_span(now - row.created_at)} ago)")
    if row.finished_at is not None:
        line(right, "Finished", f"{local_time(row.finished_at)}  "
                                f"(took {clock_span(row.finished_at - row.created_at)})")
    elif row.state in SPINNING:
        line(right, WAITING_WORDS.get(row.state, "Running"), clock_span(now - row.created_at),
             palette.accent)
    return left, right


class DetailView:
    """Entries laid out for the width they are drawn at: two columns from WIDE_FROM on
    (unless `wide` says), one below the other under it.

    Drawn line by line, one wrap per value and width. Nested Rich tables measured and wrapped
    every value several times: ~13 ms before the board's first frame. And the layout is chosen at
    drawing time, so a pane filled before it has a size is drawn right the first time."""

    def __init__(self, left: Sequence[Entry], right: Sequence[Entry], palette: Palette, *,
                 wide: bool | None = None) -> None:
        self.left, self.right = list(left), list(right)
        self.wide = wide
        self.label_style = f"bold {palette.muted}"
        self._drawn: tuple[int, list[Text]] | None = None

    def lines(self, console: Console, width: int) -> list[Text]:
        if self._drawn is not None and self._drawn[0] == width:
            return self._drawn[1]
        wide = self.wide if self.wide is not None else width >= WIDE_FROM
        if wide:
            left_width = ceil(width * LEFT_SHARE) - COLUMN_GAP  # as Rich's ratios
            right_width = width - left_width - COLUMN_GAP
            left = self._block(console, self.left, left_width)
            right = self._block(console, self.right, right_width)
            blank = Text()
            lines = [Text.assemble(one, " " * (left_width - one.cell_len + COLUMN_GAP), other)
                     for one, other in zip_longest(left, right, fillvalue=blank)]
        else:
            lines = self._block(console, self.left + self.right, width)
        self._drawn = (width, lines)
        return lines

    def _block(self, console: Console, entries: list[Entry], width: int) -> list[Text]:
        indent = " " * (LABEL_WIDTH + LABEL_GAP)
        lines: list[Text] = []
        for label, value in entries:
            head = Text(label, style=self.label_style, end="")
            head.truncate(LABEL_WIDTH, overflow="ellipsis", pad=True)
            head.append(" " * LABEL_GAP)
            for n, part in enumerate(value.wrap(console, max(1, width - len(indent)),
                                                overflow="fold")):
                part.rstrip()
                lines.append(Text.assemble(head if n == 0 else indent, part, end=""))
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        newline = Segment.line()
        for line in self.lines(console, options.max_width):
            yield from line.render(console)
            yield newline


def detail_renderable(row: Row, palette: Palette, now: float, *,
                      wide: bool | None = None) -> DetailView:
    """The pane's content for one row (laid out for its width unless `wide` says)."""
    left, right = detail_entries(row, palette, now)
    return DetailView(left, right, palette, wide=wide)


def clock_words(row: Row | None, now: float) -> tuple[str, ...]:
    """The times the pane shows that move with the clock."""
    if row is None:
        return ()
    return (short_span(now - row.created_at),
            clock_span(now - row.created_at) if row.state in SPINNING else "")


class DetailPane(VerticalScroll):
    """Scrollable detail of one row; focus it (enter) to scroll a long prompt."""

    can_focus = True
    BINDINGS = binding_of("board.details")  # enter again: back to the table, as help says

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.row: Row | None = None
        self._shown_with: tuple[Palette, float] | None = None
        self._clock: tuple[str, ...] = ()
        self.border_title = "Details"

    def tick(self, now: float) -> None:
        """A second passed: show again only when a time the pane shows has changed."""
        if self.row is not None and self._shown_with is not None and (
                clock_words(self.row, now) != self._clock):
            self.show(self.row, self._shown_with[0], now)

    def compose(self) -> ComposeResult:
        yield Static(Text("No task highlighted.", style="dim"),
                     id="detail-body")

    def show(self, row: Row | None, palette: Palette, now: float) -> None:
        if (row is self.row and self._shown_with is not None
                and palette is self._shown_with[0] and clock_words(row, now) == self._clock):
            return  # the same text: no new layout (a filter keystroke calls this too)
        self.row = row
        self._shown_with = (palette, now)
        self._clock = clock_words(row, now)
        body = self.query_one("#detail-body", Static)
        if row is None:
            self.border_title = "Details"
            body.update(Text("No task highlighted.", style="dim"))
            return
        self.border_title = f"Details · #{row.id}"
        body.update(detail_renderable(row, palette, now))
