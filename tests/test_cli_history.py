"""`wan-tui history`, `login` and `sim` as a person and a script use them (issue 14)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from conftest import run_json

from wan_tui.sim.simulator import usage_text
from wan_tui.store.config import load_config


def make(cli, *prompts: str) -> None:
    for prompt in prompts:
        assert cli("generate", prompt)[0] == 0


def test_history_lines_show_dates_and_say_when_there_is_more(cli) -> None:
    make(cli, "a red fox", "a blue whale", "a green frog")
    code, out, err = cli("history", "--limit", "2")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d  ", lines[0]) and "a green frog" in lines[0]
    assert "more: --offset 2" in err
    code, out, err = cli("history", "--limit", "2", "--offset", "2")
    assert len(out.splitlines()) == 1 and "more:" not in err


def test_no_match_is_not_an_empty_history(cli) -> None:
    make(cli, "a red fox")
    assert "no generations match" in cli("history", "--since", "2030-01-01")[2]
    assert "no generations match at --offset 1000" in cli("history", "--offset", "1000")[2]
    assert "the history is empty" not in cli("history", "--search", "zebra")[2]


def test_states_are_case_insensitive_and_listed_in_help(cli) -> None:
    assert cli("generate", "something forbidden")[0] == 1  # refused: failed
    code, rows, _ = run_json(cli, "history", "--state", "FAILED")
    assert code == 0 and len(rows) == 1
    code, out, _ = cli("history", "--help")
    assert "succeeded" in out and "expired" in out and "lost" in out


def test_export_takes_the_filters_after_export_too(cli, tmp_path: Path) -> None:
    make(cli, "a red fox", "a blue whale")
    target = tmp_path / "fox.jsonl"
    code, _, err = cli("history", "export", "--search", "fox", "-o", str(target))
    assert code == 0, err
    lines = target.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["prompt"] == "a red fox"
    assert f"exported 1 row to {target}" in err  # how many: an export of 1M rows is long
    csv = tmp_path / "all.csv"
    code, _, err = cli("history", "export", "--format", "csv", "-o", str(csv))
    assert code == 0 and f"exported 2 rows to {csv}" in err


def test_a_long_import_or_export_says_how_far_it_is_on_a_terminal(monkeypatch) -> None:
    """A bar with sizes on a terminal's stderr (a 1M-row import took minutes in silence); the
    bytes read and written are the file's, unchanged."""
    from rich.console import Console

    from wan_tui.cli import history_cmd, output as cli_output
    from wan_tui.cli.output import Output, Progress
    monkeypatch.setattr(cli_output, "BYTES_EVERY", 0.0)
    output = Output()
    shown = io.StringIO()
    output.err = Console(file=shown, force_terminal=True, width=100)
    data = b"".join(b'{"prompt": "row %d"}\n' % n for n in range(50_000))
    reader = io.BufferedReader(history_cmd._ReadCounter(io.BytesIO(data), len(data),
                                                        Progress(output)))
    assert b"".join(iter(reader.readline, b"")) == data
    assert f"of {len(data) / 1e6:,.1f} MB" in shown.getvalue()
    written = io.StringIO()
    lines = [f"line {n}\n" for n in range(1000)]
    written.writelines(history_cmd._reporting(lines, Progress(output)))
    assert written.getvalue() == "".join(lines) and " MB" in shown.getvalue().split("of")[-1]


def test_importing_a_csv_says_import_takes_jsonl(cli, tmp_path: Path) -> None:
    make(cli, "a red fox")
    export = tmp_path / "h.csv"
    assert cli("history", "export", "--format", "csv", "-o", str(export))[0] == 0
    code, _, err = cli("history", "import", str(export))
    assert code == 2 and "takes JSONL" in err and err.count("\n") < 4


def test_the_simulator_says_how_to_use_it() -> None:
    text = usage_text("http://127.0.0.1:8765", "tok")
    assert "export ACEDATACLOUD_API_BASE_URL=http://127.0.0.1:8765" in text
    assert "export ACEDATACLOUD_API_TOKEN=tok" in text and "wan-tui generate" in text


def test_login_checks_then_saves_a_token_read_from_stdin(cli, sim_env, monkeypatch) -> None:
    monkeypatch.delenv("ACEDATACLOUD_API_TOKEN")
    monkeypatch.setattr("sys.stdin", io.StringIO("not-the-token-at-all\n"))
    code, _, err = cli("login")
    assert code == 1 and "invalid" in err.lower()
    assert load_config().config.api.token is None  # nothing saved
    monkeypatch.setattr("sys.stdin", io.StringIO(sim_env.token + "\n"))
    code, _, err = cli("login")
    assert code == 0 and "saved in" in err and sim_env.token not in err
    assert load_config().config.api.token == sim_env.token


@pytest.mark.parametrize("given", ["", "   \n"])
def test_login_without_a_token_is_a_usage_error(cli, monkeypatch, given: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(given))
    assert cli("login")[0] == 2


@pytest.mark.parametrize(("option", "value"), [("--limit", str(10**40)), ("--offset", str(10**40)),
                                               ("--limit", "0"), ("--offset", "-1")])
def test_absurd_paging_is_a_usage_error_not_a_crash(cli, option: str, value: str) -> None:
    code, _, err = cli("history", option, value)
    assert code == 2 and option in err and "internal error" not in err


def test_exports_never_carry_terminal_escapes(cli, tmp_path: Path) -> None:
    """Server text reaches exports only as text: an OSC 52 clipboard write, a bell or a C1
    screen clear in any field is escaped (JSONL) or dropped (CSV), never written raw."""
    evil = "\x1b]52;c;aGk=\x07 \x9b2J \x7f"
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({
        "task_id": "t-evil", "state": "failed", "action": "text2video", "model": "wan2.6-t2v",
        "prompt": "a calm lake", "params": {}, "created_at": 1.0, "updated_at": 1.0,
        "error": {"code": "x", "message": evil}, "trace_id": evil}) + "\n")
    assert cli("history", "import", str(source))[0] == 0
    for kind in ("jsonl", "csv"):
        target = tmp_path / f"out.{kind}"
        assert cli("history", "export", "--format", kind, "-o", str(target))[0] == 0
        data = target.read_bytes().decode("utf-8")
        assert not any(c in data for c in "\x1b\x07\x9b\x7f"), kind
    assert "\\u009b" in (tmp_path / "out.jsonl").read_text()
