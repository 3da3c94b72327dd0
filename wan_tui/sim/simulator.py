"""The simulator: a real HTTP server on loopback that behaves like the Wan API."""

from __future__ import annotations

import secrets
import signal
import threading
import time
from types import TracebackType
from typing import Any

from .callbacks import CallbackSender
from .endpoints import WanEndpoints
from .faults import FaultInjector
from .received import ReceivedBodies
from .rng import SharedRandom
from .seeding import seeded_tasks
from .server import SimHTTPServer
from .stats import SimStats
from .tasks import MAGIC_WORDS, TaskStore


class Simulator:
    """Serve the Wan API in a background thread.

    `job_seconds`, `fail_rate`, `fault_rate`, `sync_timeout`, `latency`, `answer_delays`,
    `refuse_listing`, `video_size` and `media_rate` are plain attributes, read on every
    request, so tests may change them while the simulator runs (or POST /_sim/control from
    another process). `seed_tasks` finished tasks "made by another client" are there from the
    start.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str | None = None,
                 job_seconds: float = 15.0, fail_rate: float = 0.0, fault_rate: float = 0.0,
                 seed: int | None = None, latency: float = 0.0, seed_tasks: int = 0) -> None:
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
        # Seconds to sit on an answer already decided, like a slow proxy: "videos" (the task
        # exists meanwhile), "tasks" (retrieve, batch, delete) and "listing".
        self.answer_delays: dict[str, float] = {}
        # True: listing (retrieve_batch without ids) is refused with 400, as a service that
        # does not offer it would; clients must keep working.
        self.refuse_listing = False
        self.video_size = 0.0  # bytes of each video (0, or below the sample's: the sample)
        self.media_rate = 0.0  # bytes per second the videos are served at (0: no limit)
        self.seed = seed
        self.stats = SimStats()
        self.rng = SharedRandom(seed)
        self.tasks = TaskStore(self.rng)
        self.received = ReceivedBodies(self.token)
        self.faults = FaultInjector()
        self.callbacks = CallbackSender(self.stats)
        self.stopping = threading.Event()  # set by stop(): releases held connections
        self.endpoints = WanEndpoints(self, self.stopping)
        self._server: SimHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._seedings = 0
        self.seed_tasks(seed_tasks)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Simulator:
        if self._server is not None:
            return self
        self.stopping.clear()
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
        self.stopping.set()  # releases held synchronous submissions
        self.callbacks.cancel_all()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def force_faults(self, kind: str, count: int = 1, endpoint: str = "tasks") -> None:
        """Make the next `count` requests to /wan/tasks (or /wan/videos with
        endpoint="videos") answer with fault `kind`: "429", "500", "502" or "drop"."""
        self.faults.force(kind, count, endpoint)

    def seed_tasks(self, count: int, days: float = 30.0) -> list[str]:
        """Hold `count` more ended tasks "made by another client", created over the last
        `days` days (varied models, prompts, costs; about 1 in 10 failed). Their ids, oldest
        first. Repeatable with the simulator's seed."""
        if count <= 0:
            return []
        self._seedings += 1
        seed = None if self.seed is None else f"{self.seed}-{self._seedings}"
        tasks = seeded_tasks(count, seed, time.time(), days, self.tasks.next_cost_shape)
        for task in tasks:
            self.tasks.add(task)
        self.stats.note_seeded(len(tasks))
        return [task.id for task in tasks]

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def usage_text(base_url: str, token: str) -> str:
    """How to point wan-tui (or any client) at this simulator."""
    return (
        "\nUse it from another terminal:\n"
        f"  export ACEDATACLOUD_API_BASE_URL={base_url}\n"
        f"  export ACEDATACLOUD_API_TOKEN={token}\n"
        "  wan-tui generate \"a red fox in snow\" --wait     # or any command; `wan-tui` opens the app\n"
        f"Prompt words that steer a task: {', '.join((*MAGIC_WORDS, 'forbidden'))}.\n"
        "Test hooks: /_sim/stats, /_sim/requests, /_sim/control, /_sim/seed. Stop with Ctrl-C."
    )


def serve(host: str = "127.0.0.1", port: int = 0, token: str | None = None,
          job_seconds: float = 15.0, fail_rate: float = 0.0, fault_rate: float = 0.0,
          seed: int | None = None, latency: float = 0.0, seed_tasks: int = 0) -> None:
    """Run a simulator in the foreground until Ctrl-C or SIGTERM."""
    done = threading.Event()

    def on_term(signum: int, frame: Any) -> None:
        done.set()

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, on_term)
    try:
        with Simulator(host, port, token, job_seconds, fail_rate, fault_rate, seed,
                       latency, seed_tasks) as sim:
            print(f"Wan API simulator on {sim.base_url}", flush=True)
            print(f"token: {sim.token}", flush=True)
            print(usage_text(sim.base_url, sim.token), flush=True)
            while not done.wait(0.5):  # short waits keep Ctrl-C responsive
                pass
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
