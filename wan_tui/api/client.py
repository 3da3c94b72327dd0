"""The async client for the Wan API: one shared httpx.AsyncClient, typed errors, polite retries.

Reads (`/wan/tasks`) are retried with exponential backoff and jitter; a submission
(`/wan/videos`) never is, because there is no idempotency key: a resend could bill twice.
Every exchange has one deadline and a size cap (`wire.exchange`), and every string the
service sends passes the token scrubber before a snapshot or an error holds it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

from .answers import MAX_RETRY_AFTER, parse_retry_after, read_ack, read_object, trace_id
from .download import Downloaded, Progress, stream_download
from .service import DEFAULT_BASE_URL
from .errors import (
    AuthError,
    BadAnswer,
    BadToken,
    NotSent,
    RateLimited,
    ServerError,
    SubmissionUnknown,
    TransportError,
    WanError,
)
from .models import GenerationRequest
from .sanitize import clean_id
from .task import TaskSnapshot, read_task
from .token import Scrubber, token_problem
from .wire import MAX_ANSWER_BYTES, Answer, exchange

if TYPE_CHECKING:
    import httpx  # imported where used: ~20 ms the app's first frame does not wait for

BATCH_LIMIT = 50  # ids per retrieve_batch, as the vendor recommends
USER_AGENT = "wan-tui"
DEFAULT_TIMEOUT = 30.0  # seconds for one whole exchange: connect, headers and body

__all__ = ["BATCH_LIMIT", "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "MAX_RETRY_AFTER", "Ack",
           "Downloaded", "RetryPolicy", "WanClient", "is_retryable", "parse_retry_after"]


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
    # told of each retry (the error, the wait before it): a command can say it is retrying
    on_retry: Callable[[WanError, float], None] | None = field(default=None, repr=False)

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `retry` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), MAX_RETRY_AFTER)
        delay = min(self.cap, self.base * 2.0 ** (retry - 1))
        return delay * random.uniform(1 - self.jitter, 1 + self.jitter)


def is_retryable(error: WanError) -> bool:
    """Reads retry timeouts, connection trouble, 429, 5xx and unparsable answers."""
    return isinstance(error, TransportError | RateLimited | ServerError)


http_log = logging.getLogger("wan_tui.http")  # `wan-tui --verbose` shows it on stderr


class WanClient:
    """Speaks the Wan API. Use as `async with WanClient(...) as client:`."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        token: str = "",
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.AsyncClient | None = None,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.max_answer_bytes = max_answer_bytes
        self.retry = retry or RetryPolicy()
        # Hides the token in any text the service sends back; callers may use it too
        # (the callback receiver's payloads, for instance).
        self.scrub = Scrubber(token)
        self._own_http = http is None
        self._given_http = http
        self._downloads: httpx.AsyncClient | None = None

    @functools.cached_property
    def _http(self) -> httpx.AsyncClient:
        # Made at the first request: building its TLS context takes a tenth of a second,
        # which the app's first frame should not wait for.
        import httpx

        return self._given_http or httpx.AsyncClient(
            # The connect timeout is shorter than the deadline, so a connection never made
            # is told apart ("not sent") from an answer that never came ("unknown").
            timeout=httpx.Timeout(self.timeout, connect=min(10.0, self.timeout / 2)),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        )

    async def __aenter__(self) -> WanClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_http and "_http" in self.__dict__:  # made only if a request was
            await self._http.aclose()
        if self._downloads is not None:
            await self._downloads.aclose()

    # -- public calls ------------------------------------------------------------------------

    async def submit(self, request: GenerationRequest) -> Ack:
        """Create a generation (always asynchronous). Never retried.

        Raises InvalidRequest before sending anything; NotSent or AuthError (no or bad token)
        when nothing left this machine; ApiError when the service's JSON answer proves it
        refused (nothing was created); SubmissionUnknown for anything else without a task id
        (a timeout, a dropped connection, a proxy's page, a 5xx).
        """
        body = request.to_body()
        try:
            answer = await self._post("/wan/videos", body)
        except (NotSent, AuthError):
            raise
        except TransportError as error:
            raise SubmissionUnknown(
                f"the submission's answer never arrived ({error.message})",
                status=error.status, trace_id=error.trace_id,
            ) from error
        data = read_ack(answer, self.scrub)
        task_id = clean_id(data.get("task_id"), self.scrub) or clean_id(data.get("id"), self.scrub)
        trace = trace_id(answer, data, self.scrub)
        if task_id is None:
            raise SubmissionUnknown("the service answered without a task id",
                                    status=answer.status, trace_id=trace)
        return Ack(task_id=task_id, trace_id=trace)

    async def retrieve(self, task_id: str, *, retry: bool = True) -> TaskSnapshot:
        data = await self._read_call({"action": "retrieve", "id": task_id}, retry=retry)
        return read_task(data, task_id=task_id, scrub=self.scrub)

    async def fetch_batch(self, ids: Sequence[str], *, retry: bool = True) -> dict[str, TaskSnapshot]:
        """One retrieve_batch request for at most BATCH_LIMIT ids. Unknown ids are absent;
        an item that is not a task (not an object, no id, an id we did not ask for) is skipped."""
        if len(ids) > BATCH_LIMIT:
            raise ValueError(f"at most {BATCH_LIMIT} ids per request (got {len(ids)})")
        data = await self._read_call({"action": "retrieve_batch", "ids": list(ids)}, retry=retry)
        wanted = set(ids)
        return {snap.task_id: snap for snap in self._tasks(data) if snap.task_id in wanted}

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
        """The account's video tasks, newest first (the vendor's web client's listing).

        Items that are not tasks are skipped. A service that refuses listing raises its
        ApiError (BadRequest, usually).
        """
        if limit < 1 or offset < 0:
            raise ValueError("limit must be at least 1 and offset at least 0")
        body: dict[str, Any] = {"action": "retrieve_batch", "type": "videos",
                                "limit": int(limit), "offset": int(offset)}
        for name, value in (("created_at_min", created_at_min), ("created_at_max", created_at_max)):
            if value is not None:
                if not math.isfinite(value):
                    raise ValueError(f"{name} must be a finite number of seconds")
                body[name] = value
        data = await self._read_call(body, retry=retry)
        return self._tasks(data)

    async def delete(self, task_id: str, *, retry: bool = True) -> None:
        """Remove the task's record on the service (not the video on its CDN). Irreversible:
        ask the user first. Deleting is idempotent, so faults are retried like reads; an id the
        service does not know raises BadRequest."""
        await self._read_call({"action": "delete", "id": task_id}, retry=retry, allow_empty=True)

    async def stream_download(
        self,
        url: str,
        dest: BinaryIO,
        *,
        offset: int = 0,
        progress: Progress | None = None,
        max_bytes: int | None = None,
    ) -> Downloaded:
        """Fetch `url` (a video on its host) into `dest`, resuming at `offset` when the host
        allows it. The token is never sent: the video host gets a client of its own."""
        if self._downloads is None:
            import httpx

            self._downloads = httpx.AsyncClient(
                follow_redirects=True, timeout=httpx.Timeout(60.0, connect=10.0))
        return await stream_download(self._downloads, url, dest, offset=offset,
                                     progress=progress, max_bytes=max_bytes)

    # -- plumbing ----------------------------------------------------------------------------

    def _tasks(self, data: dict[str, Any]) -> list[TaskSnapshot]:
        snaps = (read_task(item, scrub=self.scrub) for item in _items(data))
        return [snap for snap in snaps if snap.task_id]

    async def _read_call(self, body: dict[str, Any], *, retry: bool,
                         allow_empty: bool = False) -> dict[str, Any]:
        """POST a read to /wan/tasks, retrying what is worth retrying."""
        attempts = self.retry.attempts if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                answer = await self._post("/wan/tasks", body)
                return read_object(answer, self.scrub, allow_empty=allow_empty)
            except WanError as error:
                if attempt == attempts or not is_retryable(error):
                    raise
                retry_after = error.retry_after if isinstance(error, RateLimited) else None
                delay = self.retry.delay(attempt, retry_after)
                if self.retry.on_retry is not None:
                    self.retry.on_retry(error, delay)
                await self.retry.sleep(delay)
        raise AssertionError("unreachable")

    async def _post(self, path: str, body: dict[str, Any]) -> Answer:
        started = time.monotonic()
        what = f"POST {path} {body.get('action', '')}".rstrip()
        try:
            answer = await exchange(self._http, self.base_url + path, body, self._headers(),
                                    deadline=self.timeout, max_bytes=self.max_answer_bytes,
                                    where=_host(self.base_url))
        except WanError as error:
            http_log.debug("%s -> %s after %.0f ms", what, type(error).__name__,
                           1000 * (time.monotonic() - started))
            raise
        # Method, path, status, timing and trace id only: never headers (the token) or bodies.
        http_log.debug("%s -> %s in %.0f ms, %d bytes, trace id %s", what, answer.status,
                       1000 * (time.monotonic() - started), len(answer.content),
                       self.scrub(answer.headers.get("x-trace-id") or "-")[:80])
        return answer

    def _headers(self) -> dict[str, str]:
        if not self._token:
            raise AuthError("no API token is set", code="no_token")
        problem = token_problem(self._token)
        if problem:  # never repeat the token itself
            raise BadToken(f"the API token {problem}; nothing was sent")
        return {
            "accept": "application/json",
            "content-type": "application/json",
            "authorization": f"Bearer {self._token}",
            "user-agent": USER_AGENT,
        }


def _host(base_url: str) -> str:
    """The base URL without user info, query or fragment: what messages may show."""
    try:
        parts = urlsplit(base_url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "the service"
    return f"{parts.scheme}://{host}{port}" if parts.scheme and host else "the service"


def _items(data: dict[str, Any]) -> list[Any]:
    if "items" not in data:
        if "id" in data:
            return [data]  # a single task where a batch was expected
        raise BadAnswer("the task list answer has no items")
    items = data["items"]
    if items is None:
        return []
    if not isinstance(items, list):
        raise BadAnswer("the task list answer's items are not a list")
    return items
