"""Every key the app binds, in one registry.

The registry makes the screens' `Binding`s (each with its id, for `App.set_keymap`), the help
screen, the README's key table, and the check of the user's `[keymap]` table. Textual is
imported only inside `bindings()`, so the CLI can import this module to check
`config set keymap.x` without loading Textual.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from textual.binding import BindingType


class ActionSpec(NamedTuple):  # not a frozen dataclass: ~0.4 ms less start-up
    """One bindable action."""

    id: str  # the binding id users remap in [keymap], e.g. "board.new_text"
    keys: str  # default keys, comma separated, as Textual names them
    action: str  # the Textual action it runs
    label: str  # the footer's and the help screen's word for it
    description: str  # what it does, in a sentence (README)
    scope: str  # where it applies: a key of SCOPES
    widget: str = "screen"  # what binds it: the screen, or its "table"
    show: bool = True  # shown in the footer
    priority: bool = False  # works while an input has focus (the input would take the key)


# Scope -> title, in the order the help screen and the README list them.
SCOPES: dict[str, str] = {
    "board": "Board", "history": "History", "form": "Generation form",
    "settings": "Settings", "welcome": "Welcome", "help": "Help", "app": "Everywhere",
}

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("board.new_text", "n", "new_text", "Text→video",
               "new text-to-video generation (its form)", "board"),
    ActionSpec("board.new_image", "i", "new_image", "Image→video",
               "new image-to-video generation (its form)", "board"),
    ActionSpec("board.filter", "slash", "filter", "Filter",
               "filter the board by text (prompt, model, task id, state)", "board"),
    ActionSpec("board.state", "s", "cycle_state", "State",
               "step the state filter: all, active, succeeded, failed, unknown/expired/lost",
               "board"),
    ActionSpec("board.rerun", "r", "rerun", "Re-run",
               "re-run the highlighted task (its form, pre-filled), or every marked one "
               "(asks first, with the estimated cost)", "board"),
    ActionSpec("board.copy", "c", "copy", "Copy URL",
               "copy the highlighted task's video URL (marked: every one)", "board"),
    ActionSpec("board.open", "o", "open", "Open",
               "open the highlighted task's video in the browser", "board"),
    ActionSpec("board.download", "d", "download", "Save",
               "save the highlighted task's video (marked: every one) in the downloads folder "
               "(`downloads.dir`)",
               "board"),
    ActionSpec("board.history", "h", "history", "History",
               "the history: search everything, show a row on the board or re-run it", "board"),
    ActionSpec("board.back", "escape", "back", "Back",
               "leave the filter, collapse the details, clear the marks, or clear the filters",
               "board",
               show=False),
    ActionSpec("board.details", "enter", "screen.details", "Details",
               "expand the detail pane (`enter` or `esc` again: back)", "board",
               widget="table", show=False),
    ActionSpec("board.down", "j", "cursor_down", "Down", "move the cursor down", "board",
               widget="table", show=False),
    ActionSpec("board.up", "k", "cursor_up", "Up", "move the cursor up", "board",
               widget="table", show=False),
    ActionSpec("board.top", "g,home", "screen.top", "Top",
               "go to the newest row (the top)", "board", widget="table", show=False),
    ActionSpec("board.bottom", "G,end", "screen.bottom", "Bottom",
               "go to the oldest row (the bottom)", "board", widget="table", show=False),
    ActionSpec("board.jump", "colon,number_sign", "jump", "Go to #",
               "go to a task by its number (#)", "board", show=False),
    ActionSpec("board.state_back", "S", "cycle_state_back", "State back",
               "step the state filter backwards", "board", show=False),
    ActionSpec("board.finished", "F", "toggle_finished", "Hide finished",
               "hide or show finished tasks (they stay in the history)", "board", show=False),
    ActionSpec("board.look_up", "l", "look_up", "Look up",
               "unknown or lost task: ask the service about it now (free)", "board",
               show=False),
    ActionSpec("board.dismiss", "x", "dismiss_unknown", "Dismiss",
               "unknown or lost task: dismiss it as not created (asks; says what it means "
               "for billing)", "board", show=False),
    ActionSpec("board.sort", "O", "sort", "Sort",
               "step the sort: newest first, oldest first, then by state, model, input, "
               "length, resolution, prompt (the header shows it)", "board", show=False),
    ActionSpec("board.mark", "space", "mark", "Mark",
               "mark the highlighted task for a bulk action (and step down)", "board",
               show=False),
    ActionSpec("board.mark_range", "shift+space,V", "mark_range", "Mark range",
               "mark every task from the last marked one to the cursor", "board", show=False),
    ActionSpec("board.mark_all", "ctrl+a", "mark_all", "Mark all",
               "mark every shown task (again: unmark all)", "board", show=False),
    ActionSpec("board.copy_ids", "y", "copy_ids", "Copy id",
               "copy the task id of the highlighted task, or of every marked one", "board",
               show=False),
    ActionSpec("board.delete", "delete", "delete", "Remove",
               "remove the highlighted or marked tasks from the board and the history "
               "(asks first; the service keeps them)", "board", show=False),
    ActionSpec("history.show", "enter", "screen.choose('show')", "Show on board",
               "show the highlighted row on the board", "history", widget="table"),
    ActionSpec("history.back", "escape", "back", "Back", "back to the board", "history"),
    ActionSpec("history.search", "slash", "search", "Search",
               "search: words in prompts, #number or id:task-id, and state:, model:, since:, "
               "until:, has:video, saved: filters", "history"),
    ActionSpec("history.rerun", "r", "rerun", "Re-run",
               "re-run the highlighted row (its form, pre-filled, over the history)", "history"),
    ActionSpec("history.to_list", "down", "to_list", "To the list",
               "from the search field: into the list, where the keys below act", "history",
               show=False),
    ActionSpec("history.copy_prompt", "p", "copy_prompt", "Copy prompt",
               "copy the highlighted row's prompt", "history", show=False),
    ActionSpec("history.copy", "c", "copy", "Copy URL",
               "copy the highlighted row's video URL", "history", show=False),
    ActionSpec("history.copy_id", "y", "copy_id", "Copy id",
               "copy the highlighted row's task id", "history", show=False),
    ActionSpec("history.open", "o", "open", "Open",
               "open the highlighted row's video", "history"),
    ActionSpec("history.download", "d", "download", "Save",
               "save the highlighted row's video in the downloads folder", "history"),
    ActionSpec("history.delete", "delete", "delete", "Remove",
               "remove the highlighted row (asks; optionally deletes the task on the service "
               "too)", "history"),
    ActionSpec("history.export", "e", "export", "Export",
               "export the rows shown (the search's whole result) to a new JSONL file in the "
               "downloads folder", "history"),
    ActionSpec("history.settle", "u", "settle", "Unknown…",
               "for a submission in state unknown: look it up, or dismiss it as not created",
               "history"),
    ActionSpec("history.down", "j", "cursor_down", "Down", "move the cursor down", "history",
               widget="table", show=False),
    ActionSpec("history.up", "k", "cursor_up", "Up", "move the cursor up", "history",
               widget="table", show=False),
    ActionSpec("history.last", "ctrl+end,G", "screen.last", "Last",
               "jump to the last (oldest) row of the results", "history", widget="table",
               show=False),
    ActionSpec("history.first", "ctrl+home,g", "screen.first", "First",
               "jump to the first (newest) row of the results", "history", widget="table",
               show=False),
    ActionSpec("form.submit", "ctrl+s,ctrl+enter", "submit", "Submit",
               "submit the form (it is checked first)", "form"),
    ActionSpec("form.cancel", "escape", "cancel", "Cancel",
               "leave the form; what you typed is kept as its draft", "form"),
    ActionSpec("settings.save", "ctrl+s", "save", "Save",
               "save the settings that changed", "settings"),
    ActionSpec("settings.cancel", "escape", "cancel", "Cancel",
               "leave the settings unsaved", "settings"),
    ActionSpec("welcome.demo", "ctrl+d", "demo", "Try the demo",
               "try the demo (offline, on the built-in simulator)", "welcome", priority=True),
    ActionSpec("help.close", "escape,q,question_mark,f1", "dismiss", "Close",
               "close the help", "help"),
    ActionSpec("app.settings", "comma,f2", "settings", "Settings",
               "settings: token, defaults, polling, theme", "app"),
    ActionSpec("app.help", "question_mark,f1", "help", "Help",
               "help: every key and its binding id", "app"),
    ActionSpec("app.quit", "q", "request_quit", "Quit",
               "quit (asks first while submissions are still being sent)", "app"),
)

BY_ID: dict[str, ActionSpec] = {spec.id: spec for spec in ACTIONS}

# Keys Textual binds itself, listed with the app's own: (keys, label, description).
FIXED_KEYS: tuple[tuple[str, str, str], ...] = (
    ("ctrl+p", "Command palette",
     "command palette: new generations, screens, filters, the highlighted task, theme"),
    ("ctrl+q", "Quit", "quit from anywhere (asks first while submissions are being sent)"),
    ("tab", "Next field", "next field"),
)

# How the README writes Textual's key names.
_KEY_WORDS = {"slash": "/", "question_mark": "?", "comma": ",", "escape": "esc",
              "colon": ":", "number_sign": "#"}

KEYMAP_HINT = ('Remap keys by id in the config\'s [keymap] table, e.g. "board.new_text" = '
               '"ctrl+n" (several keys: "ctrl+n,f5").')


def split_keys(keys: str) -> list[str]:
    return [key.strip() for key in keys.split(",") if key.strip()]


def keys_in_effect(spec: ActionSpec, keymap: Mapping[str, str]) -> list[str]:
    """The keys bound to an action once the user's keymap is applied."""
    return split_keys(keymap.get(spec.id, spec.keys)) or split_keys(spec.keys)


def binding_of(binding_id: str) -> list[BindingType]:
    """One action's `Binding` alone, for another widget that must answer its keys too."""
    spec = BY_ID[binding_id]
    return [b for b in bindings(spec.scope, spec.widget)
            if not isinstance(b, tuple) and b.id == binding_id]


def bindings(scope: str, widget: str = "screen") -> list[BindingType]:
    """The `Binding`s of one scope, for a class's BINDINGS (ids included)."""
    from textual.binding import Binding

    found: list[BindingType] = [
        Binding(spec.keys, spec.action, spec.label, show=spec.show, id=spec.id,
                priority=spec.priority)
        for spec in ACTIONS if spec.scope == scope and spec.widget == widget]
    return found


# -- the user's [keymap] -------------------------------------------------------------------

APP_KEYS_APPLY = ("board", "history", "welcome")  # screens where the app's own keys work


def keymap_entry_problems(keymap: Mapping[str, str], binding_id: str, keys: str) -> list[str]:
    """What is wrong with setting `keymap.<binding_id> = keys` over this [keymap] table (for
    `wan-tui config set keymap.X KEY`): the problems that name this entry."""
    wanted = {**keymap, binding_id: keys}
    return [p for p in keymap_problems(wanted)
            if p.startswith(f"keymap.{binding_id}:") or f"{binding_id}" in p.split(":", 1)[-1]]


def keymap_problems(keymap: Mapping[str, str]) -> list[str]:
    """What is wrong with a [keymap] table: unknown ids (with the nearest known one) and a key
    given to two actions of the same scope. Each message names the config key."""
    problems = []
    for binding_id in keymap:
        if binding_id not in BY_ID:
            near = difflib.get_close_matches(binding_id, list(BY_ID), n=1)
            hint = f"; did you mean {near[0]}?" if near else ""
            problems.append(f"keymap.{binding_id}: no action has this id{hint}")
    for scope in SCOPES:
        owners: dict[str, list[str]] = {}
        for spec in ACTIONS:  # the app's keys apply on every screen: they collide too
            if spec.scope == scope or (spec.scope == "app" and scope in APP_KEYS_APPLY):
                for key in keys_in_effect(spec, keymap):
                    owners.setdefault(key, []).append(spec.id)
        for key, ids in owners.items():
            remapped = [i for i in ids if i in keymap]
            if len(ids) > 1 and remapped:
                problems.append(f"keymap.{remapped[0]}: {shown_key(key)} is also bound to "
                                f"{', '.join(i for i in ids if i != remapped[0])}")
    return problems


# -- documentation -------------------------------------------------------------------------

def shown_key(key: str) -> str:
    return _KEY_WORDS.get(key, key)


def help_rows(scope: str) -> Iterable[ActionSpec]:
    return (spec for spec in ACTIONS if spec.scope == scope)


def keys_markdown() -> str:
    """The README's key table (a test checks README.md against it)."""
    lines = ["| where | key | what it does | binding id |", "|---|---|---|---|"]
    for scope, title in SCOPES.items():
        for spec in help_rows(scope):
            keys = " or ".join(f"`{shown_key(k)}`" for k in split_keys(spec.keys))
            lines.append(f"| {title} | {keys} | {spec.description} | `{spec.id}` |")
        if scope == "app":
            for keys, _label, description in FIXED_KEYS:
                lines.append(f"| {title} | `{keys}` | {description} | |")
    return "\n".join(lines)
