"""The generation form, driven through a tiny host app with the keyboard and real widgets."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea

from wan_tui.api.models import ALL_SIZES, NEGATIVE_PROMPT_LIMIT, SIZES, GenerationRequest
from wan_tui.session import request_over_defaults
from wan_tui.store.config import Config
from wan_tui.ui.screens.generation_form import GenerationForm
from wan_tui.ui.widgets.form_fields import SERVICE_DEFAULT, FieldProblems

from ui_support import Host, hold_still, opened, until


def defaults(action: str, config: Config | None = None) -> GenerationRequest:
    """The request over the config's defaults, as the app gives the form."""
    return request_over_defaults(config or Config.from_values({}), action)


def form_of(action: str = "text2video", config: Config | None = None,
            prefill: GenerationRequest | None = None) -> tuple[Host, GenerationForm]:
    form = GenerationForm(action, defaults(action, config), prefill)
    return Host(form), form


def shown(form: GenerationForm, name: str) -> bool:
    """Whether the field is displayed (its own container and every ancestor)."""
    widget = form.query_one(f"#field-{name}")
    return all(node.display for node in widget.ancestors_with_self if hasattr(node, "display"))


I2V_REQUEST = GenerationRequest(
    action="image2video", model="wan2.6-i2v", prompt="a red fox runs\nthrough snow",
    negative_prompt="blur, text", resolution="1080P", size="1080*1920", duration=15,
    shot_type="single", audio=True, audio_url="https://example.com/a.mp3", prompt_extend=True,
    image_url="https://example.com/first.png", callback_url="https://example.com/cb/x1")

ROUND_TRIPS = [
    GenerationRequest(action="text2video", model="wan2.6-t2v", prompt="a lighthouse at dusk",
                      negative_prompt="people", resolution="720P", size="960*960", duration=5,
                      shot_type="multi", audio=False, prompt_extend=True,
                      callback_url="https://example.com/cb"),
    I2V_REQUEST,
    GenerationRequest(action="image2video", model="wan2.6-i2v-flash", prompt="waves",
                      image_url="http://example.com/f.jpg", prompt_extend=False, audio=True,
                      duration=10),
    GenerationRequest(action="image2video", model="wan2.6-r2v", prompt="same style, new scene",
                      reference_video_urls=["https://example.com/r1.mp4",
                                            "https://example.com/r2.mp4"],
                      resolution="480P", size="624*624", audio_url="https://example.com/b.wav"),
]


# -- opening -----------------------------------------------------------------------------------

async def test_prompt_has_focus_when_the_form_opens() -> None:
    app, form = form_of("text2video")
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, form)
        assert app.focused is form.query_one("#prompt", TextArea)
        await pilot.press("escape")
        await until(pilot, lambda: app.dismissed)
        form = GenerationForm("image2video", defaults("image2video"))
        app.open(form)
        await opened(pilot, form)
        assert app.focused is form.query_one("#prompt", TextArea)


async def test_defaults_from_the_config_are_applied() -> None:
    config = Config.from_values({"defaults.model": "wan2.6-i2v-flash",
                                 "defaults.resolution": "1080P", "defaults.size": "1440*1440",
                                 "defaults.duration": 10, "defaults.audio": False,
                                 "defaults.prompt_extend": True, "defaults.shot_type": "multi",
                                 "defaults.negative_prompt": "watermark"})
    app, form = form_of("image2video", config)
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, form)
        assert form.query_one("#model", Select).value == "wan2.6-i2v-flash"
        assert form.query_one("#negative_prompt", TextArea).text == "watermark"
        request = form.request()
        assert (request.resolution, request.size, request.duration) == ("1080P", "1440*1440", 10)
        assert (request.audio, request.prompt_extend, request.shot_type) == (False, True, "multi")

        # A default model of the other action is not used: text-to-video stays t2v.
        config = Config.from_values({"defaults.model": "wan2.6-r2v"})
        form = GenerationForm("text2video", defaults("text2video", config))
        app.open(form)
        await opened(pilot, form)
        assert (form.request().model, form.request().action) == ("wan2.6-t2v", "text2video")


# -- typing and counts -------------------------------------------------------------------------

async def test_typing_updates_the_counts_and_a_501_character_negative_prompt_blocks() -> None:
    app, form = form_of()
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, form)
        await pilot.press("a", "b")
        count = form.query_one("#count-prompt")
        await until(pilot, lambda: str(count.render()).startswith("2 / 1,500"))
        negative = form.query_one("#negative_prompt", TextArea)
        negative.focus()
        await pilot.press("c")
        negative_count = form.query_one("#count-negative_prompt")
        await until(pilot, lambda: str(negative_count.render()).startswith("1 / 500"))
        assert (form.request().prompt, form.request().negative_prompt) == ("ab", "c")
        # 501 characters: the service would cut it silently, so the form warns (and sends).
        negative.insert("n" * NEGATIVE_PROMPT_LIMIT)
        await until(pilot, lambda: "501 characters" in form.message_for("negative_prompt"))
        assert str(negative_count.render()).startswith("501 / 500")
        assert negative_count.has_class("-over")
        form.query_one("#prompt").focus()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)


# -- validation and submission -----------------------------------------------------------------

async def test_i2v_without_an_image_url_shows_the_error_and_does_not_submit() -> None:
    app, form = form_of("image2video")
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, form)
        await pilot.press("f")
        assert form.message_for("image_url") == ""  # not shouted at before trying
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "required" in form.message_for("image_url"))
        assert form.message_for("image_url").startswith("Image URL is required for wan2.6-i2v")
        assert app.focused is form.query_one("#image_url", Input)  # the first bad field
        await pilot.pause()
        assert not app.dismissed
        # Fixing it lets the same keys submit.
        await pilot.press("h")
        await until(pilot, lambda: "http(s) URL" in form.message_for("image_url"))
        form.query_one("#image_url", Input).insert_text_at_cursor("ttps://example.com/f.png")
        await until(pilot, lambda: form.message_for("image_url") == "")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
        assert app.result.image_url == "https://example.com/f.png"
        assert app.result.errors() == []


async def test_errors_show_as_the_user_types_and_warnings_do_not_block() -> None:
    app, form = form_of()
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, form)
        await pilot.press("p")
        callback = form.query_one("#callback_url", Input)
        callback.focus()
        await pilot.press("x")
        await until(pilot, lambda: "http(s) URL" in form.message_for("callback_url"))
        assert form.query_one("#error-callback_url").has_class("-error")
        callback.value = "https://example.com/cb"
        await until(pilot, lambda: form.message_for("callback_url") == "")
        form.query_one("#resolution", Select).value = "480P"
        await until(pilot, lambda: "480P may be refused" in form.message_for("resolution"))
        assert form.query_one("#error-resolution").has_class("-warning")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
        assert (app.result.resolution, app.result.callback_url) == (
            "480P", "https://example.com/cb")


async def test_a_valid_form_submits_a_request_with_ctrl_s_or_ctrl_enter() -> None:
    app, form = form_of()
    async with app.run_test(size=(140, 40)) as pilot:
        for key in ("ctrl+s", "ctrl+enter"):
            if key != "ctrl+s":
                form = GenerationForm("text2video", defaults("text2video"))
                app.open(form)
            await opened(pilot, form)
            await pilot.press("a", "enter", "b")
            await pilot.press(key)
            await until(pilot, lambda: app.dismissed)
            assert app.result == GenerationRequest(action="text2video", model="wan2.6-t2v",
                                                   prompt="a\nb")


async def test_submit_and_cancel_bindings_have_ids_and_follow_the_keymap() -> None:
    ids = {binding.id for binding in GenerationForm.BINDINGS}  # type: ignore[union-attr]
    assert {"form.submit", "form.cancel"} <= ids
    app, form = form_of()
    async with app.run_test(size=(140, 40)) as pilot:
        app.set_keymap({"form.submit": "f2"})
        await opened(pilot, form)
        await pilot.press("r", "ctrl+s")
        await pilot.pause()
        assert not app.dismissed
        await pilot.press("f2")
        await until(pilot, lambda: app.dismissed)
        assert app.result.prompt == "r"


# -- fields that follow other fields -----------------------------------------------------------

async def test_choosing_r2v_hides_the_image_url_and_shows_reference_urls() -> None:
    app, form = form_of("image2video")
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, form)
        assert shown(form, "image_url") and not shown(form, "reference_video_urls")
        await pilot.press("s")
        form.query_one("#image_url", Input).value = "https://example.com/typed.png"
        # Pick r2v with the keyboard, as a user would.
        form.query_one("#model", Select).focus()
        await pilot.press("enter", "down", "down", "enter")
        await until(pilot, lambda: form.query_one("#model", Select).value == "wan2.6-r2v")
        await until(pilot, lambda: not shown(form, "image_url"))
        assert shown(form, "reference_video_urls")
        assert "reference" in str(form.query_one("#model-description").render())
        # The typed image URL is not sent; the core's warning says so at the top.
        top = form.query_one("#form-problems", FieldProblems)
        assert top.text == "image_url: wan2.6-r2v does not use it; it is left out"
        assert top.has_class("-warning") and top.display
        await pilot.press("ctrl+s")  # r2v needs at least one reference
        await until(pilot, lambda: "at least one is required" in form.message_for(
            "reference_video_urls"))
        assert [p.field for p in form.show_errors()] == ["reference_video_urls"]
        assert not app.dismissed
        references = form.query_one("#reference_video_urls", TextArea)
        references.load_text("https://example.com/r1.mp4\n\n  https://example.com/r2.mp4 \n")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
        # The image URL typed earlier is kept in the form but never sent for r2v.
        assert app.result.image_url is None
        assert app.result.reference_video_urls == ["https://example.com/r1.mp4",
                                                   "https://example.com/r2.mp4"]


async def test_size_choices_follow_the_resolution() -> None:
    app, form = form_of()
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, form)
        size = form.query_one("#size", Select)
        resolution = form.query_one("#resolution", Select)

        def offered() -> list[Any]:
            return [value for _, value in size._options if value != Select.NULL]

        assert offered() == list(ALL_SIZES)  # no resolution: every documented size
        resolution.value = "720P"
        await until(pilot, lambda: offered() == list(SIZES["720P"]))
        size.value = "1280*720"
        resolution.value = "1080P"  # 1280*720 does not fit 1080P: cleared
        await until(pilot, lambda: offered() == list(SIZES["1080P"]))
        await until(pilot, lambda: size.is_blank())
        size.value = "1440*1440"
        resolution.clear()  # back to "service default": every size, the choice kept
        await until(pilot, lambda: offered() == list(ALL_SIZES))
        assert size.value == "1440*1440"
        assert form.request().size == "1440*1440"


async def test_shot_type_with_rewriting_off_is_sent_with_a_warning_beside_it() -> None:
    """The service takes shot_type with rewriting off (it has no effect): warn, don't block."""
    app, form = form_of()
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, form)
        shot = form.query_one("#shot_type", Select)
        extend = form.query_one("#prompt_extend", Select)
        assert not shot.is_disabled  # the service default may well rewrite
        shot.value = "multi"
        extend.value = True
        await pilot.press(*"x")
        assert form.message_for("shot_type") == ""
        extend.value = False
        await until(pilot, lambda: "no effect" in form.message_for("shot_type"))
        assert form.query_one("#error-shot_type").has_class("-warning")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
        assert (app.result.shot_type, app.result.prompt_extend) == ("multi", False)


async def test_audio_url_is_disabled_with_audio_off() -> None:
    app, form = form_of()
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, form)
        audio_url = form.query_one("#audio_url", Input)
        audio = form.query_one("#audio", Select)
        assert not audio_url.is_disabled  # unset: the service decides, the URL may be used
        audio_url.value = "https://example.com/a.mp3"
        audio.value = False
        await until(pilot, lambda: audio_url.is_disabled)
        assert form.request().audio is False and form.request().audio_url is None
        audio.value = True
        await until(pilot, lambda: not audio_url.is_disabled)
        assert form.request().audio_url == "https://example.com/a.mp3"


# -- prefill, drafts, untrusted text -----------------------------------------------------------

async def test_a_prefilled_form_submitted_unchanged_gives_back_the_same_request() -> None:
    """For every model: re-running a request without touching it submits that request, even
    with config defaults that would otherwise fill the fields it leaves unset."""
    config = Config.from_values({"defaults.resolution": "720P", "defaults.duration": 5,
                                 "defaults.negative_prompt": "never used"})
    app, form = form_of("text2video", config, prefill=ROUND_TRIPS[0])
    async with app.run_test(size=(140, 40)) as pilot:
        for i, request in enumerate(ROUND_TRIPS):
            if i:
                form = GenerationForm("text2video", defaults("text2video", config), prefill=request)
                app.open(form)
            await opened(pilot, form)
            await pilot.press("ctrl+s")
            await until(pilot, lambda: app.dismissed)
            assert app.result == request, request.model
    assert {r.model for r in ROUND_TRIPS} == {"wan2.6-t2v", "wan2.6-i2v", "wan2.6-i2v-flash",
                                              "wan2.6-r2v"}


async def test_a_prefill_fills_every_field() -> None:
    app, form = form_of("image2video", prefill=I2V_REQUEST)
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, form)
        q = form.query_one
        assert q("#prompt", TextArea).text == I2V_REQUEST.prompt
        assert q("#negative_prompt", TextArea).text == "blur, text"
        assert q("#model", Select).value == "wan2.6-i2v"
        assert q("#image_url", Input).value == "https://example.com/first.png"
        assert q("#resolution", Select).value == "1080P"
        assert q("#size", Select).value == "1080*1920"
        assert q("#duration", Select).value == 15
        assert q("#prompt_extend", Select).value is True
        assert q("#shot_type", Select).value == "single"
        assert q("#audio", Select).value is True
        assert q("#audio_url", Input).value == "https://example.com/a.mp3"
        assert q("#callback_url", Input).value == "https://example.com/cb/x1"


async def test_the_draft_survives_escape_and_is_cleared_by_a_submit() -> None:
    app, form = form_of("image2video")
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, form)
        await pilot.press(*"half")
        form.query_one("#image_url", Input).value = "https://example.com/i.png"
        await pilot.press("escape")
        await until(pilot, lambda: app.dismissed)
        assert app.result is None

        form = GenerationForm("image2video", defaults("image2video"),
                              draft=app.drafts["image2video"])
        app.open(form)
        await opened(pilot, form)
        assert form.query_one("#prompt", TextArea).text == "half"
        assert form.query_one("#image_url", Input).value == "https://example.com/i.png"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
        assert app.result.prompt == "half"
        await until(pilot, lambda: "image2video" not in app.drafts)  # used up: the next form starts from the defaults


async def test_a_rerun_left_untouched_or_submitted_keeps_the_draft() -> None:
    app, form = form_of()
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, form)
        await pilot.press("m", "escape")
        await until(pilot, lambda: app.dismissed)
        rerun = GenerationRequest("text2video", "wan2.6-t2v", "old prompt")
        form = GenerationForm("text2video", defaults("text2video"), rerun)
        app.open(form)
        await opened(pilot, form)
        await pilot.press("escape")
        await until(pilot, lambda: app.dismissed)
        assert app.drafts["text2video"].values["prompt"] == "m"
        # Submitting a re-run does not use up the draft either.
        form = GenerationForm("text2video", defaults("text2video"), rerun)
        app.open(form)
        await opened(pilot, form)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.dismissed)
        assert app.result == rerun
    assert app.drafts["text2video"].values["prompt"] == "m"


async def test_markup_in_a_prefilled_prompt_shows_literally() -> None:
    prompt = "[b]bold[/b][@click=app.quit]quit[/]"
    request = GenerationRequest(action="text2video", model="wan2.6-t2v", prompt=prompt,
                                size="[red]9x9[/red]")
    app, form = form_of(prefill=request)
    async with app.run_test(size=(140, 40)) as pilot:
        await opened(pilot, form)
        assert form.query_one("#prompt", TextArea).text == prompt
        svg = app.export_screenshot()
        assert "[b]bold[/b][@click=app.quit]quit[/]" in svg
        assert "[red]9x9[/red]" in svg  # the odd stored size is shown, not styled
        assert "(write [red]9*9[/red])" in form.message_for("size")
        await pilot.click("#prompt")
        await pilot.pause()
        assert app.is_running


# -- snapshots ---------------------------------------------------------------------------------

def test_snapshot_text_to_video_empty(snap_compare: Any) -> None:
    app, form = form_of("text2video")

    async def settle(pilot: Pilot[Any]) -> None:
        await opened(pilot, form)
        await hold_still(pilot)

    assert snap_compare(app, terminal_size=(140, 40), run_before=settle)


def test_snapshot_image_to_video_with_errors(snap_compare: Any) -> None:
    app, form = form_of("image2video")

    async def with_errors(pilot: Pilot[Any]) -> None:
        await opened(pilot, form)
        form.query_one("#negative_prompt", TextArea).insert("n" * 520)
        form.query_one("#callback_url", Input).value = "not a url"
        form.show_errors()
        await until(pilot, lambda: form.message_for("image_url") != "")
        form.query_one("#form-body").scroll_home(animate=False)
        await hold_still(pilot)

    assert snap_compare(app, terminal_size=(140, 40), run_before=with_errors)


async def test_at_80_columns_every_select_shows_its_blank_entry_whole() -> None:
    app, form = form_of()
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot, form)
        await pilot.pause()
        blanks = [select for select in form.query(Select) if select.is_blank()]
        assert len(blanks) >= 6
        for select in blanks:
            label = select.query_one("SelectCurrent #label")
            assert label.size.width >= len(SERVICE_DEFAULT), select.id
            assert label.size.height == 1, select.id
