"""The simulator judges POST /wan/videos by its own rules, written from the API reference.

Straight over HTTP (no wan_tui client): each case is a body the real service accepts or
refuses according to ../shared/wan-api.md, including the cases the client once got wrong.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import wan_tui.sim
from wan_tui.sim import Simulator

T2V = {"model": "wan2.6-t2v", "action": "text2video", "prompt": "a paper boat"}
I2V = {"model": "wan2.6-i2v", "action": "image2video", "prompt": "waves roll in",
       "image_url": "https://example.com/first.png"}
R2V = {"model": "wan2.6-r2v", "action": "image2video", "prompt": "the same dancer",
       "reference_video_urls": ["https://example.com/ref.mp4"]}
WAN3 = {"model": "wan3.0-video", "prompt": "a paper boat on a lake"}
FRAME = {"type": "first_frame", "url": "https://example.com/a.png"}
LAST = {"type": "last_frame", "url": "https://example.com/z.png"}
REF_IMAGE = {"type": "reference_image", "url": "https://example.com/r.png"}
REF_VIDEO = {"type": "reference_video", "url": "https://example.com/r.mp4"}


@pytest.fixture(scope="module")
def rules_sim() -> Iterator[Simulator]:
    with Simulator(job_seconds=60, seed=11) as simulator:
        yield simulator


def post(sim: Simulator, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(sim.base_url + "/wan/videos", json={"async": True, **body},
                      headers={"authorization": f"Bearer {sim.token}"}, timeout=10)


ACCEPTED: dict[str, dict[str, Any]] = {
    "t2v": T2V,
    "i2v": I2V,
    "i2v-flash": {**I2V, "model": "wan2.6-i2v-flash"},
    "r2v": R2V,
    "lowercase resolution": {**T2V, "resolution": "720p"},
    "1080P": {**T2V, "resolution": "1080P"},
    "480P on a 2.6 model (upstream may not serve it; the endpoint takes it)":
        {**T2V, "resolution": "480P"},
    "size with an asterisk": {**T2V, "size": "1280*720"},
    "size with an x": {**T2V, "size": "1280x720"},
    "portrait 1080P size": {**T2V, "size": "1080*1920", "resolution": "1080P"},
    "r2v with an image_url (ignored; the vendor's CLI sends it)":
        {**R2V, "image_url": "https://example.com/first.png"},
    "i2v with reference videos (ignored)":
        {**I2V, "reference_video_urls": ["https://example.com/ref.mp4"]},
    "shot_type with rewriting off": {**T2V, "shot_type": "multi", "prompt_extend": False},
    "shot_type with rewriting on": {**T2V, "shot_type": "single", "prompt_extend": True},
    "duration 2": {**T2V, "duration": 2},
    "duration 7": {**T2V, "duration": 7},
    "duration 30": {**T2V, "duration": 30},
    "smart duration": {**T2V, "duration": -1},
    "seed 0": {**T2V, "seed": 0},
    "largest seed": {**T2V, "seed": 2147483647},
    "watermark": {**T2V, "watermark": True},
    "no watermark": {**T2V, "watermark": False},
    "audio off with an audio_url": {**T2V, "audio": False,
                                    "audio_url": "https://example.com/a.mp3"},
    "callback_url": {**T2V, "callback_url": "https://example.com/hook/secret"},
    "negative prompt over 500 characters (cut upstream)":
        {**T2V, "negative_prompt": "blurry " * 100},
    "prompt over 1500 characters (cut upstream)": {**T2V, "prompt": "boat " * 400},
    "media on a 2.6 model (ignored, not even read)": {**T2V, "media": "anything"},
    "every field": {**T2V, "negative_prompt": "text", "resolution": "1080P",
                    "size": "1920*1080", "ratio": "16:9", "duration": 10, "seed": 42,
                    "watermark": False, "shot_type": "multi", "prompt_extend": True,
                    "audio": True, "audio_url": "http://example.com/a.wav",
                    "callback_url": "http://127.0.0.1:9/cb"},
    "wan3 text only, no action": WAN3,
    "wan3 with action text2video": {**WAN3, "action": "text2video"},
    "wan3 with action image2video and media": {**WAN3, "action": "image2video",
                                               "media": [FRAME]},
    "wan3 empty prompt with media": {**WAN3, "prompt": "", "media": [FRAME, LAST]},
    "wan3 reference mode": {**WAN3, "media": [REF_IMAGE, REF_VIDEO,
                                              {"type": "reference_audio",
                                               "url": "https://example.com/v.mp3"}]},
    "wan3 frames with a file and a link": {**WAN3, "media": [
        FRAME, {"type": "file", "url": "https://example.com/f.pdf"},
        {"type": "link", "url": "https://example.com/page"}]},
    "wan3 ten media items": {**WAN3, "media": [REF_IMAGE] * 10},
    "wan3 with image_url and references (ignored)": {
        **WAN3, "image_url": "https://example.com/x.png",
        "reference_video_urls": ["https://example.com/r.mp4"]},
    "wan3 with everything": {**WAN3, "ratio": "9:16", "seed": 7, "duration": 12,
                             "resolution": "1080p", "watermark": True},
    **{f"ratio {ratio}": {**WAN3, "ratio": ratio}
       for ratio in ("adaptive", "16:9", "4:3", "1:1", "3:4", "9:16")},
}


@pytest.mark.parametrize("body", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_the_service_accepts(rules_sim: Simulator, body: dict[str, Any]) -> None:
    reply = post(rules_sim, body)
    assert reply.status_code == 200, reply.text
    task_id = reply.json()["task_id"]
    task = httpx.post(rules_sim.base_url + "/wan/tasks", json={"action": "retrieve",
                                                               "id": task_id},
                      headers={"authorization": f"Bearer {rules_sim.token}"}).json()
    assert task["request"] == {"async": True, **body}  # kept as received


def without(body: dict[str, Any], name: str) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != name}


MANY = [{"type": "reference_image", "url": f"https://example.com/{i}.png"} for i in range(11)]
REFUSED: dict[str, tuple[dict[str, Any], str]] = {
    "no model": ({"action": "text2video", "prompt": "x"}, "model"),
    "unknown model": ({**T2V, "model": "wan2.5-t2v"}, "model"),
    "model not text": ({**T2V, "model": 26}, "model"),
    "2.6 without action": ({"model": "wan2.6-t2v", "prompt": "x"}, "action"),
    "unknown action": ({**T2V, "action": "video"}, "action"),
    "t2v with image2video": ({**T2V, "action": "image2video"}, "action"),
    "i2v with text2video": ({**I2V, "action": "text2video"}, "action"),
    "wan3 with an unknown action": ({**WAN3, "action": "edit"}, "action"),
    "no prompt": ({"model": "wan2.6-t2v", "action": "text2video"}, "prompt"),
    "empty prompt on 2.6": ({**T2V, "prompt": ""}, "prompt"),
    "blank prompt on 2.6": ({**T2V, "prompt": "   "}, "prompt"),
    "empty prompt on wan3 without media": ({**WAN3, "prompt": ""}, "prompt"),
    "prompt not text": ({**T2V, "prompt": ["a", "b"]}, "prompt"),
    "duration 1": ({**T2V, "duration": 1}, "duration"),
    "duration 31": ({**T2V, "duration": 31}, "duration"),
    "duration 0": ({**T2V, "duration": 0}, "duration"),
    "duration -2": ({**T2V, "duration": -2}, "duration"),
    "duration 5.5": ({**T2V, "duration": 5.5}, "duration"),
    "duration as text": ({**T2V, "duration": "5"}, "duration"),
    "duration true": ({**T2V, "duration": True}, "duration"),
    "seed -1": ({**T2V, "seed": -1}, "seed"),
    "seed 2**31": ({**T2V, "seed": 2147483648}, "seed"),
    "seed as text": ({**WAN3, "seed": "42"}, "seed"),
    "resolution 4K": ({**T2V, "resolution": "4K"}, "resolution"),
    "unknown size": ({**T2V, "size": "1000*1000"}, "size"),
    "almost a size": ({**T2V, "size": "1280*721"}, "size"),
    "size as a number": ({**T2V, "size": 1280}, "size"),
    "ratio 21:9": ({**WAN3, "ratio": "21:9"}, "ratio"),
    "shot_type double": ({**T2V, "shot_type": "double"}, "shot_type"),
    "watermark as text": ({**T2V, "watermark": "yes"}, "watermark"),
    "audio as a number": ({**T2V, "audio": 1}, "audio"),
    "prompt_extend as text": ({**T2V, "prompt_extend": "true"}, "prompt_extend"),
    "async as text": ({**T2V, "async": "yes"}, "async"),
    "ftp image_url": ({**I2V, "image_url": "ftp://example.com/a.png"}, "image_url"),
    "image_url not a URL": ({**I2V, "image_url": "first.png"}, "image_url"),
    "file callback_url": ({**T2V, "callback_url": "file:///tmp/hook"}, "callback_url"),
    "javascript audio_url": ({**T2V, "audio_url": "javascript:alert(1)"}, "audio_url"),
    "i2v without image_url": (without(I2V, "image_url"), "image_url"),
    "i2v-flash without image_url": ({**without(I2V, "image_url"),
                                     "model": "wan2.6-i2v-flash"}, "image_url"),
    "r2v without references": (without(R2V, "reference_video_urls"), "reference_video_urls"),
    "r2v with no references": ({**R2V, "reference_video_urls": []}, "reference_video_urls"),
    "r2v with an ftp reference": ({**R2V, "reference_video_urls": ["ftp://x/r.mp4"]},
                                  "reference_video_urls"),
    "references as one string": ({**R2V, "reference_video_urls": "https://x/r.mp4"},
                                 "reference_video_urls"),
    "wan3 empty media": ({**WAN3, "media": []}, "media"),
    "wan3 eleven media items": ({**WAN3, "media": MANY}, "media"),
    "wan3 media not a list": ({**WAN3, "media": FRAME}, "media"),
    "wan3 media item not an object": ({**WAN3, "media": ["https://example.com/a.png"]},
                                      "media"),
    "wan3 media item without url": ({**WAN3, "media": [{"type": "first_frame"}]}, "media"),
    "wan3 media item of an unknown type": ({**WAN3, "media": [{**FRAME, "type": "video"}]},
                                           "media"),
    "wan3 media item with an ftp url": ({**WAN3, "media": [{**FRAME, "url": "ftp://x/a"}]},
                                        "media"),
    "wan3 frames mixed with references": ({**WAN3, "media": [FRAME, REF_IMAGE]}, "media"),
    "wan3 last frame mixed with a reference video": ({**WAN3, "media": [LAST, REF_VIDEO]},
                                                     "media"),
    "a field the API does not have": ({**T2V, "colour": "red"}, "colour"),
}


@pytest.mark.parametrize(("body", "field"), REFUSED.values(), ids=REFUSED.keys())
def test_the_service_refuses_naming_the_field(rules_sim: Simulator, body: dict[str, Any],
                                               field: str) -> None:
    created = rules_sim.stats.created
    reply = post(rules_sim, body)
    assert reply.status_code == 400, reply.text
    answer = reply.json()
    assert answer["success"] is False and answer["error"]["code"] == "bad_request"
    assert f"{field}:" in answer["error"]["message"]
    assert answer["trace_id"] == reply.headers["x-trace-id"]
    assert rules_sim.stats.created == created  # nothing made, nothing billed


def test_moderation_refuses_after_the_rules(rules_sim: Simulator) -> None:
    reply = post(rules_sim, {**WAN3, "prompt": "NSFW boat", "media": [FRAME]})
    assert reply.status_code == 403 and reply.json()["error"]["code"] == "forbidden"
    # A body both invalid and objectionable is refused as invalid first.
    assert post(rules_sim, {**WAN3, "prompt": "nsfw", "seed": -5}).status_code == 400


# -- the simulator stays its own judge -------------------------------------------------------


SIM_FOLDER = Path(wan_tui.sim.__file__).parent


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(relative level, module) for every import in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
    return found


def test_the_simulator_imports_nothing_from_the_client() -> None:
    files = sorted(SIM_FOLDER.rglob("*.py"))
    assert len(files) >= 10 and SIM_FOLDER / "rules.py" in files
    for path in files:
        for level, module in imported_modules(path):
            assert not module.startswith("wan_tui"), f"{path.name} imports {module}"
            if level >= 2:
                # Only `python -m wan_tui.sim` reaches up, to hand over to the CLI's parser.
                assert (path.name, level, module) == ("__main__.py", 2, "cli"), \
                    f"{path.name} imports {'.' * level}{module}"


def test_running_the_simulator_loads_no_client_code() -> None:
    code = ("import sys; from wan_tui.sim import Simulator\n"
            "with Simulator(seed=1, seed_tasks=3) as sim: pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('wan_tui.')"
            " and not m.startswith('wan_tui.sim')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.strip() == "[]"
