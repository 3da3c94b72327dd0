"""The settings screen, generated from the configuration key table (`KEYS`).

Each key gets the control its spec asks for: a Select for keys with choices (and for the
theme, whose choices are the app's themes), a Select "on/off" with the blank entry meaning
"use the default" for booleans, a password Input for the token, and an Input for the rest,
checked with `KeySpec.parse` as the user types. Ctrl+S asks the app to write only the keys that
changed (`SaveSettings`: the session validates and writes atomically, mode 0600). The token is never shown: only `mask_token`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from wan_tui.store.config import (
    BASE_URL_ENV,
    TOKEN_ENV,
    LoadedConfig,
    load_config,
    mask_token,
)
from wan_tui.store.config_keys import KEYS, KeySpec

from ..compat import Footer
from ..actions import bindings
from ..messages import SaveSettings, SettingsSaved
from .confirm import ConfirmScreen
from ..widgets.form_fields import (
    TRI_STATE_OPTIONS,
    FieldProblems,
    key_hint,
    literal,
    select_options,
    select_value,
)

SECTION_TITLES = {"api": "API", "defaults": "Defaults for new generations",
                  "polling": "Polling", "downloads": "Downloads", "ui": "Interface"}
_ENV_OVERRIDES = {"api.token": TOKEN_ENV, "api.base_url": BASE_URL_ENV}


def widget_id(key: str) -> str:
    """The id of a key's control: `defaults.model` -> `defaults-model`."""
    return key.replace(".", "-")


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


class SettingsScreen(Screen[bool]):
    """Edit the config file. Dismisses with True after saving, False when left unsaved."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("settings")

    CSS_PATH = "settings.tcss"


    def __init__(self, config_path: Path, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.config_path = Path(config_path)
        self.loaded: LoadedConfig = load_config(self.config_path)
        self.specs: dict[str, KeySpec] = {k: s for k, s in KEYS.items() if not k.endswith(".*")}
        # What the controls show when the screen opens: the file's values (None: not in it).
        self.initial: dict[str, Any] = {key: self.loaded.file_values.get(key)
                                        for key in self.specs}
        self.initial["api.token"] = None  # the token input starts empty: empty keeps it
        self._original_theme: str | None = None
        self._show_all = False
        self._touched: set[str] = set()
        self.errors: dict[str, str] = {}
        self._saving = 0  # how many keys the last save asked for

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(literal(f"Settings  ·  {self.config_path}  ·  ctrl+s save · esc cancel"),
                     id="settings-hint", markup=False)
        with VerticalScroll(id="settings-body"), Vertical(id="settings-column"):
            yield Static("", id="settings-problems", markup=False)
            section = None
            for key, spec in self.specs.items():
                if spec.section != section:
                    section = spec.section
                    yield Label(literal(SECTION_TITLES.get(section, section.title())),
                                classes="settings-section", markup=False)
                with Horizontal(classes="setting", id=f"row-{widget_id(key)}"):
                    with Vertical(classes="setting--text"):
                        yield Label(literal(key), classes="setting--key", markup=False)
                        yield Static(literal(self._help(spec)), classes="setting--help",
                                     markup=False)
                        env = _ENV_OVERRIDES.get(key)
                        if env and os.environ.get(env, "").strip():
                            yield Static(literal(f"{env} is set and wins over this setting"),
                                         classes="setting--env", markup=False)
                    with Vertical(classes="setting--control"):
                        yield self._control(key, spec)
                        yield FieldProblems(id=f"error-{widget_id(key)}")
        yield Footer()

    def _help(self, spec: KeySpec) -> str:
        text = spec.help
        if spec.secret:
            return f"{text}. Now: {mask_token(self.loaded.config.values.get(spec.key))}"
        if not spec.choices and spec.type is not bool and spec.key != "ui.theme":
            text = f"{text} ({spec.allowed()})"
        return text

    def _blank_label(self, spec: KeySpec) -> str:
        default = spec.default_value()
        return "(unset)" if default is None else f"(default: {_shown(default)})"

    def _control(self, key: str, spec: KeySpec) -> Widget:
        value = self.initial[key]
        wid = widget_id(key)
        if spec.secret:
            return Input("", password=True, id=wid,
                         placeholder="paste a new token to replace it (empty: keep)")
        if key == "ui.theme":
            themes = sorted(self.app.available_themes)
            return Select(select_options(themes, keep=value, keep_note="not installed"),
                          prompt=self._blank_label(spec),
                          value=Select.NULL if value is None else value, id=wid)
        if spec.choices or spec.type is bool:
            options = (select_options(spec.choices, keep=value) if spec.choices
                       else list(TRI_STATE_OPTIONS))
            return Select(options, prompt=self._blank_label(spec),
                          value=Select.NULL if value is None else value, id=wid)
        default = spec.default_value()
        placeholder = "(unset)" if default is None else f"default: {default}"
        return Input(_as_text(value), placeholder=placeholder, id=wid)

    # -- lifecycle ------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._original_theme = self.app.theme
        keys = key_hint(self, {"save": "ctrl+s", "cancel": "esc"})
        self.query_one("#settings-hint", Static).update(literal(
            f"Settings  ·  {self.config_path}  ·  {keys['save']} save · {keys['cancel']} cancel"))
        problems = self.query_one("#settings-problems", Static)
        if self.loaded.problems:
            lead = ("This file cannot be read; saving is off until it is fixed:\n"
                    if self.loaded.broken else "")
            problems.update(literal(lead + "\n".join(self.loaded.problems)))
            problems.add_class("-shown")
            problems.set_class(self.loaded.broken, "-broken")
        self._refresh()

    # -- reading --------------------------------------------------------------------------------

    def read(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Every key's value as typed (None: unset) and the errors of those that don't parse."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for key, spec in self.specs.items():
            widget = self.query_one(f"#{widget_id(key)}")
            if isinstance(widget, Select):
                values[key] = select_value(widget)
                continue
            assert isinstance(widget, Input)
            text = widget.value.strip()
            if not text:
                values[key] = None
                continue
            try:
                values[key] = spec.parse(text)
            except ValueError as exc:
                values[key] = text
                errors[key] = str(exc).removeprefix(f"{key} ")
        return values, errors

    def changes(self) -> dict[str, Any]:
        """The keys whose value differs from the file's (the token only when one was typed)."""
        values, _ = self.read()
        out = {}
        for key, value in values.items():
            if self.specs[key].secret:
                if value is not None:
                    out[key] = value
            elif value != self.initial[key]:
                out[key] = value
        return out

    # -- reacting -------------------------------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    def _setting_changed(self, event: Input.Changed | Select.Changed) -> None:
        key = (event.control.id or "").replace("-", ".", 1)
        if key not in self.specs:
            return
        if key == "ui.theme":
            self._preview_theme()
        self._refresh()

    def _preview_theme(self) -> None:
        """Apply the chosen theme at once (cancel puts the old one back)."""
        if self._original_theme is None:
            return  # not mounted yet
        chosen = select_value(self.query_one(f"#{widget_id('ui.theme')}", Select))
        if chosen == self.initial["ui.theme"]:
            theme = self._original_theme
        else:
            theme = chosen if chosen is not None else KEYS["ui.theme"].default_value()
        if theme in self.app.available_themes and theme != self.app.theme:
            self.app.theme = theme

    def _refresh(self) -> None:
        try:
            values, self.errors = self.read()
        except NoMatches:
            return
        for key, value in values.items():
            if self.specs[key].secret:
                if value is not None:
                    self._touched.add(key)
            elif value != self.initial[key]:
                self._touched.add(key)
        for key in self.specs:
            message = self.errors.get(key)
            shown = message is not None and (self._show_all or key in self._touched)
            self.query_one(f"#error-{widget_id(key)}", FieldProblems).show(
                [(message, False)] if shown and message else [])

    def message_for(self, key: str) -> str:
        """The text shown under `key`'s control ("" when nothing is)."""
        return self.query_one(f"#error-{widget_id(key)}", FieldProblems).text

    # -- actions --------------------------------------------------------------------------------

    def action_save(self) -> None:
        self._show_all = True
        self._refresh()
        if self.errors:
            first = next(k for k in self.specs if k in self.errors)
            self.query_one(f"#{widget_id(first)}").focus()
            count = len(self.errors)
            self.notify(f"{count} setting{'s' if count > 1 else ''} to fix before saving",
                        severity="error", timeout=3)
            return
        changes = self.changes()
        if not changes and not self.loaded.broken:
            self.notify("Nothing changed", timeout=2)
            self.dismiss(False)
            return
        self._saving = len(changes)
        self.post_message(SaveSettings(self, changes))

    def on_settings_saved(self, message: SettingsSaved) -> None:
        if message.error is not None:
            problems = self.query_one("#settings-problems", Static)
            problems.update(literal(f"Not saved: {message.error}"))
            problems.add_class("-shown", "-broken")
            self.notify("Not saved: the config file needs fixing first", severity="error",
                        timeout=4)
            return
        count = self._saving
        self.notify(f"Saved {count} setting{'s' if count > 1 else ''}", timeout=2)
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Leave unsaved; with edits, ask first."""
        changed = len(self.changes())
        if not changed:
            self._leave(True)
            return
        what = f"{changed} setting{'s' if changed > 1 else ''}"
        self.app.push_screen(ConfirmScreen(
            "Leave without saving?", f"{what} changed here and not saved will be dropped.",
            yes="Drop the changes", no="Keep editing"), callback=self._leave)

    def _leave(self, yes: bool | None) -> None:
        if not yes:
            return
        if self._original_theme is not None and self.app.theme != self._original_theme:
            self.app.theme = self._original_theme
        self.dismiss(False)
