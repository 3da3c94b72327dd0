"""What a history query narrows to, in words, for the status line."""

from __future__ import annotations

from datetime import datetime

from wan_tui.session import Filters

_YES_NO = (("has_video", "with a video", "without a video"), ("saved", "saved here", "not saved"),
           ("deleted_remote", "deleted on the service", "still on the service"))


def _day(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp)
    return moment.strftime("%Y-%m-%d" if moment.time() == datetime.min.time() else
                           "%Y-%m-%d %H:%M")


def describe(filters: Filters) -> str:
    """e.g. "matching 'fox' · state failed · model wan2.6-r2v · since 2026-11-01"."""
    parts = []
    if filters.local_id is not None:
        parts.append(f"#{filters.local_id}")
    if filters.task_id is not None:
        parts.append(f"task id {filters.task_id!r}")
    if filters.words:
        parts.append(f"matching {filters.words!r}")
    if filters.states:
        parts.append("state " + " or ".join(filters.states))
    if filters.models:
        parts.append("model " + " or ".join(filters.models))
    if filters.action:
        parts.append(f"action {filters.action}")
    if filters.since is not None:
        parts.append(f"since {_day(filters.since)}")
    if filters.until is not None:
        parts.append(f"before {_day(filters.until)}")
    for name, yes, no in _YES_NO:
        wanted = getattr(filters, name)
        if wanted is not None:
            parts.append(yes if wanted else no)
    return " · ".join(parts) if parts else "in the history (no filter)"
