"""The TOML configuration: paths, tolerant loading, validated atomic edits, precedence."""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest
import tomli_w

from wan_tui.api.models import GenerationRequest
from wan_tui.defaults import request_over_defaults
from wan_tui.store.config import (
    ApiConfig,
    ConfigError,
    DownloadsConfig,
    MediaConfig,
    PollingConfig,
    UiConfig,
    load_config,
    mask_token,
    resolve_settings,
    save_values,
    set_value,
    unset_value,
)
from wan_tui.store.config_keys import KEYS
from wan_tui.store.paths import config_path, data_dir


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


# -- paths -------------------------------------------------------------------------------------

def test_paths_follow_env_then_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("WAN_TUI_CONFIG", raising=False)
    monkeypatch.delenv("WAN_TUI_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    if os.name == "posix" and not os.uname().sysname == "Darwin":
        assert config_path() == tmp_path / "xdg-config" / "wan-tui" / "config.toml"
        assert data_dir() == tmp_path / "xdg-data" / "wan-tui"
    monkeypatch.setenv("WAN_TUI_CONFIG", str(tmp_path / "elsewhere.toml"))
    monkeypatch.setenv("WAN_TUI_DATA_DIR", str(tmp_path / "data"))
    assert config_path() == tmp_path / "elsewhere.toml"
    assert data_dir() == tmp_path / "data"


def test_load_and_set_use_the_env_path_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("WAN_TUI_CONFIG", str(tmp_path / "c.toml"))
    set_value("ui.bell", "yes")
    assert load_config().config.ui.bell is True
    assert load_config().path == tmp_path / "c.toml"


# -- the key table and the typed view ------------------------------------------------------------

def test_typed_sections_match_the_key_table():
    """The dataclasses only name fields; a key added to KEYS must get a field and vice versa."""
    typed = {f"{section}.{f.name}" for section, cls in (
        ("api", ApiConfig), ("polling", PollingConfig), ("downloads", DownloadsConfig),
        ("ui", UiConfig), ("media", MediaConfig)) for f in fields(cls)}
    table = {k for k in KEYS if k.split(".")[0] in ("api", "polling", "downloads", "ui", "media")}
    assert typed == table
    request_fields = {f.name for f in fields(GenerationRequest)}
    assert {k.split(".")[1] for k in KEYS if k.startswith("defaults.")} <= request_fields


def test_missing_file_gives_defaults(cfg):
    loaded = load_config(cfg)
    assert loaded.problems == [] and not loaded.broken
    config = loaded.config
    assert config.api.token is None
    assert config.api.base_url == "https://api.acedata.cloud"
    assert config.defaults == {"model": "wan2.6-t2v"}
    assert config.polling.max_requests_per_second == 1.0
    assert config.polling.first_poll_seconds == 7.0
    assert config.polling.interval_seconds == 15.0
    assert config.polling.max_in_flight == 5
    assert config.polling.callback_listen is None
    assert config.downloads.dir.name == "wan-tui"
    assert config.ui.theme == "textual-dark" and config.ui.bell is False
    assert config.keymap == {}
    assert not cfg.exists()


def test_defaults_build_a_request(cfg):
    cfg.parent.mkdir()
    cfg.write_text('[defaults]\nduration = 10\nresolution = "720P"\naudio = true\n')
    config = load_config(cfg).config
    assert config.defaults == {"model": "wan2.6-t2v", "duration": 10, "resolution": "720P",
                               "audio": True}
    request = request_over_defaults(config, "image2video", "a fox",
                                    {"model": "wan2.6-i2v", "image_url": "https://x/y.png"})
    assert request.action == "image2video" and request.duration == 10
    assert request.errors() == []


def test_items_mask_the_token_and_list_keymap(cfg):
    set_value("api.token", "sk-secret-token-a1b2", cfg)
    loaded = set_value("keymap.submit", "ctrl+s", cfg)
    items = {item.key: item for item in loaded.items()}
    assert items["api.token"].display == "sk-…a1b2" and items["api.token"].from_file
    assert items["keymap.submit"].display == "ctrl+s"
    assert items["defaults.duration"].display == "(unset)"
    assert not items["ui.bell"].from_file and items["ui.bell"].display == "false"
    assert list(items)[: len(KEYS) - 1] == [k for k in KEYS if k != "keymap.*"]


# -- set_value / unset_value / save_values ----------------------------------------------------

def test_set_value_parses_each_type(cfg):
    set_value("defaults.duration", "15", cfg)
    set_value("defaults.audio", "off", cfg)
    set_value("polling.max_requests_per_second", "2.5", cfg)
    set_value("polling.first_poll_seconds", "5", cfg)
    set_value("ui.bell", "YES", cfg)
    document = tomllib.loads(cfg.read_text())
    assert document["defaults"] == {"duration": 15, "audio": False}
    assert document["polling"] == {"max_requests_per_second": 2.5, "first_poll_seconds": 5.0}
    assert document["ui"] == {"bell": True}
    config = load_config(cfg).config
    assert config.polling.first_poll_seconds == 5.0 and config.ui.bell is True


@pytest.mark.parametrize(("key", "raw", "expected"), [
    ("defaults.duration", "31",
     "defaults.duration must be 2 to 30 seconds, or -1 for the model's choice (got 31)"),
    ("defaults.duration", "ten", "defaults.duration must be a whole number (got 'ten')"),
    ("defaults.audio", "maybe", "defaults.audio must be true or false (got 'maybe')"),
    ("defaults.model", "wan2.6-t2", "did you mean wan2.6-t2v"),
    ("defaults.size", "1280x700", "must be one of"),
    ("api.base_url", "ftp://example.com", "must be an http(s) URL"),
    ("polling.max_requests_per_second", "0", "must be at least 0.01"),
    ("polling.max_requests_per_second", "nan", "must be a number"),
    ("polling.max_requests_per_second", "60.5", "documented ceiling is 60 requests per second"),
    ("polling.max_in_flight", "0", "must be 1 or more"),
    ("polling.callback_listen", "localhost", "must be HOST:PORT"),
    ("defaults.negative_prompt", "x" * 501, "at most 500 characters"),
    ("api.token", "  ", "must not be empty"),
    ("downloads.dir", "", "must not be empty"),
])
def test_set_value_refuses_bad_values_clearly(cfg, key, raw, expected):
    with pytest.raises(ConfigError) as info:
        set_value(key, raw, cfg)
    assert expected in str(info.value)
    assert not cfg.exists()


@pytest.mark.parametrize("token", ["sim-tök", "sim\ntok", "sim tok", "sim\x1btok"])
def test_a_token_must_be_printable_ascii_without_spaces(cfg, token):
    with pytest.raises(ConfigError) as info:
        set_value("api.token", token, cfg)
    assert "printable ASCII" in str(info.value) and token not in str(info.value)
    with pytest.raises(ConfigError):
        save_values({"api.token": token}, cfg)  # the settings and welcome screens' way
    assert not cfg.exists()
    cfg.parent.mkdir()
    cfg.write_text(tomli_w.dumps({"api": {"token": token}}))
    loaded = load_config(cfg)
    assert loaded.config.api.token is None and "printable ASCII" in loaded.problems[0]
    assert set_value("api.token", "sk-Ab1_.~+/=", cfg).config.api.token == "sk-Ab1_.~+/="


def test_a_secret_value_is_never_repeated_in_a_message(cfg):
    cfg.parent.mkdir()
    cfg.write_text("[api]\ntoken = 98765432109876543\n")
    loaded = load_config(cfg)
    assert loaded.config.api.token is None
    assert "api.token must be text" in loaded.problems[0]
    assert "98765432109876543" not in loaded.problems[0]
    spec = KEYS["api.token"]
    for value in (98765432109876543, ["sk-secret-in-a-list"], True):
        assert spec.problem(value) and str(value) not in spec.problem(value)
    assert "got 31" in KEYS["defaults.duration"].problem(31)  # other keys still say it


def test_sizes_and_resolutions_are_read_as_the_service_spells_them(cfg):
    assert set_value("defaults.size", "1280x720", cfg).config.get("defaults.size") == "1280*720"
    assert set_value("defaults.resolution", "720p", cfg).config.get("defaults.resolution") == "720P"


def test_unknown_key_suggests_close_ones(cfg):
    with pytest.raises(ConfigError, match=r"unknown setting 'defaults.modle'.*defaults.model"):
        set_value("defaults.modle", "wan2.6-t2v", cfg)
    with pytest.raises(ConfigError, match="unknown setting"):
        set_value("keymap.*", "x", cfg)


def test_write_is_atomic_private_and_keeps_unknown_keys(cfg):
    cfg.parent.mkdir()
    original = ('future = "kept"\n[api]\ntoken = "old"\nfancy = [1, 2]\n'
                '[plugins.thing]\nx = 1\nwhen = 2024-01-01T00:00:00Z\n')
    cfg.write_text(original)
    cfg.chmod(0o644)
    inode_before = cfg.stat().st_ino
    set_value("api.token", "sk-new-token-0000", cfg)
    document = tomllib.loads(cfg.read_text())
    before = tomllib.loads(original)
    assert document["api"] == {"token": "sk-new-token-0000", "fancy": [1, 2]}
    assert document["future"] == "kept" and document["plugins"] == before["plugins"]
    assert cfg.stat().st_ino != inode_before  # replaced by rename, not rewritten in place
    if os.name == "posix":
        assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert [p.name for p in cfg.parent.iterdir()] == ["config.toml"]  # no temp file left


def test_new_file_and_directory_are_private(tmp_path):
    path = tmp_path / "new" / "config.toml"
    set_value("api.token", "sk-new-token-0000", path)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_failed_write_leaves_the_old_file(cfg, monkeypatch):
    set_value("ui.theme", "nord", cfg)
    before = cfg.read_bytes()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        set_value("ui.theme", "gruvbox", cfg)
    assert cfg.read_bytes() == before
    assert [p.name for p in cfg.parent.iterdir()] == ["config.toml"]


def test_unset_value_restores_the_default(cfg):
    set_value("defaults.duration", "10", cfg)
    set_value("ui.bell", "true", cfg)
    loaded = unset_value("defaults.duration", cfg)
    assert "defaults" not in tomllib.loads(cfg.read_text())
    assert loaded.config.defaults == {"model": "wan2.6-t2v"}
    assert unset_value("ui.bell", cfg).config.ui.bell is False
    unset_value("ui.bell", cfg)  # unsetting twice is fine


def test_save_values_validates_everything_first(cfg):
    set_value("ui.theme", "nord", cfg)
    with pytest.raises(ConfigError, match="defaults.duration"):
        save_values({"ui.theme": "monokai", "defaults.duration": 31}, cfg)
    assert load_config(cfg).config.ui.theme == "nord"
    loaded = save_values({"ui.theme": "monokai", "defaults.duration": 5,
                          "polling.interval_seconds": 20, "keymap.quit": "ctrl+q",
                          "ui.bell": None}, cfg)
    assert loaded.config.ui.theme == "monokai"
    assert loaded.config.polling.interval_seconds == 20.0
    assert loaded.config.keymap == {"quit": "ctrl+q"}


# -- broken files and wrong values --------------------------------------------------------------

def test_broken_toml_names_file_and_line_and_is_never_overwritten(cfg):
    cfg.parent.mkdir()
    text = '[api]\ntoken = "sk-x"\nbase_url = \n[ui]\n'
    cfg.write_text(text)
    loaded = load_config(cfg)
    assert loaded.broken
    assert loaded.config.api.token is None  # everything runs on defaults
    (problem,) = loaded.problems
    assert str(cfg) in problem and "line 3" in problem
    for action in (lambda: set_value("ui.bell", "true", cfg), lambda: unset_value("ui.bell", cfg),
                   lambda: save_values({"ui.bell": True}, cfg)):
        with pytest.raises(ConfigError, match="nothing was changed") as info:
            action()
        assert str(cfg) in str(info.value)
    assert cfg.read_text() == text


def test_error_at_end_of_document_still_names_a_line(cfg):
    cfg.parent.mkdir()
    cfg.write_text('[ui]\ntheme = "nord"\nbell = ')
    loaded = load_config(cfg)
    assert loaded.broken and "line 3" in loaded.problems[0]


def test_non_utf8_file_is_broken(cfg):
    cfg.parent.mkdir()
    cfg.write_bytes(b'[ui]\ntheme = "\xff"\n')
    loaded = load_config(cfg)
    assert loaded.broken and "UTF-8" in loaded.problems[0]


def test_wrong_values_fall_back_with_a_problem(cfg):
    cfg.parent.mkdir()
    cfg.write_text('api = "oops"\n[defaults]\nduration = 31\nmodle = "x"\naudio = "yes"\n'
                   '[polling]\nmax_requests_per_second = 2\nmax_in_flight = 2.5\n'
                   '[ui]\nbell = true\nunknown_far_away_key = 1\n[keymap]\nquit = 3\n')
    loaded = load_config(cfg)
    assert not loaded.broken
    text = "\n".join(loaded.problems)
    assert all(str(cfg) in p for p in loaded.problems)
    assert "api must be a table" in text
    assert ("defaults.duration must be 2 to 30 seconds, or -1 for the model's choice (got 31); "
            "using the default (unset)") in text
    assert "defaults.audio must be true or false" in text
    assert "polling.max_in_flight must be a whole number (got 2.5); using the default (5)" in text
    assert "unknown setting defaults.modle is ignored (did you mean defaults.model" in text
    assert "keymap.quit must be text" in text
    assert "unknown_far_away_key" not in text  # unknown keys are ignored quietly
    config = loaded.config
    assert config.defaults == {"model": "wan2.6-t2v"}
    assert config.polling.max_requests_per_second == 2.0  # an int is fine for a float key
    assert config.polling.max_in_flight == 5 and config.ui.bell is True
    # Editing a file with wrong values keeps them as they are (not broken: the user's to fix).
    set_value("ui.theme", "nord", cfg)
    assert tomllib.loads(cfg.read_text())["defaults"]["duration"] == 31


def test_setting_inside_a_non_table_section_is_refused(cfg):
    cfg.parent.mkdir()
    cfg.write_text('api = "oops"\n')
    with pytest.raises(ConfigError, match="api is not a table"):
        set_value("api.token", "sk-aaaaaaaaaaaa", cfg)
    assert cfg.read_text() == 'api = "oops"\n'


# -- precedence and masking ---------------------------------------------------------------------

def test_precedence_flag_env_file_default(cfg):
    set_value("api.token", "file-token-123456", cfg)
    set_value("api.base_url", "https://file.example", cfg)
    loaded = load_config(cfg)
    env = {"ACEDATACLOUD_API_TOKEN": "env-token-123456",
           "ACEDATACLOUD_API_BASE_URL": "https://env.example/"}

    s = resolve_settings(loaded, cli_token="cli-token-123456", cli_base_url="https://cli.example",
                         env=env)
    assert (s.token, s.token_source) == ("cli-token-123456", "--token")
    assert (s.base_url, s.base_url_source) == ("https://cli.example", "--base-url")

    s = resolve_settings(loaded, env=env)
    assert (s.token, s.token_source) == ("env-token-123456", "ACEDATACLOUD_API_TOKEN")
    assert (s.base_url, s.base_url_source) == ("https://env.example", "ACEDATACLOUD_API_BASE_URL")

    s = resolve_settings(loaded, env={"ACEDATACLOUD_API_TOKEN": "  "})  # blank means unset
    assert (s.token, s.token_source) == ("file-token-123456", "config file")
    assert (s.base_url, s.base_url_source) == ("https://file.example", "config file")

    s = resolve_settings(load_config(cfg.parent / "none.toml"), env={})
    assert (s.token, s.token_source) == (None, None)
    assert (s.base_url, s.base_url_source) == ("https://api.acedata.cloud", "default")


def test_precedence_reads_os_environ_by_default(cfg, monkeypatch):
    monkeypatch.setenv("ACEDATACLOUD_API_TOKEN", "env-token-abcdef")
    assert resolve_settings(load_config(cfg)).token_source == "ACEDATACLOUD_API_TOKEN"


@pytest.mark.parametrize(("token", "masked"), [
    ("sk-fake-not-a-token-a1b2", "sk-…a1b2"),
    ("abcdefghijkl", "abc…ijkl"),
    ("short", "…"),
    ("", "(not set)"),
    (None, "(not set)"),
])
def test_mask_token(token, masked):
    assert mask_token(token) == masked
