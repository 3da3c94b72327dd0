"""Settling lost submissions never takes a task another row may still claim (issue 10, 1)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from wan_tui.api.client import WanClient
from wan_tui.api.models import GenerationRequest
from wan_tui.api.state import State
from wan_tui.reconcile import Reconciler
from wan_tui.session import Connection, Session
from wan_tui.sim import Simulator
from wan_tui.store.config import load_config
from wan_tui.store.history import HistoryStore


async def no_pause() -> None:
    return None


def same() -> GenerationRequest:
    return GenerationRequest(action="text2video", model="wan2.6-t2v", prompt="a paper boat")


async def test_a_rerun_in_flight_keeps_its_task_and_the_lost_one_finds_its_own(
        sim: Simulator, tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")
    async with WanClient(sim.base_url, sim.token) as client:
        # A: sent, created upstream, answer lost. B: the same prompt again, its answer not
        # back yet, though the service has created its task (the newest in the listing).
        lost = store.add_submission(same())
        task_a = (await client.submit(same())).task_id
        store.mark_unknown(lost, "no answer")
        rerun = store.add_submission(same())
        task_b = (await client.submit(same())).task_id
        reconciler = Reconciler(client, store, pause=no_pause)

        assert await reconciler.settle([lost]) == []  # B may own any match: wait
        assert store.get(lost).state == State.UNKNOWN and lost in reconciler.pending()

        store.mark_submitted(rerun, task_b, None)  # B's answer arrives
        [adopted] = await reconciler.settle([lost])
    assert adopted.id == lost and adopted.task_id == task_a
    assert store.get(rerun).task_id == task_b  # both rows kept, each with its own task
    assert store.count() == 2
    store.close()


async def test_a_row_being_looked_for_is_not_settled_meanwhile(sim: Simulator,
                                                               tmp_path: Path) -> None:
    """A waiter that looks while the listing is on its way must see the row still pending
    (a `wait --all` right after a crash used to end at once, leaving billed tasks unknown)."""
    store = HistoryStore(tmp_path / "history.sqlite3")
    async with WanClient(sim.base_url, sim.token) as client:
        lost = store.add_submission(same())
        store.mark_unknown(lost, "no answer")
        reconciler = Reconciler(client, store, pause=no_pause)
        reconciler.schedule_soon([lost])
        sim.answer_delays["listing"] = 0.5
        search = asyncio.create_task(reconciler.settle([lost]))
        await asyncio.sleep(0.1)  # the listing is on its way
        assert lost in reconciler.pending()
        await search
    store.close()


async def test_sync_gives_a_listed_task_to_the_unknown_row_waiting_for_it(
        sim: Simulator, tmp_path: Path) -> None:
    """A sync must not add our own lost submission's task as a second row: the unknown row
    that waits for it adopts it (one row, one task, its billing seen)."""
    store = HistoryStore(tmp_path / "history.sqlite3")
    session = Session(load_config(tmp_path / "config.toml"), store=store)
    await session.connect(Connection(sim.base_url, sim.token))
    try:
        lost = store.add_submission(same())
        async with WanClient(sim.base_url, sim.token) as client:
            task = (await client.submit(same())).task_id
            other = (await client.submit(GenerationRequest(
                action="text2video", model="wan2.6-t2v", prompt="made in the web app"))).task_id
        store.mark_unknown(lost, "no answer")
        result = await session.sync()
        assert store.get(lost).task_id == task  # adopted by the row that waited for it
        assert store.by_task_id(other) is not None  # the stranger is added
        assert store.count() == 2 and (result.seen, result.added) == (2, 1)
    finally:
        await session.close()
