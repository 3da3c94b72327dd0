"""`wan-tui --demo`: the app on the built-in simulator, in a folder of its own.

Each run gets a fresh temporary folder holding its own config file and history (removed at
exit), a simulator on a free loopback port with its own token, and a few generations submitted
through the tracker so the board is not empty. The user's own config and history are never
opened.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wan_tui.api.models import GenerationRequest
from wan_tui.session import Connection, Session
from wan_tui.sim import Simulator
from wan_tui.store.config import load_config

JOB_SECONDS_ENV = "WAN_TUI_DEMO_JOB_SECONDS"
DEFAULT_JOB_SECONDS = 15.0
FAIL_RATE = 0.15
DEMO_VIDEO_BYTES = 6 * 2**20
DEMO_MEDIA_RATE = 3 * 2**20  # bytes/s: two seconds a video


@dataclass(frozen=True)
class DemoSession:
    simulator: Simulator
    folder: Path
    config_path: Path
    history_path: Path

    @property
    def connection(self) -> Connection:
        return Connection(self.simulator.base_url, self.simulator.token)


def job_seconds(option: float | None = None) -> float:
    """--demo-job-seconds, else WAN_TUI_DEMO_JOB_SECONDS, else 15 (jobs take 10-20 s)."""
    if option is not None and option > 0:
        return option
    try:
        value = float(os.environ.get(JOB_SECONDS_ENV, ""))
    except ValueError:
        return DEFAULT_JOB_SECONDS
    return value if value > 0 else DEFAULT_JOB_SECONDS


def seed_requests(simulator: Simulator) -> list[GenerationRequest]:
    """What the board starts with: a few ordinary generations and one that fails."""
    return [
        GenerationRequest(action="text2video", model="wan2.6-t2v",
                          prompt="A red fox trotting through fresh snow at dawn, low sun, "
                                 "cinematic tracking shot", resolution="1080P", duration=5),
        GenerationRequest(action="image2video", model="wan2.6-i2v-flash",
                          prompt="The waves roll in slowly; seagulls cross the frame",
                          image_url=f"{simulator.base_url}/media/demo-beach.png",
                          resolution="720P", duration=10),
        GenerationRequest(action="text2video", model="wan2.6-t2v",
                          prompt="Timelapse of clouds over a mountain lake, reflections, 4k "
                                 "look", negative_prompt="people, text, watermark",
                          resolution="720P", duration=5, prompt_extend=True, shot_type="multi"),
        GenerationRequest(action="text2video", model="wan2.6-t2v",
                          prompt="A neon city street in the rain (this demo task is meant to "
                                 "fail)", duration=5),
    ]


@contextlib.contextmanager
def demo_session(seconds: float | None = None) -> Iterator[DemoSession]:
    """Start the simulator in a fresh folder; stop it and remove the folder at the end."""
    seconds = job_seconds(seconds)
    with tempfile.TemporaryDirectory(prefix="wan-tui-demo-") as tmp:
        folder = Path(tmp)
        config_path = folder / "config.toml"
        # Poll often enough that a task's end shows within a second or two of the job time.
        poll = max(0.5, min(3.0, seconds / 6))
        Session(load_config(config_path)).save_settings({
            "polling.first_poll_seconds": poll, "polling.interval_seconds": poll,
            "polling.max_requests_per_second": 2.0, "downloads.dir": str(folder / "downloads")})
        with Simulator(job_seconds=seconds, fail_rate=FAIL_RATE) as simulator:
            # Videos the size of a real 5 s clip, over a modest link: downloads take a moment.
            simulator.video_size, simulator.media_rate = DEMO_VIDEO_BYTES, DEMO_MEDIA_RATE
            yield DemoSession(simulator, folder, config_path, folder / "history.sqlite3")


def run_demo(seconds: float | None = None) -> str | None:
    """Run the app on a demo session until the user quits; the app's result."""
    from .app import WanApp

    with demo_session(seconds) as session:
        app = WanApp(load_config(session.config_path), session.connection,
                     history_path=session.history_path, demo=True,
                     seeds=seed_requests(session.simulator))
        # A closed terminal or a kill still ends the app normally, so the folder is removed.
        wanted = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
        previous = {sig: signal.signal(sig, lambda *_: app.exit()) for sig in wanted}
        try:
            return app.run()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
