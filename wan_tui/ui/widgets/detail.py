"""The detail pane: everything about the highlighted generation.

Full prompt and negative prompt, every parameter, task and trace ids, the service's own state
word, the error, the video and thumbnail links. All values are shown as text, never markup,
and without terminal control characters (prompts and server text are not ours).
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
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


def _grid(palette: Palette) -> Table:
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(style=f"bold {palette.muted}", no_wrap=True, width=14)
    grid.add_column(ratio=1, overflow="fold")
    return grid


def detail_renderable(row: Row, palette: Palette, now: float, *, wide: bool = True) -> Table:
    """The pane's content for one row: what was asked and what came back on the left, the
    parameters, ids and times on the right (one column when the pane is narrow)."""
    left, right = _grid(palette), _grid(palette)

    def line(grid: Table, label: str, value: str | Text | None, style: str = "") -> None:
        # Text values are built below from already printable strings.
        if value is None or value == "":
            return
        grid.add_row(label, value if isinstance(value, Text) else Text(printable(value),
                                                                        style=style))

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

    if not wide:
        for cells in zip(*(column.cells for column in right.columns), strict=True):
            left.add_row(*cells)
        return left
    outer = Table.grid(padding=(0, 3), expand=True)
    outer.add_column(ratio=3)
    outer.add_column(ratio=2)
    outer.add_row(left, right)
    return outer


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

    def on_resize(self) -> None:
        if self.row is not None and self._shown_with is not None:
            palette, now = self._shown_with
            self._shown_with = None  # drawn again for the new width
            self.show(self.row, palette, now)

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
        body.update(detail_renderable(row, palette, now, wide=self.size.width >= 110))
