"""The forms with Wan 3: the model choice, the media editor, the new fields, warnings that do not
block, the estimate, re-runs and drafts; one submission goes all the way to the simulator."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static, TextArea

from wan_tui.api.models import GenerationRequest, MediaItem
from wan_tui.api.specs import MEDIA_LIMIT
from wan_tui.sim import Simulator
from wan_tui.ui.drafts import drafts_from_json, drafts_to_json
from wan_tui.ui.screens.generation_form import GenerationForm
from wan_tui.ui.widgets.form_fields import FieldProblems
from wan_tui.ui.widgets.media_editor import MediaEditor, MediaRow

from test_ui_app import connect, make_app
from test_ui_forms import defaults, form_of, shown
from ui_support import hold_still, opened, until

SIZE = (140, 40)
FIRST = "https://example.com/first.png"
LAST = "https://example.com/last.png"
REF = "https://example.com/ref.png"
WAN3 = "wan3.0-video"


def editor_of(form: GenerationForm) -> MediaEditor:
    return form.query_one("#media", MediaEditor)


def estimate_shown(form: GenerationForm) -> str:
    return str(form.query_one("#form-estimate", Static).render())


async def choose_wan3(pilot: Pilot[Any], form: GenerationForm) -> None:
    form.query_one("#model", Select).value = WAN3
    await until(pilot, lambda: form.request().model == WAN3)


async def open_wan3(pilot: Pilot[Any], form: GenerationForm) -> MediaEditor:
    """Until the form is open with Wan 3 chosen; its media editor."""
    await opened(pilot, form)
    await choose_wan3(pilot, form)
    return editor_of(form)


async def press_add(pilot: Pilot[Any], form: GenerationForm) -> None:
    """Focus the add button and press enter (it may be scrolled out of view for a click)."""
    form.query_one("#media-add", Button).focus()
    await pilot.press("enter")


async def add_item(pilot: Pilot[Any], form: GenerationForm, kind: str, url: str) -> MediaRow:
    """Press the add button, then choose the type and type the URL, as a user would."""
    editor = editor_of(form)
    count = len(editor.rows)
    await press_add(pilot, form)
    await until(pilot, lambda: len(editor.rows) == count + 1 and editor.rows[-1].is_mounted)
    row = editor.rows[-1]
    await pilot.pause()
    row.query_one(Select).value = kind
    row.query_one(Input).value = url
    await until(pilot, lambda: row.item == [kind, url])
    return row


# -- text to video -------------------------------------------------------------------------------

async def test_text_to_video_offers_wan3_with_ratio_seed_watermark_and_its_estimate() -> None:
    app, form = form_of("text2video")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot, form)
        models = [v for _, v in form.query_one("#model", Select)._options]
        assert models == ["wan2.6-t2v", WAN3]
        assert estimate_shown(form) == "price unknown"  # no published price for 2.6
        await pilot.press(*"a paper boat")
        await choose_wan3(pilot, form)
        form.query_one("#resolution", Select).value = "720P"
        form.query_one("#duration", Select).value = 12
        await until(pilot, lambda: estimate_shown(form) ==
                    "estimate $1.20: 12 s × $0.10/s at 720P")
        assert form.estimate_text == "$1.20: 12 s × $0.10/s at 720P"
        form.query_one("#ratio", Select).value = "16:9"
        form.query_one("#seed", Input).value = "42"
        form.query_one("#watermark", Select).value = False
        await until(pilot, lambda: form.request().seed == 42)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
        assert app.result.to_body() == {
            "model": WAN3, "prompt": "a paper boat", "resolution": "720P", "ratio": "16:9",
            "duration": 12, "seed": 42, "watermark": False, "async": True}


async def test_a_seed_out_of_range_blocks_and_auto_duration_is_offered() -> None:
    app, form = form_of("text2video")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot, form)
        durations = [v for _, v in form.query_one("#duration", Select)._options]
        assert durations[1:] == [-1, *range(2, 31)]  # after the blank "service default"
        await pilot.press("x")
        seed = form.query_one("#seed", Input)
        seed.value = "2147483648"
        await until(pilot, lambda: "0–2147483647" in form.message_for("seed"))
        assert form.query_one("#error-seed").has_class("-error")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.focused is seed)
        assert not app.dismissed
        seed.value = ""  # blank: no seed
        form.query_one("#duration", Select).value = -1
        await until(pilot, lambda: form.message_for("seed") == "")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
        assert (app.result.seed, app.result.duration) == (None, -1)


async def test_warnings_show_beside_their_fields_and_do_not_block() -> None:
    app, form = form_of("text2video")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot, form)
        await pilot.press("x")
        form.query_one("#duration", Select).value = 20  # the endpoint takes it; 2.6 makes ≤ 15
        form.query_one("#resolution", Select).value = "480P"
        await until(pilot, lambda: "outside what wan2.6-t2v makes" in form.message_for(
            "duration"))
        await until(pilot, lambda: "480P may be refused" in form.message_for("resolution"))
        assert form.query_one("#error-duration").has_class("-warning")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
        assert (app.result.duration, app.result.resolution) == (20, "480P")


# -- image to video: the media editor ------------------------------------------------------------

async def test_choosing_wan3_swaps_the_image_and_references_for_the_media_editor() -> None:
    app, form = form_of("image2video")
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot, form)
        models = [v for _, v in form.query_one("#model", Select)._options]
        assert models == ["wan2.6-i2v", "wan2.6-i2v-flash", "wan2.6-r2v", WAN3]
        assert shown(form, "image_url") and not shown(form, "media")
        form.query_one("#image_url", Input).value = FIRST  # typed for i2v
        await choose_wan3(pilot, form)
        await until(pilot, lambda: shown(form, "media"))
        assert not shown(form, "image_url") and not shown(form, "reference_video_urls")
        assert "image_url: wan3.0-video does not use it" in form.query_one(
            "#form-problems", FieldProblems).text  # typed, hidden, not sent: said at the top
        first = await add_item(pilot, form, "first_frame", FIRST)
        await add_item(pilot, form, "last_frame", LAST)
        assert [v for _, v in first.query_one(Select)._options] == [
            "first_frame", "last_frame", "reference_image", "reference_video",
            "reference_audio", "file", "link"]
        # The prompt may be empty with media; the image URL typed for i2v is not sent.
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
        assert app.result.to_body() == {
            "model": WAN3, "prompt": "", "async": True,
            "media": [{"type": "first_frame", "url": FIRST},
                      {"type": "last_frame", "url": LAST}]}


async def test_items_are_added_and_removed_and_a_new_item_starts_with_a_fitting_type() -> None:
    app, form = form_of("image2video")
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_wan3(pilot, form)
        await press_add(pilot, form)
        await until(pilot, lambda: len(editor.rows) == 1)
        await press_add(pilot, form)
        await until(pilot, lambda: [r.kind for r in editor.rows] == ["first_frame",
                                                                      "last_frame"])
        assert "2 of 10 items" in str(editor.query_one("#media-count", Static).render())
        assert form.request().media == []  # items without a URL yet are not sent
        editor.rows[0].query_one(Input).value = FIRST
        await until(pilot, lambda: form.request().media == [MediaItem("first_frame", FIRST)])
        editor.rows[0].query_one(Button).focus()  # remove the first
        await pilot.press("enter")
        await until(pilot, lambda: len(editor.rows) == 1)
        assert editor.value == [["last_frame", ""]]
        assert form.request().media == []
        assert app.focused is editor.rows[0].query_one(Input)


async def test_the_add_button_stops_at_ten_items_and_says_why() -> None:
    app, form = form_of("image2video")
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_wan3(pilot, form)
        add = editor.query_one("#media-add", Button)
        for n in range(MEDIA_LIMIT):
            add.press()
            await until(pilot, lambda: len(editor.rows) == n + 1)
        await until(pilot, lambda: add.disabled)
        count = str(editor.query_one("#media-count", Static).render())
        assert "10 of 10" in count and "remove one" in count
        assert editor.add_item() is None and len(editor.rows) == MEDIA_LIMIT
        editor.remove_item(editor.rows[-1])
        await until(pilot, lambda: not add.disabled)


async def test_mixing_frames_and_references_is_said_beside_the_field_as_you_type() -> None:
    app, form = form_of("image2video")
    async with app.run_test(size=SIZE) as pilot:
        await open_wan3(pilot, form)
        await add_item(pilot, form, "first_frame", FIRST)
        assert form.message_for("media") == ""
        row = await add_item(pilot, form, "reference_image", "")
        row.query_one(Input).focus()
        await pilot.press(*"h")  # not a URL yet: said at once
        await until(pilot, lambda: "http(s) URL" in form.message_for("media"))
        row.query_one(Input).value = REF
        await until(pilot, lambda: "cannot be mixed" in form.message_for("media"))
        assert form.query_one("#error-media").has_class("-error")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not app.dismissed
        row.query_one(Select).value = "last_frame"  # fixed: both frames
        await until(pilot, lambda: form.message_for("media") == "")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)


# -- re-runs and drafts --------------------------------------------------------------------------

WAN3_FRAMES = GenerationRequest(
    action="", model=WAN3, prompt="", ratio="9:16", seed=7, watermark=True, duration=-1,
    resolution="1080P", media=[MediaItem("first_frame", FIRST), MediaItem("last_frame", LAST)])


async def test_a_wan3_rerun_opens_the_form_its_media_needs_and_submits_unchanged() -> None:
    app, form = form_of("text2video", prefill=WAN3_FRAMES)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot, form)
        assert form.action == "image2video" and shown(form, "media")
        assert editor_of(form).value == [["first_frame", FIRST], ["last_frame", LAST]]
        assert form.query_one("#seed", Input).value == "7"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
        assert app.result == WAN3_FRAMES
        # Without media, a Wan 3 re-run opens text to video.
        text_only = GenerationRequest(action="", model=WAN3, prompt="a boat", ratio="1:1")
        form = GenerationForm("image2video", defaults("image2video"), text_only)
        app.open(form)
        await opened(pilot, form)
        assert form.action == "text2video"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
        assert app.result == text_only


async def test_a_draft_keeps_the_media_items_through_json() -> None:
    app, form = form_of("image2video")
    async with app.run_test(size=SIZE) as pilot:
        await open_wan3(pilot, form)
        await add_item(pilot, form, "reference_video", REF)
        await press_add(pilot, form)
        await until(pilot, lambda: len(editor_of(form).rows) == 2)
        form.query_one("#seed", Input).value = "99"
        await pilot.press("escape")
        await until(pilot, lambda: app.dismissed)
        saved = json.loads(json.dumps(drafts_to_json(app.drafts)))
        draft = drafts_from_json(saved)["image2video"]
        form = GenerationForm("image2video", defaults("image2video"), draft=draft)
        app.open(form)
        await opened(pilot, form)
        assert form.query_one("#model", Select).value == WAN3
        assert editor_of(form).value == [["reference_video", REF], ["reference_video", ""]]
        assert form.request().seed == 99


def test_a_draft_with_odd_media_is_not_trusted() -> None:
    read = drafts_from_json({"image2video": {"values": {
        "media": [["first_frame", FIRST], ["x"]], "seed": "5", "ratio": "1:1"}}})
    assert read["image2video"].values == {"seed": "5", "ratio": "1:1"}
    too_many = [["link", FIRST]] * (MEDIA_LIMIT + 1)
    read = drafts_from_json({"image2video": {"values": {"media": too_many}}})
    assert read["image2video"].values == {}


# -- through the app, to the simulator ----------------------------------------------------------

async def test_a_wan3_request_from_the_form_reaches_the_simulator_as_the_reference_says(
        tmp_path: Path, sim: Simulator) -> None:
    app = make_app(tmp_path, connect(sim))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.board is not None and app.screen is app.board)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, GenerationForm))
        form = app.screen
        assert isinstance(form, GenerationForm)
        await open_wan3(pilot, form)
        await add_item(pilot, form, "first_frame", FIRST)
        await add_item(pilot, form, "last_frame", LAST)
        form.query_one("#seed", Input).value = "42"
        form.query_one("#prompt", TextArea).focus()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(sim.received.bodies()) == 1)
        assert sim.received.bodies() == [{
            "model": WAN3, "prompt": "", "seed": 42, "async": True,
            "media": [{"type": "first_frame", "url": FIRST},
                      {"type": "last_frame", "url": LAST}]}]


# -- snapshots -----------------------------------------------------------------------------------

Step = Callable[[Pilot[Any], GenerationForm], Awaitable[None]]


def wan3_picture(snap_compare: Any, action: str, prompt: str, then: Step) -> bool:
    """The form of `action` with a prompt typed and Wan 3 chosen, then `then`, compared."""
    app, form = form_of(action)

    async def run(pilot: Pilot[Any]) -> None:
        await opened(pilot, form)
        await pilot.press(*prompt)
        await choose_wan3(pilot, form)
        await then(pilot, form)
        await hold_still(pilot)

    return bool(snap_compare(app, terminal_size=SIZE, run_before=run))


def test_snapshot_text_to_video_with_wan3(snap_compare: Any) -> None:
    async def choices(pilot: Pilot[Any], form: GenerationForm) -> None:
        form.query_one("#resolution", Select).value = "1080P"
        form.query_one("#duration", Select).value = 8
        form.query_one("#ratio", Select).value = "16:9"
        await until(pilot, lambda: form.estimate_text.startswith("$1.60"))
        form.query_one("#form-body").scroll_home(animate=False)

    assert wan3_picture(snap_compare, "text2video", "A paper boat drifts down a rain gutter",
                        choices)


def test_snapshot_image_to_video_with_wan3_media(snap_compare: Any) -> None:
    async def mixed_media(pilot: Pilot[Any], form: GenerationForm) -> None:
        await add_item(pilot, form, "first_frame", FIRST)
        await add_item(pilot, form, "reference_image", REF)
        await until(pilot, lambda: "cannot be mixed" in form.message_for("media"))
        form.query_one("#prompt", TextArea).focus()
        form.query_one("#form-body").scroll_to_widget(form.query_one("#field-media"),
                                                      animate=False, top=True)

    assert wan3_picture(snap_compare, "image2video", "image 1 turns into image 2", mixed_media)
