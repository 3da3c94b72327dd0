"""The app driven with the keyboard (Pilot) against a real simulator over loopback HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.session import Connection
from wan_tui.sim import Simulator
from wan_tui.store.config import load_config, save_values
from wan_tui.tracking import Pacing
from wan_tui.ui.app import DEMO_REQUESTED, WanApp
from wan_tui.ui.screens.board import BoardScreen
from wan_tui.ui.screens.confirm import ConfirmScreen
from wan_tui.ui.screens.generation_form import GenerationForm
from wan_tui.ui.screens.help import HelpScreen
from wan_tui.ui.screens.history import HistoryScreen
from wan_tui.ui.screens.welcome import WelcomeScreen

from ui_support import recording_player, until

FAST = Pacing(max_requests_per_second=50, first_poll=0.05, interval=0.1)
SIZE = (140, 40)
MARKUP = "[b]bold[/b] [@click=app.quit]x[/]"


def make_app(tmp_path: Path, connection: Connection | None, **options: Any) -> WanApp:
    options.setdefault("pacing", FAST)
    return WanApp(load_config(tmp_path / "config.toml"), connection,
                  history_path=tmp_path / "history.sqlite3", spin=False, **options)


def connect(sim: Simulator) -> Connection:
    return Connection(sim.base_url, sim.token)


def board_of(app: WanApp) -> BoardScreen:
    assert app.board is not None
    return app.board


def states(app: WanApp) -> dict[str, str]:
    """Prompt -> state, as the board shows them."""
    board = board_of(app)
    return {row.prompt: row.state for row in board.rows.values()}


def cell(app: WanApp, local_id: int, column: str) -> Text:
    return board_of(app).table.get_cell(str(local_id), column)


async def submit_and_wait(pilot: Pilot[Any], app: WanApp, *prompts: str) -> None:
    """Submit, and wait until each has ended (the simulator fails prompts saying "fail")."""
    for prompt in prompts:
        app.submit(GenerationRequest(action="text2video", model="wan2.6-t2v", prompt=prompt))
    await until(pilot, lambda: all(
        states(app).get(p) == (State.FAILED if "fail" in p else State.SUCCEEDED)
        for p in prompts))


async def test_new_generation_from_the_form_reaches_succeeded(tmp_path: Path,
                                                              sim: Simulator) -> None:
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None and app.screen is app.board)
        board = board_of(app)
        shown: list[str] = []  # every state the board was given, in order
        apply_rows = board.apply_rows

        def record(rows: Any, **options: Any) -> None:
            rows = list(rows)
            shown.extend(row.state for row in rows)
            apply_rows(rows, **options)

        board.apply_rows = record  # type: ignore[method-assign]
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, GenerationForm))
        await pilot.press(*"calm lake")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: states(app).get("calm lake") == State.SUCCEEDED)
        assert app.screen is board
        # The row showed at once as submitting, then pending, before the service's answers.
        assert shown[:2] == [State.SUBMITTING, State.PENDING] and shown[-1] == State.SUCCEEDED
        row = next(iter(board.rows.values()))
        assert board.table.highlighted_key() == str(row.id)
        assert cell(app, row.id, "state").plain.endswith("succeeded")
        assert row.video_url and row.task_id
        await until(pilot, lambda: any("Video ready" == n.title for n in app._notifications))
        stored = app.session.get(row.id)
        assert stored is not None and stored.state == State.SUCCEEDED


async def test_a_markup_prompt_shows_literally_and_clicking_it_does_nothing(
        tmp_path: Path, sim: Simulator) -> None:
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        await submit_and_wait(pilot, app, MARKUP)
        board = board_of(app)
        row = next(iter(board.rows.values()))
        prompt = cell(app, row.id, "prompt")
        assert prompt.plain == MARKUP and not prompt.spans
        detail = app.export_screenshot()
        assert "[@click=app.quit]x[/]" in detail.replace("&#160;", " ")
        assert all(n.markup is False for n in app._notifications)
        # Click the prompt cell on the board, and the prompt in the detail pane.
        await pilot.click("#tasks", offset=(70, 2))
        await pilot.click("#detail", offset=(30, 3))
        await pilot.pause(0.1)
        assert app.is_running and app.screen is board


async def test_filter_by_text_and_by_state(tmp_path: Path, sim: Simulator) -> None:
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        await submit_and_wait(pilot, app, "a red fox in snow", "an otter swimming",
                              "this one will fail")
        board = board_of(app)
        assert board.table.row_count == 3
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"fox", "enter")
        await until(pilot, lambda: board.table.row_count == 1)
        assert board.highlighted() is not None and board.highlighted().prompt == "a red fox in snow"
        assert "'fox'" in str(board.query_one("#status").render())
        await pilot.press("escape")  # clears the filters
        await until(pilot, lambda: board.table.row_count == 3)
        await pilot.press("s")  # active
        assert board.table.row_count == 0
        await pilot.press("s")  # succeeded
        assert board.table.row_count == 2
        await pilot.press("s")  # failed
        assert [board.rows[int(k)].prompt for k in board.table.keys_in_order()] == [
            "this one will fail"]
        # The palette offers one command per state.
        await pilot.press("ctrl+p")
        await pilot.press(*"only succ")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: board.state_filter.label == "succeeded")
        assert board.table.row_count == 2


async def test_copy_open_download_and_rerun_the_highlighted_task(tmp_path: Path,
                                                                 sim: Simulator) -> None:
    player, played = recording_player(tmp_path)
    (tmp_path / "config.toml").write_text(f'[downloads]\ndir = "{tmp_path / "videos"}"\n'
                                          f'[media]\nplayer = "{player}"\n')
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        await submit_and_wait(pilot, app, "a lighthouse at dusk")
        row = next(iter(board_of(app).rows.values()))
        await pilot.press("c")
        assert app.clipboard == row.video_url
        await pilot.press("o")
        await until(pilot, lambda: played.is_file() and played.read_text() == row.video_url)
        await pilot.press("d")
        await until(pilot, lambda: board_of(app).rows[row.id].local_path)
        saved = Path(board_of(app).rows[row.id].local_path)
        assert saved.parent == tmp_path / "videos" and saved.read_bytes()[4:8] == b"ftyp"
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, GenerationForm))
        assert app.screen.query_one("#prompt", TextArea).text == "a lighthouse at dusk"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)


async def test_quit_asks_while_a_submission_is_in_flight(tmp_path: Path) -> None:
    async with _black_hole() as url:  # accepts connections and never answers
        app = make_app(tmp_path, Connection(url, "token"))
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.board is not None)
            session = app.session
            app.submit(GenerationRequest(action="text2video", model="wan2.6-t2v",
                                         prompt="never answered"))
            await until(pilot, lambda: states(app).get("never answered") == State.SUBMITTING)
            await pilot.press("q")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("n")
            await until(pilot, lambda: app.screen is app.board)
            assert app.is_running
            await pilot.press("q")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await until(pilot, lambda: not app.is_running)
        with pytest.raises(Exception, match="closed"):  # the app closed its history
            session.get(1)


async def test_quit_without_submissions_in_flight_does_not_ask(tmp_path: Path,
                                                               sim: Simulator) -> None:
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running)


async def test_keymap_from_the_config_remaps_binding_ids(tmp_path: Path, sim: Simulator) -> None:
    save_values({"keymap.board.new_text": "ctrl+n", "keymap.app.help": "f9"},
                tmp_path / "config.toml")
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        await pilot.press("n")
        await pilot.pause(0.1)
        assert app.screen is app.board  # n no longer opens the form
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, GenerationForm))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)
        await pilot.press("f9")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen)
        shown = {binding_id: keys for _, rows in app.screen.sections
                 for keys, _, binding_id in rows}
        assert shown["board.new_text"] == app.get_key_display(Binding("ctrl+n", ""))
        assert shown["app.help"] == "f9"


async def test_help_lists_every_binding_id(tmp_path: Path, sim: Simulator) -> None:
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen)
        ids = {binding_id for _, rows in app.screen.sections for _, _, binding_id in rows}
        for wanted in ("board.new_text", "board.new_image", "board.filter", "board.rerun",
                       "board.copy", "board.open", "board.history", "board.details",
                       "app.settings", "app.help", "app.quit"):
            assert wanted in ids
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.board)


async def test_welcome_screen_saves_a_pasted_token_and_opens_the_board(
        tmp_path: Path, sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACEDATACLOUD_API_BASE_URL", sim.base_url)
    app = make_app(tmp_path, None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.press(*sim.token[:4])
        app.screen.query_one("#token", Input).value = sim.token  # the rest, as a paste would
        assert sim.token not in app.export_screenshot()  # a password field: dots only
        await pilot.press("enter")
        await until(pilot, lambda: app.board is not None and app.screen is app.board)
        assert load_config(tmp_path / "config.toml").config.api.token == sim.token
        await submit_and_wait(pilot, app, "first light")
        assert sim.token not in app.export_screenshot()
        assert all(sim.token not in n.message for n in app._notifications)


async def test_welcome_screen_refuses_a_token_no_header_can_carry(tmp_path: Path) -> None:
    app = make_app(tmp_path, None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        app.screen.query_one("#token", Input).value = "sim-tök"
        await pilot.press("enter")
        await pilot.pause()
        shown = str(app.screen.query_one("#token-error").render())
        assert "printable ASCII" in shown and "sim-tök" not in shown
        assert isinstance(app.screen, WelcomeScreen) and app.board is None
    assert not (tmp_path / "config.toml").exists()


async def test_welcome_screen_offers_the_demo(tmp_path: Path) -> None:
    app = make_app(tmp_path, None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.click("#demo")
        await until(pilot, lambda: not app.is_running)
    assert app.return_value == DEMO_REQUESTED


async def test_a_corrupt_history_is_reported_at_start(tmp_path: Path, sim: Simulator) -> None:
    (tmp_path / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        notes = [n for n in app._notifications if n.title == "History"]
        assert notes and "moved to" in notes[0].message


async def test_a_task_ending_rings_the_bell_when_the_app_is_not_focused(
        tmp_path: Path, sim: Simulator) -> None:
    app = make_app(tmp_path, connect(sim))
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        await submit_and_wait(pilot, app, "focused")
        await until(pilot, lambda: any(n.title == "Video ready" for n in app._notifications))
        assert rings == []  # focused, and ui.bell is off
        app.app_focus = False
        await submit_and_wait(pilot, app, "meant to fail")
        await until(pilot, lambda: rings == [1])
        # Its toast replaces the first one while that is still up ("1 video ready · 1 failed").
        failed = [n for n in app._notifications if "failed" in n.title.lower()]
        assert failed and "upstream model failed" in failed[0].message


async def test_settings_saved_reload_theme_and_keymap(tmp_path: Path, sim: Simulator) -> None:
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        await pilot.press("comma")
        await until(pilot, lambda: type(app.screen).__name__ == "SettingsScreen")
        save_values({"ui.theme": "nord", "keymap.board.history": "f7"},
                    tmp_path / "config.toml")
        app.screen.dismiss(True)
        await until(pilot, lambda: app.screen is app.board and app.theme == "nord")
        await pilot.press("f7")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))


def _ticking(start: float = 1_700_000_000.0) -> Callable[[], float]:
    now = [start]

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    return clock


@contextlib.asynccontextmanager
async def _black_hole() -> AsyncIterator[str]:
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for writer in held:
            writer.close()
        server.close()


async def test_welcome_demo_key_works_while_the_token_field_has_focus(tmp_path: Path) -> None:
    app = make_app(tmp_path, None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        assert isinstance(app.focused, Input)
        await pilot.press("ctrl+d")
        await until(pilot, lambda: not app.is_running)
    assert app.return_value == DEMO_REQUESTED


async def test_welcome_screen_checks_the_token_before_welcoming(
        tmp_path: Path, sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACEDATACLOUD_API_BASE_URL", sim.base_url)
    app = make_app(tmp_path, None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        app.screen.query_one("#token", Input).value = "not-the-right-token"
        await pilot.press("enter")
        await until(pilot, lambda: "refused" in str(app.screen.query_one("#token-error").render()))
        shown = str(app.screen.query_one("#token-error").render())
        assert "not-the-right-token" not in shown and "config set" not in shown
        assert isinstance(app.screen, WelcomeScreen) and app.board is None
        assert not any("Welcome" in n.message for n in app._notifications)
        assert not (tmp_path / "config.toml").exists()


async def test_the_quit_question_follows_the_real_count(tmp_path: Path, sim: Simulator) -> None:
    sim.answer_delays["videos"] = 3.0  # the service answers the submission late
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        app.submit(GenerationRequest(action="text2video", model="wan2.6-t2v", prompt="late"))
        await until(pilot, lambda: states(app).get("late") == State.SUBMITTING)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        message = app.screen.query_one("#confirm-message")
        assert "1 submission is still being sent" in str(message.content)
        await until(pilot, lambda: "was answered" in str(message.content))
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running)


async def test_a_key_mapped_twice_does_not_take_over_another_action(tmp_path: Path,
                                                                    sim: Simulator) -> None:
    save_values({"keymap.board.new_text": "q"}, tmp_path / "config.toml")
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None)
        await until(pilot, lambda: any("also bound to app.quit" in n.message
                                       for n in app._notifications))
        await pilot.press("n")  # the clashing entry was not applied: n still opens the form
        await until(pilot, lambda: isinstance(app.screen, GenerationForm))
