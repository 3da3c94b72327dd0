"""The board's own commands in the palette (ctrl+p): new generations, the history, filters,
the highlighted task. Active while the board is the current screen (`BoardScreen.COMMANDS`)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from wan_tui.api.state import State

from ..commands import Command, ListedCommands
from .board_filters import ACTIVE, ALL_STATES, ATTENTION, single_state

if TYPE_CHECKING:
    from .board import BoardScreen

class BoardCommands(ListedCommands):
    def commands(self) -> list[Command]:
        board: BoardScreen = self.screen  # type: ignore[assignment]
        out: list[Command] = [
            ("New text-to-video generation", board.action_new_text,
             "Open the text-to-video form (wan2.6-t2v)"),
            ("New image-to-video generation", board.action_new_image,
             "Open the image-to-video form (wan2.6-i2v, i2v-flash, r2v)"),
            ("History", board.action_history, "Browse and search every generation"),
            ("Filter: text", board.action_filter, "Filter the board by prompt, model, id"),
            ("Filter: all states", partial(board.set_state_filter, ALL_STATES),
             "Show tasks in every state"),
            ("Filter: active", partial(board.set_state_filter, ACTIVE),
             "Only tasks being sent, pending or running"),
            ("Filter: unknown, expired or lost", partial(board.set_state_filter, ATTENTION),
             "Only tasks that need a look"),
        ]
        out += [(f"Filter: only {state}", partial(board.set_state_filter, single_state(state)),
                 f"Only tasks in state {state}") for state in State]
        out += [("Clear filters", board.clear_filters, "Show every task on the board")]
        row = board.highlighted()
        if row is not None:
            out += [
                (f"Task #{row.id}: re-run", board.action_rerun,
                 "Open its form pre-filled with the same parameters"),
                (f"Task #{row.id}: copy video URL", board.action_copy,
                 "Copy the video link to the clipboard"),
                (f"Task #{row.id}: open video", board.action_open,
                 "Open the video link in the browser"),
                (f"Task #{row.id}: save video", board.action_download,
                 "Download the video into the downloads folder"),
                (f"Task #{row.id}: details", board.action_details, "Expand the detail pane"),
            ]
        return out
