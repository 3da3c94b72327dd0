"""The settings screen: generated from KEYS, validated per field, saved with save_values."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select

from wan_tui.store.config import load_config
from wan_tui.store.config_keys import KEYS
from wan_tui.ui.screens.confirm import ConfirmScreen
from wan_tui.ui.screens.settings import SettingsScreen, widget_id

from ui_support import Host, hold_still, opened, until

TOKEN = "sk-live-0123456789abcdefSECRET"
NEW_TOKEN = "sk-new-9876543210zyxwvuNEWSECRET"


def control(screen: SettingsScreen, key: str) -> Any:
    return screen.query_one(f"#{widget_id(key)}")


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[api]\ntoken = "{TOKEN}"\n\n[defaults]\nduration = 10\n\n'
                    f'[custom]\nkept = "yes"\n')
    return path


def test_every_key_but_the_keymap_gets_a_control() -> None:
    screen = SettingsScreen(Path("unused.toml"))
    assert set(screen.specs) == {k for k in KEYS if not k.startswith("keymap.")}


async def test_saving_writes_only_the_changed_values(config_file: Path) -> None:
    screen = SettingsScreen(config_file)
    app = Host(screen)
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, screen)
        assert str(control(screen, "defaults.duration").value) == "10"
        control(screen, "defaults.model").value = "wan2.6-i2v"
        control(screen, "defaults.audio").value = False
        control(screen, "defaults.duration").clear()  # back to unset: removed from the file
        interval = control(screen, "polling.interval_seconds")
        interval.focus()
        await pilot.press("2", "0")
        await until(pilot, lambda: screen.changes().get("polling.interval_seconds") == 20.0)
        assert set(screen.changes()) == {"defaults.model", "defaults.audio",
                                         "defaults.duration", "polling.interval_seconds"}
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
    assert app.result is True
    loaded = load_config(config_file)
    assert loaded.problems == []
    assert loaded.file_values == {"api.token": TOKEN, "defaults.model": "wan2.6-i2v",
                                  "defaults.audio": False, "polling.interval_seconds": 20.0}
    assert 'kept = "yes"' in config_file.read_text()  # keys the app does not know survive
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600


async def test_the_token_is_masked_and_never_rendered(config_file: Path) -> None:
    screen = SettingsScreen(config_file)
    app = Host(screen)
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, screen)
        svg = app.export_screenshot()
        assert "sk-…CRET" in svg  # recognisable
        assert TOKEN not in svg and "0123456789" not in svg
        token_input = control(screen, "api.token")
        assert isinstance(token_input, Input) and token_input.password
        assert token_input.value == ""  # the stored token is not loaded into the form
        token_input.focus()
        token_input.insert_text_at_cursor(NEW_TOKEN)
        await until(pilot, lambda: screen.changes().get("api.token") == NEW_TOKEN)
        svg = app.export_screenshot()
        assert NEW_TOKEN not in svg and "9876543210" not in svg
        for widget in screen.query("*"):
            assert TOKEN not in str(widget.render())
            assert NEW_TOKEN not in str(widget.render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
    assert load_config(config_file).config.api.token == NEW_TOKEN


async def test_an_invalid_value_shows_a_message_and_is_not_saved(config_file: Path) -> None:
    before = config_file.read_text()
    screen = SettingsScreen(config_file)
    app = Host(screen)
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, screen)
        in_flight = control(screen, "polling.max_in_flight")
        in_flight.focus()
        await pilot.press("0")
        await until(pilot, lambda: "must be 1 or more" in screen.message_for(
            "polling.max_in_flight"))
        control(screen, "api.base_url").value = "ftp://example.com"
        control(screen, "polling.interval_seconds").value = "soon"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "http(s) URL" in screen.message_for("api.base_url"))
        assert "must be a number" in screen.message_for("polling.interval_seconds")
        assert app.focused is control(screen, "api.base_url")  # the first bad one
        await pilot.pause()
        assert not app.dismissed
    assert config_file.read_text() == before


async def test_a_broken_file_is_shown_and_saving_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[api\ntoken = 'x'\n")
    screen = SettingsScreen(path)
    app = Host(screen)
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, screen)
        problems = screen.query_one("#settings-problems")
        assert "cannot be read" in str(problems.render())
        assert "not valid TOML" in str(problems.render())
        control(screen, "ui.bell").value = True
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Not saved" in str(problems.render()))
        assert "nothing was changed" in str(problems.render())
        await pilot.pause()
        assert not app.dismissed
    assert path.read_text() == "[api\ntoken = 'x'\n"


async def test_the_theme_applies_at_once_and_escape_puts_it_back(config_file: Path) -> None:
    screen = SettingsScreen(config_file)
    app = Host(screen)
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, screen)
        original = app.theme
        theme = control(screen, "ui.theme")
        assert isinstance(theme, Select)
        assert {value for _, value in theme._options if value != Select.NULL} == set(
            app.available_themes)
        theme.value = "nord"
        await until(pilot, lambda: app.theme == "nord")
        await pilot.press("escape")  # an unsaved edit: asks first
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen)
        assert not app.dismissed and app.theme == "nord"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: app.dismissed)
        assert app.result is False
        assert app.theme == original
    assert "theme" not in config_file.read_text()


async def test_escape_without_edits_leaves_at_once(config_file: Path) -> None:
    screen = SettingsScreen(config_file)
    app = Host(screen)
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, screen)
        await pilot.press("escape")
        await until(pilot, lambda: app.dismissed)
    assert app.result is False


def test_snapshot_settings(snap_compare: Any, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the screen shows the path: keep it the same on every run
    Path("config.toml").write_text(
        f'[api]\ntoken = "{TOKEN}"\n\n[defaults]\nmodel = "wan2.6-i2v"\nduration = 10\n'
        f'audio = true\n\n[downloads]\ndir = "~/Videos/wan"\n\n[polling]\nmax_in_flight = 0\n')
    screen = SettingsScreen(Path("config.toml"))
    app = Host(screen)

    async def settle(pilot: Pilot[Any]) -> None:
        await opened(pilot, screen)
        await hold_still(pilot)

    assert snap_compare(app, terminal_size=(140, 40), run_before=settle)


def test_the_theme_list_of_the_config_keys_is_textuals() -> None:
    from textual.app import App

    from wan_tui.store.config_keys import BUILTIN_THEMES

    assert set(BUILTIN_THEMES) == set(App().available_themes)


def test_an_unknown_theme_is_refused_when_set_and_reported_when_loaded(tmp_path: Path) -> None:
    from wan_tui.store.config import ConfigError, set_value

    path = tmp_path / "config.toml"
    with pytest.raises(ConfigError, match="did you mean textual-light"):
        set_value("ui.theme", "textual-lite", path)
    with pytest.raises(ConfigError, match="one of .*nord"):
        set_value("ui.theme", "nope", path)
    path.write_text('[ui]\ntheme = "nope"\n')
    assert any("ui.theme" in p and "not a theme" in p for p in load_config(path).problems)


def test_a_keymap_entry_is_checked_as_the_cli_sets_it() -> None:
    from wan_tui.ui.actions import keymap_entry_problems, keymap_problems

    assert keymap_entry_problems({}, "board.new_text", "ctrl+n") == []
    assert keymap_entry_problems({}, "board.new_txt", "x") == [
        "keymap.board.new_txt: no action has this id; did you mean board.new_text?"]
    assert keymap_entry_problems({}, "board.new_text", "r") == [
        "keymap.board.new_text: r is also bound to board.rerun"]
    # the app's own keys work on the board: taking one is a clash too
    assert keymap_problems({"board.new_text": "q"}) == [
        "keymap.board.new_text: q is also bound to app.quit"]
