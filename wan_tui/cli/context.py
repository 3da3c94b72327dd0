"""What every CLI command shares: parsed arguments, output, configuration and the session."""

from __future__ import annotations

import argparse
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import Any

from ..api.errors import TOKEN_HELP, WanError
from ..api.models import GenerationRequest, InvalidRequest, Problem
from ..session import (
    Connection,
    Pacing,
    Session,
    open_session,
    pacing_from,
    parse_listen,
    request_over_defaults,
)
from ..store.config import LoadedConfig, Settings, load_config, resolve_settings
from ..store.config_keys import KEYS
from .output import Output


class UsageError(Exception):
    """Input the command cannot use: exit 2, nothing was sent."""

    code = "usage"
    problems: list[Problem] = []


class RequestRefused(UsageError):
    """A generation request that breaks the API's rules, each problem naming its field."""

    code = "invalid_request"

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass
class CliContext:
    args: argparse.Namespace
    out: Output
    said_retrying: bool = False

    @cached_property
    def loaded(self) -> LoadedConfig:
        loaded = load_config()
        for problem in loaded.problems:
            self.out.warn(problem)
        return loaded

    def settings(self) -> Settings:
        """The connection settings in effect; a token no header can carry is refused here,
        whichever source it came from (the config file's is already checked on loading)."""
        settings = resolve_settings(
            self.loaded,
            cli_token=getattr(self.args, "token", None),
            cli_base_url=getattr(self.args, "base_url", None),
        )
        problem = KEYS["api.token"].problem(settings.token) if settings.token else None
        if problem:  # never repeat the token itself
            raise UsageError(f"the API token from {settings.token_source} {problem}; "
                             "nothing was sent")
        return settings

    def connection(self) -> Connection:
        settings = self.settings()
        if not settings.token:
            raise UsageError(f"no API token: {TOKEN_HELP}")
        return Connection(base_url=settings.base_url, token=settings.token)

    def pacing(self, **overrides: Any) -> Pacing:
        pacing = pacing_from(self.loaded.config)
        return replace(pacing, **{k: v for k, v in overrides.items() if v is not None})

    def session(self, *, poll: bool = True,
                **pacing: Any) -> AbstractAsyncContextManager[Session]:
        """A connected session for a command that talks to the service."""
        polling = self.loaded.config.polling
        listen = getattr(self.args, "callback_listen", None) or polling.callback_listen
        public = getattr(self.args, "callback_public_url", None) or polling.callback_public_url
        if listen:
            try:
                parse_listen(listen)
            except ValueError as error:
                raise UsageError(str(error)) from None
        return open_session(self.loaded, self.connection(), pacing=self.pacing(**pacing),
                            poll=poll, callback_listen=listen if poll else None,
                            callback_public_url=public, on_retry=self._retrying)

    def _retrying(self, error: WanError, delay: float) -> None:
        """The first retry says so: a service that cannot be reached is asked again for ~30 s
        (waits of 1, 2, 4, 8 and 16 s) before the command gives up, silent until then."""
        if not self.said_retrying:
            self.said_retrying = True
            self.out.warn(f"{error.message}; trying again for up to ~30 s (Ctrl-C stops)")

    def offline(self) -> Session:
        """A session for the history and settings only: nothing is sent."""
        return Session(self.loaded)

    def request(self, action: str, prompt: str, typed: dict[str, Any]) -> GenerationRequest:
        return request_over_defaults(self.loaded.config, action, prompt, typed)


def request_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The generation fields present on the command line, by GenerationRequest name."""
    names = {f.name for f in fields(GenerationRequest)} - {"action", "prompt"}
    return {name: getattr(args, name) for name in names if hasattr(args, name)}


def check_request(request: GenerationRequest, out: Output, where: str = "") -> None:
    """Warn about warnings; raise UsageError listing every error (nothing is sent)."""
    for problem in request.warnings():
        out.warn(f"{where}{problem}")
    errors = request.errors()
    if errors:
        raise RequestRefused(_problem_lines(errors, where), errors)


def _problem_lines(problems: list[Problem], where: str) -> str:
    lines = [f"{where}{p}" for p in problems]
    return "invalid request, nothing was sent:\n  " + "\n  ".join(lines)


def invalid(error: InvalidRequest, where: str = "") -> RequestRefused:
    return RequestRefused(_problem_lines(error.problems, where), error.problems)
