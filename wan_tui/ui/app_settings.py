"""The app's side of the configuration and of the form drafts: theme, keymap (checked against
the registry of actions), config problems, saving what the screens ask for, applying a
reloaded file (reconnecting when the token or address changed), and the drafts kept in the
data folder. Every write goes through the session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.theme import Theme
from textual.timer import Timer

from wan_tui.session import Connection, Session
from wan_tui.store.config import ConfigError

from .actions import keymap_problems
from .app_work import WorkWiring
from .drafts import Draft, drafts_from_json, drafts_to_json
from .messages import SaveSettings, SettingsSaved

if TYPE_CHECKING:
    from .screens.generation_form import GenerationForm

DRAFTS_SAVE_SECONDS = 1.0  # drafts are written at most this often while typing


def save_and_reply(session: Session, message: SaveSettings) -> None:
    """A screen asked to save: the session writes, the screen hears how it went."""
    try:
        session.save_settings(message.values)
    except (ConfigError, OSError) as error:
        message.screen.post_message(SettingsSaved(str(error)))
    else:
        message.screen.post_message(SettingsSaved())


class SettingsWiring(WorkWiring):
    """The configuration half of WanApp (which sets `session`, `connection`, ...)."""

    connection: Connection | None
    cli_base_url: str | None
    demo: bool

    def init_settings(self) -> None:
        self.drafts: dict[str, Draft] = {}
        self._drafts_timer: Timer | None = None
        self._apply_theme(self.session.config.ui.theme, announce=False)

    def mount_settings(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._apply_keymap()
        loaded = self.session.loaded
        for problem in loaded.problems:
            if "api.token" in problem:  # never echo what was written there
                problem = f"{loaded.path}: api.token is not valid; it is ignored"
            self.notify(problem, title="Config", severity="warning", timeout=12, markup=False)

    def _apply_keymap(self) -> None:
        keymap = dict(self.session.config.keymap)
        problems = keymap_problems(keymap)
        for problem in problems:
            self.notify(f"{self.session.loaded.path}: {problem} (not applied)", title="Keys",
                        severity="warning", timeout=12, markup=False)
        # An entry with a problem is left out: a key never silently takes over another action.
        self.set_keymap({k: v for k, v in keymap.items()
                         if not any(p.startswith(f"keymap.{k}:") for p in problems)})

    def _apply_theme(self, name: str, announce: bool = True) -> None:
        if name == self.theme:
            return
        if self.get_theme(name) is None:
            if announce:
                self.notify(f"Unknown theme {name!r}; keeping {self.theme}.", severity="warning",
                            markup=False)
            return
        self.theme = name

    def _theme_changed(self, theme: Theme) -> None:
        loaded = self.session.loaded
        if theme.name != loaded.config.ui.theme and not loaded.broken:
            # A theme picked in the palette is remembered, like one picked in settings.
            try:
                self.session.save_settings({"ui.theme": theme.name})
            except (ConfigError, OSError) as error:
                self.notify(f"Theme not saved: {error}", severity="warning", markup=False)

    def on_save_settings(self, message: SaveSettings) -> None:
        save_and_reply(self.session, message)

    def reload_config(self) -> None:
        """Read the config file again and apply theme, keymap, polling and connection."""
        loaded = self.session.reload_config()
        for problem in loaded.problems:
            if "api.token" not in problem:
                self.notify(problem, title="Config", severity="warning", markup=False)
        self._apply_theme(loaded.config.ui.theme)
        self._apply_keymap()
        if self.session.connected and not self.demo and self.connection is not None:
            settings = self.session.settings(cli_base_url=self.cli_base_url)
            new_connection = Connection(settings.base_url, settings.token or "")
            if settings.token and new_connection != self.connection:
                self._reconnect_when_idle(new_connection)

    def _reconnect_when_idle(self, connection: Connection) -> None:
        if self.sending():
            self.notify("The new token or address applies once the submissions being sent "
                        "are answered; reopen wan-tui then.", severity="warning")
            return
        self.run_worker(self.reconnect(connection), name="reconnect", group="core",
                        exit_on_error=False)

    async def reconnect(self, connection: Connection) -> None:
        raise NotImplementedError

    # -- drafts --------------------------------------------------------------------------

    def load_drafts(self) -> None:
        data, notice = self.session.read_drafts()
        self.drafts = drafts_from_json(data)
        if notice:
            self.notify(notice, title="Drafts", severity="warning", timeout=12, markup=False)

    def on_generation_form_draft_changed(self, message: GenerationForm.DraftChanged) -> None:
        if message.draft is None:
            self.drafts.pop(message.action, None)
        else:
            self.drafts[message.action] = message.draft
        if self._drafts_timer is None:
            self._drafts_timer = self.set_timer(DRAFTS_SAVE_SECONDS, self.save_drafts)

    def save_drafts(self) -> None:
        if self._drafts_timer is not None:
            self._drafts_timer.stop()
            self._drafts_timer = None
        try:
            self.session.write_drafts(drafts_to_json(self.drafts))
        except (OSError, RuntimeError) as error:  # RuntimeError: the history is closed
            self.notify(f"Drafts not saved: {error}", severity="warning", markup=False)

