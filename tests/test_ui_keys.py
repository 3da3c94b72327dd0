"""The registry of actions: it makes the bindings, the help, the README's key table, and checks
the user's [keymap]."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from textual.binding import Binding

from wan_tui.session import Connection
from wan_tui.store.config import load_config, save_values
from wan_tui.ui.actions import ACTIONS, BY_ID, keymap_problems, keys_markdown
from wan_tui.ui.app import WanApp
from wan_tui.ui.screens.board import BoardScreen
from wan_tui.ui.screens.generation_form import GenerationForm
from wan_tui.ui.screens.help import HelpScreen, key_sections
from wan_tui.ui.screens.history import HistoryScreen, HistoryTable
from wan_tui.ui.screens.settings import SettingsScreen
from wan_tui.ui.screens.welcome import WelcomeScreen
from wan_tui.ui.widgets.task_table import TaskTable

from ui_support import until

README = Path(__file__).resolve().parents[1] / "README.md"
MARK = "<!-- keys: made by wan_tui.ui.actions.keys_markdown(); tests/test_ui_keys.py checks it -->"


def test_the_readme_key_table_is_the_registrys() -> None:
    text = README.read_text(encoding="utf-8")
    assert MARK in text
    table = text.split(MARK + "\n", 1)[1].split("\n\n", 1)[0]
    assert table == keys_markdown()


def test_every_binding_comes_from_the_registry_and_every_action_is_bound() -> None:
    classes = (WanApp, BoardScreen, TaskTable, HistoryScreen, HistoryTable, GenerationForm,
               SettingsScreen, WelcomeScreen, HelpScreen)
    bound = [b for cls in classes for b in cls.BINDINGS if isinstance(b, Binding)]
    ids = [b.id for b in bound]
    assert len(ids) == len(set(ids)) and set(ids) == set(BY_ID)
    for binding in bound:
        spec = BY_ID[str(binding.id)]
        assert (binding.key, binding.action, binding.description) == (
            spec.keys, spec.action, spec.label)


def test_help_lists_every_action_but_its_own_close_key() -> None:
    shown = {binding_id for _, rows in key_sections({}, str) for _, _, binding_id in rows}
    assert shown - {""} == {spec.id for spec in ACTIONS} - {"help.close"}


def test_an_unknown_id_is_reported_with_the_nearest_one() -> None:
    problems = keymap_problems({"board.new_txt": "ctrl+n", "board.new_text": "ctrl+t"})
    assert problems == ["keymap.board.new_txt: no action has this id; "
                        "did you mean board.new_text?"]
    assert keymap_problems({"nothing.like.it": "x"}) == [
        "keymap.nothing.like.it: no action has this id"]


def test_a_key_taken_twice_in_one_scope_is_reported() -> None:
    assert keymap_problems({"board.history": "n"}) == [
        "keymap.board.history: n is also bound to board.new_text"]
    # The same key in two scopes is fine: each screen has its own.
    assert keymap_problems({"board.history": "ctrl+s"}) == []
    assert keymap_problems({}) == []


def test_the_registry_loads_without_textual() -> None:
    code = ("import sys, wan_tui.ui.actions as a; a.keymap_problems({}); a.keys_markdown(); "
            "assert not any(m.startswith('textual') for m in sys.modules), 'textual loaded'")
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_a_bad_keymap_is_reported_at_start(tmp_path: Path) -> None:
    save_values({"keymap.board.histroy": "y"}, tmp_path / "config.toml")
    app = WanApp(load_config(tmp_path / "config.toml"), Connection("http://127.0.0.1:9", "t"),
                 history_path=tmp_path / "history.sqlite3", spin=False, track=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.board is not None)
        notes = [n.message for n in app._notifications if n.title == "Keys"]
        assert notes and "keymap.board.histroy" in notes[0] and "board.history" in notes[0]
