"""python -m wan_tui.sim: the same as `wan-tui sim` (one parser for both)."""

from __future__ import annotations

import sys

from ..cli import main

sys.exit(main(["sim", *sys.argv[1:]]))
