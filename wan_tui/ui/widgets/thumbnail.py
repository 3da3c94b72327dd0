"""A thumbnail drawn in the terminal (textual-image), or a placeholder that says why not.

textual-image picks the terminal's graphics protocol (Kitty, Sixel) when it has one and draws
half-cell blocks otherwise; it asks the terminal once, when `textual_image.widget` is first
imported, which must happen before `App.run()` (importing this module does it).
`force_halfcell()` makes every later thumbnail use half-cell blocks (tests, screenshots).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image as PILImage
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container
from textual.widgets import Static
from textual_image.widget import HalfcellImage
from textual_image.widget import Image as AutoImage

MAX_SIDE = 4096  # pixels: a bigger "thumbnail" is not drawn (it is not one)
_image_class: Any = AutoImage


def force_halfcell() -> None:
    """Draw thumbnails with coloured half cells whatever the terminal (stable pictures)."""
    global _image_class
    _image_class = HalfcellImage


def load_image(path: Path) -> PILImage.Image | None:
    """The decoded image, shrunk for the pane; None when the file is not a usable image.
    Runs off the UI thread (decoding is the slow part)."""
    try:
        with PILImage.open(path) as image:
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
        image = _image_class(None, id="thumbnail-image")
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

    def show_image(self, image: PILImage.Image) -> None:
        self.showing = "image"
        self.query_one("#thumbnail-note", Static).display = False
        shown: Any = self.query_one("#thumbnail-image")
        shown.image = image
        shown.display = True
