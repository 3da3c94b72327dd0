"""The first run: the welcome screen's answer, and a pasted token checked with one free
request before it is saved (a refused one keeps the user there, with the reason)."""

from __future__ import annotations

from wan_tui.api.errors import ApiError, BadToken, WanError
from wan_tui.session import Connection

from .app_board import BoardWiring
from .app_settings import save_and_reply
from .messages import CheckToken, SaveSettings, TokenRefused
from .screens.welcome import DEMO, SAVED, WelcomeScreen

DEMO_REQUESTED = "demo"  # the app's result when the welcome screen's demo button was pressed


class WelcomeWiring(BoardWiring):
    """The welcome part of WanApp (which sets `cli_base_url` and starts the board)."""

    cli_base_url: str | None

    async def _start(self, connection: Connection) -> None:
        raise NotImplementedError  # WanApp's

    def _welcome_done(self, result: str | None) -> None:
        if result == DEMO:
            self.exit(DEMO_REQUESTED)
        elif result == SAVED:
            self.reload_config()
            settings = self.session.settings(cli_base_url=self.cli_base_url)
            if settings.token:
                self.notify("Token saved. Welcome!", markup=False)
                self.call_later(self._start, Connection(settings.base_url, settings.token))
            else:
                self.push_screen(WelcomeScreen(self.session.loaded.path),
                                 callback=self._welcome_done)

    def on_check_token(self, message: CheckToken) -> None:
        """Try the pasted token with one free request; save it only when it works."""
        base_url = self.session.settings(cli_base_url=self.cli_base_url).base_url

        async def check() -> None:
            try:
                await self.session.verify(Connection(base_url, message.token))
            except WanError as error:
                await self.session.disconnect()
                what = ("This token cannot be used" if isinstance(error, BadToken)
                        else "The service refused this token" if isinstance(error, ApiError)
                        else "Could not check the token with the service")
                reason = error.message + (f" ({error.server_message})"
                                          if error.server_message else "")
                message.screen.post_message(TokenRefused(f"{what}: {reason}"))
                return
            save_and_reply(self.session, SaveSettings(message.screen, {"api.token": message.token}))

        self.run_worker(check(), name="check-token", group="core", exit_on_error=False)

