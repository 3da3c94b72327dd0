"""`wan-tui download` against the simulator: every id its outcome, -o honoured (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from conftest import run_json


def finished(cli, prompt: str) -> dict:
    code, snap, _ = run_json(cli, "generate", prompt, "--wait")
    assert code == 0 and snap["state"] == "succeeded"
    return snap


def test_one_bad_id_does_not_stop_the_rest(cli, tmp_path: Path) -> None:
    good1, good2 = finished(cli, "one fox"), finished(cli, "two foxes")
    code, out, err = cli("download", good1["task_id"], "nonexistent", good2["task_id"],
                         "-o", str(tmp_path / "d"), "--json")
    outcomes = json.loads(out)
    assert code == 1 and [o["task_id"] for o in outcomes] == [
        good1["task_id"], "nonexistent", good2["task_id"]]
    assert [o["ok"] for o in outcomes] == [True, False, True]
    assert outcomes[1]["error"]["code"] == "unknown_task"
    video = httpx.get(good1["video_url"]).content
    assert Path(outcomes[0]["path"]).read_bytes() == video


def test_a_new_folder_is_honoured_and_paths_are_absolute(cli, tmp_path: Path,
                                                         monkeypatch) -> None:
    snap = finished(cli, "a paper boat")
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("download", snap["task_id"], "-o", "dl")
    first = Path(out.strip())
    assert code == 0 and first.is_absolute() and first.parent == tmp_path / "dl"
    code, out, err = cli("download", snap["task_id"], "-o", "dl")
    assert code == 0 and Path(out.strip()) == first and "already saved at" in err
    code, out, _ = cli("download", snap["task_id"], "-o", "dl2")
    second = Path(out.strip())
    assert code == 0 and second.parent == tmp_path / "dl2" and second.read_bytes() == first.read_bytes()
    code, rows, _ = run_json(cli, "history")
    assert rows[0]["local_path"] == str(second)


def test_auto_save_keeps_each_video_as_its_task_succeeds(cli, tmp_path: Path) -> None:
    assert cli("config", "set", "downloads.dir", str(tmp_path / "auto"))[0] == 0
    assert cli("config", "set", "downloads.auto", "true")[0] == 0
    assert cli("config", "set", "downloads.sidecar", "true")[0] == 0
    snap = finished(cli, "saved by itself")
    code, rows, _ = run_json(cli, "history")
    saved = Path(rows[0]["local_path"])
    assert saved.parent == (tmp_path / "auto").resolve() and saved.stat().st_size > 0
    assert json.loads(Path(str(saved) + ".json").read_text())["task_id"] == snap["task_id"]
