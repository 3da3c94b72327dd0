"""`python -m wan_tui.screenshots [FOLDER]`: the README's screenshots, as SVG files.

Each shot runs the real app at a fixed size on the fixed sample history (`sample.py`), with a
pinned clock, frozen spinners, the tracker's loop off and UTC times, so every run writes the
same files. Nothing is sent anywhere: the connection points at a closed loopback port.
"""

from __future__ import annotations

import asyncio
import os
import sys
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from wan_tui.session import Connection, Session
from wan_tui.store.config import load_config

SIZE = (140, 40)
NOWHERE = Connection("http://127.0.0.1:9", "sample-token-not-used")
Script = Callable[[Any], Awaitable[None]]


def pin_environment() -> None:
    """UTC times and colours, whatever the caller's terminal says."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    os.environ.pop("NO_COLOR", None)


# Where a first-run user's config would be: shown on the welcome screen, never written.
WELCOME_CONFIG = Path("/home/you/.config/wan-tui/config.toml")
# Shots that show the config file's path run in this folder, so every run shows the same path.
FIXED_FOLDER = Path("/tmp/wan-tui-screenshots")


def sample_app(folder: Path, *, connected: bool = True, board_limit: int = 1000) -> Any:
    """The app on a fresh copy of the sample history in `folder` (or, not connected, on the
    welcome screen of a user without a config file)."""
    from .app import WanApp
    from .sample import fill_sample_history, fixed_clock

    if not connected:
        return WanApp(load_config(WELCOME_CONFIG), None, clock=fixed_clock(), spin=False,
                      track=False)
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "config.toml"
    session = Session(load_config(config_path), history_path=folder / "history.sqlite3")
    session.save_settings({"downloads.dir": "~/Downloads/wan-tui"})
    fill_sample_history(session)
    seed_thumbnails(session, folder / "cache")
    session.close_history()
    return WanApp(load_config(config_path), NOWHERE, history_path=folder / "history.sqlite3",
                  clock=fixed_clock(), spin=False, track=False, board_limit=board_limit)


def seed_thumbnails(session: Session, cache: Path) -> None:
    """The sample's thumbnails, made here and kept in the shot's own cache folder (nothing is
    fetched), drawn with half-cell blocks whatever the terminal (the same picture each run)."""
    from wan_tui.sim.media import thumbnail_png

    from .widgets.thumbnail import force_halfcell

    os.environ["WAN_TUI_CACHE_DIR"] = str(cache)
    force_halfcell()
    for row in session.search(has_video=True, limit=100):
        if row.thumbnail_url and row.task_id:
            session.cache_thumbnail(row.thumbnail_url, thumbnail_png(row.task_id, 160, 90))


async def until(pilot: Any, condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the app did not reach the expected state")
        await pilot.pause(0.02)


# The scripts of the shots (the snapshot tests run them too).

async def show_board(pilot: Any) -> None:
    await until(pilot, lambda: pilot.app.board is not None and pilot.app.screen is pilot.app.board)
    await pilot.press("down", "down", "down", "down", "down")


async def show_detail(pilot: Any) -> None:
    await show_board(pilot)
    await pilot.press("enter")


async def show_text_form(pilot: Any) -> None:
    await show_board(pilot)
    await pilot.press("n")
    await pilot.pause()
    await pilot.press(*"A lighthouse on a cliff at dusk, waves crashing, slow dolly in")


async def show_image_form_errors(pilot: Any) -> None:
    await show_board(pilot)
    await pilot.press("i")
    await pilot.pause()
    await pilot.press(*"The waves roll in")
    await pilot.press("ctrl+s")  # no image URL: the form shows what is missing


async def show_image_form_wan3(pilot: Any) -> None:
    await show_board(pilot)
    await pilot.press("i")
    await pilot.pause()
    await pilot.press(*"The paper boat of image 1 drifts until it becomes image 2")
    form = pilot.app.screen
    form.query_one("#model").value = "wan3.0-video"
    form.query_one("#duration").value = 10
    await pilot.pause()
    editor = form.query_one("#media")
    editor.add_item("first_frame", "https://example.com/boat-start.png")
    editor.add_item("last_frame", "https://example.com/boat-end.png")
    await pilot.pause()


async def show_settings(pilot: Any) -> None:
    await show_board(pilot)
    await pilot.press("comma")


async def show_history(pilot: Any) -> None:
    await show_board(pilot)
    await pilot.press("h")
    await until(pilot, lambda: getattr(pilot.app.screen, "total", None) is not None)
    await pilot.press("down", *["down"] * 5)  # into the list, onto a finished generation
    await history_settled(pilot)


async def history_settled(pilot: Any) -> None:
    """Until the history's count and the highlighted row's thumbnail are shown."""
    def settled() -> bool:
        screen = pilot.app.screen
        preview = screen.query_one("#history-preview")
        return (screen.total is not None and not screen.workers
                and preview.thumbnail.showing not in ("none", "loading…"))
    await until(pilot, settled)


async def show_help(pilot: Any) -> None:
    await show_board(pilot)
    await pilot.press("question_mark")


async def show_welcome(pilot: Any) -> None:
    await pilot.pause()


SHOTS: dict[str, tuple[Script, bool]] = {
    "board": (show_board, True),
    "detail": (show_detail, True),
    "form-text-to-video": (show_text_form, True),
    "form-image-to-video-errors": (show_image_form_errors, True),
    "form-image-to-video-wan3": (show_image_form_wan3, True),
    "settings": (show_settings, True),
    "history": (show_history, True),
    "help": (show_help, True),
    "welcome": (show_welcome, False),
}


async def hold_still(pilot: Any) -> None:
    """Stop cursors blinking, so a shot never catches one half-way."""
    from textual.widgets import Input, TextArea  # Textual loads only when a shot is taken

    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False
    await pilot.pause()


async def shoot(name: str, out: Path, work: Path) -> Path:
    script, connected = SHOTS[name]
    app = sample_app(work / name, connected=connected)
    async with app.run_test(size=SIZE) as pilot:
        await script(pilot)
        await hold_still(pilot)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        svg = app.export_screenshot(title=f"wan-tui · {name}")
    target = out / f"{name}.svg"
    target.write_text(svg, encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    pin_environment()
    shutil.rmtree(FIXED_FOLDER, ignore_errors=True)
    try:
        for name in SHOTS:
            print(asyncio.run(shoot(name, out, FIXED_FOLDER)))
    finally:
        shutil.rmtree(FIXED_FOLDER, ignore_errors=True)
    return 0
