"""The generation form: one screen for text-to-video and image-to-video, `action` decides.

Every documented field of POST /wan/videos has a control. The rules are the core's:
`GenerationRequest.problems()` is asked on every change and its messages are shown under the
fields they name. The request is built only from the fields that apply to the chosen model
(an image URL typed for i2v is kept in the form but never sent for r2v), so what is submitted
is exactly what the form shows as in effect.

Three-state booleans (audio, prompt rewriting) are Selects with "(service default)", "on" and
"off": `None` (not sent: the service decides) is not the same as `False` (audio off makes a
silent video and disables the audio URL), and a Switch can only show two of the three.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Select, Static, TextArea

from wan_tui.api.models import (
    ACTIONS,
    ALL_SIZES,
    DURATIONS,
    IMAGE_MODELS,
    MODEL_ACTIONS,
    MODEL_DESCRIPTIONS,
    NEGATIVE_PROMPT_LIMIT,
    PROMPT_LIMIT,
    REFERENCE_MODELS,
    RESOLUTIONS,
    SHOT_TYPES,
    SIZES,
    GenerationRequest,
    Problem,
)
from ..actions import bindings
from ..drafts import FIELD_LABELS, FIELDS, Draft
from ..widgets.form_fields import (
    SERVICE_DEFAULT,
    TRI_STATE_OPTIONS,
    Field,
    FieldProblems,
    key_hint,
    literal,
    select_options,
    select_value,
)

from .form_values import request_from_values, size_label, values_of

ACTION_TITLES = {"text2video": "Text to video", "image2video": "Image to video"}
_ACTION_ALIASES = {"t2v": "text2video", "text-to-video": "text2video",
                   "i2v": "image2video", "image-to-video": "image2video"}



class GenerationForm(Screen[GenerationRequest | None]):
    """A new generation. Dismisses with a valid GenerationRequest, or None when cancelled."""

    AUTO_FOCUS = "#prompt"

    BINDINGS: ClassVar[list[BindingType]] = bindings("form")
    CSS_PATH = "generation_form.tcss"

    class DraftChanged(Message):
        """What the form holds now, to keep as the action's draft (None: used up)."""

        def __init__(self, action: str, draft: Draft | None) -> None:
            super().__init__()
            self.action = action
            self.draft = draft

    def __init__(self, action: str, defaults: GenerationRequest,
                 prefill: GenerationRequest | None = None, *, draft: Draft | None = None,
                 name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        """`defaults`: the request over the config's defaults (`Session.new_request`); a
        `prefill` (a re-run) or else a `draft` of the action wins over them."""
        super().__init__(name=name, id=id, classes=classes)
        action = _ACTION_ALIASES.get(action, action)
        if prefill is not None and prefill.model in MODEL_ACTIONS:
            action = MODEL_ACTIONS[prefill.model]  # a re-run opens the form its model needs
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)} (got {action!r})")
        self.action = action
        self.models = tuple(m for m, a in MODEL_ACTIONS.items() if a == action)
        self._touched: set[str] = set()
        self._show_all = False
        self._submitted = False
        self._rerun = prefill is not None  # a re-run leaves the action's draft alone
        if prefill is not None:
            values = values_of(prefill)
            self._show_all = True  # a re-run shows what is wrong with it at once
        else:
            values = values_of(self._fitting(defaults))
            if draft is not None:
                values.update(draft.values)
                self._touched = set(draft.touched)
                self._show_all = draft.show_all
        self._opened = dict(values)  # what the form showed when it opened
        self._size_resolution = values["resolution"]  # the resolution the sizes were made for
        self.problems: list[Problem] = []

    def _fitting(self, defaults: GenerationRequest) -> GenerationRequest:
        """The defaults, with this form's action and one of its models."""
        if defaults.action == self.action and defaults.model in self.models:
            return defaults
        return GenerationRequest(action=self.action, model=self.models[0], prompt="")

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        v = self._opened
        yield Static(literal(f"{ACTION_TITLES[self.action]}  ·  ctrl+s submit · esc cancel"),
                     id="form-hint", markup=False)
        with VerticalScroll(id="form-body"), Vertical(id="form-column"):
            yield Static("", id="form-problems", markup=False)
            yield self._model_field(v["model"])
            yield Field("Prompt", TextArea(v["prompt"], id="prompt", soft_wrap=True,
                                           placeholder="Describe the video…"),
                        note=Static("", id="count-prompt", classes="count", markup=False),
                        message_id="error-prompt", id="field-prompt")
            yield Field("Negative prompt", TextArea(v["negative_prompt"], id="negative_prompt",
                                                    placeholder="What to avoid (optional)"),
                        note=Static("", id="count-negative_prompt", classes="count",
                                    markup=False),
                        message_id="error-negative_prompt", id="field-negative_prompt")
            if self.action == "image2video":
                yield Field("Image URL", Input(v["image_url"], id="image_url",
                                               placeholder="https://… first frame"),
                            note=Static(literal("the first frame"), markup=False),
                            message_id="error-image_url", id="field-image_url")
                yield Field("Reference video URLs",
                            TextArea(v["reference_video_urls"], id="reference_video_urls",
                                     placeholder="https://… one URL per line"),
                            note=Static(literal("one per line, at least one"), markup=False),
                            message_id="error-reference_video_urls",
                            id="field-reference_video_urls")
            with Horizontal(classes="form-row"):
                yield Field("Resolution", Select(
                    select_options(RESOLUTIONS, keep=v["resolution"]), prompt=SERVICE_DEFAULT,
                    value=self._or_null(v["resolution"]), id="resolution"),
                    message_id="error-resolution", id="field-resolution")
                yield Field("Size", Select(
                    self._size_options(v["resolution"], keep=v["size"]), prompt=SERVICE_DEFAULT,
                    value=self._or_null(v["size"]), id="size"),
                    message_id="error-size", id="field-size")
                yield Field("Duration", Select(
                    select_options(DURATIONS, {d: f"{d} s" for d in DURATIONS},
                                   keep=v["duration"]),
                    prompt=SERVICE_DEFAULT, value=self._or_null(v["duration"]), id="duration"),
                    message_id="error-duration", id="field-duration", classes="-last")
            with Horizontal(classes="form-row"):
                yield Field("Prompt rewriting", Select(
                    TRI_STATE_OPTIONS, prompt=SERVICE_DEFAULT,
                    value=self._or_null(v["prompt_extend"]), id="prompt_extend"),
                    note=Static(literal("better for short prompts"), markup=False),
                    message_id="error-prompt_extend", id="field-prompt_extend")
                yield Field("Shot type", Select(
                    select_options(SHOT_TYPES, keep=v["shot_type"]), prompt=SERVICE_DEFAULT,
                    value=self._or_null(v["shot_type"]), id="shot_type"),
                    note=Static(literal("needs rewriting on"), id="shot-note", markup=False),
                    message_id="error-shot_type", id="field-shot_type", classes="-last")
            with Horizontal(classes="form-row"):
                yield Field("Audio", Select(
                    TRI_STATE_OPTIONS, prompt=SERVICE_DEFAULT,
                    value=self._or_null(v["audio"]), id="audio"),
                    message_id="error-audio", id="field-audio")
                yield Field("Audio URL", Input(v["audio_url"], id="audio_url",
                                               placeholder="https://… wav/mp3, 3–30 s"),
                            note=Static(literal("off with audio off"), id="audio-note",
                                        markup=False),
                            message_id="error-audio_url", id="field-audio_url",
                            classes="-last -wide")
            yield Field("Callback URL", Input(v["callback_url"], id="callback_url",
                                              placeholder="https://… (optional)"),
                        note=Static(literal("the service POSTs the result there"),
                                    markup=False),
                        message_id="error-callback_url", id="field-callback_url")
        yield Footer()

    def _model_field(self, model: str) -> Field:
        if self.action == "text2video" and model in self.models:
            control: Widget = Static(literal(model), id="model-fixed", markup=False)
        else:
            control = Select(select_options(self.models, keep=model, keep_note="unknown"),
                             allow_blank=False, value=model, id="model")
        return Field("Model", control,
                     note=Static(literal(MODEL_DESCRIPTIONS.get(model, "")),
                                 id="model-description", markup=False),
                     message_id="error-model", id="field-model")

    @staticmethod
    def _or_null(value: Any) -> Any:
        return Select.NULL if value is None else value

    @staticmethod
    def _size_options(resolution: str | None, keep: str | None = None) -> list[tuple[Content, str]]:
        sizes = SIZES.get(resolution or "", ALL_SIZES)
        labels = {s: size_label(s, with_resolution=sizes is ALL_SIZES) for s in sizes}
        note = f"not a {resolution} size" if resolution in SIZES else "not a documented size"
        return select_options(sizes, labels, keep=keep, keep_note=note)

    # -- lifecycle ------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._show_key_hint()
        prompt = self.query_one("#prompt", TextArea)
        prompt.move_cursor(prompt.document.end)
        self._sync_model()
        self._sync_dependents()
        self._refresh()
        # Focusing the prompt may scroll; open at the top so the model is in view.
        self.call_after_refresh(self.query_one("#form-body").scroll_home, animate=False)

    def _show_key_hint(self) -> None:
        """The hint line names the keys in effect (the app's keymap may have remapped them)."""
        keys = key_hint(self, {"submit": "ctrl+s", "cancel": "esc"})
        self.query_one("#form-hint", Static).update(literal(
            f"{ACTION_TITLES[self.action]}  ·  {keys['submit']} submit · {keys['cancel']} cancel"))

    # -- reading the form -----------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The raw value of every field (fields this form has no control for keep theirs)."""
        out = dict(self._opened)
        for name in FIELDS:
            try:
                widget = self.query_one(f"#{name}")
            except NoMatches:
                continue
            if isinstance(widget, TextArea):
                out[name] = widget.text
            elif isinstance(widget, Input):
                out[name] = widget.value
            elif isinstance(widget, Select):
                out[name] = select_value(widget)
        return out

    def request(self) -> GenerationRequest:
        """The request the form describes, built only from the fields that apply."""
        return request_from_values(self.action, self.values())

    # -- reacting to edits ----------------------------------------------------------------------

    @on(TextArea.Changed)
    @on(Input.Changed)
    @on(Select.Changed)
    def _field_changed(self, event: TextArea.Changed | Input.Changed | Select.Changed) -> None:
        name = event.control.id
        if name not in FIELD_LABELS:
            return
        if name == "resolution":
            self._sync_sizes()
        elif name == "model":
            self._sync_model()
        elif name in ("prompt_extend", "audio"):
            self._sync_dependents()
        self._refresh()

    def _sync_sizes(self) -> None:
        """Offer the sizes of the chosen resolution; drop a size that does not fit it."""
        resolution = select_value(self.query_one("#resolution", Select))
        if resolution == self._size_resolution:
            return
        self._size_resolution = resolution
        size_select = self.query_one("#size", Select)
        size = select_value(size_select)
        sizes = SIZES.get(resolution or "", ALL_SIZES)
        size_select.set_options(self._size_options(resolution))
        if size in sizes:
            size_select.value = size

    def _sync_model(self) -> None:
        """Show the inputs the chosen model uses, hide the others, describe the model."""
        model = self.values()["model"]
        self.query_one("#model-description", Static).update(
            literal(MODEL_DESCRIPTIONS.get(model, "not a known model")))
        for name, shown in (("image_url", model in IMAGE_MODELS),
                            ("reference_video_urls", model in REFERENCE_MODELS)):
            try:
                self.query_one(f"#field-{name}").set_class(not shown, "-hidden")
            except NoMatches:
                pass

    def _sync_dependents(self) -> None:
        """Shot type needs prompt rewriting on; an audio URL means nothing with audio off."""
        v = self.values()
        self.query_one("#field-shot_type", Field).disabled = v["prompt_extend"] is not True
        self.query_one("#shot-note", Static).set_class(v["prompt_extend"] is True, "-hidden")
        audio_off = v["audio"] is False
        self.query_one("#field-audio_url", Field).disabled = audio_off
        self.query_one("#audio-note", Static).set_class(not audio_off, "-hidden")

    def _refresh(self) -> None:
        """Counts, touched fields, the core's problems under their fields, and the draft."""
        try:
            values = self.values()
        except NoMatches:
            return
        self._show_count("prompt", len(values["prompt"]), PROMPT_LIMIT)
        self._show_count("negative_prompt", len(values["negative_prompt"]),
                           NEGATIVE_PROMPT_LIMIT)
        self._touched.update(n for n in FIELDS if values[n] != self._opened[n])
        self.problems = self.request().problems()
        self._show_problems()
        if not self._rerun and not self._submitted:
            self._keep_draft(values)

    def _show_count(self, name: str, length: int, limit: int) -> None:
        count = self.query_one(f"#count-{name}", Static)
        count.update(literal(f"{length:,} / {limit:,}"))
        count.set_class(length > limit, "-over")
        count.set_class(limit * 0.9 <= length <= limit, "-near")

    def _show_problems(self) -> None:
        by_field: dict[str, list[tuple[str, bool]]] = {name: [] for name in FIELDS}
        general: list[str] = []
        for problem in self.problems:
            label = FIELD_LABELS.get(problem.field)
            if label is None:
                general.append(f"✗ {problem}")
            elif self._show_all or problem.field in self._touched:
                by_field[problem.field].append((f"{label} {problem.message}", problem.warning))
        for name, messages in by_field.items():
            try:
                self.query_one(f"#error-{name}", FieldProblems).show(messages)
            except NoMatches:
                continue
        box = self.query_one("#form-problems", Static)
        box.update(literal("\n".join(general)))
        box.set_class(bool(general), "-shown")

    # -- public helpers (tests, screenshot script) ----------------------------------------------

    def show_errors(self) -> list[Problem]:
        """Show every problem now, as a submit would, and return the errors."""
        self._show_all = True
        self._refresh()
        return [p for p in self.problems if not p.warning]

    def message_for(self, name: str) -> str:
        """The text shown under field `name` ("" when nothing is shown)."""
        return self.query_one(f"#error-{name}", FieldProblems).text

    # -- actions --------------------------------------------------------------------------------

    def action_submit(self) -> None:
        errors = self.show_errors()
        if errors:
            self._focus_first_bad(errors)
            count = len(errors)
            self.notify(f"{count} problem{'s' if count > 1 else ''} to fix before submitting",
                        severity="error", timeout=3)
            return
        request = self.request()
        self._submitted = True
        if not self._rerun:
            self.post_message(self.DraftChanged(self.action, None))
        self.dismiss(request)

    def _focus_first_bad(self, errors: list[Problem]) -> None:
        bad = {p.field for p in errors}
        for name in FIELDS:
            if name not in bad:
                continue
            try:
                widget = self.query_one(f"#{name}")
            except NoMatches:
                continue
            if widget.focusable:
                widget.focus()
                return

    def action_cancel(self) -> None:
        self._keep_draft(self.values())
        self.dismiss(None)

    def _keep_draft(self, values: dict[str, Any]) -> None:
        """Remember what was typed (only when something was: opening a re-run and leaving it
        untouched must not replace the draft)."""
        if values != self._opened:
            self.post_message(self.DraftChanged(
                self.action, Draft(values, set(self._touched), self._show_all)))
