"""The generation form: one screen for text-to-video and image-to-video, `action` decides.

Every documented field of POST /wan/videos has a control (laid out in generation_form_layout;
Wan 3's media in widgets/media_editor). The rules are the core's: `GenerationRequest.problems()`
is asked on every change and its messages are shown under the fields they name: errors once a
field is touched (or on submit) and block; warnings at once, and do not block. The request is
built only from the fields that apply to the chosen model (an image URL typed for i2v is kept in
the form but never sent for r2v); what is typed in a hidden field gets the core's "left out"
warning at the top. The top line shows the published-price estimate ("price unknown" for 2.6).

Three-state booleans (audio, prompt rewriting, watermark) are Selects with "(service default)"
and two values: `None` (not sent: the service decides) is not the same as `False` (audio off
makes a silent video and disables the audio URL), and a Switch can only show two of the three.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Select, Static, TextArea

from wan_tui.api.models import (
    ACTIONS,
    ALL_SIZES,
    MODEL_DESCRIPTIONS,
    NEGATIVE_PROMPT_LIMIT,
    PROMPT_LIMIT,
    SIZES,
    GenerationRequest,
    Problem,
    models_for,
    spec_of,
)
from wan_tui.api.pricing import PRICE_UNKNOWN, estimate
from ..compat import Footer
from ..actions import bindings
from ..drafts import FIELD_LABELS, FIELDS, Draft
from ..widgets.form_fields import Field, FieldProblems, key_hint, literal, select_value
from ..widgets.media_editor import MediaEditor
from .form_values import request_from_values, values_of
from .generation_form_layout import form_fields, size_options

ACTION_TITLES = {"text2video": "Text to video", "image2video": "Image to video"}
_ACTION_ALIASES = {"t2v": "text2video", "text-to-video": "text2video",
                   "i2v": "image2video", "image-to-video": "image2video"}


def form_action(request: GenerationRequest) -> str | None:
    """The form a re-run of `request` opens in: its action when its model takes it; for a
    model without one (Wan 3), image-to-video when it has media; None for an unknown model."""
    spec = spec_of(request.model)
    if spec is None:
        return None
    if spec.does(request.action):
        return request.action
    if request.media and spec.does("image2video"):
        return "image2video"
    return spec.actions[0]


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
                 rerun_of: int | None = None, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        """`defaults`: the request over the config's defaults (`Session.new_request`); a
        `prefill` (a re-run of row #`rerun_of`) or else a `draft` of the action wins over
        them."""
        super().__init__(name=name, id=id, classes=classes)
        self.sub_title = f"re-run of #{rerun_of}" if rerun_of is not None else ""
        action = _ACTION_ALIASES.get(action, action)
        if prefill is not None:  # a re-run opens the form it needs
            action = form_action(prefill) or (action if action in ACTIONS else ACTIONS[0])
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)} (got {action!r})")
        self.action = action
        self.models = models_for(action)
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
        self.estimate_text = ""

    def _fitting(self, defaults: GenerationRequest) -> GenerationRequest:
        """The defaults, with this form's action and one of its models."""
        if defaults.action in (self.action, "") and defaults.model in self.models:
            return defaults
        return GenerationRequest(action=self.action, model=self.models[0], prompt="")

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="form-top"):
            yield Static("", id="form-hint", markup=False)
            yield Static("", id="form-estimate", markup=False)
        with VerticalScroll(id="form-body"), Vertical(id="form-column"):
            yield FieldProblems(id="form-problems")
            yield from form_fields(self.action, self.models, self._opened)
        yield Footer()

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
        title = " · ".join(filter(None, (ACTION_TITLES[self.action], self.sub_title)))
        self.query_one("#form-hint", Static).update(literal(
            f"{title}  ·  {keys['submit']} submit · {keys['cancel']} cancel"))

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
            elif isinstance(widget, MediaEditor):
                out[name] = widget.value
        return out

    def request(self) -> GenerationRequest:
        """The request the form describes, built only from the fields that apply."""
        return request_from_values(self.action, self.values())

    # -- reacting to edits ----------------------------------------------------------------------

    @on(TextArea.Changed)
    @on(Input.Changed)
    @on(Select.Changed)
    @on(MediaEditor.Changed)
    def _field_changed(self, event: TextArea.Changed | Input.Changed | Select.Changed
                       | MediaEditor.Changed) -> None:
        name = event.control.id
        if name not in FIELD_LABELS:
            return
        if name == "resolution":
            self._sync_sizes()
        elif name == "model":
            self._sync_model()
        elif name == "audio":
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
        size_select.set_options(size_options(resolution))
        if size in sizes:
            size_select.value = size

    def _sync_model(self) -> None:
        """Show the inputs the chosen model uses, hide the others, describe the model."""
        model = self.values()["model"]
        self.query_one("#model-description", Static).update(
            literal(MODEL_DESCRIPTIONS.get(model, "not a known model")))
        spec = spec_of(model)
        for name in ("image_url", "reference_video_urls", "media"):
            try:
                self.query_one(f"#field-{name}").set_class(
                    spec is None or not spec.uses(name), "-hidden")
            except NoMatches:
                pass

    def _sync_dependents(self) -> None:
        """An audio URL means nothing with audio off. (Shot type stays open with rewriting
        off: the service takes it, and the core's warning says it has no effect.)"""
        v = self.values()
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
        request = self.request()
        self.problems = request.problems()
        self._show_problems()
        self._show_estimate(request)
        if not self._rerun and not self._submitted:
            self._keep_draft(values)

    def _show_count(self, name: str, length: int, limit: int) -> None:
        count = self.query_one(f"#count-{name}", Static)
        count.update(literal(f"{length:,} / {limit:,}"))
        count.set_class(length > limit, "-over")
        count.set_class(limit * 0.9 <= length <= limit, "-near")

    def _show_problems(self) -> None:
        by_field: dict[str, list[tuple[str, bool]]] = {name: [] for name in FIELDS}
        general = [(str(p), p.warning) for p in self._left_out_notes()]
        for problem in self.problems:
            label = FIELD_LABELS.get(problem.field)
            if label is None:
                general.append((str(problem), problem.warning))
            elif problem.warning or self._show_all or problem.field in self._touched:
                by_field[problem.field].append((f"{label} {problem.message}", problem.warning))
        for name, messages in by_field.items():
            try:
                self.query_one(f"#error-{name}", FieldProblems).show(messages)
            except NoMatches:
                continue
        self.query_one("#form-problems", FieldProblems).show(general)

    def _left_out_notes(self) -> list[Problem]:
        """The core's "left out" warnings for what is typed in fields the model does not use
        (hidden, kept for switching back): said at the top, as their fields are not shown."""
        full = request_from_values(self.action, self.values(), hidden=True)
        return [p for p in full.warnings() if p.field in full.left_out()]

    def _show_estimate(self, request: GenerationRequest) -> None:
        """The published-price estimate, or "price unknown" (Wan 2.6 has no published price)."""
        guess = estimate(request)
        self.estimate_text = guess.text if guess is not None else PRICE_UNKNOWN
        shown = f"estimate {guess.text}" if guess is not None else PRICE_UNKNOWN
        self.query_one("#form-estimate", Static).update(literal(shown))

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
            target = widget if widget.focusable else next(
                (w for w in widget.query("*") if w.focusable), None)  # the media editor
            if target is not None:
                target.focus()
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
