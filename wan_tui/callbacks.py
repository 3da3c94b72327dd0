"""An optional receiver for the API's `callback_url`: results as soon as a task ends.

The service signs nothing, so each submission gets its own unguessable path, and a POST is
accepted only on a path we handed out and only for the task id submitted with it. Polling goes
on, more slowly, as the safety net (a callback can be lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

PATH_PREFIX = "/wan-tui/callback/"
MAX_BODY = 1 << 20  # a task's response is a few KB
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 413: "Payload Too Large"}

# Called with (task id, the posted response) for every accepted callback.
ResultHandler = Callable[[str, dict[str, Any]], None]


class CallbackError(Exception):
    """The receiver cannot start (bad address, port taken)."""


def parse_listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"callback listen address must be HOST:PORT (got {value!r})")
    return host.strip("[]"), int(port)


class CallbackReceiver:
    def __init__(self, listen: str, public_url: str | None, on_result: ResultHandler) -> None:
        self.host, self.port = parse_listen(listen)
        self._public_url = public_url.rstrip("/") if public_url else None
        self._on_result = on_result
        self._expected: dict[str, str | None] = {}  # secret -> task id (None until the ack)
        self._early: dict[str, dict[str, Any]] = {}  # secret -> a result that beat its ack
        self._server: asyncio.Server | None = None
        self.accepted = 0
        self.refused = 0

    @property
    def base_url(self) -> str:
        return self._public_url or f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        try:
            self._server = await asyncio.start_server(self._handle, self.host, self.port)
        except OSError as error:
            raise CallbackError(f"cannot receive callbacks on {self.host}:{self.port}: "
                                f"{error.strerror or error}; choose another --callback-listen "
                                "address") from None
        if self.port == 0:
            self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    # -- the submission side -----------------------------------------------------------------

    def new_url(self) -> tuple[str, str]:
        """A fresh (secret, callback URL) for one submission."""
        import secrets  # with hashlib: a callback receiver's, not every start's

        secret = secrets.token_urlsafe(24)
        self._expected[secret] = None
        return secret, f"{self.base_url}{PATH_PREFIX}{secret}"

    def expect(self, secret: str, task_id: str) -> None:
        """The submission was acknowledged: only this task id may use the secret."""
        self._expected[secret] = task_id
        early = self._early.pop(secret, None)
        if early is not None and early.get("task_id") == task_id:
            self._accept(secret, task_id, early)

    def forget(self, secret: str) -> None:
        """The submission was refused or its fate is unknown: the path is closed."""
        self._expected.pop(secret, None)
        self._early.pop(secret, None)

    # -- the HTTP side -----------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        status = 400
        try:
            async with asyncio.timeout(10):
                method, path, body = await _read_request(reader)
            status = self.receive(method, path, body)
        except _TooLarge:
            status = 413
        except (ValueError, TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            status = 400
        if status != 200:
            self.refused += 1
        with contextlib.suppress(ConnectionError):
            writer.write(f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Length: 0\r\n"
                         "Connection: close\r\n\r\n".encode())
            await writer.drain()
        writer.close()

    def receive(self, method: str, path: str, body: bytes) -> int:
        """Decide on one callback; returns the HTTP status to answer."""
        if not path.startswith(PATH_PREFIX):
            return 404
        secret = path[len(PATH_PREFIX):]
        if secret not in self._expected:
            return 404  # not a path we handed out: say nothing more
        if method != "POST":
            return 405
        try:
            result = json.loads(body)
        except ValueError:
            return 400
        if not isinstance(result, dict) or not isinstance(result.get("task_id"), str):
            return 400
        expected = self._expected[secret]
        if expected is None:
            self._early[secret] = result  # checked when the acknowledgement arrives
            return 200
        if result["task_id"] != expected:
            log.warning("refused a callback for a task id this submission did not create")
            return 403
        self._accept(secret, expected, result)
        return 200

    def _accept(self, secret: str, task_id: str, result: dict[str, Any]) -> None:
        self._expected.pop(secret, None)  # one result per task
        self.accepted += 1
        self._on_result(task_id, result)


class _TooLarge(Exception):
    pass


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes]:
    method, path, _version = (await reader.readline()).decode("latin-1").split(" ", 2)
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length > MAX_BODY:
        raise _TooLarge
    return method, path, await reader.readexactly(length) if length else b""
