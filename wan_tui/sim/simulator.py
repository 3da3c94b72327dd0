"""The simulator: a real HTTP server on loopback that behaves like the Wan API."""

from __future__ import annotations

import secrets
import signal
import threading
from types import TracebackType
from typing import Any

from .callbacks import CallbackSender
from .endpoints import WanEndpoints
from .faults import FaultInjector
from .rng import SharedRandom
from .server import SimHTTPServer
from .stats import SimStats
from .tasks import TaskStore


class Simulator:
    """Serve the Wan API in a background thread.

    `job_seconds`, `fail_rate`, `fault_rate` and `sync_timeout` are plain attributes, read on
    every request, so tests may change them while the simulator runs.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str | None = None,
                 job_seconds: float = 15.0, fail_rate: float = 0.0, fault_rate: float = 0.0,
                 seed: int | None = None, latency: float = 0.0) -> None:
        self.host = host
        self.port = port
        self.token = token or f"sim-{secrets.token_hex(8)}"
        self.job_seconds = job_seconds
        self.fail_rate = fail_rate
        self.fault_rate = fault_rate
        # How long a synchronous submission (no `async`) is held for a task that never ends
        # before answering 504 timeout, as a gateway would.
        self.sync_timeout = 300.0
        self.latency = latency  # seconds before each API answer
        self.stats = SimStats()
        self.rng = SharedRandom(seed)
        self.tasks = TaskStore(self.rng)
        self.faults = FaultInjector()
        self.callbacks = CallbackSender(self.stats)
        self._stopping = threading.Event()
        self.endpoints = WanEndpoints(self, self._stopping)
        self._server: SimHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Simulator:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = SimHTTPServer((self.host, self.port), self)
        self.port = self._server.server_address[1]  # the free port when port was 0
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},  # stop() waits this long
                                        name=f"wan-sim:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # releases held synchronous submissions
        self.callbacks.cancel_all()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def force_faults(self, kind: str, count: int = 1, endpoint: str = "tasks") -> None:
        """Make the next `count` requests to /wan/tasks (or /wan/videos with
        endpoint="videos") answer with fault `kind`: "429", "500", "502" or "drop"."""
        self.faults.force(kind, count, endpoint)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def serve(host: str = "127.0.0.1", port: int = 0, token: str | None = None,
          job_seconds: float = 15.0, fail_rate: float = 0.0, fault_rate: float = 0.0,
          seed: int | None = None, latency: float = 0.0) -> None:
    """Run a simulator in the foreground until Ctrl-C or SIGTERM."""
    done = threading.Event()

    def on_term(signum: int, frame: Any) -> None:
        done.set()

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, on_term)
    try:
        with Simulator(host, port, token, job_seconds, fail_rate, fault_rate, seed,
                       latency) as sim:
            print(f"Wan API simulator on {sim.base_url}", flush=True)
            print(f"token: {sim.token}", flush=True)
            while not done.wait(0.5):  # short waits keep Ctrl-C responsive
                pass
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
