"""The CLI as scripts use it: batch lines, progress, timeouts (issue 14, issue 10's batch items)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_json

from wan_tui.cli.output import progress_line


def test_only_newlines_end_batch_lines(cli, sim_env, tmp_path: Path) -> None:
    """Form feed, \\x1c-\\x1e, NEL and U+2028/2029 do not end a line (one line, one task at
    most); a prompt holding them is refused as a whole, naming its line."""
    batch = tmp_path / "b.txt"
    batch.write_text("one\x0cstill one\x1cstill\x1dstill\x1estill\x85still\u2028still\u2029end\r\n"
                     "two\n", encoding="utf-8", newline="")
    code, _, err = cli("batch", str(batch))
    assert code == 2 and sim_env.stats.videos_posts == 0
    assert "line 1: prompt" in err and "line 2" not in err and "line 3" not in err
    batch.write_text("one\r\ntwo\n", encoding="utf-8", newline="")
    code, rows, _ = run_json(cli, "batch", str(batch))
    assert code == 0 and [r["line"] for r in rows] == [1, 2] and rows[0]["prompt"] == "one"


def test_json_lines_must_be_objects(cli, sim_env, tmp_path: Path) -> None:
    batch = tmp_path / "b.txt"
    batch.write_text('"a json string"\n["an", "array"]\nplain prompt\n')
    code, _, err = cli("batch", str(batch))
    assert code == 2 and sim_env.stats.videos_posts == 0
    assert "line 1: a JSON line must be an object" in err and "not str" in err
    assert "line 2: a JSON line must be an object" in err and "not list" in err


def test_batch_without_wait_names_line_and_prompt(cli, tmp_path: Path) -> None:
    batch = tmp_path / "b.txt"
    batch.write_text("# a comment\na lighthouse at dusk\n\na paper boat\n")
    code, out, _ = cli("batch", str(batch))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].startswith("line 2: ") and "a lighthouse at dusk" in lines[0]
    assert lines[1].startswith("line 4: ") and "a paper boat" in lines[1]


def test_an_oversized_batch_file_is_refused_without_reading_it_all(cli, sim_env,
                                                                    tmp_path: Path) -> None:
    batch = tmp_path / "huge.txt"
    with open(batch, "wb") as handle:
        handle.truncate(17 * 1024 * 1024)  # sparse: NUL bytes, as /dev/zero would give
    code, _, err = cli("batch", str(batch))
    assert code == 2 and "too large for a batch file" in err and sim_env.stats.videos_posts == 0


def test_a_timeout_without_wait_waits_that_long(cli) -> None:
    code, snap, err = run_json(cli, "generate", "stall forever", "--timeout", "0.5")
    assert code == 1 and "timed out" in err and snap["state"] in ("pending", "running")


def test_a_human_timeout_shows_each_task_state(cli) -> None:
    code, out, err = cli("generate", "stall forever", "--timeout", "0.5")
    assert code == 1 and "timed out" in err
    assert out.split()[0] in ("pending", "running") and "stall forever" in out


def test_wait_all_with_nothing_to_wait_for_says_so(cli) -> None:
    code, out, err = cli("wait", "--all")
    assert code == 0 and "nothing to wait for" in err


def test_piped_progress_prints_plain_lines(cli) -> None:
    code, _, err = cli("generate", "a quick one", "--wait")
    assert code == 0 and "1/1 done" in err  # capsys is not a terminal: plain lines


def test_quiet_means_no_progress(cli) -> None:
    code, _, err = cli("generate", "a quick one", "--wait", "--quiet")
    assert code == 0 and "done ·" not in err


def test_progress_line_counts_elapsed_and_eta() -> None:
    line = progress_line({"succeeded": 10, "failed": 2, "running": 28}, 42.0, bar=True)
    assert line.startswith("[######--------------] 12/40 done")
    assert "failed 2" in line and "running 28" in line and "0:42" in line
    assert "~1:38 left" in line  # 42 s for 12: 28 more take 98 s
    assert progress_line({"running": 3}, 5, bar=False) == "0/3 done · running 3 · 0:05"


def test_task_unknown_id_json_says_so_on_stdout(cli) -> None:
    code, out, err = cli("task", "no-such-task", "--json")
    assert code == 1
    body = json.loads(out)
    assert body["task_id"] == "no-such-task" and body["state"] is None
    assert body["error"]["code"] == "unknown_task"
    assert "does not know task no-such-task" in err


def test_tasks_json_keeps_unknown_ids_in_order(cli) -> None:
    _, first, _ = run_json(cli, "generate", "one")
    code, out, _ = cli("tasks", "nope", first["task_id"], "--json")
    items = json.loads(out)
    assert code == 1 and [i["task_id"] for i in items] == ["nope", first["task_id"]]
    assert items[0]["error"]["code"] == "unknown_task" and items[1]["state"] in (
        "pending", "running", "succeeded")


def test_usage_errors_are_json_too(cli, sim_env) -> None:
    code, out, _ = cli("image-to-video", "waves", "--model", "wan2.6-i2v", "--json")
    body = json.loads(out)
    assert code == 2 and body["error"]["code"] == "invalid_request"
    assert any(p["field"] == "image_url" for p in body["error"]["problems"])
    assert sim_env.stats.videos_posts == 0


def test_config_show_names_the_environment_it_uses(cli, sim_env) -> None:
    code, shown, _ = run_json(cli, "config", "show")
    assert code == 0
    assert shown["values"]["api.base_url"] == sim_env.base_url
    assert shown["sources"]["api.base_url"] == "ACEDATACLOUD_API_BASE_URL"
    assert shown["sources"]["api.token"] == "ACEDATACLOUD_API_TOKEN"
    assert shown["values"]["api.token"] != sim_env.token  # masked, never the token
    code, out, _ = cli("config", "show")
    line = next(x for x in out.splitlines() if x.startswith("api.token"))
    assert "(ACEDATACLOUD_API_TOKEN)" in line and sim_env.token not in out


def test_verbose_logs_each_request_without_the_token(cli, sim_env) -> None:
    code, _, err = cli("generate", "a calm lake", "--verbose")
    assert code == 0 and "http: POST /wan/videos text2video -> 200" in err
    assert sim_env.token not in err


def test_the_request_deadline_comes_from_the_config(cli, sim_env) -> None:
    assert cli("config", "set", "api.timeout_seconds", "0.5")[0] == 2  # 1 to 600
    assert cli("config", "set", "api.timeout_seconds", "5")[0] == 0
    code, shown, _ = run_json(cli, "config", "show")
    assert shown["values"]["api.timeout_seconds"] == 5.0
    assert cli("config", "set", "api.timeout_seconds", "1")[0] == 0
    sim_env.latency = 3.0  # the answer comes after the deadline
    code, snap, err = run_json(cli, "generate", "too slow")
    assert code == 1 and snap["state"] == "unknown" and "within 1 s" in snap["error"]["message"]


def test_a_locked_history_stops_no_line_silently(cli, sim_env, tmp_path: Path, isolated) -> None:
    """Each line the history cannot record is named, and nothing unrecorded is sent."""
    import sqlite3

    assert cli("generate", "first, to create the history")[0] == 0
    batch = tmp_path / "b.txt"
    batch.write_text("one\ntwo\n")
    holder = sqlite3.connect(isolated / "data" / "history.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the file for too long
    try:
        code, out, err = cli("batch", str(batch), "--json")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    failures = json.loads(out)
    assert code == 1 and [f["line"] for f in failures] == [1, 2]
    assert "line 1:" in err and "line 2:" in err and "locked" in err.lower()
    assert sim_env.stats.videos_posts == 1  # only the first generate


def test_keymap_entries_are_checked_when_set(cli) -> None:
    code, _, err = cli("config", "set", "keymap.board.new_txt", "ctrl+n")
    assert code == 2 and "did you mean board.new_text" in err
    code, _, err = cli("config", "set", "keymap.board.new_text", "i")  # new_image's key
    assert code == 2 and "also bound to board.new_image" in err
    assert cli("config", "set", "keymap.board.new_text", "ctrl+n")[0] == 0


def test_batch_says_async_false_is_ignored(cli, sim_env, tmp_path: Path) -> None:
    batch = tmp_path / "b.jsonl"
    batch.write_text('{"model": "wan2.6-t2v", "action": "text2video", "prompt": "x", '
                     '"async": false}\n')
    code, _, err = cli("batch", str(batch))
    assert code == 0 and "line 1: async: false is ignored" in err
    assert sim_env.received.bodies()[0]["async"] is True
