"""A thumbnail drawn in the terminal (textual-image), or a placeholder that says why not.

The picture is drawn with the terminal's graphics protocol (Sixel, Kitty) when it has one and
with half-cell blocks otherwise, as `terminal_graphics` found before the app started.
textual-image and Pillow are imported when the first thumbnail is needed, not at start-up.
`force_halfcell()` makes every later thumbnail use half-cell blocks (tests, screenshots).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container
from textual.widgets import Static

from ..terminal_graphics import image_class

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

MAX_SIDE = 4096  # pixels: a bigger "thumbnail" is not drawn (it is not one)
_halfcell = False


def force_halfcell() -> None:
    """Draw thumbnails with coloured half cells whatever the terminal (stable pictures)."""
    global _halfcell
    _halfcell = True


def _image_class() -> Any:
    return image_class("halfcell" if _halfcell else None)


def load_image(path: Path) -> PILImage | None:
    """The decoded image, shrunk for the pane; None when the file is not a usable image.
    Runs off the UI thread (decoding is the slow part)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            if max(image.size) > MAX_SIDE:
                return None
            image.load()
            copy = image.convert("RGB")
    except Exception:  # noqa: BLE001 - any undecodable file is "broken", whatever the reason
        return None
    copy.thumbnail((320, 320))
    return copy


class Thumbnail(Container):
    """The highlighted row's thumbnail, or a one-line placeholder."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.showing: str = "none"  # "image", or the placeholder's reason (tests read it)

    def compose(self) -> ComposeResult:
        yield Static(Text("▢ no thumbnail", style="dim"), id="thumbnail-note")
        image = _image_class()(None, id="thumbnail-image")
        image.display = False
        yield image

    def show_note(self, reason: str) -> None:
        """A placeholder: "no thumbnail", "loading…", "thumbnail not available"..."""
        self.showing = reason
        image: Any = self.query_one("#thumbnail-image")
        image.display = False
        image.image = None
        note = self.query_one("#thumbnail-note", Static)
        note.update(Text(f"▢ {reason}", style="dim"))
        note.display = True

    def show_image(self, image: PILImage) -> None:
        self.showing = "image"
        self.query_one("#thumbnail-note", Static).display = False
        shown: Any = self.query_one("#thumbnail-image")
        shown.image = image
        shown.display = True
