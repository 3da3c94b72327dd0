"""The README's "JSON output" section is the contract: each command's --json output has
exactly the fields it lists (issue 14)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import run_json

from wan_tui.sim import Simulator

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SECTION = README.split("### JSON output", 1)[1].split("\n### ", 1)[0]


def fields_after(label: str) -> set[str]:
    """The backticked names in the README's paragraph (or table row) that starts with label."""
    line = next(line for line in SECTION.split("\n\n") if line.startswith(label))
    top_level = re.sub(r"\([^)]*\)", "", line.split(":", 1)[1])  # not the nested fields
    return set(re.findall(r"`([a-z_]+)`", top_level))


def row_fields(command: str) -> set[str]:
    row = next(line for line in SECTION.splitlines() if line.startswith(f"| `{command}`"))
    return set(re.findall(r"`([a-z_]+)`", row.split("|")[2]))


TASK = fields_after("A task")


def test_a_task_has_exactly_the_documented_fields(cli) -> None:
    code, snap, _ = run_json(cli, "generate", "a red fox", "--wait")
    assert code == 0 and set(snap) == TASK
    _, rows, _ = run_json(cli, "history")
    assert all(set(r) == TASK for r in rows)


def test_lists_and_outcomes_have_the_documented_fields(cli, sim_env: Simulator,
                                                       tmp_path: Path) -> None:
    _, snap, _ = run_json(cli, "generate", "one", "--wait")
    batch = tmp_path / "b.txt"
    batch.write_text("two\n")
    _, rows, _ = run_json(cli, "batch", str(batch))
    assert set(rows[0]) == TASK | {"line"}
    _, outcomes, _ = run_json(cli, "download", snap["task_id"], "-o", str(tmp_path / "d"))
    assert set(outcomes[0]) == row_fields("download")
    _, models, _ = run_json(cli, "models")
    assert all(set(m) == row_fields("models") for m in models)
    sim_env.seed_tasks(3)
    assert set(run_json(cli, "sync")[1]) == row_fields("sync")
    spent = run_json(cli, "spend")[1]
    assert set(spent) == {"by", "lines", "totals"}
    assert set(spent["lines"][0]) == {"key", "currency", "amount", "tasks"}
    assert set(run_json(cli, "doctor")[1]) == row_fields("doctor")
    assert set(run_json(cli, "config", "show")[1]) == row_fields("config show")


def test_failures_are_json_with_the_documented_fields(cli) -> None:
    code, out, _ = cli("task", "nope", "--json")
    assert code == 1 and json.loads(out)["state"] is None
    code, out, _ = cli("image-to-video", "x", "--model", "wan2.6-i2v", "--json")
    error = json.loads(out)["error"]
    assert code == 2 and set(error) == {"code", "message", "hint", "status", "trace_id",
                                        "problems"}
    code, out, _ = cli("wait", "--json")  # neither an id nor --all: a usage error
    assert code == 2 and set(json.loads(out)["error"]) == {"code", "message", "hint", "status",
                                                           "trace_id"}


def test_waits_lists_and_imports_have_the_documented_fields(cli, tmp_path: Path) -> None:
    _, snap, _ = run_json(cli, "generate", "one", "--wait")
    assert set(run_json(cli, "wait", snap["task_id"])[1]) == TASK
    assert all(set(t) == TASK for t in run_json(cli, "tasks", snap["task_id"])[1])
    assert all(set(t) == TASK for t in run_json(cli, "wait", "--all")[1])
    export = tmp_path / "h.jsonl"
    assert cli("history", "export", "-o", str(export))[0] == 0
    assert set(run_json(cli, "history", "import", str(export))[1]) == row_fields(
        "history import")
