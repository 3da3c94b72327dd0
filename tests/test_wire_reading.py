"""Reading tasks: Wan 3's `response.data`, usage and cost as received, and every field
sanitized on its own, so one absurd value never costs a task (or a batch) its reading."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_server import HostileServer, task
from wan_tui.api.answers import read_ack, read_object
from wan_tui.api.client import RetryPolicy, WanClient
from wan_tui.api.errors import WanError
from wan_tui.api.sanitize import MAX_JSON_BYTES, clean_json, number, timestamp
from wan_tui.api.state import State
from wan_tui.api.task import read_task
from wan_tui.api.wire import Answer

TOKEN = "tk_test_reading_0123456789"


def test_wan3_video_fields_are_found_under_data() -> None:
    snap = read_task(task("w3"))
    assert snap.state is State.SUCCEEDED
    assert snap.video_url == "https://cdn.example/w3.mp4"
    assert snap.thumbnail_url == "https://cdn.example/w3.jpg"
    assert (snap.video_width, snap.video_height) == (1280, 720)


def test_fields_in_the_response_win_over_data() -> None:
    snap = read_task(task("w", video_url="https://top/v.mp4", video_width=1920))
    assert snap.video_url == "https://top/v.mp4" and snap.video_width == 1920
    assert snap.video_height == 720  # still found one level down


def test_a_wan3_failure_reason_under_data_is_read() -> None:
    raw = task("f", success=False, state="failed")
    raw["response"]["data"] = {"error": {"code": "forbidden", "message": "moderated"}}
    snap = read_task(raw)
    assert snap.state is State.FAILED and snap.error == {"code": "forbidden", "message": "moderated"}


def test_a_done_word_with_the_video_only_under_data_is_succeeded() -> None:
    raw = task("w")
    del raw["finished_at"]
    assert read_task(raw).state is State.SUCCEEDED


@pytest.mark.parametrize("cost", [0.35, {"amount": 0.5, "currency": "USD"}, "0.35 USD",
                                  [1, {"x": None}], {"credits": 12, "breakdown": {"a": [1, 2]}}])
def test_usage_and_cost_are_kept_as_received(cost) -> None:
    snap = read_task(task("c", cost=cost, usage={"resolution": "720P", "seconds": 5}))
    assert snap.cost == cost and snap.usage == {"resolution": "720P", "seconds": 5}
    assert snap.to_json()["cost"] == cost


def test_cost_under_data_or_on_the_task_is_found() -> None:
    raw = task("c")
    raw["response"]["data"]["cost"] = raw["response"].pop("cost")
    raw["usage"] = raw["response"].pop("usage")
    snap = read_task(raw)
    assert snap.cost == {"amount": 0.5, "currency": "USD"} and snap.usage["resolution"] == "720P"


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, 1e30, -5, 0, "x", True, 10**400,
                                 [1280], {"w": 1}, "1e999"])
def test_an_absurd_video_size_is_dropped_alone(bad) -> None:
    snap = read_task(task("s", video_width=bad))
    assert snap.video_width is None
    assert snap.video_height == 720 and snap.state is State.SUCCEEDED


@pytest.mark.parametrize("bad", [10**400, math.nan, math.inf, -1.0, 40_000_000_000.0, "soon", None])
def test_an_absurd_timestamp_is_dropped_alone(bad) -> None:
    raw = task("t")
    raw["created_at"] = bad
    snap = read_task(raw)
    assert snap.created_at is None and snap.finished_at == 1_767_000_060.0
    json.dumps(snap.to_json(), allow_nan=False)  # nothing a store or a JSON output chokes on


def test_lone_surrogates_become_replacement_characters() -> None:
    raw = json.loads('{"id": "s", "trace_id": "t\\ud800", "request": {"prompt": "p\\udfff"},'
                     ' "response": {"state": "running\\ud83d", "usage": {"k\\ud800": 1}}}')
    snap = read_task(raw)
    assert snap.trace_id == "t\ufffd" and snap.request == {"prompt": "p\ufffd"}
    assert snap.state_word == "running\ufffd" and snap.usage == {"k\ufffd": 1}


def test_numbers_keep_their_range() -> None:
    assert number("1280", 1, 10) is None and number("7", 1, 10) == 7.0
    assert timestamp(1_767_000_000) == 1_767_000_000.0 and timestamp(-1) is None


def test_a_cost_too_big_or_too_deep_is_replaced_by_none() -> None:
    assert clean_json({"pad": "x" * (MAX_JSON_BYTES + 10)}) is None
    deep: object = 1
    for _ in range(50):
        deep = [deep]
    assert clean_json(deep) == clean_json(deep)  # bounded, never a RecursionError
    assert "1" not in json.dumps(clean_json(deep))
    assert clean_json({"n": math.inf, "m": 10**400, "s": "a\x1b[2Jb"}) == {"n": None, "m": None,
                                                                          "s": "a[2Jb"}


def test_an_echoed_request_is_kept_but_bounded() -> None:
    raw = task("r")
    raw["request"]["prompt"] = "p" * 1_000_000
    snap = read_task(raw)
    assert snap.request == {}  # over the bound: dropped whole, never cut into a wrong prompt
    raw["request"]["prompt"] = "p" * 2000
    assert read_task(raw).request["prompt"] == "p" * 2000


# -- never raises ----------------------------------------------------------------------------

def _containers(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    _containers, max_leaves=20,
)
FIELDS = ["id", "created_at", "started_at", "finished_at", "elapsed", "trace_id", "request",
          "response"]
RESPONSE_FIELDS = ["success", "task_id", "state", "video_url", "video_width", "video_height",
                   "thumbnail_url", "error", "usage", "cost", "data", "trace_id"]
TASKS = st.one_of(
    JSON,
    st.fixed_dictionaries({}, optional={f: JSON for f in FIELDS}),
    st.fixed_dictionaries({"id": st.text(max_size=10), "finished_at": JSON},
                          optional={"response": st.fixed_dictionaries(
                              {}, optional={f: JSON for f in RESPONSE_FIELDS}),
                              "created_at": JSON}),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TASKS)
def test_reading_arbitrary_json_never_raises(raw) -> None:
    snap = read_task(raw, task_id="fallback", scrub=lambda s: s.replace("x", "…"))
    assert snap.state in set(State)
    out = snap.to_json()
    json.dumps(out, allow_nan=False)
    json.dumps([out, snap.request], ensure_ascii=False).encode()  # no lone surrogate survives
    assert "x" not in json.dumps(out, ensure_ascii=False).replace("task_id", "").replace(
        "state_word", "")


# -- one bad item never stops the others -----------------------------------------------------

@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer("poison", lifetime=60) as hostile:
        yield hostile


async def test_a_poisoned_task_does_not_stop_its_batch(server) -> None:
    async with WanClient(server.base_url, TOKEN, retry=RetryPolicy(attempts=1)) as client:
        found = await client.fetch_batch(["good-1", "bad-1", "good-2", "bad-2"])
    assert set(found) == {"good-1", "bad-1", "good-2", "bad-2"}
    bad = found["bad-1"]
    assert bad.video_width is None and bad.video_height is None and bad.created_at is None
    assert bad.elapsed is None and bad.state is State.SUCCEEDED and bad.video_url
    assert found["good-1"].video_width == 1280


async def test_a_ten_thousand_digit_number_costs_only_its_field(server) -> None:
    server.params["poison"] = {"video_width": "9" * 10_000}
    async with WanClient(server.base_url, TOKEN, retry=RetryPolicy(attempts=1)) as client:
        found = await client.fetch_batch(["bad-1", "good-1"])
    assert found["bad-1"].video_width is None and found["good-1"].video_width == 1280


async def test_junk_items_are_skipped(server) -> None:
    server.mode = "odd_items"
    async with WanClient(server.base_url, TOKEN, retry=RetryPolicy(attempts=1)) as client:
        found = await client.fetch_batch(["a", "b"])
        listed = await client.list_tasks(limit=10)
    assert set(found) == {"a", "b"} and listed == []


# -- any answer at all is read or refused with a typed error ---------------------------------

BODIES = st.one_of(st.binary(max_size=200), JSON.map(lambda v: json.dumps(v).encode()),
                   st.fixed_dictionaries({}, optional={"error": JSON, "success": JSON,
                                                       "task_id": JSON, "trace_id": JSON,
                                                       "items": JSON}).map(
                       lambda v: json.dumps(v).encode()))


@settings(max_examples=300, deadline=None)
@given(st.integers(100, 599), BODIES, st.text(max_size=20))
def test_any_answer_is_an_object_or_a_typed_error(status, content, header) -> None:
    answer = Answer(status, httpx.Headers({"x-trace-id": header.encode("ascii", "ignore").decode()}),
                    content)
    for read in (read_object, read_ack):
        try:
            assert isinstance(read(answer, lambda s: s), dict)
        except WanError as error:
            json.dumps(error.to_json(), allow_nan=False)
