"""The token sweep through the terminal app (issue 10): a session against a server that
echoes the token everywhere, with a download and a screenshot, leaves the token in no file,
and never on screen."""

from __future__ import annotations

from pathlib import Path

from proxy import Behaviour, ProxyServer
from ui_support import until

from wan_tui.api.models import GenerationRequest
from wan_tui.session import Connection
from wan_tui.sim import Simulator
from wan_tui.store.config import load_config
from wan_tui.tracking import Pacing
from wan_tui.ui.app import WanApp

FAST = Pacing(max_requests_per_second=50, first_poll=0.05, interval=0.1)


async def test_the_app_keeps_an_echoed_token_out_of_every_file(sim: Simulator,
                                                               tmp_path: Path) -> None:
    proxy = ProxyServer(sim.base_url, Behaviour(echo_token=True)).start()
    config = tmp_path / "config.toml"
    config.write_text(f'[downloads]\ndir = "{tmp_path / "videos"}"\n')
    app = WanApp(load_config(config), Connection(proxy.base_url, sim.token),
                 history_path=tmp_path / "history.sqlite3", pacing=FAST, spin=False)
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await until(pilot, lambda: app.board is not None)
            app.submit(GenerationRequest(action="text2video", model="wan2.6-t2v",
                                         prompt="a red fox in snow"))
            await until(pilot, lambda: any(r.state == "succeeded"
                                           for r in app.board.rows.values()), seconds=20)
            await pilot.press("d")
            await until(pilot, lambda: any(p.suffix == ".mp4" for p in
                                           (tmp_path / "videos").glob("*")), seconds=20)
            app.save_screenshot(str(tmp_path / "screen.svg"))
            shown = app.export_screenshot()
    finally:
        proxy.stop()
    assert sim.token not in shown
    holders = [p.name for p in tmp_path.rglob("*")
               if p.is_file() and sim.token.encode() in p.read_bytes()]
    assert holders == []
