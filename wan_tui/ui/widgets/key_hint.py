"""A one-line key hint for small terminals, in place of the footer: the screen's keys as
"key label" pairs, as many as fit, and always help and quit at the end (so `?` is
discoverable on a first run at 80x24). Keys shown are those in effect after the keymap."""

from __future__ import annotations

from rich.text import Text
from textual.color import Color
from textual.screen import Screen
from textual.widgets import Static

ALWAYS = ("app.help", "app.quit")  # never left out
GAP = "  "


def hint_text(pairs: list[tuple[str, str]], always: list[tuple[str, str]], width: int,
              key_style: str, label_style: str) -> Text:
    """`pairs` in order while they fit, then `always`; each pair is (key, label)."""

    def size(items: list[tuple[str, str]]) -> int:
        return sum(len(k) + 1 + len(label) for k, label in items) + len(GAP) * max(
            0, len(items) - 1)

    chosen: list[tuple[str, str]] = []
    for pair in pairs:
        if size([*chosen, pair, *always]) <= width:
            chosen.append(pair)
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    for i, (key, label) in enumerate([*chosen, *always]):
        if i:
            text.append(GAP)
        text.append(key, style=key_style)
        text.append(f" {label}", style=label_style)
    return text


class KeyHint(Static):
    """Follows the screen's bindings, like the footer it stands in for."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.refresh_hint)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self.refresh_hint()

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self.refresh_hint()

    def refresh_hint(self) -> None:
        pairs: list[tuple[str, str]] = []
        always: dict[str, tuple[str, str]] = {}
        seen: set[str] = set()
        for _node, binding, enabled, _tip in self.screen.active_bindings.values():
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            pair = (self.app.get_key_display(binding), binding.description)
            if binding.id in ALWAYS:
                always[binding.id] = pair
            else:
                pairs.append(pair)
        variables = self.app.theme_variables
        self.update(hint_text(pairs, [always[i] for i in ALWAYS if i in always],
                              self.size.width or self.app.size.width,
                              f"bold {_colour(variables, 'footer-key-foreground')}".strip(),
                              _colour(variables, "footer-description-foreground")))


def _colour(variables: dict[str, str], name: str) -> str:
    try:
        return Color.parse(variables[name]).hex6
    except Exception:  # noqa: BLE001 - a theme without it (or an ANSI one): the default
        return ""
