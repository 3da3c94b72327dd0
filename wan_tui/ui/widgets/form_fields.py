"""Small building blocks shared by the generation form and the settings screen.

Everything that shows a value the user (or the history, or a server) supplied goes through
`literal()`: a `Content` object is never parsed as markup, so a prompt containing
`[@click=app.quit]` is shown as those characters and does nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Label, Select, Static

# A three-state boolean: Select's blank entry is "unset" (the field is not sent at all).
TRI_STATE_OPTIONS: tuple[tuple[str, bool], ...] = (("on", True), ("off", False))
SERVICE_DEFAULT = "(service default)"


def literal(text: str, style: str = "") -> Content:
    """Text shown exactly as written, never read as markup."""
    return Content.styled(text, style) if style else Content(text)


def select_options(values: Iterable[Any], labels: dict[Any, str] | None = None,
                   keep: Any = None, keep_note: str = "not offered") -> list[tuple[Content, Any]]:
    """Options for a Select, each label literal. `keep`, when set and not among `values`, is
    added (marked) so a stored value is shown and reported rather than silently dropped."""
    values = list(values)
    labels = labels or {}
    options = [(literal(labels.get(value, str(value))), value) for value in values]
    if keep is not None and keep not in values:
        options.append((literal(f"{keep} ({keep_note})"), keep))
    return options


def select_value(select: Select[Any]) -> Any:
    """The Select's value, with the blank entry read as None."""
    return None if select.is_blank() else select.value


def key_hint(screen: Screen[Any], defaults: dict[str, str]) -> dict[str, str]:
    """The keys now bound to the screen's actions (after the app's keymap), by action name,
    for hint lines; `defaults` maps action -> key shown when none is found."""
    keys = dict(defaults)
    found: set[str] = set()
    for node, binding, _enabled, _tooltip in screen.active_bindings.values():
        if node is screen and binding.action in keys and binding.action not in found:
            found.add(binding.action)
            keys[binding.action] = screen.app.get_key_display(binding)
    return keys


class FieldProblems(Static):
    """The errors and warnings of one field, shown under it; hidden when there are none."""

    DEFAULT_CSS = """
    FieldProblems {
        height: auto;
        display: none;
        padding: 0 1;
        &.-error { display: block; color: $text-error; }
        &.-warning { display: block; color: $text-warning; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.messages: tuple[tuple[str, bool], ...] = ()

    def show(self, messages: Sequence[tuple[str, bool]]) -> None:
        """Show `(text, is_warning)` pairs; errors first. An empty list hides the line."""
        ordered = tuple(sorted(messages, key=lambda m: m[1]))
        if ordered == self.messages:
            return
        self.messages = ordered
        errors = [text for text, warning in ordered if not warning]
        self.set_class(bool(errors), "-error")
        self.set_class(bool(ordered) and not errors, "-warning")
        lines = [("✗ " if not warning else "! ") + text for text, warning in ordered]
        self.update(literal("\n".join(lines)))

    @property
    def text(self) -> str:
        return "\n".join(text for text, _ in self.messages)


class Field(Vertical):
    """A labelled control: a label line (with an optional note on the right), the control,
    and the field's problems."""

    DEFAULT_CSS = """
    Field {
        height: auto;
        margin: 0 0 1 0;
        & > .field--head { height: 1; padding: 0 1; }
        & > .field--head > .field--label { width: auto; margin-right: 2; text-style: bold; }
        & > .field--head > .field--note {
            width: 1fr;
            color: $wan-muted;
            text-align: right;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
        &:disabled > .field--head > .field--label { color: $text-disabled; }
    }
    """

    def __init__(self, label: str, control: Widget, *, note: Widget | None = None,
                 message_id: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.label = label
        self.control = control
        self.note = note
        self.problems = FieldProblems(id=message_id)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field--head"):
            yield Label(literal(self.label), classes="field--label", markup=False)
            if self.note is not None:
                self.note.add_class("field--note")
                yield self.note
        yield self.control
        yield self.problems
