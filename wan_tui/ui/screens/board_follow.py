"""The board follows the store: rows the CLI (or another wan-tui) adds, changes or deletes
show without a restart.

`StoreFollower.poll` is cheap when nothing happened elsewhere: `Session.change_marker()`
reads SQLite's data_version (it moves only for other connections' writes) and two index
maxima. When it moved, `changed_since` gives the added and updated rows; deletions are not in
it, so the follower counts the rows at least as new as the oldest shown one and, only when
fewer are left than the board holds, asks which of the shown ids are gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from wan_tui.session import ChangeMarker, Session
from wan_tui.store.rows import Row

FOLLOW_SECONDS = 1.0  # how often the app looks for other writers
CHANGED_LIMIT = 5000  # rows read in one look (a bigger import shows the rest next time)


@dataclass
class Followed:
    """What another writer did since the last look."""

    changed: list[Row] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)


class StoreFollower:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.marker: ChangeMarker = session.change_marker()

    def poll(self, shown: Mapping[int, Row]) -> Followed:
        """What changed elsewhere, given the rows the board holds (id -> row)."""
        marker = self.session.change_marker()
        if marker.data_version == self.marker.data_version and marker.max_id == (
                self.marker.max_id) and marker.max_updated_at == self.marker.max_updated_at:
            return Followed()
        other_writer = marker.data_version != self.marker.data_version
        changed = self.session.changed_since(self.marker, limit=CHANGED_LIMIT)
        self.marker = marker
        found = Followed(changed=changed)
        if other_writer and shown:
            found.gone = self._gone(shown, changed)
        return found

    def _gone(self, shown: Mapping[int, Row], changed: list[Row]) -> list[int]:
        oldest = min(row.created_at for row in shown.values())
        expected = set(shown) | {row.id for row in changed if row.created_at >= oldest}
        if self.session.count(since=oldest) >= len(expected):
            return []
        present = {row.id for row in self.session.rows(shown)}
        return [local_id for local_id in shown if local_id not in present]
