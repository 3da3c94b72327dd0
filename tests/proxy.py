"""A delaying (and optionally token-echoing) HTTP proxy in front of the simulator, for tests
and bench/ scripts.

It reproduces what a slow or hostile network path does to a client, without touching the
simulator: submit answers held after the task was created (the answer is "lost" for a while),
slow account listings, and a server that echoes the caller's token back in trace ids and error
messages. Loopback only, both ways; every wait and every body is bounded.

    python tests/proxy.py --upstream http://127.0.0.1:PORT [--hold-submit 4] [--delay-list 1.5]
                          [--echo-token]

prints "proxy on http://127.0.0.1:PORT" once it listens, then serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import signal
import socketserver
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

MAX_BODY = 8 * 1024 * 1024  # a sample video is far smaller; anything bigger is refused
UPSTREAM_TIMEOUT = 30.0
MAX_DELAY = 60.0
PASSED_HEADERS = ("content-type", "retry-after", "x-trace-id")


def loopback_host(url: str) -> tuple[str, int]:
    """Host and port of an http:// URL on loopback; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None:
        raise ValueError(f"the upstream must be an http:// URL (got {url!r})")
    if parts.hostname != "localhost" and not ipaddress.ip_address(parts.hostname).is_loopback:
        raise ValueError(f"the upstream must be on loopback (got {parts.hostname!r})")
    return parts.hostname, parts.port or 80


@dataclass
class Behaviour:
    hold_submit: float = 0.0  # seconds a POST /wan/videos answer is held once upstream answered
    delay_list: float = 0.0  # seconds before a listing (retrieve_batch without ids) is sent on
    echo_token: bool = False  # put the caller's bearer token into trace ids and error texts

    def __post_init__(self) -> None:
        for name in ("hold_submit", "delay_list"):
            value = getattr(self, name)
            if not 0 <= value <= MAX_DELAY:
                raise ValueError(f"{name} must be between 0 and {MAX_DELAY} s (got {value})")


def is_listing(path: str, body: bytes) -> bool:
    if path != "/wan/tasks":
        return False
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    return (isinstance(parsed, dict) and parsed.get("action") == "retrieve_batch"
            and parsed.get("ids") is None)


def echo_into(value: Any, token: str) -> Any:
    """The answer with the token planted where a careless server would echo it."""
    if isinstance(value, list):
        return [echo_into(item, token) for item in value]
    if not isinstance(value, dict):
        return value
    echoed = {key: echo_into(item, token) for key, item in value.items()}
    if "trace_id" in echoed or "task_id" in echoed or "id" in echoed:
        echoed["trace_id"] = f"trace-{token}"
    error = echoed.get("error")
    if isinstance(error, dict):
        error["message"] = f"{error.get('message', '')} (token {token})"
        error["code"] = f"{error.get('code', 'error')}-{token}"
    request = echoed.get("request")
    if isinstance(request, dict) and isinstance(request.get("prompt"), str):
        request["prompt"] = f"{request['prompt']} {token}"
    return echoed


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, upstream: str, behaviour: Behaviour, port: int = 0) -> None:
        self.upstream = loopback_host(upstream)
        self.behaviour = behaviour
        self.stopping = threading.Event()  # releases held answers on shutdown
        super().__init__(("127.0.0.1", port), ProxyHandler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # no reverse DNS lookup
        self.server_name, self.server_port = "127.0.0.1", int(self.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client killed mid-answer is the point of these tests

    def start(self) -> ProxyServer:
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                         name="delay-proxy", daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ProxyServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.relay()

    def do_POST(self) -> None:
        self.relay()

    def relay(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            return self.answer(413, {"content-type": "text/plain"}, b"body too large")
        body = self.rfile.read(length)
        behaviour, path = self.server.behaviour, self.path.split("?", 1)[0]
        if behaviour.delay_list and is_listing(path, body):
            self.server.stopping.wait(behaviour.delay_list)
        try:
            status, headers, payload = self.forward(body)
        except (OSError, http.client.HTTPException):
            self.close_connection = True  # upstream dropped us: drop the client the same way
            return
        if behaviour.hold_submit and path == "/wan/videos" and self.command == "POST":
            self.server.stopping.wait(behaviour.hold_submit)
        if behaviour.echo_token:
            headers, payload = self.echoed(headers, payload)
        self.answer(status, headers, payload)

    def forward(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        host, port = self.server.upstream
        connection = http.client.HTTPConnection(host, port, timeout=UPSTREAM_TIMEOUT)
        try:
            sent = {k: v for k, v in self.headers.items()
                    if k.lower() in ("authorization", "content-type", "accept")}
            connection.request(self.command, self.path, body=body or None, headers=sent)
            answer = connection.getresponse()
            payload = answer.read(MAX_BODY + 1)
            if len(payload) > MAX_BODY:
                raise http.client.HTTPException("upstream body too large")
            headers = {k.lower(): v for k, v in answer.getheaders()
                       if k.lower() in PASSED_HEADERS}
            return answer.status, headers, payload
        finally:
            connection.close()

    def echoed(self, headers: dict[str, str], payload: bytes) -> tuple[dict[str, str], bytes]:
        scheme, _, token = (self.headers.get("authorization") or "").partition(" ")
        token = token.strip()
        if not token:
            return headers, payload
        headers = {**headers, "x-trace-id": f"trace-{token}"}
        if headers.get("content-type", "").startswith("application/json"):
            try:
                payload = json.dumps(echo_into(json.loads(payload), token)).encode()
            except ValueError:
                pass
        return headers, payload

    def answer(self, status: int, headers: dict[str, str], payload: bytes) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True  # the client is gone (killed, most likely)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True, help="the simulator's base URL (loopback)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--hold-submit", type=float, default=0.0, metavar="S")
    parser.add_argument("--delay-list", type=float, default=0.0, metavar="S")
    parser.add_argument("--echo-token", action="store_true")
    args = parser.parse_args()
    proxy = ProxyServer(args.upstream, Behaviour(args.hold_submit, args.delay_list,
                                                 args.echo_token), args.port)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    proxy.start()
    print(f"proxy on {proxy.base_url}", flush=True)
    try:
        while not done.wait(0.5):  # short waits keep signals responsive
            pass
    except KeyboardInterrupt:
        pass
    proxy.stop()


if __name__ == "__main__":
    main()
