"""What the configuration decides for a session: the connection, the pacing, and the
request a user typed completed over the config's defaults (one definition for the CLI, the
forms and batch files)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .api.models import GenerationRequest
from .api.specs import models_for, spec_of
from .store.config import Config
from .tracking import Pacing


@dataclass(frozen=True)
class Connection:
    """Where to send requests and with which token (already resolved by precedence)."""

    base_url: str
    token: str


def pacing_from(config: Config) -> Pacing:
    """The tracker's pacing as the config sets it."""
    polling = config.polling
    return Pacing(max_requests_per_second=polling.max_requests_per_second,
                  first_poll=polling.first_poll_seconds, interval=polling.interval_seconds,
                  max_in_flight=polling.max_in_flight)


def request_over_defaults(config: Config, action: str, prompt: str = "",
                          typed: Mapping[str, Any] | None = None) -> GenerationRequest:
    """The request the user typed, over the config's defaults.

    A typed value always wins. A default that does not fit the typed request (a shot type
    default while prompt rewriting is off, a size of another resolution, a text model for
    image-to-video) is left out rather than turned into an error the user never typed.
    """
    chosen = {k: v for k, v in (typed or {}).items() if v is not None and v != []}
    if "model" not in chosen:
        model = config.defaults.get("model")
        fitting = models_for(action)
        chosen["model"] = model if model in fitting else (fitting[0] if fitting else model)
    spec = spec_of(chosen["model"])
    if spec is not None and spec.does(action) and not spec.default_action:
        action = ""  # Wan 3 picks its mode from `media`; the vendor's examples send no action
    request = GenerationRequest(action=action, prompt=prompt, **chosen)
    for name, value in config.defaults.items():
        if name in chosen:
            continue
        trial = GenerationRequest(**{**request.to_dict(), name: value})
        if not any(p.field == name for p in trial.errors()):
            request = trial
    return request
