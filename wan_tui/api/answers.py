"""What an HTTP answer from the service means: the JSON object, or the typed error it is.

Every string taken from an answer (trace id, error code, error message) is made printable,
bounded and scrubbed of the token here, before any error or snapshot holds it.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any, NoReturn

from .errors import (
    CODE_TABLE,
    STATUS_TABLE,
    ApiError,
    BadAnswer,
    RateLimited,
    ServerError,
    SubmissionUnknown,
)
from .sanitize import Scrub, clean_text
from .wire import Answer

MAX_RETRY_AFTER = 300.0  # a server asking for longer is not taken at its word
# Statuses at which a JSON error body from the service proves a submission was refused
# before anything was created (the API reference).
REFUSAL_STATUSES = frozenset({400, 401, 403, 429})


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), within 0..MAX_RETRY_AFTER."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def trace_id(answer: Answer, data: Any, scrub: Scrub) -> str | None:
    """The body's trace id, else the x-trace-id header's; clean."""
    body_trace = data.get("trace_id") if isinstance(data, dict) else None
    return (clean_text(body_trace, scrub, limit=256)
            or clean_text(answer.headers.get("x-trace-id"), scrub, limit=256))


def _error_body(data: Any) -> dict[str, Any] | None:
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else None


def _failed_in_body(data: dict[str, Any]) -> bool:
    """A 2xx answer that is an error object (success false, an error, nothing else useful)."""
    return (data.get("success") is False and _error_body(data) is not None
            and not ("task_id" in data or "id" in data or "items" in data))


def read_object(answer: Answer, scrub: Scrub, *, allow_empty: bool = False) -> dict[str, Any]:
    """The JSON object of a successful answer, or the typed error the answer stands for."""
    data = answer.json()
    status = answer.status
    if not isinstance(data, dict):
        if allow_empty and 200 <= status < 300 and not answer.content.strip():
            return {}
        kind = "an empty answer" if not answer.content else "an answer that is not JSON"
        trace = trace_id(answer, None, scrub)
        if status >= 500:
            raise ServerError(f"the service or a proxy failed and sent {kind}",
                              status=status, trace_id=trace)
        if status >= 400:
            raise_status(answer, {}, scrub)
        raise BadAnswer(f"the service sent {kind}", status=status, trace_id=trace)
    if status >= 400 or _failed_in_body(data):
        raise_status(answer, data, scrub)
    return data


def raise_status(answer: Answer, data: dict[str, Any], scrub: Scrub) -> NoReturn:
    """The typed error for an error answer: its code decides, else its HTTP status."""
    error = _error_body(data) or {}
    code = clean_text(error.get("code"), scrub, limit=100)
    server_message = clean_text(error.get("message"), scrub, limit=2000)
    status = answer.status
    if code not in CODE_TABLE:
        code = STATUS_TABLE.get(status) or ("api_error" if status >= 500 else code)
    cls, message = CODE_TABLE.get(code or "", (ApiError, "the service refused the call"))
    trace = trace_id(answer, data, scrub)
    if cls is RateLimited:
        raise RateLimited(message, retry_after=parse_retry_after(answer.headers.get("retry-after")),
                          status=status, code=code, trace_id=trace, server_message=server_message)
    raise cls(message, status=status, code=code, trace_id=trace, server_message=server_message)


def read_ack(answer: Answer, scrub: Scrub) -> dict[str, Any]:
    """A submission's answer: the acknowledgement object, ApiError only when the answer proves
    a refusal (nothing created), SubmissionUnknown for anything else that is not a task id."""
    data = answer.json()
    status = answer.status
    trace = trace_id(answer, data, scrub)
    if isinstance(data, dict) and _error_body(data) is not None:
        if status in REFUSAL_STATUSES:
            raise_status(answer, data, scrub)
        if 200 <= status < 300 and _failed_in_body(data):
            try:
                raise_status(answer, data, scrub)
            except ServerError as error:  # "the service failed": it may have made the task
                raise _unknown("the service reported a failure", answer, trace, error) from None
    if not isinstance(data, dict):
        kind = "an empty answer" if not answer.content else "an answer that is not JSON"
        raise _unknown(f"the submission got {kind}", answer, trace)
    if status >= 300:
        raise _unknown("the submission's answer was an error that does not prove a refusal",
                       answer, trace, server_message=_message(data, scrub))
    return data


def _message(data: dict[str, Any], scrub: Scrub) -> str | None:
    error = _error_body(data) or {}
    return clean_text(error.get("message"), scrub, limit=2000)


def _unknown(what: str, answer: Answer, trace: str | None, cause: ApiError | None = None,
             server_message: str | None = None) -> SubmissionUnknown:
    return SubmissionUnknown(
        what,
        status=answer.status,
        trace_id=trace,
        server_message=server_message or (cause.server_message if cause else None),
    )
