"""First run without a token: paste one (checked with one free request, then saved to the
config file), or try the demo (ctrl+d works while the token field has focus)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from ..compat import Footer
from ..actions import bindings
from ..messages import CheckToken, SettingsSaved, TokenRefused

SAVED = "saved"
DEMO = "demo"


class WelcomeScreen(Screen[str]):
    """Dismisses with SAVED once the app has saved the token to the config file, or DEMO."""

    CSS_PATH = "welcome.tcss"
    BINDINGS = bindings("welcome")

    def __init__(self, config_path: Path) -> None:
        super().__init__(id="welcome")
        self.config_path = config_path

    def compose(self) -> ComposeResult:
        with Center():
            with Vertical(id="welcome-box"):
                yield Static(Text("wan-tui", style="bold"), id="welcome-title")
                yield Static(Text(
                    "Generate videos with Alibaba's Wan 2.6 models through the AceData Cloud "
                    "API, from the keyboard."), classes="welcome-text")
                yield Static(Text(
                    "No API token is set. Paste your AceData Cloud token to start; it is saved "
                    "to the config file below (readable only by you) and never shown again."),
                    classes="welcome-text")
                yield Input(placeholder="API token", password=True, id="token")
                yield Static(id="token-error")
                with Horizontal(id="welcome-buttons"):
                    yield Button("Save token and start", variant="primary", id="save")
                    yield Button("Try the demo (offline)", id="demo")
                yield Static(Text(f"Config file: {self.config_path}", style="dim"),
                             classes="welcome-text")
                yield Static(Text(
                    "Or set ACEDATACLOUD_API_TOKEN, or run `wan-tui config set api.token …`.",
                    style="dim"), classes="welcome-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#token", Input).focus()

    @on(Input.Submitted, "#token")
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        token = self.query_one("#token", Input).value.strip()
        error = self.query_one("#token-error", Static)
        if not token:
            error.update(Text("Paste a token first.", style="bold red"))
            return
        error.update(Text("Checking the token with the service…", style="italic"))
        self.post_message(CheckToken(self, token))

    def on_token_refused(self, message: TokenRefused) -> None:
        self.query_one("#token-error", Static).update(Text(message.reason, style="bold red"))

    def on_settings_saved(self, message: SettingsSaved) -> None:
        if message.error is None:
            self.dismiss(SAVED)
        else:  # the message names the file, never the token
            self.query_one("#token-error", Static).update(
                Text(f"Could not save the token: {message.error}", style="bold red"))

    @on(Button.Pressed, "#demo")
    def action_demo(self) -> None:
        self.dismiss(DEMO)
