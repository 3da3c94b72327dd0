"""The import contract between the packages (design.md's layers), read from the source.

Front ends (`cli/`, `ui/`) reach the core through `wan_tui.session` and use only the data types
and pure helpers around it; they never import the HTTP client, the tracker, the history's
writer or the download code. The wire (`api/`) knows nothing above it, the store nothing of the
tracker or front ends, and the simulator is its own judge: nothing from `wan_tui.api`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wan_tui"

# What a front end may import from wan_tui (a module, or anything below it).
FRONT_END_ALLOWED = (
    "wan_tui.session",
    "wan_tui.crash",
    "wan_tui.api.models",
    "wan_tui.api.media",
    "wan_tui.api.pricing",
    "wan_tui.api.specs",
    "wan_tui.api.service",
    "wan_tui.api.state",
    "wan_tui.api.errors",
    "wan_tui.api.text",
    "wan_tui.store.config",
    "wan_tui.store.config_keys",
    "wan_tui.store.rows",
    "wan_tui.store.paths",
    "wan_tui.store.query",
    "wan_tui.sim",  # `wan-tui sim` and the demo run the simulator
    "wan_tui.__version__",
)
EXTRA_ALLOWED = {"wan_tui.cli": ("wan_tui.ui",)}  # the CLI launches the terminal app
# For each layer: the parts of wan_tui it must not import.
FORBIDDEN = {
    "wan_tui.api": ("wan_tui.store", "wan_tui.tracker", "wan_tui.session", "wan_tui.cli",
                    "wan_tui.ui", "wan_tui.sim", "wan_tui.media", "wan_tui.callbacks"),
    "wan_tui.store": ("wan_tui.tracker", "wan_tui.session", "wan_tui.cli", "wan_tui.ui",
                      "wan_tui.sim", "wan_tui.media", "wan_tui.api.client"),
    "wan_tui.tracker": ("wan_tui.session", "wan_tui.cli", "wan_tui.ui", "wan_tui.sim"),
    "wan_tui.session": ("wan_tui.cli", "wan_tui.ui", "wan_tui.sim"),
    "wan_tui.sim": ("wan_tui.api", "wan_tui.store", "wan_tui.tracker", "wan_tui.session",
                    "wan_tui.ui"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every wan_tui module this file imports, relative imports resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m == "wan_tui" or m.startswith("wan_tui.")}


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("front", ["wan_tui.cli", "wan_tui.ui"])
def test_front_ends_reach_the_core_only_through_the_session(front: str) -> None:
    offenders = []
    for path in sources():
        if not within(module_name(path), front):
            continue
        for imported in imports_of(path):
            if within(imported, front) or imported == "wan_tui":
                continue
            # `from wan_tui.store import rows` names wan_tui.store and wan_tui.store.rows.
            allowed = FRONT_END_ALLOWED + EXTRA_ALLOWED.get(front, ())
            if any(within(imported, ok) or within(ok, imported) for ok in allowed):
                continue
            offenders.append(f"{module_name(path)} imports {imported}")
    assert offenders == []


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_nothing_above_it(layer: str) -> None:
    offenders = [
        f"{module_name(path)} imports {imported}"
        for path in sources() if within(module_name(path), layer)
        for imported in imports_of(path)
        if any(within(imported, banned) for banned in FORBIDDEN[layer])
    ]
    assert offenders == []


def test_the_contract_reader_sees_relative_imports() -> None:
    # The test above is only as good as this reader: a file known to import the tracker.
    assert "wan_tui.tracker" in imports_of(PACKAGE / "session.py")
    assert "wan_tui.session" in imports_of(PACKAGE / "cli" / "context.py")
