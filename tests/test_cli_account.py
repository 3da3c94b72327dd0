"""`sync`, `spend`, `history delete --remote` and `doctor` against the simulator (issue 9, 11)."""

from __future__ import annotations

from conftest import run_json

from wan_tui.api.pricing import cost_amount
from wan_tui.sim import Simulator


def test_sync_twice_leaves_one_row_per_task_and_spend_sums_them(cli, sim_env: Simulator) -> None:
    ids = sim_env.seed_tasks(120)
    code, result, _ = run_json(cli, "sync")
    assert code == 0 and result == {"seen": 120, "added": 120, "updated": 0, "complete": True}
    code, result, _ = run_json(cli, "sync")
    assert code == 0 and result["added"] == 0 and result["seen"] == 120
    code, rows, _ = run_json(cli, "history", "--limit", "500")
    assert sorted(r["task_id"] for r in rows) == sorted(ids)
    expected: dict[str, float] = {}
    for row in rows:
        amount = cost_amount(row["cost"])
        if amount is not None:
            expected[amount[1]] = expected.get(amount[1], 0.0) + amount[0]
    code, spent, _ = run_json(cli, "spend")
    assert code == 0 and expected
    assert {t["currency"]: round(t["amount"], 4) for t in spent["totals"]} == {
        c: round(a, 4) for c, a in expected.items()}
    code, by_model, _ = run_json(cli, "spend", "--by", "model")
    assert {line["key"] for line in by_model["lines"]} <= {r["model"] for r in rows}


def test_a_service_that_refuses_listing_gives_a_clear_message(cli, sim_env: Simulator) -> None:
    sim_env.refuse_listing = True
    code, _, err = cli("sync")
    assert code == 1 and "error:" in err and "Traceback" not in err


def test_delete_remote_asks_scripts_for_yes_then_deletes_there_and_marks_the_row(
        cli, sim_env: Simulator) -> None:
    _, snap, _ = run_json(cli, "generate", "to be deleted", "--wait")
    task_id = snap["task_id"]
    code, _, err = cli("history", "delete", task_id, "--remote")
    assert code == 2 and "--yes" in err and sim_env.stats.delete_calls == 0
    code, _, err = cli("history", "delete", task_id, "--remote", "--yes")
    assert code == 0 and "deleted" in err and sim_env.stats.delete_calls == 1
    code, rows, _ = run_json(cli, "history")
    assert [r["task_id"] for r in rows] == [task_id] and rows[0]["remote_deleted_at"]
    assert cli("task", task_id)[0] == 1  # the service no longer knows it


def test_delete_without_remote_sends_nothing(cli, sim_env: Simulator) -> None:
    _, snap, _ = run_json(cli, "generate", "kept on the service")
    code, _, err = cli("history", "delete", snap["task_id"])
    assert code == 0 and "not from the service" in err and sim_env.stats.delete_calls == 0
    assert run_json(cli, "history")[1] == []


def test_doctor_suggests_compacting_only_when_it_gives_back_enough() -> None:
    """--vacuum rewrites the whole file (minutes at 1M rows): suggested for a tenth of the
    file and at least 1 MB free, not for 1.9 MB free in 1.8 GB."""
    from wan_tui.store.health import Stats
    big = Stats(rows=1_000_000, file_bytes=1_800_000_000, page_size=4096, pages=440_000,
                free_pages=460)
    assert not big.worth_compacting
    assert Stats(1_000_000, 3_300_000_000, 4096, 805_000, 365_000).worth_compacting
    assert not Stats(10, 400_000, 4096, 100, 60).worth_compacting  # 0.25 MB: not worth a word


def test_doctor_reports_a_sound_history_and_its_size(cli) -> None:
    run_json(cli, "generate", "one")
    code, report, _ = run_json(cli, "doctor")
    assert code == 0 and report["problems"] == [] and report["rows"] == 1
    code, report, _ = run_json(cli, "doctor", "--vacuum")
    assert code == 0 and report["rows"] == 1
