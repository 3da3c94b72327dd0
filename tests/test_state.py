"""The reference's five rules for reading a task, in order."""

from __future__ import annotations

import pytest

from wan_tui.api.state import State
from wan_tui.api.task import DONE_WORDS, FAILED_WORDS, WAITING_WORDS, read_task


def task(response=None, **top) -> dict:
    out = {"id": "t1", "created_at": 1705788000.0, "trace_id": "tr", **top}
    if response is not None:
        out["response"] = response
    return out


def test_rule1_no_response_or_empty_is_pending() -> None:
    assert read_task(task()).state is State.PENDING
    assert read_task(task({})).state is State.PENDING
    assert read_task({"id": "t1", "response": "garbage"}).state is State.PENDING


def test_rule2_finished_with_video_is_succeeded() -> None:
    snap = read_task(task({"success": True, "state": "whatever", "video_url": "https://v/x.mp4",
                           "thumbnail_url": "https://v/x.jpg", "video_width": 1280, "video_height": 720},
                          finished_at=1705788787.2, elapsed=787.2))
    assert snap.state is State.SUCCEEDED and snap.video_url == "https://v/x.mp4"
    assert (snap.video_width, snap.video_height, snap.elapsed) == (1280, 720, 787.2)
    assert snap.error is None


def test_rule2_finished_without_video_or_with_success_false_is_failed_with_reason() -> None:
    snap = read_task(task({"success": False, "state": "completed", "video_url": "https://v/x.mp4",
                           "error": {"code": "api_error", "message": "boom"}}, finished_at=2.0))
    assert snap.state is State.FAILED and snap.error == {"code": "api_error", "message": "boom"}
    snap = read_task(task({"state": "processing"}, finished_at=2.0))
    assert snap.state is State.FAILED and snap.error_message  # a reason even when none was given


@pytest.mark.parametrize("word", sorted(FAILED_WORDS) + ["FAILED", "Cancelled"])
def test_rule3_failed_words(word: str) -> None:
    snap = read_task(task({"state": word, "error": {"code": "x", "message": "why"}}))
    assert snap.state is State.FAILED and snap.state_word == word and snap.error_message == "why"


@pytest.mark.parametrize("word", sorted(DONE_WORDS) + ["Completed", "SUCCESS"])
def test_rule3_done_word_needs_a_video(word: str) -> None:
    assert read_task(task({"state": word, "video_url": "https://v"})).state is State.SUCCEEDED
    assert read_task(task({"state": word})).state is State.RUNNING


@pytest.mark.parametrize("word", sorted(WAITING_WORDS) + ["Queued", "PROCESSING"])
def test_rule4_waiting_word_is_running_even_with_an_error(word: str) -> None:
    snap = read_task(task({"state": word, "success": False, "error": {"code": "e", "message": "hiccup"}}))
    assert snap.state is State.RUNNING and snap.state_word == word
    assert snap.error is None  # a passing hiccup is not a failure reason


@pytest.mark.parametrize("word", ["thinking", "", None, 42, "rendering frames"])
def test_rule5_anything_else_is_running_and_never_crashes(word) -> None:
    snap = read_task(task({"state": word}))
    assert snap.state is State.RUNNING


def test_odd_fields_never_raise() -> None:
    snap = read_task({"response": {"video_width": "wide", "error": "text", "state": "succeeded",
                                   "video_url": 5}, "created_at": "yesterday"}, task_id="x")
    assert snap.task_id == "x" and snap.state is State.RUNNING and snap.video_width is None
    assert snap.created_at is None


def test_to_json_has_the_promised_keys() -> None:
    keys = read_task(task()).to_json().keys()
    assert {"task_id", "state", "state_word", "video_url", "thumbnail_url", "error", "trace_id"} <= keys


def test_strings_from_the_service_lose_terminal_control_characters() -> None:
    evil = "\x1b]52;c;aGk=\x07boom\x1b[2J\x9b31m\x7f"
    snap = read_task({"id": "t\x1b[2J1", "trace_id": "tr\x1b]0;x\x07",
                      "response": {"state": f"fail{evil}", "video_url": f"https://v/{evil}.mp4",
                                   "error": {"code": f"bad{evil}", "message": f"why {evil}"}}})
    assert snap.state is State.RUNNING  # an unknown word, still: rule 5
    texts = [snap.task_id, snap.state_word, snap.video_url, snap.trace_id]
    snap = read_task({"id": "t1", "response": {"state": "\x1bfailed\x1b", "error": {
        "code": f"bad{evil}", "message": f"why {evil}\nsecond line"}}})
    assert snap.state is State.FAILED and snap.state_word == "failed"
    texts += [snap.error_code, snap.error_message]
    assert snap.error_message == "why ]52;c;aGk=boom[2J31m\nsecond line"
    for text in texts:
        assert text and not any(c in text for c in "\x1b\x07\x7f\x9b")
