"""Input the command line cannot use is refused with a clear message, never a crash: tokens
no header can carry, numbers out of range, data folders that are not folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from wan_tui.cli import main
from wan_tui.sim import Simulator
from wan_tui.ui.app import WanApp

from test_cli import cli, run_json  # noqa: F401 - the fixture, against the simulator

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
