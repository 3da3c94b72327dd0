"""One HTTP exchange with a hard ceiling on time and size, and cancellation kept intact.

Every call to the service goes through `exchange`: connect, headers and body together get one
deadline (a server dripping a byte a second cannot hold us), the body is streamed and cut at
a few megabytes (an endless answer cannot fill the memory), and failures come back as typed
errors that say whether the request could have left this machine at all.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import AnswerTooLarge, NoAnswerInTime, NotSent, TransportError

if TYPE_CHECKING:
    import httpx  # imported where used: ~20 ms the app's first frame does not wait for

MAX_ANSWER_BYTES = 4 * 1024 * 1024  # far above a 50-task batch answer
_MAX_INT_DIGITS = 4000  # Python refuses to read longer integers; we read them as absent


@dataclass(frozen=True)
class Answer:
    """A whole HTTP answer, read within the limits."""

    status: int
    headers: httpx.Headers
    content: bytes

    def json(self) -> Any:
        """The parsed body, or None when it is not JSON (or is nested beyond reason)."""
        if not self.content:
            return None
        try:
            return json.loads(self.content, parse_int=_parse_int)
        except (ValueError, RecursionError):
            return None


def _parse_int(text: str) -> int | None:
    # An integer of 10,000 digits would make the whole answer unreadable: drop just that value.
    return int(text) if len(text) <= _MAX_INT_DIGITS else None


def raise_if_cancelled(error: BaseException) -> None:
    """Cancellation is never an ordinary error: not wrapped in an exception group, and not
    turned into a connection error by a library while this task was being cancelled."""
    if isinstance(error, BaseExceptionGroup) and error.subgroup(asyncio.CancelledError):
        raise asyncio.CancelledError() from error
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError() from error


async def exchange(
    http: httpx.AsyncClient,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str],
    *,
    deadline: float,
    max_bytes: int = MAX_ANSWER_BYTES,
    where: str = "",
) -> Answer:
    """POST `body` as JSON; the whole answer, or NotSent / NoAnswerInTime / TransportError /
    AnswerTooLarge. `where` names the service in messages (never the URL's secrets)."""
    import httpx

    where = where or "the service"
    # Raised before any byte of the request left: nothing was sent.
    not_sent = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout,
                httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL,
                UnicodeError)
    try:
        async with asyncio.timeout(deadline):
            async with http.stream("POST", url, json=body, headers=headers) as response:
                content = await read_capped(response, max_bytes)
                return Answer(response.status_code, response.headers, content)
    except TimeoutError as error:  # our deadline (before OSError: TimeoutError is one)
        raise_if_cancelled(error)
        raise NoAnswerInTime(f"no whole answer from {where} within {deadline:g} s") from error
    except not_sent as error:
        raise_if_cancelled(error)
        raise NotSent(f"could not reach {where} ({_reason(error)}); nothing was sent") from error
    except httpx.TimeoutException as error:
        raise_if_cancelled(error)
        raise NoAnswerInTime(f"no answer from {where} in time ({_reason(error)})") from error
    except (httpx.HTTPError, OSError) as error:
        raise_if_cancelled(error)
        raise TransportError(f"the connection to {where} failed ({_reason(error)})") from error
    except BaseExceptionGroup as group:
        raise_if_cancelled(group)
        raise TransportError(f"the connection to {where} failed ({_reason(group)})") from group


async def read_capped(response: httpx.Response, limit: int) -> bytes:
    """The body, or AnswerTooLarge as soon as it (or its declared length) passes `limit`."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(response, limit)
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            raise too_large(response, limit)
    return bytes(body)


def too_large(response: httpx.Response, limit: int) -> AnswerTooLarge:
    return AnswerTooLarge(f"the answer was over {limit // (1024 * 1024)} MB; it was not read",
                          status=response.status_code)


def _reason(error: BaseException) -> str:
    return type(error).__name__
