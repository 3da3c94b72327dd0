"""HTTP: routing, the bearer check, fault injection, and writing answers."""

from __future__ import annotations

import hmac
import ipaddress
import json
import re
import socket
import socketserver
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from . import control
from .endpoints import Refusal
from .media import byte_range, thumbnail_png, thumbnail_size, video_bytes
from .seeding import MAX_SEED_TASKS
from .usage import video_size

if TYPE_CHECKING:
    from .simulator import Simulator

API_PATHS = {"/wan/videos": "videos", "/wan/tasks": "tasks"}
MEDIA_PATH = re.compile(r"^/_sim/media/(?P<id>[0-9A-Za-z-]+)\.(?P<ext>mp4|png)$")
STATS_PATH = "/_sim/stats"
REQUESTS_PATH = "/_sim/requests"  # GET: the bodies received (received.py)
SEED_PATH = "/_sim/seed"  # POST {"count": N, "days": D}: tasks "made by another client"
CONTROL_PATH = "/_sim/control"  # GET the settings, POST to change them (control.py)
GET_PATHS = (STATS_PATH, REQUESTS_PATH, CONTROL_PATH)
POST_PATHS = (SEED_PATH, CONTROL_PATH)  # loopback clients only
BAD_GATEWAY_HTML = ("<html><head><title>502 Bad Gateway</title></head><body>"
                    "<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>"
                    "<!-- trace id {trace_id} (simulated proxy error) --></body></html>")


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # never let a held (synchronous) connection block exit
    request_queue_size = 128  # benchmarks open many connections at once
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sim: Simulator) -> None:
        self.sim = sim
        super().__init__(address, SimRequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn), slow without DNS.
        socketserver.TCPServer.server_bind(self)
        host, self.server_port = self.server_address[:2]
        self.server_name = host if isinstance(host, str) else bytes(host).decode()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # a client hung up; nothing to report
        super().handle_error(request, client_address)


class SimRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections
    wbufsize = 64 * 1024  # headers and body leave in one write (no Nagle/delayed-ACK stall)
    server: SimHTTPServer
    _entry: dict[str, Any] | None = None  # this request's record in sim.received, if any

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # hundreds of requests a second would drown the terminal

    def do_POST(self) -> None:
        self._route()

    do_GET = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_POST

    # -- routing ---------------------------------------------------------------------------

    def _route(self) -> None:
        trace_id = str(uuid.uuid4())
        raw = self._read_body()  # always, so a kept-alive connection stays in step
        path, _, query = self.path.partition("?")
        media = MEDIA_PATH.match(path)
        self.server.sim.stats.note_request("/_sim/media" if media else path)
        self._entry = None
        try:
            if path in API_PATHS:
                self._api(API_PATHS[path], raw, trace_id)
            elif media and self.command in ("GET", "HEAD"):
                self._media(media["id"], media["ext"], trace_id)
            elif path in GET_PATHS and self.command in ("GET", "HEAD"):
                self._send_json(200, self._test_view(path, parse_qs(query)), trace_id)
            elif path in POST_PATHS and self.command == "POST":
                self._send_json(200, self._test_change(path, raw), trace_id)
            elif media or path in GET_PATHS:
                raise Refusal(405, "method_not_allowed", f"{path} only answers GET",
                              {"Allow": "GET, HEAD"})
            elif path in POST_PATHS:
                raise Refusal(405, "method_not_allowed", f"{path} only accepts POST",
                              {"Allow": "POST"})
            else:
                raise Refusal(404, "not_found", f"no such endpoint: {self.command} {path}")
        except Refusal as refusal:
            self._send_error(refusal, trace_id)

    def _api(self, endpoint: str, raw: bytes, trace_id: str) -> None:
        sim = self.server.sim
        if self.command != "POST":
            raise Refusal(405, "method_not_allowed", f"{self.path} only accepts POST",
                          {"Allow": "POST"})
        sim.stats.count(f"{endpoint}_posts")
        self._entry = sim.received.add(endpoint, raw)
        if sim.latency > 0:
            time.sleep(sim.latency)  # the real service takes its time; lets tests land a kill
        self._check_bearer()
        fault = sim.faults.draw(endpoint, sim.fault_rate, sim.rng)
        if fault:
            sim.stats.note_fault(fault)
            if fault != "drop":
                return self._send_fault(fault, trace_id)
            if endpoint == "tasks":
                return self._drop()
        try:
            body = self._parse(raw)
            if endpoint == "tasks":
                answer = sim.endpoints.read_tasks(body)
                self._hold("listing" if _is_listing(body) else "tasks")
                return self._send_json(200, answer, trace_id)
            task = sim.endpoints.create_task(body, trace_id)
        except Refusal:
            if fault == "drop":
                return self._drop()  # the answer (here, a refusal) is lost on the way
            raise
        self._entry["task_id"] = task.id
        if fault == "drop":
            # The nasty real case: the task exists (and is billed), its answer never arrives.
            return self._drop()
        answer = sim.endpoints.answer_submission(task)
        self._hold("videos")
        self._send_json(200, answer, trace_id)

    def _hold(self, kind: str) -> None:
        """Sit on a computed answer for sim.answer_delays[kind] seconds, like a slow proxy:
        the task exists (or the listing was read) before the client hears of it."""
        delay = self.server.sim.answer_delays.get(kind, 0.0)
        if delay > 0:
            self.server.sim.stopping.wait(delay)

    def _test_view(self, path: str, query: dict[str, list[str]]) -> dict[str, Any]:
        sim = self.server.sim
        if path == STATS_PATH:
            return sim.stats.to_json()
        if path == CONTROL_PATH:
            return control.settings(sim)
        endpoint = query.get("endpoint", [None])[0]
        try:
            limit = int(query.get("limit", ["1000"])[0])
        except ValueError as exc:
            raise Refusal(400, "bad_request", "limit must be a whole number") from exc
        items = sim.received.items(endpoint, limit)
        return {"count": len(items), "items": items}

    def _test_change(self, path: str, raw: bytes) -> dict[str, Any]:
        """The hooks that change the simulator: for this machine's tests and scripts only."""
        if not ipaddress.ip_address(self.client_address[0]).is_loopback:
            raise Refusal(403, "forbidden", f"{path} only answers loopback clients")
        body = self._parse(raw or b"{}")
        if path == CONTROL_PATH:
            try:
                return control.apply(self.server.sim, body)
            except ValueError as exc:
                raise Refusal(400, "bad_request", str(exc)) from exc
        count, days = body.get("count", 0), body.get("days", 30)
        if (isinstance(count, bool) or not isinstance(count, int)
                or not 0 <= count <= MAX_SEED_TASKS or isinstance(days, bool)
                or not isinstance(days, int | float) or not 0 < days < 36_500):
            raise Refusal(400, "bad_request",
                          f"count must be 0-{MAX_SEED_TASKS} and days above 0 (under 100 years)")
        ids = self.server.sim.seed_tasks(count, days=float(days))
        return {"seeded": len(ids), "ids": ids}

    def _check_bearer(self) -> None:
        header = (self.headers.get("authorization") or "").strip()
        if not header:
            raise Refusal(400, "no_token", "no token: send authorization: Bearer <token>")
        scheme, _, token = header.partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else header
        if not hmac.compare_digest(token.encode(), self.server.sim.token.encode()):
            raise Refusal(401, "invalid_token", "the token is not valid")

    def _read_body(self) -> bytes:
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            length = 0
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            self.close_connection = True  # unread chunks would be taken for the next request
        return self.rfile.read(length) if length > 0 else b""

    @staticmethod
    def _parse(raw: bytes) -> dict[str, Any]:
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise Refusal(400, "bad_request", f"the body is not valid JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise Refusal(400, "bad_request", "the body must be a JSON object")
        return body

    # -- answers ---------------------------------------------------------------------------

    def _media(self, task_id: str, ext: str, trace_id: str) -> None:
        task = self.server.sim.tasks.media_task(task_id, time.time())
        if task is None:
            raise Refusal(404, "not_found", f"no media for task {task_id}")
        if ext == "mp4":
            return self._send_video(trace_id)
        width, height = thumbnail_size(*video_size(task.request))
        self._send(200, thumbnail_png(task.id, width, height), "image/png", trace_id)

    def _send_video(self, trace_id: str) -> None:
        """The video, whole or the range asked for, at the simulator's media_rate."""
        sim = self.server.sim
        video = video_bytes(int(sim.video_size))
        span = byte_range(self.headers.get("range"), len(video))
        headers = {"accept-ranges": "bytes"}
        if span is None:
            return self._send(200, video, "video/mp4", trace_id, headers, rate=sim.media_rate)
        start, end = span
        headers["content-range"] = f"bytes {start}-{end - 1}/{len(video)}"
        self._send(206, video[start:end], "video/mp4", trace_id, headers, rate=sim.media_rate)

    def _send_fault(self, kind: str, trace_id: str) -> None:
        if kind == "429":
            return self._send_error(Refusal(429, "too_many_requests", "too many requests "
                                            "(simulated)", {"Retry-After": "1"}), trace_id)
        if kind == "500":
            return self._send_error(Refusal(500, "api_error", "internal error (simulated)"),
                                    trace_id)
        html = BAD_GATEWAY_HTML.format(trace_id=trace_id).encode()
        self._send(502, html, "text/html; charset=utf-8", trace_id)

    def _send_error(self, refusal: Refusal, trace_id: str) -> None:
        body = {"success": False, "error": {"code": refusal.code, "message": refusal.message}}
        self._send_json(refusal.status, body, trace_id, refusal.headers)

    def _send_json(self, status: int, body: dict[str, Any], trace_id: str,
                   headers: dict[str, str] | None = None) -> None:
        # A body that already names a trace id (a task, an acknowledgement) keeps it, and
        # the header follows, so body and header always agree.
        body = {**body, "trace_id": body.get("trace_id") or trace_id}
        self._send(status, json.dumps(body).encode(), "application/json", body["trace_id"],
                   headers)

    def _send(self, status: int, payload: bytes, content_type: str, trace_id: str,
              headers: dict[str, str] | None = None, rate: float = 0.0) -> None:
        """`rate`: bytes per second, like a slow link (0: as fast as it goes)."""
        if self._entry is not None:
            self._entry["status"] = status
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self.send_header("x-trace-id", trace_id)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        if rate <= 0:
            self.wfile.write(payload)
            return
        step = max(1, int(rate / 10))  # ten writes a second
        for start in range(0, len(payload), step):
            if self.server.sim.stopping.wait(step / rate if start else 0):
                self.close_connection = True
                return
            self.wfile.write(payload[start:start + step])
            self.wfile.flush()

    def _drop(self) -> None:
        """Close the connection without a single byte of answer."""
        if self._entry is not None:
            self._entry["status"] = "dropped"
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _is_listing(body: dict[str, Any]) -> bool:
    return body.get("action") == "retrieve_batch" and body.get("ids") is None
