"""What the user is told when tasks change state, calmly: changes that arrive together become
one notification ("12 videos ready · 2 failed", naming a few), at most one a second (the app
flushes the `Announcer` on a timer and rings the bell once per burst when a task ended).

A submission of ours confirms itself ("#168 submitted") when the service answers it; a
submission refused for its token points to Settings, where the token is changed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, NamedTuple

from wan_tui.api.state import ACTIVE_STATES, FINAL_STATES, State
from wan_tui.api.text import printable
from wan_tui.store.rows import Row

from .widgets.cells import one_line

Severity = Literal["information", "warning", "error"]
BURST_SECONDS = 1.0  # at most one notification this often
NAMED = 3  # rows named in a notification about many
# The service's codes for a token it refuses: the fix is in Settings (`,`).
TOKEN_CODES = frozenset({"no_token", "token_mismatched", "invalid_token", "token_expired",
                         "bad_token"})
SETTINGS_HINT = "Change the API token in Settings (press ,)."
ELSEWHERE = "submitting elsewhere"  # a state the announcer remembers for another writer's row


class Notice(NamedTuple):  # not a frozen dataclass: ~0.4 ms less start-up
    message: str
    title: str
    severity: Severity = "information"
    timeout: float | None = None  # None: Textual's default
    ended: bool = False  # a task ended: worth the bell


def short(text: str, limit: int = 60) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def token_refused(row: Row) -> bool:
    return row.state == State.FAILED and (row.error_code or "") in TOKEN_CODES


# (kind, title for one, words for many, severity)
_KINDS: tuple[tuple[str, str, str, Severity], ...] = (
    ("ready", "Video ready", "videos ready", "information"),
    ("failed", "Generation failed", "failed", "error"),
    ("ended", "Task ended", "ended", "warning"),
    ("unknown", "Submission unknown", "unknown", "warning"),
    ("submitted", "Submitted", "submitted", "information"),
)
_RANK: dict[Severity, int] = {"information": 0, "warning": 1, "error": 2}


def kind_of(before: str | None, new: Row) -> str | None:
    """What a change is worth saying, or None."""
    if new.state == before:
        return None
    if new.state in FINAL_STATES and before not in FINAL_STATES:
        if new.state == State.SUCCEEDED:
            return "ready"
        return "failed" if new.state == State.FAILED else "ended"
    if new.state == State.UNKNOWN:
        return "unknown"
    if before == State.SUBMITTING and new.state in ACTIVE_STATES:
        return "submitted"
    return None


def _detail(kind: str, row: Row) -> str:
    what = f"#{row.id} {short(row.prompt)}"
    if kind == "failed":
        return f"{what}\n{printable(row.error_message or row.error_code or 'no reason given')}"
    if kind == "ended":
        return f"{what}\n{printable(row.error_message or row.state)}"
    if kind == "unknown":
        return (f"{what}\nNo answer came for this submission: it may or may not exist. It is "
                "not resent; wan-tui looks for it in the account's tasks.")
    return what


class Announcer:
    """Remembers the last state it saw of each row, gathers what changed, and says it once."""

    def __init__(self) -> None:
        self.known: dict[int, str] = {}
        self.pending: list[tuple[str, Row]] = []
        self.shown: list[tuple[str, Row]] = []  # what the notice on screen says

    def remember(self, rows: Iterable[Row]) -> None:
        self.known.update((row.id, row.state) for row in rows)

    def from_elsewhere(self, rows: Iterable[Row]) -> None:
        """Rows another writer (the CLI) made: first seen while being sent, their answer is
        not ours to confirm ("#12 submitted"); how they end is still said."""
        for row in rows:
            if row.id not in self.known and row.state == State.SUBMITTING:
                self.known[row.id] = ELSEWHERE

    def collect(self, rows: Iterable[Row]) -> bool:
        """Note what changed; whether anything is now waiting to be said."""
        for row in rows:
            before = self.known.get(row.id)
            kind = kind_of(before, row)
            still_elsewhere = before == ELSEWHERE and row.state == State.SUBMITTING
            self.known[row.id] = ELSEWHERE if still_elsewhere else row.state
            if kind is not None:
                self.pending = [(k, r) for k, r in self.pending if r.id != row.id]
                self.pending.append((kind, row))
        return bool(self.pending)

    def flush(self, carry: bool = False) -> Notice | None:
        """One notice for everything gathered since the last flush; with `carry` (the last
        notice is still on screen and will be replaced), for what that one said too."""
        pending, self.pending = self.pending, []
        if not pending:
            return None
        if carry:
            fresh = {row.id for _, row in pending}
            pending = [(k, r) for k, r in self.shown if r.id not in fresh] + pending
        self.shown = pending
        return summary(pending)

    def changes(self, rows: Iterable[Row]) -> list[Notice]:
        """Collect and flush at once (one notice for these rows, or none)."""
        self.collect(rows)
        notice = self.flush()
        return [] if notice is None else [notice]


def _count_word(kind: str, many: str, count: int) -> str:
    return "video ready" if kind == "ready" and count == 1 else many


def summary(pending: list[tuple[str, Row]]) -> Notice:
    by_kind = {kind: [row for k, row in pending if k == kind] for kind, *_ in _KINDS}
    present = [(kind, one, many, sev) for kind, one, many, sev in _KINDS if by_kind[kind]]
    severity = max((sev for *_, sev in present), key=_RANK.__getitem__)
    ended = any(by_kind[k] for k in ("ready", "failed", "ended"))
    refused = [row for row in by_kind["failed"] if token_refused(row)]
    timeout = 15.0 if by_kind["unknown"] else 10.0 if severity != "information" else None
    if len(pending) == 1:
        kind, row = pending[0]
        title = next(one for k, one, *_ in present if k == kind)
        if kind == "submitted":
            return Notice(f"#{row.id} submitted", title, severity, timeout)
        message = _detail(kind, row)
        if refused:
            title, message = "API token refused", f"{message}\n{SETTINGS_HINT}"
        return Notice(message, title, severity, timeout, ended=ended)
    title = " · ".join(f"{len(by_kind[kind])} {_count_word(kind, many, len(by_kind[kind]))}"
                       for kind, _, many, _ in present)
    # A few by number on one line (small terminals: the toast must not cover the board),
    # and the first failure's reason.
    lines = [named(row.id for _, row in pending)]
    failed = by_kind["failed"] or by_kind["ended"]
    if failed:
        row = failed[0]
        lines.append(f"#{row.id}: {short(printable(row.error_message or row.error_code or row.state), 50)}")
    if refused:
        lines.insert(0, f"The service refused the API token. {SETTINGS_HINT}")
    return Notice("\n".join(lines), title, severity, timeout, ended=ended)


def named(local_ids: Iterable[int]) -> str:
    """`#3 #5 #8 … and 7 more`: a few rows by number, on one line."""
    ids = list(local_ids)
    more = f" … and {len(ids) - NAMED} more" if len(ids) > NAMED else ""
    return " ".join(f"#{local_id}" for local_id in ids[:NAMED]) + more
