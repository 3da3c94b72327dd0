"""What the board does to tasks: on the highlighted row, or on every marked row.

`space` marks (and steps down), `shift+space`/`V` marks the range from the last mark,
`ctrl+a` marks every shown row (again: none). With marks, `d` downloads all, `r` re-runs all
(confirmed, with the estimated cost where known), `c`/`y` copy all video URLs / task ids and
`delete` removes them from the board and the history (confirmed). What the board wants done it
posts up: `NewGeneration`, `OpenHistory`, `RerunMany`, `DeleteRows`, and the row requests of
`messages` (`OpenVideo`, `SaveVideo`, `LookUpRow`, `DismissRow`)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.message import Message

from wan_tui.api.models import GenerationRequest, InvalidRequest
from wan_tui.api.pricing import estimate, total
from wan_tui.api.state import State
from wan_tui.store.rows import Row

from ..widgets.cells import SPINNING, Palette
from ..widgets.task_table import OrderedText, row_cells
from ..messages import DismissRow, LookUpRow, OpenVideo, SaveVideo
from .board_sort import DEFAULT_SORT, SortOrder, next_sort
from .board_moves import BoardMoves
from .confirm import ConfirmScreen

MARK = "●"
UNSETTLED = frozenset({State.UNKNOWN, State.LOST})


class BoardActions(BoardMoves):
    """Marks and the actions on tasks; `BoardScreen` adds the rest."""

    palette: Palette
    frame: int
    clock: Callable[[], float]
    marked: set[int]
    _anchor: int | None = None  # the last row marked, where a range starts
    row_sort: SortOrder = DEFAULT_SORT

    class NewGeneration(Message):
        """Open the form of `action`, pre-filled with `prefill` (a re-run of row #`rerun_of`)
        or not."""

        def __init__(self, action: str, prefill: GenerationRequest | None = None,
                     rerun_of: int | None = None) -> None:
            super().__init__()
            self.action = action
            self.prefill = prefill
            self.rerun_of = rerun_of

    class OpenHistory(Message):
        """Open the history screen."""

    class RerunMany(Message):
        """Submit these requests again (the user confirmed, cost shown)."""

        def __init__(self, requests: list[GenerationRequest]) -> None:
            super().__init__()
            self.requests = requests

    class DeleteRows(Message):
        """Remove these rows from the history (the user confirmed); the app sends `RowsGone`."""

        def __init__(self, rows: list[Row]) -> None:
            super().__init__()
            self.rows = rows

    # -- cells with their mark -------------------------------------------------------------

    def cells(self, row: Row, now: float) -> dict[str, Text]:
        cells = row_cells(row, self.palette, now, self.frame)
        prompt = cells["prompt"]
        if isinstance(prompt, OrderedText):
            prompt.order = self.row_sort.key(row)
        if row.id in self.marked:
            cells["id"] = Text(f"{MARK}{row.id}", style=f"bold {self.palette.accent}",
                               no_wrap=True, justify="right", end="")
        return cells

    def _show_marks(self, local_ids: set[int]) -> None:
        now = self.clock()
        for local_id in local_ids:
            row = self.rows.get(local_id)
            if row is not None:
                self.table.update_row(str(local_id), {"id": self.cells(row, now)["id"]})
        self.update_title()
        self.refresh_targets()

    def marks_note(self) -> str:
        return f" · {len(self.marked)} marked" if self.marked else ""

    # -- sorting ---------------------------------------------------------------------------

    def action_sort(self) -> None:
        """Step to the next sort order; the header and the title say which."""
        order = self.row_sort = next_sort(self.row_sort)
        rows = self.rows
        self.table.reorder(lambda key: order.key(rows[int(key)]))
        self.show_sort()
        self.update_title()

    def show_sort(self) -> None:
        order = self.row_sort
        self.table.show_sort(order.column, "▼" if order.descending else "▲")

    def sort_note(self) -> str:
        return "" if self.row_sort is DEFAULT_SORT else f" · by {self.row_sort.label}"

    # -- marking ---------------------------------------------------------------------------

    def action_mark(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        self.marked ^= {row.id}
        self._anchor = row.id if row.id in self.marked else self._anchor
        self._show_marks({row.id})
        self.table.action_cursor_down()

    def action_mark_range(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        keys = self.table.keys_in_order()
        here = keys.index(str(row.id))
        there = keys.index(str(self._anchor)) if str(self._anchor) in keys else here
        low, high = sorted((here, there))
        span = {int(k) for k in keys[low:high + 1]}
        self.marked |= span
        self._anchor = row.id
        self._show_marks(span)

    def action_mark_all(self) -> None:
        shown = {int(k) for k in self.table.keys_in_order()}
        changed = set(self.marked)
        self.marked = set() if shown <= self.marked else self.marked | shown
        self._show_marks(changed | shown)

    def clear_marks(self) -> bool:
        """Unmark every row; whether any was marked."""
        if not self.marked:
            return False
        was, self.marked = self.marked, set()
        self._show_marks(was)
        return True

    def forget_marks(self, local_ids: set[int]) -> None:
        self.marked -= local_ids

    # -- the rows an action applies to -------------------------------------------------------

    def targets(self) -> list[Row]:
        """The marked rows (newest first), else the highlighted one; warns when none."""
        if self.marked:
            return sorted((self.rows[i] for i in self.marked if i in self.rows),
                          key=lambda r: (-r.created_at, -r.id))
        row = self.highlighted()
        if row is None:
            self.notify("No task is highlighted.", severity="warning")
            return []
        return [row]

    def action_new_text(self) -> None:
        self.post_message(self.NewGeneration("text2video"))

    def action_new_image(self) -> None:
        self.post_message(self.NewGeneration("image2video"))

    def action_history(self) -> None:
        self.post_message(self.OpenHistory())

    def action_rerun(self) -> None:
        rows = self.targets()
        requests: list[GenerationRequest] = []
        for row in rows:
            try:
                requests.append(row.request())
            except (InvalidRequest, TypeError) as error:
                self.notify(f"#{row.id} cannot be re-run as it was recorded: {error}",
                            severity="error", markup=False)
        if not self.marked:
            if requests:
                self.post_message(self.NewGeneration(rows[0].action, prefill=requests[0],
                                                     rerun_of=rows[0].id))
            return
        if not requests:
            return
        cost, _ = total(estimate(r) for r in requests)
        price = f" Estimated cost: {cost.text}." if cost is not None else (
            " The cost is not known before sending.")
        count = f"{len(requests)} task{'s' if len(requests) != 1 else ''}"
        self.app.push_screen(ConfirmScreen(
            f"Re-run {count}?", f"Each is submitted again as it was recorded, and billed.{price}",
            yes="Re-run", no="Cancel"),
            callback=lambda yes: self._rerun_confirmed(yes, requests))

    def _rerun_confirmed(self, yes: bool | None, requests: list[GenerationRequest]) -> None:
        if yes:
            self.post_message(self.RerunMany(requests))
            self.clear_marks()

    def _with_video(self, rows: list[Row]) -> list[Row]:
        """Those with a video; says which have none."""
        found = [row for row in rows if row.video_url]
        missing = [row for row in rows if not row.video_url]
        if len(missing) == 1 and not found:
            row = missing[0]
            what = "yet" if row.state in SPINNING else f"(it is {row.state})"
            self.notify(f"#{row.id} has no video {what}.", severity="warning", markup=False)
        elif missing:
            self.notify(f"{len(missing)} of the marked tasks have no video; left out.",
                        severity="warning", markup=False)
        return found

    def action_copy(self) -> None:
        rows = self._with_video(self.targets())
        if rows:
            self.app.copy_to_clipboard("\n".join(row.video_url or "" for row in rows))
            what = f"#{rows[0].id}" if len(rows) == 1 else f"{len(rows)} tasks"
            self.notify(f"Copied the video link{'s' if len(rows) > 1 else ''} of {what}.",
                        markup=False)

    def action_copy_ids(self) -> None:
        rows = [row for row in self.targets() if row.task_id]
        if rows:
            self.app.copy_to_clipboard("\n".join(row.task_id or "" for row in rows))
            self.notify(f"Copied {len(rows)} task id{'s' if len(rows) > 1 else ''}.",
                        markup=False)
        elif self.marked or self.highlighted() is not None:
            self.notify("No task id yet (the service has not answered).", severity="warning")

    def action_open(self) -> None:
        rows = self._with_video(self.targets()[:1])
        if not rows:
            return
        self.post_message(OpenVideo(rows[0]))

    def action_download(self) -> None:
        for row in self._with_video(self.targets()):
            self.post_message(SaveVideo(row))

    def action_delete(self) -> None:
        rows = self.targets()
        if not rows:
            return
        count = f"{len(rows)} task{'s' if len(rows) != 1 else ''}"
        names = ", ".join(f"#{row.id}" for row in rows[:5]) + (" …" if len(rows) > 5 else "")
        self.app.push_screen(ConfirmScreen(
            f"Remove {count} from the history?",
            f"{names} leave the board and the local history. The tasks stay on the service "
            "(and downloaded files stay on disk).", yes="Remove", no="Keep"),
            callback=lambda yes: self._delete_confirmed(yes, rows))

    def _delete_confirmed(self, yes: bool | None, rows: list[Row]) -> None:
        if yes:
            self.post_message(self.DeleteRows(rows))

    # -- unknown and lost rows -----------------------------------------------------------------

    def _unsettled(self) -> Row | None:
        row = self.highlighted()
        if row is None or row.state not in UNSETTLED:
            self.notify("Look-up and dismiss are for unknown and lost tasks.",
                        severity="warning")
            return None
        return row

    def action_look_up(self) -> None:
        row = self._unsettled()
        if row is not None:
            self.post_message(LookUpRow(row))

    def action_dismiss_unknown(self) -> None:
        row = self._unsettled()
        if row is None:
            return
        self.app.push_screen(ConfirmScreen(
            f"Dismiss #{row.id} as not created?",
            "wan-tui stops looking for it and records it as failed (dismissed). If the "
            "service did create it, it may still have been billed: `l` (look it up) first "
            "tells you for free.", yes="Dismiss", no="Keep looking"),
            callback=lambda yes: self._dismiss_confirmed(yes, row))

    def _dismiss_confirmed(self, yes: bool | None, row: Row) -> None:
        if yes:
            self.post_message(DismissRow(row))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rerun", "copy", "open", "download", "copy_ids", "delete") and (
                self.highlighted() is None and not self.marked):
            return None  # shown greyed in the footer
        return True
