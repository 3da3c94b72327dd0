"""Typed errors for everything the Wan API (or the road to it) can answer.

Every error carries a message a person can act on, the HTTP status and the trace id, which
support needs. Messages never contain the API token (the client scrubs server text).

Three texts are kept apart: `message` (ours, what happened), `server_message` (the service's
own words, when it said any) and `hint` (what to do). `str()` joins them for people;
`to_json()` keeps them apart for machines.
"""

from __future__ import annotations

from .text import printable

TOKEN_HELP = "set one with `wan-tui config set api.token TOKEN`, --token or ACEDATACLOUD_API_TOKEN"


class WanError(Exception):
    """Base of every error the core raises about the service."""

    code: str = "error"
    hint: str = ""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        trace_id: str | None = None,
        server_message: str | None = None,
        hint: str | None = None,
    ) -> None:
        # The code, trace id and message may come from the service: shown, so made printable
        # and bounded (a 4 MB error message is not a message).
        self.message = message
        self.status = status
        if code:
            self.code = _bounded(code, 100)
        if hint is not None:
            self.hint = hint
        self.trace_id = _bounded(trace_id, 256) if trace_id else None
        self.server_message = _bounded(server_message, 2000) if server_message else None
        super().__init__(str(self))

    def __str__(self) -> str:
        text = self.message
        if self.server_message and self.server_message not in text:
            text += f" (service said: {self.server_message})"
        if self.hint:
            text += f": {self.hint}"
        details = []
        if self.status is not None:
            details.append(f"HTTP {self.status}")
        if self.code and self.code != "error":
            details.append(f"code {self.code}")
        if self.trace_id:
            details.append(f"trace id {self.trace_id}")
        return f"{text} [{', '.join(details)}]" if details else text

    def to_json(self) -> dict[str, object]:
        """{code, message (the service's own, else ours), hint, status, trace_id}."""
        return {
            "code": self.code,
            "message": self.server_message or self.message,
            "hint": self.hint or None,
            "status": self.status,
            "trace_id": self.trace_id,
        }


def _bounded(text: str, limit: int) -> str:
    text = printable(text[: limit * 4])
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ApiError(WanError):
    """The service answered and refused."""


class BadRequest(ApiError):
    code = "bad_request"


class AuthError(ApiError):
    hint = TOKEN_HELP


class BadToken(AuthError):
    """A token we will not send (too long, or characters no header carries): nothing sent."""

    code = "bad_token"


class NotAvailable(ApiError):
    code = "api_not_implemented"


class Refused(ApiError):
    """Refused by content moderation."""

    code = "forbidden"
    hint = "change the prompt or images and try again (refused tasks are not billed)"


class AccountError(ApiError):
    hint = "check your balance and account at AceData Cloud"


class RateLimited(ApiError):
    code = "too_many_requests"
    hint = "slow down; wan-tui waits before polling again"

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)  # type: ignore[arg-type]


class ServerError(ApiError):
    """The service (or a proxy in front of it) failed; reads are retried."""

    code = "api_error"


class ServiceTimeout(ServerError):
    code = "timeout"


class TransportError(WanError):
    """No usable answer: connection refused or dropped, timeout, or an answer that is not JSON."""

    code = "transport"


class NotSent(TransportError):
    """The request never left: connection refused, no such host, a URL that is not one.

    A submission that ends so surely created nothing.
    """

    code = "not_sent"


class NoAnswerInTime(TransportError):
    """The whole exchange (connect, headers, body) outlasted the client's deadline."""

    code = "no_answer_in_time"


class BadAnswer(TransportError):
    """The answer came but could not be read (HTML from a proxy, empty body, odd JSON)."""

    code = "bad_answer"


class AnswerTooLarge(BadAnswer):
    """The answer was bigger than any real answer is; it was not read to its end."""

    code = "answer_too_large"


class DownloadFailed(WanError):
    """A file (a video) could not be fetched from its host."""

    code = "download_failed"


class SubmissionUnknown(WanError):
    """A submission whose answer never arrived: the task may or may not exist (and be billed).

    Never resent automatically; the user decides.
    """

    code = "unknown"
    hint = ("it was not resent, because the service may have created (and billed) it; "
            "check `wan-tui history --state unknown` before submitting again")


# code -> (error class, message a person can act on)
CODE_TABLE: dict[str, tuple[type[ApiError], str]] = {
    "bad_request": (BadRequest, "the service refused a parameter"),
    "no_token": (AuthError, "no API token was sent"),
    "token_mismatched": (AuthError, "the token is not for the Wan API"),
    "invalid_token": (AuthError, "the API token is wrong"),
    "token_expired": (AuthError, "the API token has expired"),
    "api_not_implemented": (NotAvailable, "this API or model is not available"),
    "forbidden": (Refused, "refused by content moderation"),
    "used_up": (AccountError, "the account balance is used up"),
    "disabled": (AccountError, "the account or app is disabled"),
    "too_many_requests": (RateLimited, "too many requests"),
    "rate_limited": (RateLimited, "too many requests"),
    "api_error": (ServerError, "the service failed"),
    "timeout": (ServiceTimeout, "the service timed out"),
}

# When the body has no (known) code, the HTTP status decides.
STATUS_TABLE: dict[int, str] = {
    400: "bad_request",
    401: "invalid_token",
    403: "forbidden",
    429: "too_many_requests",
    504: "timeout",
}
