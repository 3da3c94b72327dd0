"""The suites' comparison (bench/ledger.py) counts each kind of damage it promises to count:
a suite that printed zeros because it could not see a loss would prove nothing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from ledger import audit  # noqa: E402


def task(task_id: str, prompt: str, success: bool | None = True) -> dict[str, Any]:
    """A task as the simulator lists it; success None: still running."""
    found: dict[str, Any] = {"id": task_id, "request": {"prompt": prompt}}
    if success is not None:
        found.update(finished_at=1.0, response={"success": success})
    return found


def row(local: int, prompt: str, state: str, task_id: str | None = None,
        reason: str | None = None) -> dict[str, Any]:
    error = {"code": "x", "message": reason} if reason else None
    return {"id": local, "prompt": prompt, "state": state, "task_id": task_id, "error": error}


def test_a_history_that_matches_the_server_is_clean() -> None:
    result = audit([task("a", "p"), task("b", "q", False)],
                   [row(1, "p", "succeeded", "a"), row(2, "q", "failed", "b"),
                    row(3, "r", "failed", reason="refused")], {"p": 1, "q": 1, "r": 1})
    assert result.ok and result.figures().startswith("0 lost, 0 duplicated, 0 wrong")


def test_a_created_task_no_row_holds_is_lost() -> None:
    result = audit([task("a", "p"), task("b", "p")], [row(1, "p", "succeeded", "a")],
                   {"p": 2})
    assert result.lost == ["b"] and not result.ok


def test_an_unknown_row_with_a_reason_owns_up_to_one_task_of_its_prompt() -> None:
    result = audit([task("a", "p"), task("b", "p")],
                   [row(1, "p", "unknown", reason="may be billed")], {"p": 2})
    assert result.unknown_reported == 1 and len(result.lost) == 1


def test_two_rows_for_one_task_and_a_prompt_created_twice_are_duplicates() -> None:
    result = audit([task("a", "p"), task("b", "q"), task("c", "q")],
                   [row(1, "p", "succeeded", "a"), row(2, "p", "succeeded", "a"),
                    row(3, "q", "succeeded", "b"), row(4, "q", "succeeded", "c")])
    assert sorted(result.duplicated) == ["a", "q"]


def test_rows_that_disagree_with_the_server_are_wrong() -> None:
    result = audit([task("a", "p"), task("b", "q", None)],
                   [row(1, "p", "failed", "a"), row(2, "q", "succeeded", "b"),
                    row(3, "r", "running", "zzz"), row(4, "s", "succeeded"),
                    row(5, "t", "unknown")], {"u": 1})
    assert [w.split(":")[0] for w in result.wrong] == ["1", "2", "3", "4", "5", "prompt 'u'"]


def test_a_row_seen_earlier_and_gone_now_vanished() -> None:
    earlier = [[row(1, "p", "unknown", reason="?"), row(2, "p", "submitting", reason="?")]]
    result = audit([task("a", "p")], [row(2, "p", "pending", "a")], {"p": 2}, earlier)
    assert result.vanished == [1] and not result.ok
