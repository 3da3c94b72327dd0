"""The headless CLI end to end against the simulator over loopback HTTP."""

from __future__ import annotations

import gc
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest



from conftest import run_json


def test_generate_wait_json_prints_a_succeeded_snapshot(cli) -> None:
    code, snap, _ = run_json(cli, "generate", "a red fox in snow", "--wait")
    assert code == 0
    assert snap["state"] == "succeeded" and snap["video_url"].endswith(".mp4")
    for key in ("task_id", "state_word", "thumbnail_url", "error", "trace_id"):
        assert key in snap
    assert snap["error"] is None


def test_generate_without_wait_prints_the_task_id(cli, sim_env) -> None:
    code, snap, _ = run_json(cli, "generate", "a calm lake", "--resolution", "720P", "--size", "1280*720")
    assert code == 0 and snap["task_id"] and snap["state"] == "pending"
    assert snap["params"]["size"] == "1280*720"


def test_a_failing_prompt_exits_1_with_the_reason(cli) -> None:
    code, out, _ = cli("generate", "this one will fail", "--wait")
    assert code == 1 and "failed" in out and "failed to generate" in out


def test_moderation_refusal_exits_1_and_is_remembered(cli) -> None:
    code, snap, _ = run_json(cli, "generate", "something forbidden")
    assert code == 1 and snap["state"] == "failed" and "moderation" in snap["error"]["message"]
    code, rows, _ = run_json(cli, "history")
    assert rows[0]["state"] == "failed" and rows[0]["prompt"] == "something forbidden"


def test_invalid_input_exits_2_and_sends_nothing(cli, sim_env) -> None:
    code, out, err = cli("image-to-video", "x", "--model", "wan2.6-i2v")
    assert code == 2 and "image_url" in err and "nothing was sent" in err
    code, _, err = cli("generate", "x", "--size", "1920*1080", "--resolution", "720P")
    assert code == 2 and "size" in err and "1080P" in err
    assert sim_env.stats.videos_posts == 0


def test_missing_token_is_a_clear_error(cli, monkeypatch) -> None:
    monkeypatch.delenv("ACEDATACLOUD_API_TOKEN")
    code, _, err = cli("generate", "x")
    assert code == 2 and "no API token" in err and "api.token" in err


def test_token_and_base_url_flags_win(cli, sim_env, monkeypatch) -> None:
    monkeypatch.setenv("ACEDATACLOUD_API_TOKEN", "sk-wrong-wrong-wrong")
    code, _, err = cli("generate", "x", "--token", sim_env.token)
    assert code == 0
    code, _, err = cli("--token", "sk-wrong-wrong-wrong", "generate", "x")
    assert code == 1 and "token" in err and "sk-wrong-wrong-wrong" not in err


def test_image_to_video_models(cli) -> None:
    code, snap, _ = run_json(cli, "image-to-video", "waves", "-i", "https://e.com/a.png", "--wait")
    assert code == 0 and snap["model"] == "wan2.6-i2v" and snap["state"] == "succeeded"
    code, snap, _ = run_json(cli, "image-to-video", "waves", "--model", "wan2.6-r2v",
                             "--reference-video-url", "https://e.com/a.mp4",
                             "--reference-video-url", "https://e.com/b.mp4")
    assert code == 0 and snap["params"]["reference_video_urls"] == ["https://e.com/a.mp4", "https://e.com/b.mp4"]


def test_task_tasks_and_wait(cli) -> None:
    _, first, _ = run_json(cli, "generate", "one")
    _, second, _ = run_json(cli, "generate", "two")
    code, snap, _ = run_json(cli, "wait", first["task_id"], "--interval", "0.1")
    assert code == 0 and snap["state"] == "succeeded"
    code, snap, _ = run_json(cli, "task", first["task_id"])
    assert code == 0 and snap["task_id"] == first["task_id"] and snap["video_url"]
    code, snaps, _ = run_json(cli, "tasks", first["task_id"], second["task_id"])
    assert code == 0 and {s["task_id"] for s in snaps} == {first["task_id"], second["task_id"]}
    code, out, err = cli("tasks", first["task_id"], "no-such-id")
    assert code == 1 and "no-such-id" in err


def test_task_made_elsewhere_is_recorded(cli, sim_env) -> None:
    import httpx

    answer = httpx.post(sim_env.base_url + "/wan/videos", headers={"authorization": f"Bearer {sim_env.token}"},
                        json={"action": "text2video", "model": "wan2.6-t2v", "prompt": "made by curl", "async": True})
    task_id = answer.json()["task_id"]
    code, snap, _ = run_json(cli, "wait", task_id)
    assert code == 0 and snap["state"] == "succeeded" and snap["prompt"] == "made by curl"


def test_wait_times_out_with_exit_1(cli) -> None:
    _, snap, _ = run_json(cli, "generate", "stall forever")
    code, out, err = cli("wait", snap["task_id"], "--timeout", "0.5")
    assert code == 1 and "timed out" in err and "wait --all" in err


def test_wait_all_follows_every_unfinished_task(cli) -> None:
    ids = {run_json(cli, "generate", f"clip {i}")[1]["task_id"] for i in range(3)}
    code, snaps, _ = run_json(cli, "wait", "--all")
    assert code == 0 and {s["task_id"] for s in snaps} == ids
    assert all(s["state"] == "succeeded" for s in snaps)
    code, _, err = cli("wait")
    assert code == 2 and "--all" in err


def test_models(cli) -> None:
    code, models, _ = run_json(cli, "models")
    assert code == 0 and [m["model"] for m in models] == ["wan2.6-t2v", "wan2.6-i2v", "wan2.6-i2v-flash", "wan2.6-r2v",
                                                         "wan3.0-video"]


def test_batch_validates_every_line_before_sending(cli, sim_env, tmp_path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text('a good prompt\n{"model": "wan2.6-i2v", "prompt": "no image"}\n{not json\n\n# comment\n')
    code, _, err = cli("batch", str(bad))
    assert code == 2 and "line 2: image_url" in err and "line 3" in err
    assert sim_env.stats.videos_posts == 0
    good = tmp_path / "good.txt"
    good.write_text('a plain prompt\n{"model": "wan2.6-i2v-flash", "prompt": "move", "image_url": "https://e.com/i.png"}\n')
    code, rows, _ = run_json(cli, "batch", str(good), "--wait")
    assert code == 0 and [r["state"] for r in rows] == ["succeeded", "succeeded"]
    assert rows[1]["model"] == "wan2.6-i2v-flash"


def test_history_search_export_import_delete(cli, tmp_path) -> None:
    for prompt in ("a red fox", "a blue whale", "a red panda"):
        cli("generate", prompt, "--wait")
    code, rows, _ = run_json(cli, "history", "--search", "red")
    assert code == 0 and [r["prompt"] for r in rows] == ["a red panda", "a red fox"]
    from datetime import date, timedelta

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert len(run_json(cli, "history", "--since", "2000-01-01")[1]) == 3
    assert run_json(cli, "history", "--since", tomorrow)[1] == []
    assert len(run_json(cli, "history", "--until", tomorrow, "--model", "wan2.6-t2v")[1]) == 3
    code, _, err = cli("history", "--since", "last tuesday")
    assert code == 2 and "--since" in err
    # --until reads dates as until: in the history screen does: a bare date includes its day
    today = date.today().isoformat()
    assert len(run_json(cli, "history", "--until", today)[1]) == 3
    assert run_json(cli, "history", "--until", "yesterday")[1] == []
    assert len(run_json(cli, "history", "--until", f"{today}T23:59:59")[1]) == 3
    assert all(r["video_url"] for r in rows)
    export = tmp_path / "h.jsonl"
    assert cli("history", "export", "-o", str(export))[0] == 0
    assert len(export.read_text().splitlines()) == 3
    code, _, err = cli("history", "export", "-o", str(export))
    assert code == 2 and "exists" in err  # never overwritten
    csv_code, csv_out, _ = cli("history", "export", "--format", "csv")
    assert csv_code == 0 and csv_out.splitlines()[0].startswith("id,task_id,state")
    fox = rows[1]["task_id"]
    assert cli("history", "delete", fox)[0] == 0
    assert cli("history", "delete", fox)[0] == 1
    assert cli("history", "import", str(export))[0] == 0
    code, rows, _ = run_json(cli, "history")
    assert len(rows) == 3  # merged by task id, not duplicated
    broken = tmp_path / "broken.jsonl"
    broken.write_text(export.read_text() + "{oops\n" + '{"prompt": 5}\n')
    code, _, err = cli("history", "import", str(broken))
    assert code == 2 and "line 4" in err and "line 5" in err


def test_config_set_show_and_mask(cli, sim_env, monkeypatch) -> None:
    monkeypatch.delenv("ACEDATACLOUD_API_TOKEN")  # else config show names the environment's
    assert cli("config", "set", "api.token", "sk-abcdefghijkl1234")[0] == 0
    code, shown, _ = run_json(cli, "config", "show")
    assert shown["values"]["api.token"] == "sk-…1234"
    code, out, _ = cli("config", "show")
    assert "sk-abcdefghijkl1234" not in out and "sk-…1234" in out
    code, _, err = cli("config", "set", "defaults.resolution", "4K")
    assert code == 2 and "720P" in err
    code, _, err = cli("config", "set", "defaults.modle", "x")
    assert code == 2 and "defaults.model" in err
    config = Path(cli("config", "path")[1].strip())
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_config_defaults_apply_unless_typed(cli) -> None:
    cli("config", "set", "defaults.resolution", "1080P")
    cli("config", "set", "defaults.shot_type", "multi")  # sent: prompt_extend is not off
    _, snap, _ = run_json(cli, "generate", "x")
    assert snap["params"]["resolution"] == "1080P" and snap["params"]["shot_type"] == "multi"
    _, snap, _ = run_json(cli, "generate", "x", "--resolution", "720P", "--prompt-extend")
    assert snap["params"]["resolution"] == "720P" and snap["params"]["shot_type"] == "multi"


def test_the_token_is_in_no_file_but_the_config(cli, sim_env, isolated) -> None:
    cli("config", "set", "api.token", sim_env.token)
    cli("generate", "remember me", "--wait")
    cli("history", "export", "-o", str(isolated / "export.jsonl"))
    holders = [p for p in isolated.rglob("*") if p.is_file() and sim_env.token.encode() in p.read_bytes()]
    assert [p.name for p in holders] == ["config.toml"]


def test_a_corrupt_history_is_moved_aside_with_a_message(cli, isolated) -> None:
    data = isolated / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    code, out, err = cli("history")
    assert code == 0 and "moved" in err and "Traceback" not in err
    assert any(p.name.startswith("history.sqlite3.corrupt-") for p in data.iterdir())
    assert cli("generate", "after the crash")[0] == 0


def test_the_installed_entry_point_runs_end_to_end(sim_env, isolated) -> None:
    env = {**os.environ}
    result = subprocess.run([sys.executable, "-m", "wan_tui", "generate", "a red fox in snow", "--json"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["task_id"]
    result = subprocess.run([sys.executable, "-m", "wan_tui", "image-to-video", "x", "--model", "wan2.6-i2v"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2 and "image_url" in result.stderr and "Traceback" not in result.stderr


def test_a_batch_under_faults_ends_true_and_submits_each_once(cli, sim_env, tmp_path, monkeypatch) -> None:
    """The fault check of bench/batch_faults.py, smaller: every row final, none created twice,
    rows agree with what the server created, no request over 50 ids."""
    from wan_tui import reconcile

    monkeypatch.setattr(reconcile, "RECONCILE_AFTER", 0.1)
    monkeypatch.setattr(reconcile, "NOT_CREATED_AFTER", 0.5)
    sim_env.fault_rate, sim_env.fail_rate = 0.2, 0.1
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("".join(f"prompt {i}\n" for i in range(80)))
    code, rows, _ = run_json(cli, "batch", str(prompts), "--wait")
    by_prompt = sim_env.stats.submissions_by_prompt
    assert len(rows) == 80 and {r["state"] for r in rows} <= {"succeeded", "failed"}
    assert max(by_prompt.values()) == 1
    assert all((r["task_id"] is None) == (by_prompt.get(r["prompt"], 0) == 0) for r in rows)
    assert sim_env.stats.max_batch_ids <= 50 and sum(sim_env.stats.faults.values()) > 0
    assert code == (0 if all(r["state"] == "succeeded" for r in rows) else 1)


def test_download_saves_the_video_never_overwriting(cli, sim_env, tmp_path) -> None:
    _, snap, _ = run_json(cli, "generate", "save me", "--wait")
    folder = tmp_path / "videos"
    code, out, _ = cli("download", snap["task_id"], "-o", str(folder))
    first = Path(out.strip())
    assert code == 0 and first.parent == folder and first.read_bytes()[4:8] == b"ftyp"
    assert run_json(cli, "task", snap["task_id"])[1]["local_path"] == str(first)
    assert cli("download", snap["task_id"], "-o", str(folder))[1].strip() == str(first)  # not again
    first.rename(folder / "moved.mp4")  # gone from where it was: fetched anew
    assert cli("download", snap["task_id"], "-o", str(folder))[1].strip() == str(first)
    # A file already bearing the name is never replaced.
    _, other, _ = run_json(cli, "generate", "and me", "--wait")
    name = Path(cli("download", other["task_id"], "-o", str(tmp_path / "elsewhere"))[1].strip()).name
    taken = folder / name
    taken.write_bytes(b"someone else's file")
    code, out, _ = cli("download", other["task_id"], "-o", str(folder))
    assert code == 0 and Path(out.strip()).name == name.replace(".mp4", " (2).mp4")
    assert taken.read_bytes() == b"someone else's file"
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []  # no leftovers


def test_download_refuses_what_has_no_video(cli, tmp_path) -> None:
    _, snap, _ = run_json(cli, "generate", "stall, not finished")
    code, _, err = cli("download", snap["task_id"], "-o", str(tmp_path / "v"))
    assert code == 1 and "no video" in err and not (tmp_path / "v").exists()


def test_wait_says_what_goes_wrong_and_stops_on_a_refused_token(cli, monkeypatch) -> None:
    _, snap, _ = run_json(cli, "generate", "stall for a while")
    monkeypatch.setenv("ACEDATACLOUD_API_TOKEN", "sk-not-the-right-one")
    code, _, err = cli("wait", snap["task_id"], "--timeout", "20")
    assert code == 1 and "token is wrong" in err and "stopped waiting" in err
    assert "sk-not-the-right-one" not in err


@pytest.mark.parametrize(("argv", "paused"), [([], True), (["--demo"], True),
                                              (["history"], False)])
def test_the_app_starts_with_the_collector_paused(argv: list[str], paused: bool,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11: the app's start (the core's imports included) runs without the cyclic
    collector, which the app turns on again after its first frame; other commands keep it."""
    from wan_tui.cli import dispatch, main

    seen: list[bool] = []
    monkeypatch.setattr(dispatch, "execute", lambda args: seen.append(gc.isenabled()) or 0)
    assert main(argv) == 0
    assert seen == [not paused]
    assert gc.isenabled()  # whatever happened inside, on again afterwards


def test_version_answers_before_the_parser_is_built() -> None:
    """Issue 11: `wan-tui --version` in under 3x a bare `python -c pass` of a regular install
    (~12 ms): building the parser imports the model tables (~40 ms), so it answers first."""
    code = ("import sys\nfrom wan_tui.cli import main\ncode = main(['--version'])\n"
            "print(code, sorted(m for m in sys.modules if m.startswith('wan_tui.')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True)
    version_line, modules_line = result.stdout.splitlines()
    from wan_tui import __version__
    assert version_line == f"wan-tui {__version__}"
    assert modules_line == "0 ['wan_tui.cli']"


def test_a_retried_read_says_so_once(cli, sim_env) -> None:
    """An unreachable or failing service is asked again for ~30 s: the first retry says so
    on stderr (it was 30 s of silence), once, and the answer still comes when it recovers."""
    _, first, _ = run_json(cli, "generate", "one")
    sim_env.force_faults("502", 2)
    code, snap, err = run_json(cli, "task", first["task_id"])
    assert code == 0 and snap["task_id"] == first["task_id"]
    assert err.count("trying again") == 1 and "Ctrl-C" in err
    assert sim_env.stats.faults.get("502") == 2
