"""The async client for the Wan API: one shared httpx.AsyncClient, typed errors, polite retries.

Reads (`/wan/tasks`) are retried with exponential backoff and jitter; a submission
(`/wan/videos`) never is, because there is no idempotency key: a resend could bill twice.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from .errors import (
    CODE_TABLE,
    STATUS_TABLE,
    ApiError,
    AuthError,
    BadAnswer,
    RateLimited,
    ServerError,
    SubmissionUnknown,
    TransportError,
    WanError,
)
from .models import GenerationRequest
from .state import TaskSnapshot, read_task
from .text import printable

DEFAULT_BASE_URL = "https://api.acedata.cloud"
BATCH_LIMIT = 50  # ids per retrieve_batch, as the vendor recommends
USER_AGENT = "wan-tui"

# httpx errors raised before any byte of the request left: a submission that hit one of
# these surely created nothing.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol,
             httpx.LocalProtocolError, UnicodeError)
MAX_RETRY_AFTER = 300.0  # a server asking for longer is not taken at its word


@dataclass(frozen=True)
class Ack:
    """The service's acknowledgement of an asynchronous submission."""

    task_id: str
    trace_id: str | None = None


@dataclass
class RetryPolicy:
    """Backoff for reads: about 1, 2, 4, 8, 16 s with jitter, honouring Retry-After."""

    attempts: int = 6  # tries in all, the first included
    base: float = 1.0
    cap: float = 16.0
    jitter: float = 0.25  # +/- this fraction
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `retry` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), MAX_RETRY_AFTER)
        delay = min(self.cap, self.base * 2 ** (retry - 1))
        return delay * random.uniform(1 - self.jitter, 1 + self.jitter)


def is_retryable(error: WanError) -> bool:
    """Reads retry timeouts, connection trouble, 429, 5xx and unparsable answers."""
    return isinstance(error, TransportError | RateLimited | ServerError)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), within 0..MAX_RETRY_AFTER."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


class WanClient:
    """Speaks the Wan API. Use as `async with WanClient(...) as client:`."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        token: str = "",
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.retry = retry or RetryPolicy()
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=10.0),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        )

    async def __aenter__(self) -> WanClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    # -- public calls ------------------------------------------------------------------------

    async def submit(self, request: GenerationRequest) -> Ack:
        """Create a generation (always asynchronous). Never retried.

        Raises InvalidRequest before sending anything, ApiError when the service refused
        (nothing was created), TransportError when nothing could be sent, and
        SubmissionUnknown when the request may have reached the service but no answer came.
        """
        body = request.to_body()
        try:
            response = await self._send("/wan/videos", body)
        except TransportError as error:
            if isinstance(error.__cause__, _NOT_SENT):
                raise
            raise SubmissionUnknown(
                f"the submission's answer never arrived ({error.message})",
                trace_id=error.trace_id,
            ) from error
        try:
            data = self._read(response)
        except (BadAnswer, ServerError) as error:
            if isinstance(error, ServerError) and error.status == 500 and not isinstance(
                error, BadAnswer
            ):
                raise  # the service itself answered that it failed: nothing was made
            # A proxy's page or a gateway timeout: the service may have made the task.
            raise SubmissionUnknown(
                f"the submission got no readable answer ({error.message})",
                status=error.status,
                trace_id=error.trace_id,
            ) from error
        task_id = data.get("task_id") or data.get("id")
        if not isinstance(task_id, str) or not task_id:
            raise SubmissionUnknown(
                "the service answered without a task id",
                status=response.status_code,
                trace_id=self._trace_id(response, data),
            )
        trace_id = self._trace_id(response, data)
        return Ack(task_id=printable(task_id), trace_id=printable(trace_id) if trace_id else None)

    async def retrieve(self, task_id: str, *, retry: bool = True) -> TaskSnapshot:
        data = await self._read_call(
            "/wan/tasks", {"action": "retrieve", "id": task_id}, retry=retry
        )
        return read_task(data, task_id=task_id)

    async def fetch_batch(self, ids: Sequence[str], *, retry: bool = True) -> dict[str, TaskSnapshot]:
        """One retrieve_batch request for at most BATCH_LIMIT ids. Unknown ids are absent."""
        if len(ids) > BATCH_LIMIT:
            raise ValueError(f"at most {BATCH_LIMIT} ids per request (got {len(ids)})")
        data = await self._read_call(
            "/wan/tasks", {"action": "retrieve_batch", "ids": list(ids)}, retry=retry
        )
        wanted = set(ids)
        return {
            snap.task_id: snap
            for snap in (read_task(item) for item in _items(data))
            if snap.task_id in wanted
        }

    async def retrieve_batch(self, ids: Iterable[str]) -> dict[str, TaskSnapshot]:
        """Any number of ids, split into requests of at most BATCH_LIMIT, one after another."""
        unique = list(dict.fromkeys(ids))
        found: dict[str, TaskSnapshot] = {}
        for start in range(0, len(unique), BATCH_LIMIT):
            found.update(await self.fetch_batch(unique[start : start + BATCH_LIMIT]))
        return found

    async def list_tasks(
        self,
        *,
        limit: int = 50,
        offset: int = 0,
        created_at_min: float | None = None,
        created_at_max: float | None = None,
        retry: bool = True,
    ) -> list[TaskSnapshot]:
        """The account's tasks, newest first (the vendor's web client's listing)."""
        body: dict[str, Any] = {"action": "retrieve_batch", "limit": limit, "offset": offset}
        if created_at_min is not None:
            body["created_at_min"] = created_at_min
        if created_at_max is not None:
            body["created_at_max"] = created_at_max
        data = await self._read_call("/wan/tasks", body, retry=retry)
        return [read_task(item) for item in _items(data)]

    # -- plumbing ----------------------------------------------------------------------------

    async def _read_call(self, path: str, body: dict[str, Any], *, retry: bool) -> dict[str, Any]:
        """POST a read, retrying what is worth retrying."""
        attempts = self.retry.attempts if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                return self._read(await self._send(path, body))
            except WanError as error:
                if attempt == attempts or not is_retryable(error):
                    raise
                retry_after = error.retry_after if isinstance(error, RateLimited) else None
                await self.retry.sleep(self.retry.delay(attempt, retry_after))
        raise AssertionError("unreachable")

    async def _send(self, path: str, body: dict[str, Any]) -> httpx.Response:
        if not self._token:
            raise AuthError("no API token is set", code="no_token")
        headers = {
            "accept": "application/json",
            "content-type": "application/json",
            "authorization": f"Bearer {self._token}",
            "user-agent": USER_AGENT,
        }
        try:
            return await self._http.post(self.base_url + path, json=body, headers=headers)
        except httpx.TimeoutException as error:
            raise TransportError(f"no answer from {self.base_url} in time") from error
        except httpx.TransportError as error:
            reason = type(error).__name__
            raise TransportError(f"could not talk to {self.base_url} ({reason})") from error
        except UnicodeError as error:  # raised while building headers: nothing left
            raise TransportError("the token has characters an HTTP header cannot carry; "
                                 "check it (nothing was sent)") from error

    def _read(self, response: httpx.Response) -> dict[str, Any]:
        """The JSON object of a successful answer, or the typed error it stands for."""
        header_trace = response.headers.get("x-trace-id")
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            kind = "an empty answer" if not response.content else "an answer that is not JSON"
            if response.status_code >= 500:
                raise ServerError(
                    f"the service or a proxy failed and sent {kind}",
                    status=response.status_code,
                    trace_id=header_trace,
                )
            if response.status_code >= 400:
                self._raise_status(response, {}, header_trace)
            raise BadAnswer(f"the service sent {kind}", status=response.status_code,
                            trace_id=header_trace)
        failed = data.get("success") is False and isinstance(data.get("error"), dict) and not (
            "task_id" in data or "id" in data or "items" in data
        )
        if response.status_code >= 400 or failed:
            self._raise_status(response, data, self._trace_id(response, data))
        return data

    def _raise_status(
        self, response: httpx.Response, data: dict[str, Any], trace_id: str | None
    ) -> None:
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        code = error.get("code") if isinstance(error.get("code"), str) else None
        server_message = self._scrub(error.get("message")) if error else None
        status = response.status_code
        if code not in CODE_TABLE:
            code = STATUS_TABLE.get(status) or ("api_error" if status >= 500 else code)
        cls, message = CODE_TABLE.get(code or "", (ApiError, "the service refused the call"))
        kwargs: dict[str, Any] = dict(
            status=status, code=code, trace_id=trace_id, server_message=server_message
        )
        if cls is RateLimited:
            raise RateLimited(
                message, retry_after=parse_retry_after(response.headers.get("retry-after")), **kwargs
            )
        raise cls(message, **kwargs)

    def _scrub(self, text: Any) -> str | None:
        """Server text is shown to people and logged: never let it carry our token."""
        if not isinstance(text, str) or not text:
            return None
        return text.replace(self._token, "***") if self._token else text

    @staticmethod
    def _trace_id(response: httpx.Response, data: dict[str, Any]) -> str | None:
        trace = data.get("trace_id")
        return trace if isinstance(trace, str) and trace else response.headers.get("x-trace-id")


def _items(data: dict[str, Any]) -> list[dict[str, Any]]:
    items = data.get("items")
    if items is None and "id" in data:
        return [data]  # a single task where a batch was expected
    if not isinstance(items, list):
        raise BadAnswer("the task list answer has no items")
    return [item for item in items if isinstance(item, dict)]
