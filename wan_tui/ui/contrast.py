"""Readable text in every theme: each colour the app writes text in reaches 4.5:1 (WCAG AA)
against the backgrounds it is written on.

`readable_variables` adjusts a theme's CSS variables (the app's `get_css_variables` runs it),
moving a text colour towards black or white only as far as it must, and adds the app's own
text colours (`wan-brand`, `wan-muted`). `TEXT_ON` says which text sits on which background:
the contrast test checks every pair, in the light and dark themes."""

from __future__ import annotations

from collections.abc import Mapping

from textual.color import Color

AA = 4.5
TARGET = 4.7  # a little over AA, so rounding to hex never drops a colour under it
BACKGROUNDS = ("background", "surface", "panel")

# text variable -> the backgrounds it is written on
TEXT_ON: dict[str, tuple[str, ...]] = {
    "foreground": BACKGROUNDS,
    "foreground-muted": BACKGROUNDS,  # border titles
    "text-primary": BACKGROUNDS,  # running and pending rows, stopwatches, the filter label
    "text-success": BACKGROUNDS,
    "text-error": BACKGROUNDS,
    "text-warning": BACKGROUNDS,
    "text-accent": BACKGROUNDS,
    "wan-brand": BACKGROUNDS,  # the "wan-tui" mark
    "wan-muted": BACKGROUNDS,  # ages, detail labels, placeholders, finished-row details
    "footer-key-foreground": ("footer-background",),
    "footer-description-foreground": ("footer-background",),
}


def luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(a: Color, b: Color) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def solid(value: str, under: Color) -> Color | None:
    """A variable's colour as drawn over `under` (alpha blended); None: not a colour."""
    try:
        color = Color.parse(value)
    except Exception:  # noqa: BLE001 - "auto 38%" and the like are not fixed colours
        return None
    return under + color if color.a < 1 else color


def readable(text: Color, backgrounds: list[Color]) -> Color:
    """`text`, moved towards black or white just enough to reach TARGET on every background."""
    if not backgrounds:
        return text
    darkest = min(backgrounds, key=luminance)
    towards = Color(0, 0, 0) if luminance(darkest) > 0.18 else Color(255, 255, 255)
    color = text
    for step in range(21):
        color = text.blend(towards, step / 20)
        if min(contrast(color, bg) for bg in backgrounds) >= TARGET:
            break
    return color


def readable_variables(variables: Mapping[str, str]) -> dict[str, str]:
    """The theme's variables with every text colour readable on its backgrounds."""
    out = dict(variables)
    base = solid(out.get("background", "#000000"), Color(0, 0, 0)) or Color(0, 0, 0)
    foreground = solid(out.get("foreground", "#ffffff"), base) or Color(255, 255, 255)
    out.setdefault("wan-brand", out.get("accent", out.get("foreground", "#ffffff")))
    out.setdefault("wan-muted", foreground.blend(base, 0.45).hex6)
    for name, under in TEXT_ON.items():
        grounds = [c for c in (solid(out.get(g, ""), base) for g in under) if c is not None]
        color = solid(out.get(name, ""), grounds[0] if grounds else base)
        if color is not None:
            out[name] = readable(color, grounds).hex6
    return out


def text_pairs(variables: Mapping[str, str]) -> list[tuple[str, Color, str, Color]]:
    """(text variable, its colour, background variable, its colour) for every pair shown."""
    base = solid(variables["background"], Color(0, 0, 0)) or Color(0, 0, 0)
    pairs = []
    for name, under in TEXT_ON.items():
        for ground in under:
            bg = solid(variables[ground], base)
            fg = solid(variables[name], bg or base)
            if bg is not None and fg is not None:
                pairs.append((name, fg, ground, bg))
    return pairs
