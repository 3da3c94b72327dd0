"""The client against the simulator over real loopback HTTP (and, for the table of error codes
the simulator cannot provoke, against canned answers of the documented shape)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from wan_tui.api.client import BATCH_LIMIT, RetryPolicy, WanClient
from wan_tui.api.errors import (
    CODE_TABLE,
    AccountError,
    ApiError,
    AuthError,
    BadAnswer,
    BadRequest,
    BadToken,
    NotAvailable,
    RateLimited,
    Refused,
    ServerError,
    ServiceTimeout,
    SubmissionUnknown,
    TransportError,
)
from wan_tui.api.models import GenerationRequest, InvalidRequest
from wan_tui.api.state import State
from wan_tui.sim import Simulator


def t2v(prompt: str = "a red fox in snow", **kw) -> GenerationRequest:
    return GenerationRequest(action="text2video", model="wan2.6-t2v", prompt=prompt, **kw)


@pytest.fixture
async def client(sim: Simulator, fast_retry: RetryPolicy):
    async with WanClient(sim.base_url, sim.token, retry=fast_retry) as c:
        yield c


async def test_submit_returns_task_id_and_trace_id_for_both_ack_shapes(client, sim) -> None:
    acks = [await client.submit(t2v(f"fox {i}")) for i in range(4)]
    assert all(a.task_id and a.trace_id for a in acks)
    assert len({a.task_id for a in acks}) == 4
    assert sim.stats.videos_posts == 4


async def test_invalid_request_sends_nothing(client, sim) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await client.submit(GenerationRequest(action="image2video", model="wan2.6-i2v", prompt="x"))
    assert caught.value.problems[0].field == "image_url"
    assert sim.stats.videos_posts == 0


async def test_a_task_is_followed_to_success(client, sim) -> None:
    ack = await client.submit(t2v())
    snap = await client.retrieve(ack.task_id)
    assert snap.state is State.PENDING  # no response yet

    for _ in range(100):
        snap = await client.retrieve(ack.task_id)
        if snap.state is State.SUCCEEDED:
            break
        await asyncio.sleep(0.05)
    assert snap.state is State.SUCCEEDED and snap.video_url and snap.thumbnail_url
    assert snap.finished_at and snap.trace_id


async def test_moderation_refusal_is_typed_with_trace_id(client) -> None:
    with pytest.raises(Refused) as caught:
        await client.submit(t2v("something forbidden"))
    assert caught.value.status == 403 and caught.value.trace_id
    assert "moderation" in str(caught.value) and caught.value.trace_id in str(caught.value)


async def test_wrong_token_and_missing_token(sim, fast_retry) -> None:
    async with WanClient(sim.base_url, "sk-wrong-token-123456", retry=fast_retry) as bad:
        with pytest.raises(AuthError) as caught:
            await bad.retrieve("x")
    assert caught.value.code == "invalid_token" and "config set api.token" in str(caught.value)
    assert "sk-wrong-token-123456" not in str(caught.value)
    assert fast_retry.delays == []  # 4xx are not retried
    async with WanClient(sim.base_url, "", retry=fast_retry) as none:
        with pytest.raises(AuthError):
            await none.submit(t2v())
    assert sim.stats.videos_posts == 0


async def test_reads_are_not_retried_on_other_4xx(client, sim) -> None:
    with pytest.raises(BadRequest):
        await client.retrieve("no-such-task")
    assert sim.stats.tasks_posts == 1


@pytest.mark.parametrize("kind", ["429", "500", "502", "drop"])
async def test_reads_retry_faults_with_backoff(client, sim, fast_retry, kind) -> None:
    ack = await client.submit(t2v())
    sim.force_faults(kind, 2)
    snap = await client.retrieve(ack.task_id)
    assert snap.task_id == ack.task_id
    assert sim.stats.faults.get(kind) == 2
    assert len(fast_retry.delays) == 2
    if kind == "429":
        assert fast_retry.delays == [1.0, 1.0]  # the simulator's Retry-After, honoured
    else:
        assert 0.75 <= fast_retry.delays[0] <= 1.25 and 1.5 <= fast_retry.delays[1] <= 2.5


async def test_retries_are_bounded(client, sim, fast_retry) -> None:
    sim.force_faults("500", 50)
    with pytest.raises(ServerError):
        await client.retrieve("anything")
    assert sim.stats.tasks_posts == fast_retry.attempts
    assert max(fast_retry.delays) <= fast_retry.cap * (1 + fast_retry.jitter)


@pytest.mark.parametrize("kind", ["429"])
async def test_a_refused_submission_is_not_resent(client, sim, kind) -> None:
    sim.force_faults(kind, 1, endpoint="videos")
    with pytest.raises(ApiError):
        await client.submit(t2v())
    assert sim.stats.videos_posts == 1 and sim.stats.created == 0


@pytest.mark.parametrize("kind", ["500", "502", "drop"])
async def test_a_submission_without_a_readable_answer_is_unknown_and_not_resent(client, sim, kind) -> None:
    sim.force_faults(kind, 1, endpoint="videos")
    with pytest.raises(SubmissionUnknown) as caught:
        await client.submit(t2v("lost answer"))
    assert "not resent" in str(caught.value)
    assert sim.stats.videos_posts == 1
    if kind == "drop":
        assert sim.stats.created == 1  # the nasty case: it exists, and we were not told


async def test_connection_refused_is_a_transport_error_not_unknown(fast_retry) -> None:
    async with WanClient("http://127.0.0.1:9", "tok-123456789012", retry=fast_retry) as c:
        with pytest.raises(TransportError) as caught:
            await c.submit(t2v())
    assert not isinstance(caught.value, SubmissionUnknown)


async def test_batches_are_split_at_50_ids(client, sim) -> None:
    ids = [(await client.submit(t2v(f"p{i}"))).task_id for i in range(BATCH_LIMIT + 15)]
    found = await client.retrieve_batch(ids + ["unknown-id"] + ids[:3])
    assert set(found) == set(ids)
    assert sim.stats.batch_calls == 2 and sim.stats.max_batch_ids == BATCH_LIMIT
    with pytest.raises(ValueError):
        await client.fetch_batch(ids + ["x"] * 10)


async def test_listing_pages_newest_first(client) -> None:
    ids = [(await client.submit(t2v(f"p{i}"))).task_id for i in range(5)]
    page = await client.list_tasks(limit=3)
    assert [s.task_id for s in page] == ids[::-1][:3]


# -- the documented error table, answered as the service would ---------------------------------

STATUS_FOR = {"bad_request": 400, "no_token": 400, "token_mismatched": 401, "api_not_implemented": 400,
              "invalid_token": 401, "token_expired": 401, "forbidden": 403, "used_up": 403,
              "disabled": 403, "too_many_requests": 429, "rate_limited": 429, "api_error": 500,
              "timeout": 504}
CLASS_FOR = {"bad_request": BadRequest, "no_token": AuthError, "token_mismatched": AuthError,
             "api_not_implemented": NotAvailable, "invalid_token": AuthError, "token_expired": AuthError,
             "forbidden": Refused, "used_up": AccountError, "disabled": AccountError,
             "too_many_requests": RateLimited, "rate_limited": RateLimited, "api_error": ServerError,
             "timeout": ServiceTimeout}
TOKEN = "sk-secret-token-abcdef"


def canned(status: int, body: bytes | None = None, headers: dict | None = None, json=None):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, json=json, headers=headers)

    return WanClient("http://wan.test", TOKEN, http=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
                     retry=RetryPolicy(attempts=1))


def test_the_table_covers_every_documented_code() -> None:
    assert set(STATUS_FOR) == set(CODE_TABLE) == set(CLASS_FOR)


@pytest.mark.parametrize("code", sorted(STATUS_FOR))
async def test_every_error_code_maps_to_a_typed_actionable_error(code: str) -> None:
    client = canned(STATUS_FOR[code], json={"success": False, "trace_id": "tr-1",
                                            "error": {"code": code, "message": f"upstream says {TOKEN}"}},
                    headers={"retry-after": "7"})
    with pytest.raises(CLASS_FOR[code]) as caught:
        await client.retrieve("t")
    error = caught.value
    assert error.code == code and error.status == STATUS_FOR[code] and error.trace_id == "tr-1"
    text = str(error)
    assert "tr-1" in text and TOKEN not in text and "…" in text
    if isinstance(error, RateLimited):
        assert error.retry_after == 7.0
    if isinstance(error, AuthError):
        assert "api.token" in text
    if code == "used_up":
        assert "balance" in text


@pytest.mark.parametrize("status,body", [(502, b"<html><body>Bad Gateway</body></html>"), (200, b""),
                                         (200, b"not json"), (200, b"[1,2]"), (403, b"<html>no</html>")])
async def test_non_json_answers_are_clear_errors(status: int, body: bytes) -> None:
    client = canned(status, body=body, headers={"x-trace-id": "hdr-trace"})
    with pytest.raises((BadAnswer, ServerError, ApiError)) as caught:
        await client.retrieve("t")
    assert caught.value.trace_id == "hdr-trace" and caught.value.status == status
    assert "JSON" in str(caught.value) or "empty" in str(caught.value) or status == 403


async def test_trace_id_from_header_when_the_body_has_none() -> None:
    client = canned(200, json={"task_id": "abc"}, headers={"x-trace-id": "hdr"})
    ack = await client.submit(t2v())
    assert (ack.task_id, ack.trace_id) == ("abc", "hdr")


async def test_an_ack_without_task_id_is_unknown() -> None:
    client = canned(200, json={"success": True})
    with pytest.raises(SubmissionUnknown):
        await client.submit(t2v())


@pytest.mark.parametrize("header,seconds", [("2", 2.0), ("inf", 300.0), ("1e9", 300.0), ("-5", 0.0),
                                            ("nan", None), ("soon", None), ("", None)])
def test_retry_after_is_bounded(header, seconds) -> None:
    from wan_tui.api.client import parse_retry_after

    assert parse_retry_after(header) == seconds


async def test_a_token_headers_cannot_carry_is_not_sent_and_not_unknown() -> None:
    async with WanClient("http://127.0.0.1:9", "sim-tök", retry=RetryPolicy(attempts=1)) as c:
        with pytest.raises(BadToken) as caught:
            await c.submit(t2v())
    assert not isinstance(caught.value, SubmissionUnknown) and "nothing was sent" in str(caught.value)
    assert "tök" not in str(caught.value)


# -- errors keep the service's words apart from ours --------------------------------------------

async def test_error_json_keeps_the_service_message_and_our_hint_apart() -> None:
    client = canned(401, json={"error": {"code": "token_expired", "message": "expired at noon"},
                               "trace_id": "tr-9"})
    with pytest.raises(AuthError) as caught:
        await client.retrieve("t")
    error = caught.value
    assert error.to_json() == {"code": "token_expired", "message": "expired at noon",
                               "hint": error.hint, "status": 401, "trace_id": "tr-9"}
    assert "api.token" in error.hint and "[" not in error.to_json()["message"]
    assert str(error).startswith("the API token has expired (service said: expired at noon)")


async def test_error_json_uses_our_message_when_the_service_said_nothing() -> None:
    client = canned(502, body=b"<html>bad gateway</html>")
    with pytest.raises(ServerError) as caught:
        await client.retrieve("t")
    assert caught.value.to_json()["message"] == "the service or a proxy failed and sent an answer that is not JSON"
    assert caught.value.to_json()["hint"] is None


def test_a_huge_service_message_is_bounded() -> None:
    error = ApiError("refused", server_message="x" * 1_000_000, code="c" * 10_000, trace_id="t" * 10_000)
    assert len(str(error)) < 3000 and len(error.code) <= 100 and len(error.trace_id or "") <= 256


def test_a_hint_can_be_given_per_error() -> None:
    assert ApiError("refused", hint="try later").to_json()["hint"] == "try later"
    assert str(ApiError("refused", hint="try later")) == "refused: try later"
