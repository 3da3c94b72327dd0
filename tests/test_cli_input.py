"""Input the command line cannot use is refused with a clear message, never a crash: tokens
no header can carry, numbers out of range, data folders that are not folders."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from wan_tui.cli import main
from wan_tui.sim import Simulator
from wan_tui.ui.app import WanApp

from conftest import run_json

BAD_TOKENS = ["sim-tök", "sim\ntok", "sim tok", "sim\x1btok"]


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_a_token_no_header_can_carry_is_refused_from_the_environment(
        cli, sim_env: Simulator, monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    monkeypatch.setenv("ACEDATACLOUD_API_TOKEN", token)
    code, out, err = cli("generate", "x")
    assert code == 2 and "ACEDATACLOUD_API_TOKEN" in err and "printable ASCII" in err
    assert token not in err and "nothing was sent" in err
    assert sim_env.stats.videos_posts == 0
    assert run_json(cli, "history")[1] == []  # no row left "submitting"


def test_a_bad_token_flag_is_refused_and_named(cli) -> None:
    code, _, err = cli("task", "t1", "--token", "sim\ntok")
    assert code == 2 and "--token" in err and "sim\ntok" not in err


def test_config_set_refuses_a_token_no_header_can_carry(cli, monkeypatch) -> None:
    monkeypatch.delenv("ACEDATACLOUD_API_TOKEN")
    code, _, err = cli("config", "set", "api.token", "sim-tök")
    assert code == 2 and "printable ASCII" in err and "sim-tök" not in err


def test_the_app_with_a_bad_token_is_a_clear_error(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    opened: list[WanApp] = []
    monkeypatch.setattr(WanApp, "run", lambda self, **_: opened.append(self))
    monkeypatch.setenv("ACEDATACLOUD_API_TOKEN", "sim-tök")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "ACEDATACLOUD_API_TOKEN" in err and "sim-tök" not in err
    assert "internal error" not in err and not opened


# -- the data folder -------------------------------------------------------------------------

def test_a_data_folder_that_is_a_file_is_an_error_not_a_crash(
        isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    afile = isolated / "afile"
    afile.write_text("")
    monkeypatch.setenv("WAN_TUI_DATA_DIR", str(afile))
    assert main(["history"]) == 1
    err = capsys.readouterr().err
    assert f"cannot use {afile}: File exists" in err and "internal error" not in err


def test_a_history_file_that_is_a_folder_is_an_error_not_a_crash(
        isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (isolated / "data" / "history.sqlite3").mkdir(parents=True)
    assert main(["history"]) == 1
    err = capsys.readouterr().err
    assert "history.sqlite3" in err and "Is a directory" in err and "internal error" not in err


# -- numbers ---------------------------------------------------------------------------------

def _usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(("args", "expected"), [
    (["batch", "f", "--concurrency", "0"], "--concurrency: must be 1 or more"),
    (["batch", "f", "--concurrency", "-1"], "--concurrency: must be 1 or more"),
    (["batch", "f", "--concurrency", "two"], "--concurrency: not a whole number"),
    (["sim", "--port", "99999"], "--port: must be 1 to 65535, or 0 for any free port"),
    (["sim", "--port", "-1"], "--port: must be 1 to 65535"),
    (["sim", "--job-seconds", "0"], "--job-seconds: must be more than 0 seconds"),
    (["sim", "--latency", "-1"], "--latency: must be 0 or more seconds"),
    (["sim", "--fail-rate", "1.5"], "--fail-rate: must be between 0 and 1"),
    (["sim", "--fault-rate", "nan"], "--fault-rate: must be a finite number"),
    (["wait", "t1", "--interval", "0"], "--interval: must be more than 0 seconds"),
    (["wait", "t1", "--timeout", "-5"], "--timeout: must be 0 or more seconds"),
    (["generate", "x", "--wait", "--timeout", "inf"], "--timeout: must be a finite number"),
    (["--demo", "--demo-job-seconds", "-3"], "--demo-job-seconds: must be more than 0"),
])
def test_numbers_out_of_range_are_usage_errors(
        capsys, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str) -> None:
    def never(*_: object, **__: object) -> None:
        raise AssertionError("the value was accepted")

    monkeypatch.setattr("wan_tui.sim.serve", never)  # a parsed sim command would serve forever
    monkeypatch.setattr("wan_tui.ui.demo.run_demo", never)
    assert expected in _usage_error(capsys, *args)


def test_sim_port_0_means_any_free_port() -> None:
    from wan_tui.cli.parser import build_parser

    args = build_parser().parse_args(["sim", "--port", "0", "--latency", "0", "--fail-rate", "1"])
    assert (args.port, args.latency, args.fail_rate) == (0, 0.0, 1.0)
    assert build_parser().parse_args(["sim", "--port", "65535"]).port == 65535


def test_config_caps_the_request_rate_at_the_documented_ceiling(cli) -> None:
    code, _, err = cli("config", "set", "polling.max_requests_per_second", "500")
    assert code == 2 and "documented ceiling is 60 requests per second per token" in err
    code, _, _ = cli("config", "set", "polling.max_requests_per_second", "60")
    assert code == 0


def test_a_secret_in_the_config_file_is_never_printed(cli, monkeypatch) -> None:
    Path(os.environ["WAN_TUI_CONFIG"]).write_text("[api]\ntoken = 98765432109876543\n")
    code, shown, err = run_json(cli, "config", "show")
    assert code == 0 and "api.token must be text" in shown["problems"][0]
    assert "98765432109876543" not in json.dumps(shown) + err
    code, out, err = cli("config", "show")
    assert code == 0 and "api.token must be text" in err
    assert "98765432109876543" not in out + err
