"""Issue 9's commands against the simulator, with the exact bodies it received."""

from __future__ import annotations

from pathlib import Path

from conftest import run_json

from wan_tui.sim import Simulator

IMG = "https://example.com/first.png"
LAST = "https://example.com/last.png"
REF = "https://example.com/ref.mp4"


def test_wan3_text_to_video_with_every_new_field(cli, sim_env: Simulator) -> None:
    code, snap, _ = run_json(cli, "generate", "a paper boat", "--model", "wan3.0-video",
                             "--ratio", "16:9", "--seed", "42", "--duration", "12", "--wait")
    assert code == 0 and snap["state"] == "succeeded" and snap["video_url"]
    assert snap["usage"] and snap["cost"] is not None
    assert sim_env.received.bodies() == [{
        "model": "wan3.0-video", "prompt": "a paper boat", "ratio": "16:9", "seed": 42,
        "duration": 12, "async": True}]


def test_wan3_first_and_last_frame_with_an_empty_prompt(cli, sim_env: Simulator) -> None:
    code, out, err = cli("image-to-video", "", "--model", "wan3.0-video", "--media",
                         f"first_frame={IMG}", "--media", f"last_frame={LAST}", "--wait")
    assert code == 0 and out.startswith("succeeded"), err
    assert sim_env.received.bodies() == [{
        "model": "wan3.0-video", "prompt": "", "async": True,
        "media": [{"type": "first_frame", "url": IMG}, {"type": "last_frame", "url": LAST}]}]


def test_frames_and_references_do_not_mix(cli, sim_env: Simulator) -> None:
    code, _, err = cli("image-to-video", "x", "--model", "wan3.0-video", "--media",
                       f"first_frame={IMG}", "--media", f"reference_image={LAST}")
    assert code == 2 and "media" in err and sim_env.received.bodies() == []


def test_any_duration_the_endpoint_takes_is_sent(cli, sim_env: Simulator) -> None:
    code, _, err = cli("generate", "x", "--duration", "7")
    assert code == 0
    assert sim_env.received.bodies() == [{"action": "text2video", "model": "wan2.6-t2v",
                                          "prompt": "x", "duration": 7, "async": True}]
    code, _, _ = cli("generate", "y", "-d", "auto", "-r", "720p", "--size", "1280x720")
    assert code == 0 and sim_env.received.bodies()[-1] == {
        "action": "text2video", "model": "wan2.6-t2v", "prompt": "y", "duration": -1,
        "resolution": "720P", "size": "1280*720", "async": True}
    code, _, err = cli("generate", "z", "--duration", "31")
    assert code == 2 and "--duration" in err and len(sim_env.received.bodies()) == 2


def test_r2v_leaves_the_image_out_with_a_warning(cli, sim_env: Simulator) -> None:
    code, _, err = cli("image-to-video", "x", "--model", "wan2.6-r2v",
                       "--reference-video-url", REF, "-i", IMG)
    assert code == 0 and "warning: image_url" in err
    assert sim_env.received.bodies() == [{"action": "image2video", "model": "wan2.6-r2v",
                                          "prompt": "x", "reference_video_urls": [REF],
                                          "async": True}]


def test_batch_prints_its_estimate_and_refuses_above_max_cost(cli, sim_env: Simulator,
                                                               tmp_path: Path) -> None:
    batch = tmp_path / "b.jsonl"
    batch.write_text('{"model": "wan3.0-video", "prompt": "a", "duration": 10, '
                     '"resolution": "1080P"}\n'
                     '{"model": "wan2.6-t2v", "action": "text2video", "prompt": "b"}\n')
    code, _, err = cli("batch", str(batch), "--max-cost", "1.50")
    assert code == 2 and "above --max-cost $1.50" in err and sim_env.received.bodies() == []
    code, _, err = cli("batch", str(batch), "--max-cost", "2")
    assert code == 0 and "estimated cost: $2.00 for 1 request, plus 1 at an unknown price" in err
    assert len(sim_env.received.bodies()) == 2
