"""The Wan 3 media editor: a list of items, each a type and a URL, at most MEDIA_LIMIT.

The editor only holds what is typed; the rules (modes that cannot be mixed, URLs) are the
core's, asked by the form on every change. `value` is a list of `[type, url]` pairs (plain
lists: what a draft keeps as JSON and compares equal after reading it back).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Button, Input, Select, Static

from wan_tui.api.media import FRAME_TYPES, MEDIA_TYPES
from wan_tui.api.specs import MEDIA_LIMIT

from .form_fields import literal, select_options

MediaValue = list[list[str]]


def next_type(kinds: Sequence[str]) -> str:
    """The type a new item starts with: a first frame, then its last frame, then more of the
    same kind as the item before (the user changes it in one keystroke)."""
    if not kinds:
        return FRAME_TYPES[0]
    if list(kinds) == [FRAME_TYPES[0]]:
        return FRAME_TYPES[1]
    return kinds[-1] if kinds[-1] in MEDIA_TYPES else FRAME_TYPES[0]


class MediaRow(Horizontal):
    """One item: its type, its URL, and a button that removes it."""

    DEFAULT_CSS = """
    MediaRow {
        height: auto;
        & > Select { width: 24; }
        & > Input { width: 1fr; }
        & > Button { min-width: 10; width: 10; margin-top: 1; }
    }
    """

    def __init__(self, kind: str, url: str) -> None:
        super().__init__(classes="media-row")
        self.kind = kind
        self.url = url

    def compose(self) -> ComposeResult:
        yield Select(select_options(MEDIA_TYPES, keep=self.kind, keep_note="unknown type"),
                     allow_blank=False, value=self.kind, classes="media-type")
        yield Input(self.url, placeholder="https://… image, video or audio",
                    classes="media-url")
        yield Button("Remove", classes="media-remove", compact=True)

    @on(Select.Changed)
    def _type_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.kind = event.value

    @on(Input.Changed)
    def _url_changed(self, event: Input.Changed) -> None:
        self.url = event.value

    @property
    def item(self) -> list[str]:
        return [self.kind, self.url]


class MediaEditor(Vertical):
    """Add, change and remove media items; posts `Changed` after every edit."""

    DEFAULT_CSS = """
    MediaEditor {
        height: auto;
        & > #media-bar { height: auto; }
        & > #media-bar > Button { min-width: 14; }
        & > #media-bar > #media-count { width: 1fr; padding: 0 1; color: $wan-muted; }
        & > #media-bar > #media-count.-full { color: $text-warning; }
    }
    """

    class Changed(Message):
        """The items changed (typed, added or removed)."""

        def __init__(self, editor: MediaEditor) -> None:
            super().__init__()
            self.editor = editor

        @property
        def control(self) -> MediaEditor:
            return self.editor

    def __init__(self, value: Sequence[Sequence[str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = [MediaRow(kind, url) for kind, url in value]

    def compose(self) -> ComposeResult:
        yield from self.rows
        with Horizontal(id="media-bar"):
            yield Button("Add item", id="media-add", compact=True)
            yield Static("", id="media-count", markup=False)

    def on_mount(self) -> None:
        self._show_count()

    @property
    def value(self) -> MediaValue:
        return [row.item for row in self.rows]

    @property
    def full(self) -> bool:
        return len(self.rows) >= MEDIA_LIMIT

    def add_item(self, kind: str | None = None, url: str = "") -> MediaRow | None:
        """Add an item (None when MEDIA_LIMIT are there already)."""
        if self.full:
            return None
        row = MediaRow(kind or next_type([r.kind for r in self.rows]), url)
        self.rows.append(row)
        self.mount(row, before=self.query_one("#media-bar"))
        self._edited()
        return row

    def remove_item(self, row: MediaRow) -> None:
        if row not in self.rows:
            return
        index = self.rows.index(row)
        self.rows.remove(row)
        row.remove()
        self._edited()
        if self.rows:  # keep the keyboard near where it was
            self.rows[min(index, len(self.rows) - 1)].query_one(Input).focus()
        else:
            self.query_one("#media-add", Button).focus()

    @on(Button.Pressed, "#media-add")
    def _add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        row = self.add_item()
        if row is not None:
            self.call_after_refresh(lambda: row.query_one(Input).focus())

    @on(Button.Pressed, ".media-remove")
    def _remove_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        row = event.button.parent
        if isinstance(row, MediaRow):
            self.remove_item(row)

    @on(Select.Changed)
    @on(Input.Changed)
    def _typed(self, event: Select.Changed | Input.Changed) -> None:
        event.stop()  # the form hears one Changed for the editor, not its parts
        self._edited()

    def _edited(self) -> None:
        self._show_count()
        self.post_message(self.Changed(self))

    def _show_count(self) -> None:
        try:
            count = self.query_one("#media-count", Static)
        except NoMatches:  # not composed yet: on_mount shows it
            return
        n = len(self.rows)
        full = n >= MEDIA_LIMIT
        self.query_one("#media-add", Button).disabled = full
        text = (f"{n} of {MEDIA_LIMIT} items: the most media can hold, remove one to add another"
                if full else f"{n} of {MEDIA_LIMIT} items" if n else
                "no items: text to video (add a first/last frame or reference material)")
        count.update(literal(text))
        count.set_class(full, "-full")
