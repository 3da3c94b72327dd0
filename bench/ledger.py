"""Compare the history (`wan-tui history --json`) with what the simulator created (its listing).

The figures, precisely:

- lost: a task the server created (billed) that no history row carries, and that no `unknown`
  row with a reason and the same prompt owns up to (each such row covers one task);
- duplicated: every extra row carrying a task id already carried by another row, plus every
  task the server created for a prompt beyond the number of submissions the suite asked for
  (a paid task made twice);
- wrong: a row whose state disagrees with the server's (final on either side and different, or
  still pending/running after the server ended), a row carrying a task id the server never
  made, a row claiming a result without a task id, an `unknown` row without a reason, and a
  submission the suite made that has no row at all;
- unknown: rows left `unknown`/`submitting` with a reason; each either covers a created task
  no row identifies ("reported": the user was told it may be billed) or has no such task left
  ("not created": nothing of its prompt is unaccounted for) — both honest, neither counted
  above;
- vanished: a row (by local id) seen in an earlier look at the history and missing later.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]
ACTIVE = ("pending", "running")
UNSURE = ("unknown", "submitting")


def server_state(task: dict[str, Any]) -> str:
    """succeeded/failed once the task ended, else running (the simulator's own truth)."""
    if "finished_at" not in task:
        return "running"
    response = task.get("response") or {}
    return "succeeded" if response.get("success") is True else "failed"


def prompt_of(task: dict[str, Any]) -> str:
    return str((task.get("request") or {}).get("prompt", ""))


def agrees(row_state: str, truth: str) -> bool:
    return row_state in ACTIVE if truth == "running" else row_state == truth


@dataclass
class Audit:
    tasks: int = 0
    rows: int = 0
    lost: list[str] = field(default_factory=list)  # task ids
    duplicated: list[str] = field(default_factory=list)  # task ids or prompts
    wrong: list[str] = field(default_factory=list)  # "local id: why"
    unknown_reported: int = 0
    unknown_not_created: int = 0
    unknown_rows: list[str] = field(default_factory=list)  # "local id: state, reason"
    vanished: list[int] = field(default_factory=list)  # local ids

    def add(self, other: Audit) -> None:
        """Fold another audit's figures into these (several histories, one summary)."""
        self.tasks += other.tasks
        self.rows += other.rows
        self.lost += other.lost
        self.duplicated += other.duplicated
        self.wrong += other.wrong
        self.vanished += other.vanished
        self.unknown_reported += other.unknown_reported
        self.unknown_not_created += other.unknown_not_created
        self.unknown_rows += other.unknown_rows

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.wrong or self.vanished)

    def figures(self) -> str:
        return (f"{len(self.lost)} lost, {len(self.duplicated)} duplicated, "
                f"{len(self.wrong)} wrong, {len(self.vanished)} vanished, "
                f"{self.unknown_reported + self.unknown_not_created} unknown "
                f"({self.unknown_reported} reported, {self.unknown_not_created} not created)")

    def details(self) -> list[str]:
        return ([f"lost task {t}" for t in self.lost[:10]]
                + [f"duplicated {d}" for d in self.duplicated[:10]]
                + [f"wrong row {w}" for w in self.wrong[:10]]
                + [f"vanished row {v}" for v in self.vanished[:10]]
                + [f"unknown row {u}" for u in self.unknown_rows[:10]])


def audit(tasks: list[dict[str, Any]], rows: list[Row], submissions: dict[str, int] | None = None,
          earlier: Iterable[list[Row]] = ()) -> Audit:
    """The figures for `rows` against the server's `tasks`. `submissions`: how many times the
    suite submitted each prompt (a prompt not named: at most once, no row required);
    `earlier`: previous looks at the history."""
    result = Audit(tasks=len(tasks), rows=len(rows))
    by_id = {t["id"]: t for t in tasks}
    holders = collections.Counter(r["task_id"] for r in rows if r.get("task_id"))
    result.duplicated += [tid for tid, n in holders.items() for _ in range(n - 1)]
    created = collections.Counter(prompt_of(t) for t in tasks)
    for prompt, n in created.items():
        allowed = (submissions or {}).get(prompt, 1)
        result.duplicated += [prompt] * max(0, n - allowed)
    for row in rows:
        check_row(row, by_id, result)
    have = collections.Counter(r["prompt"] for r in rows)
    for prompt, n in (submissions or {}).items():
        if have[prompt] < n:
            missing = n - have[prompt]
            result.wrong.append(f"prompt {prompt!r}: {missing} submission(s) without a row")
    owning = collections.Counter(r["prompt"] for r in rows if r["state"] in UNSURE
                                 and not r.get("task_id") and reason(r))
    for task in tasks:
        if task["id"] in holders:
            continue
        prompt = prompt_of(task)
        if owning[prompt] > 0:
            owning[prompt] -= 1
            result.unknown_reported += 1
        else:
            result.lost.append(task["id"])
    result.unknown_not_created = sum(owning.values())
    result.unknown_rows = [f"{r['id']}: {r['state']}, {reason(r)[:120]}" for r in rows
                           if r["state"] in UNSURE and not r.get("task_id")]
    seen_now = {r["id"] for r in rows}
    result.vanished = sorted({r["id"] for look in earlier for r in look} - seen_now)
    return result


def reason(row: Row) -> str:
    error = row.get("error") or {}
    return str(error.get("message") or error.get("code") or "")


def check_row(row: Row, by_id: dict[str, dict[str, Any]], result: Audit) -> None:
    local, state, task_id = row["id"], row["state"], row.get("task_id")
    if task_id:
        task = by_id.get(task_id)
        if task is None:
            result.wrong.append(f"{local}: task id {task_id} was never created by the server")
        elif not agrees(state, server_state(task)):
            result.wrong.append(f"{local}: {state} but the server says {server_state(task)}")
    elif state in UNSURE:
        if not reason(row):
            result.wrong.append(f"{local}: {state} without a reason")
    elif state != "failed":
        result.wrong.append(f"{local}: {state} without a task id")


def report(name: str, headline: str, result: Audit, tracebacks: int, hangs: int) -> bool:
    """Print the one summary line (details before it when something is off); True when clean."""
    ok = result.ok and not tracebacks and not hangs
    for line in result.details():
        print(f"  {line}")
    print(f"{name}: {headline}, {result.tasks} tasks created, {result.figures()}, "
          f"{tracebacks} tracebacks, {hangs} hangs{'' if ok else '  NOT OK'}", flush=True)
    return ok
