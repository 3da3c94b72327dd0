"""A hostile stand-in for the Wan API, for tests only (never shipped): loopback HTTP in a
thread, one misbehaviour per mode, every loop bounded, and it stops itself after `lifetime`.

Modes (set `server.mode`, and `server.params` for the knobs):
- "ok": a well-behaved service (acks, tasks that succeeded, Wan 3 `data` nesting, usage, cost).
- "endless": 200 and a body that never ends (until `max_bytes`, the client leaving, or stop).
- "huge": a JSON body of `size` bytes (default 6 MB), honestly declared; "huge_declared":
  a Content-Length of 10 GB, then a trickle.
- "drip_body": headers at once, then the body a byte at a time every `pause` seconds;
  "drip_header": the status line and headers themselves a byte at a time.
- "poison": tasks whose numbers are absurd (`poison` maps field -> raw JSON text), one task
  per id, so a batch mixes good and poisoned tasks (ids starting "bad" are poisoned).
- "echo_token": the bearer token echoed in every string it can reach.
- "escapes": terminal escape sequences in every string.
- "html_500", "empty_500", "empty_502", "json_500", "json_400", "html_200": error answers
  on every call (submission and reads alike).
- "delay": answer like "ok" after `delay` seconds.
- "odd_items": a batch answer whose items include junk (not objects, no id, strings).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

EVIL = "\x1b]52;c;aGk=\x07\x1b[2J\x9b31m"
TICK = 0.05  # seconds between checks of the stop flag in waiting loops


class HostileServer:
    def __init__(self, mode: str = "ok", *, lifetime: float = 60.0, **params: Any) -> None:
        self.mode = mode
        self.params: dict[str, Any] = params
        self.received: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.stopping = threading.Event()
        self._lifetime = lifetime
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.hostile = self  # type: ignore[attr-defined]
        self._threads: list[threading.Thread] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> HostileServer:
        serve = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": TICK},
                                 daemon=True)
        timer = threading.Timer(self._lifetime, self.stop)  # never outlives a stuck test
        timer.daemon = True
        self._threads = [serve, timer]
        serve.start()
        timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self._threads[1].cancel()  # type: ignore[attr-defined]
        self._threads[0].join(timeout=5)

    def stop(self) -> None:
        if not self.stopping.is_set():
            self.stopping.set()
            self._server.shutdown()
            self._server.server_close()

    def wait(self, seconds: float) -> bool:
        """Sleep unless stopping; False when told to stop."""
        return not self.stopping.wait(seconds)


def task(task_id: str, token: str = "", **response: Any) -> dict[str, Any]:
    """A finished Wan 3 task (video fields under response.data), with usage and cost."""
    return {
        "id": task_id, "created_at": 1_767_000_000.0, "started_at": 1_767_000_001.0,
        "finished_at": 1_767_000_060.0, "elapsed": 59.0, "trace_id": f"tr-{task_id}",
        "type": "videos",
        "request": {"action": "text2video", "model": "wan3.0-video", "prompt": "a paper boat"},
        "response": {
            "success": True, "task_id": task_id, "state": "completed",
            "data": {"video_url": f"https://cdn.example/{task_id}.mp4",
                     "thumbnail_url": f"https://cdn.example/{task_id}.jpg",
                     "video_width": 1280, "video_height": 720},
            "usage": {"resolution": "720P", "output_video_seconds": 5},
            "cost": {"amount": 0.5, "currency": "USD"},
            **response,
        },
    }


def _echo(token: str, task_id: str) -> dict[str, Any]:
    bearer = f"Bearer {token}"
    return {
        "id": task_id, "created_at": 1_767_000_000.0, "trace_id": f"tr {bearer}",
        "request": {"action": "text2video", "model": "wan2.6-t2v", "prompt": f"echo {token}",
                    "negative_prompt": bearer, "media": [{"type": "file", "url": token}]},
        "response": {"success": False, "state": f"failed:{token}",
                     "video_url": f"https://v.example/x.mp4?t={token}",
                     "error": {"code": f"code-{token}", "message": f"message {bearer}"},
                     "usage": {"note": token}, "cost": {"currency": token, "amount": 1}},
        "finished_at": 1_767_000_060.0,
    }


def _escapes(task_id: str) -> dict[str, Any]:
    return {
        "id": task_id, "trace_id": f"tr{EVIL}", "created_at": 1.0, "finished_at": 2.0,
        "request": {"action": "text2video", "model": "wan2.6-t2v", "prompt": f"made {EVIL}"},
        "response": {"success": False, "state": f"failed{EVIL}", "video_url": f"https://v/{EVIL}",
                     "error": {"code": f"odd{EVIL}", "message": f"boom {EVIL}"},
                     "usage": {f"k{EVIL}": f"v{EVIL}"}, "cost": f"{EVIL}1 USD"},
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    @property
    def hostile(self) -> HostileServer:
        return self.server.hostile  # type: ignore[attr-defined, no-any-return]

    def log_message(self, *args: object) -> None:
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client gave up: exactly what several modes are for

    def do_GET(self) -> None:
        """A video host: instant, or a byte at a time in "drip_body" mode."""
        if self.hostile.mode != "drip_body":
            self._send(200, b"video bytes", "video/mp4")
            return
        self.send_response(200)
        self.send_header("content-length", "100000")
        self.end_headers()
        for _ in self._bounded(100_000):
            self.wfile.write(b"v")
            self.wfile.flush()

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(min(length, 1 << 20))
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}
        token = (self.headers.get("authorization") or "").removeprefix("Bearer ")
        self.hostile.received.append((self.path, body, dict(self.headers.items())))
        getattr(self, "mode_" + self.hostile.mode)(body, token)

    # -- answers -----------------------------------------------------------------------------

    def _send(self, status: int, data: bytes, ctype: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, answer: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(answer).encode(), headers=headers)

    def _tasks(self, body: dict[str, Any], make: Any) -> None:
        if self.path.endswith("/videos"):
            self._json(200, {"task_id": "t-new", "trace_id": "tr-ack"})
        elif body.get("action") == "retrieve_batch":
            ids = body.get("ids") or ["listed-1", "listed-2"]
            self._json(200, {"count": len(ids), "items": [make(i) for i in ids]})
        elif body.get("action") == "delete":
            self._json(200, {"success": True})
        else:
            self._json(200, make(body.get("id") or "t"))

    def mode_ok(self, body: dict[str, Any], token: str) -> None:
        self._tasks(body, task)

    def mode_delay(self, body: dict[str, Any], token: str) -> None:
        self.hostile.wait(float(self.hostile.params.get("delay", 1.0)))
        self.mode_ok(body, token)

    def mode_echo_token(self, body: dict[str, Any], token: str) -> None:
        where = self.hostile.params.get("where", "task")
        headers = {"x-trace-id": f"hdr-{token}"}
        if where == "error":
            self._json(400, {"success": False, "trace_id": f"tr-{token}",
                             "error": {"code": f"bad_{token}", "message": f"no: Bearer {token}"}},
                       headers)
        elif self.path.endswith("/videos"):
            self._json(200, {"task_id": "t-echo", "trace_id": f"tr-{token}"}, headers)
        else:
            self._send(200, json.dumps(self._echo_answer(body, token)).encode(), headers=headers)

    def _echo_answer(self, body: dict[str, Any], token: str) -> Any:
        if body.get("action") == "retrieve_batch":
            ids = body.get("ids") or ["listed-1"]
            return {"count": len(ids), "items": [_echo(token, i) for i in ids]}
        return _echo(token, body.get("id") or "t")

    def mode_escapes(self, body: dict[str, Any], token: str) -> None:
        if body.get("id") == "refuse":
            self._json(400, {"success": False, "trace_id": f"tr{EVIL}",
                             "error": {"code": f"odd{EVIL}", "message": f"nope {EVIL}"}})
            return
        self._tasks(body, _escapes)

    def mode_poison(self, body: dict[str, Any], token: str) -> None:
        poison: dict[str, str] = self.hostile.params.get(
            "poison", {"video_width": "Infinity", "video_height": "1e30",
                       "created_at": "1" + "0" * 400, "elapsed": "NaN", "finished_at": "-5"})
        ids = body.get("ids") or [body.get("id") or "bad-1"]
        parts = []
        for task_id in ids:
            text = json.dumps(task(task_id))
            if str(task_id).startswith("bad"):
                for field, raw in poison.items():
                    text = text.replace(f'"{field}": ', f'"{field}": {raw}, "was_{field}": ', 1)
            parts.append(text)
        answer = ('{"count": %d, "items": [%s]}' % (len(parts), ", ".join(parts))
                  if body.get("action") == "retrieve_batch" else parts[0])
        self._send(200, answer.encode())

    def mode_odd_items(self, body: dict[str, Any], token: str) -> None:
        ids = body.get("ids") or []
        junk: list[Any] = [None, 3, "text", [], {"no": "id"}, {"id": None}, {"id": {"x": 1}},
                           {"id": " \n "}, {"id": "x" * 5000}]
        self._json(200, {"count": 99, "items": junk + [task(i) for i in ids]})

    def mode_html_500(self, body: dict[str, Any], token: str) -> None:
        self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")

    def mode_html_200(self, body: dict[str, Any], token: str) -> None:
        self._send(200, b"<html><body>Welcome to the captive portal</body></html>", "text/html")

    def mode_empty_500(self, body: dict[str, Any], token: str) -> None:
        self._send(500, b"", "text/plain")

    def mode_empty_502(self, body: dict[str, Any], token: str) -> None:
        self._send(502, b"", "text/plain")

    def mode_json_500(self, body: dict[str, Any], token: str) -> None:
        self._json(500, {"success": False, "error": {"code": "api_error", "message": "boom"}})

    def mode_json_400(self, body: dict[str, Any], token: str) -> None:
        self._json(400, {"success": False, "trace_id": "tr-400",
                         "error": {"code": "bad_request", "message": "no such task"}})

    def mode_huge(self, body: dict[str, Any], token: str) -> None:
        size = int(self.hostile.params.get("size", 6 * 1024 * 1024))
        filler = "x" * max(0, size - 40)
        self._send(200, json.dumps({"id": "t", "pad": filler}).encode())

    def mode_huge_declared(self, body: dict[str, Any], token: str) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(10 * 1024**3))
        self.end_headers()
        for _ in self._bounded(200):
            self.wfile.write(b" " * 1024)

    def mode_endless(self, body: dict[str, Any], token: str) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("connection", "close")
        self.end_headers()  # no length: the body ends when the connection does
        self.wfile.write(b'{"items": ["')
        chunk = b"A" * 65536
        max_bytes = int(self.hostile.params.get("max_bytes", 256 * 1024 * 1024))
        for _ in self._bounded(max_bytes // len(chunk), pause=0):
            self.wfile.write(chunk)

    def mode_drip_body(self, body: dict[str, Any], token: str) -> None:
        data = json.dumps(task("t")).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.flush()
        for index in self._bounded(len(data)):
            self.wfile.write(data[index : index + 1])
            self.wfile.flush()

    def mode_drip_header(self, body: dict[str, Any], token: str) -> None:
        head = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b"x-padding: " + b"p" * 2000 + b"\r\ncontent-length: 2\r\n\r\n{}")
        for index in self._bounded(len(head)):
            self.wfile.write(head[index : index + 1])
            self.wfile.flush()

    def _bounded(self, count: int, pause: float | None = None) -> Iterator[int]:
        """range(count), paced by params["pause"], ending early when the server stops."""
        pause = float(self.hostile.params.get("pause", 0.2)) if pause is None else pause
        for index in range(count):
            if self.hostile.stopping.is_set() or (pause and not self.hostile.wait(pause)):
                return
            yield index
